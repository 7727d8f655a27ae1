"""Inline `# expect: CODE` cases for the HOT frontend: every diagnostic at its line, no other."""

from pathlib import Path

import pytest
from kiln_testing import check_case

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path, registries):
    check_case(
        path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path, registries
    )
