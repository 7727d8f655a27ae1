"""Suppressions, each form in a case under tests/lint/suppress/: what `kiln lint` still reports
(`# expect:` at the line, or the `.expect` sidecar for JSON) is exactly what the case expects.

Only UNU001 of the lint rules runs, so the cases depend on validation codes and that rule alone.
"""

import re
from pathlib import Path

import pytest
from kiln_testing import expectations
from lintkit import lint, located, write

from kiln.compiler.lint.suppress import comment_suppressions
from kiln.compiler.source import SourceFile

CASES = Path(__file__).parent / "suppress"


def only_unu001(registries) -> list[str]:
    return [r.id for r in registries.lint_rules if r.id != "UNU001"]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json")),
    ids=lambda p: p.name,
)
def test_case(path, registries):
    report = lint(registries, path, ignore=only_unu001(registries))
    assert located(report.diagnostics, path) == expectations(path), "\n".join(
        f"{d.span}: {d.code.id} {d.message}" for d in report.diagnostics
    )


def test_without_suppressions_every_finding_is_reported(registries, tmp_path):
    """The cases' suppressions are what hides their findings: stripped of them, the same
    template reports each parameter."""
    text = (CASES / "comments.yaml").read_text()
    marker = re.compile(r"\s*# kiln: ignore(-file)?(\[[^\]]*\])?(?=\s*(#|$))")
    stripped = "\n".join(marker.sub("", line) for line in text.splitlines())
    path = write(tmp_path, "stripped.yaml", stripped + "\n")
    report = lint(registries, path, ignore=only_unu001(registries))
    unused = sorted(d.message.split("'")[1] for d in report.diagnostics if d.code.id == "UNU001")
    assert unused == [
        "bare", "block_first", "block_second", "by_prefix", "in_a_string", "not_covered",
        "on_the_line_before", "trailing", "two_codes", "unknown",
    ]  # fmt: skip


def test_disabled_codes_do_not_make_suppressions_unused(registries, tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """
        heat_template_version: 2018-08-31
        parameters:
          a:  # kiln: ignore[UNU001]
            type: string
        """,
    )
    # UNU001 not selected: its suppression cannot be told unused.
    report = lint(registries, path, ignore=[*only_unu001(registries), "UNU"])
    assert report.diagnostics == []
    report = lint(registries, path, ignore=only_unu001(registries))
    assert report.diagnostics == []


def test_unused_suppression_can_itself_be_ignored(registries, tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """
        heat_template_version: 2018-08-31
        resources: {}  # kiln: ignore[SCH003]
        """,
    )
    assert [d.code.id for d in lint(registries, path).diagnostics] == ["LNT001"]
    assert lint(registries, path, ignore=["unused-suppression"]).diagnostics == []


def test_comment_positions_and_lines_covered(registries):
    text = "a: 1  # kiln: ignore[X1,Y]\n# kiln: ignore\n\n# note\nb: 2\nc: '# kiln: ignore'\n"
    found = comment_suppressions(SourceFile("f.yaml", text), registries.codes)
    assert [(s.kind, sorted(s.lines)) for s in found] == [("inline", [1]), ("inline", [5])]
    first = found[0].tokens
    assert [(t.text, t.span.start.column) for t in first] == [("X1", 22), ("Y", 25)]
    assert found[1].tokens[0].text is None  # bare: every code
