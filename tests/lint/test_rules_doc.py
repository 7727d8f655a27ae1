"""docs/rules.md is generated from the rule registry and must be current."""

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.compiler.diagnostics.codes import BUILTIN_CODES
from kiln.compiler.lint.catalog import REGENERATE, render_markdown, session_codes

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "rules.md"


def test_docs_rules_md_is_current(registries):
    expected = render_markdown(registries.lint_rules, session_codes(BUILTIN_CODES))
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == expected, f"docs/rules.md is out of date: run `{REGENERATE}`"


def test_every_rule_has_its_section(registries):
    text = DOC.read_text(encoding="utf-8")
    for lint_rule in registries.lint_rules:
        assert f"\n## {lint_rule.id} {lint_rule.name}\n" in text
        assert f"(#{lint_rule.id.lower()}-{lint_rule.name})" in text  # the table links to it
    for code in session_codes(BUILTIN_CODES):
        assert f"| {code.id} | `{code.name}` |" in text


def test_kiln_rules_markdown_is_the_same_text():
    result = CliRunner().invoke(cli, ["rules", "--format", "markdown", "--no-plugins"])
    assert result.exit_code == 0
    assert result.output == DOC.read_text(encoding="utf-8")


def test_the_generator_checks(tmp_path):
    check = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_rules_doc.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert check.returncode == 0, check.stderr
