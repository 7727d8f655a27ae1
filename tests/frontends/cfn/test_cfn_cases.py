"""Inline `# expect: CODE` cases for the CloudFormation frontend (JSON cases use a sidecar
`<name>.json.expect`): every diagnostic at its line, no other."""

from pathlib import Path

import pytest
from kiln_testing import check_case

CASES = sorted(
    path
    for path in (Path(__file__).parent / "cases").iterdir()
    if path.suffix in (".yaml", ".json")
)


def relative(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path, registries):
    check_case(relative(path), registries)
