"""Shared helpers of the lint-session tests: registries with the fixture plugin's rules,
a one-call lint, files in temporary directories, and (line, code) counters."""

import functools
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.lint.session import LintReport, LintRequest, run
from kiln.plugins.host import Registries, load

HERE = Path(__file__).parent
FIXTURE_PLUGIN = HERE / "fixture_plugin"


@functools.cache
def fixture_plugin_registries() -> Registries:
    """The built-ins plus the fixture plugin (rules TST001-TST004 with autofixes); a test
    module makes it a fixture: `fixture_registries = pytest.fixture(...)`."""
    sys.path.insert(0, str(FIXTURE_PLUGIN))
    try:
        import kiln_lint_fixtures
    finally:
        sys.path.remove(str(FIXTURE_PLUGIN))
    return load(entry_points=False, extra=[("lint-fixtures", kiln_lint_fixtures)])


def install_fixture_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fixture plugin an installed distribution (a `kiln` entry point), as a user's
    third-party plugin is, so the CLI and its subprocesses load it."""
    site = tmp_path / "site"
    dist = site / "kiln_lint_fixtures-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kiln-lint-fixtures\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text("[kiln]\nlint-fixtures = kiln_lint_fixtures\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(FIXTURE_PLUGIN))
    paths = [str(FIXTURE_PLUGIN), str(site)]
    monkeypatch.setenv("PYTHONPATH", ":".join(paths))


def write(directory: Path, name: str, text: str, *, newline: str = "\n") -> Path:
    """Write a dedented template; `newline` "\\r\\n" for a CRLF file."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    body = textwrap.dedent(text).lstrip("\n")
    path.write_bytes(body.replace("\n", newline).encode("utf-8"))
    return path


def lint(registries: Registries, *paths: Any, **options: Any) -> LintReport:
    return run(LintRequest(paths=[str(p) for p in paths], **options), registries)


def located(diagnostics: list[Diagnostic], path: Path | None = None) -> Counter[tuple[int, str]]:
    """(line, code) of each diagnostic (in `path` only, when given)."""
    found: Counter[tuple[int, str]] = Counter()
    for diagnostic in diagnostics:
        span = diagnostic.span
        if path is not None and (span is None or Path(span.file) != path):
            continue
        found[(span.start.line if span else 0, diagnostic.code.id)] += 1
    return found


def codes(report: LintReport) -> list[str]:
    return [diagnostic.code.id for diagnostic in report.diagnostics]
