"""Golden IR dumps (with spans) for every HOT version and a release alias."""

from pathlib import Path

import pytest
from kiln_testing import compare_golden

from kiln.compiler.driver import compile_file
from kiln.compiler.ir.dump import dump

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.yaml"))


def relative(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_ir_dump(path, registries, update_golden):
    result = compile_file(str(relative(path)), registries)
    errors = [d for d in result.diagnostics if str(d.severity) == "error"]
    assert not errors, [f"{d.span}: {d.code.id} {d.message}" for d in errors]
    assert result.unit is not None
    compare_golden(dump(result.unit.root, spans=True), path.with_suffix(".ir"), update_golden)


def test_every_version_has_a_golden_case():
    from kiln.frontends.hot.versions import VERSIONS

    covered = {p.stem[1:].replace("_", "-") for p in CASES if p.stem.startswith("v")}
    assert covered == set(VERSIONS)
