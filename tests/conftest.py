"""Shared fixtures: the plugin registries, the corpus location, golden files."""

import os
from pathlib import Path

import pytest

from kiln.plugins.host import Registries, load


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden files with the current output instead of comparing.",
    )


@pytest.fixture(scope="session")
def registries() -> Registries:
    """Built-in plugins only: installed third-party plugins must not change test results."""
    return load(entry_points=False)


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus (KILN_CORPUS, default ../shared/corpus); skips, saying so, if absent."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    path = Path(os.environ.get("KILN_CORPUS", default))
    if not (path / "INDEX.tsv").is_file():
        pytest.skip(f"template corpus not found at {path} (set KILN_CORPUS)")
    return path
