"""validate_schema: inline `# expect:` cases, one or more per code, and clean ones."""

from pathlib import Path

import pytest
from kiln_testing import check_case

from kiln.compiler.driver import compile_file
from kiln.plugins.host import Registries

HERE = Path(__file__).parent
MEMBERS = {"member.yaml"}  # included by other cases, not cases themselves
CASES = sorted(
    p
    for p in (HERE / "cases").iterdir()
    if p.suffix in (".yaml", ".json") and p.name not in MEMBERS
)


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path: Path, registries: Registries) -> None:
    check_case(path, registries)


def test_hidden_values_are_masked_in_property_errors(registries: Registries) -> None:
    result = compile_file(str(HERE / "cases" / "bad_properties.yaml"), registries)
    (secret,) = [d for d in result.diagnostics if "secret_use" in d.dotted_path]
    assert "Sup3r_secret" not in secret.message and "******" in secret.message
