"""Golden IR dumps (with spans) for each CloudFormation format, JSON and YAML (short tags)."""

from pathlib import Path

import pytest
from kiln_testing import compare_golden

from kiln.compiler.driver import compile_file
from kiln.compiler.ir.dump import dump

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path for path in GOLDEN.iterdir() if path.suffix in (".yaml", ".json"))


def relative(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


# What a template written for AWS gets from the Heat target: the golden cases exercise AWS's
# functions and attributes on purpose, so these are expected; anything else is not.
HEAT_TARGET_CODES = {"FN009", "REF006", "REF007"}


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_ir_dump(path, registries, update_golden):
    result = compile_file(str(relative(path)), registries)
    errors = [
        d
        for d in result.diagnostics
        if str(d.severity) == "error" and d.code.id not in HEAT_TARGET_CODES
    ]
    assert not errors, [f"{d.span}: {d.code.id} {d.message}" for d in errors]
    assert result.unit is not None
    compare_golden(dump(result.unit.root, spans=True), path.with_suffix(".ir"), update_golden)


def test_every_format_has_a_golden_case(registries):
    versions = set()
    for path in CASES:
        result = compile_file(str(relative(path)), registries)
        assert result.unit is not None
        versions.add(result.unit.root.version)
    assert versions == {"2010-09-09", "2012-12-12", ""}
