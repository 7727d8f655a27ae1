"""validate_definitions: inline `# expect:` cases, one or more per code, and clean ones."""

from pathlib import Path

import pytest
from kiln_testing import check_case

from kiln.plugins.host import Registries

HERE = Path(__file__).parent
INCLUDED = {"provider.yaml"}  # a provider template the cases use, not a case itself
CASES = sorted(
    p for p in (HERE / "cases").iterdir() if p.suffix == ".yaml" and p.name not in INCLUDED
)


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path: Path, registries: Registries) -> None:
    check_case(path, registries)
