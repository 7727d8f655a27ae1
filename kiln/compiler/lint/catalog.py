"""The rule catalogue: `kiln rules` (text, JSON, Markdown) and docs/rules.md.

docs/rules.md is `render_markdown` of the built-in rules, written by tools/gen_rules_doc.py;
a test fails when the file is not what the registry says.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

from kiln.compiler.diagnostics.codes import Code
from kiln.compiler.lint.rule import LintRule

DIALECT_NAMES: Final = {"hot": "HOT", "cfn": "CloudFormation"}
REGENERATE: Final = "python tools/gen_rules_doc.py"


def _dialects(lint_rule: LintRule) -> str:
    return ", ".join(DIALECT_NAMES[d] for d in sorted(lint_rule.dialects, reverse=True))


def _targets(lint_rule: LintRule) -> str:
    return ", ".join(sorted(lint_rule.targets, reverse=True))


def as_dict(lint_rule: LintRule) -> dict[str, Any]:
    return {
        "id": lint_rule.id,
        "name": lint_rule.name,
        "severity": str(lint_rule.code.default_severity),
        "dialects": sorted(lint_rule.dialects, reverse=True),
        "targets": sorted(lint_rule.targets, reverse=True),
        "fixable": lint_rule.fixable,
        "summary": lint_rule.code.summary,
        "settings": dict(lint_rule.settings),
        "doc_url": lint_rule.code.doc_url,
    }


def render_json(rules: Iterable[LintRule]) -> str:
    return json.dumps([as_dict(r) for r in rules], indent=2, default=str) + "\n"


def render_table(rules: Sequence[LintRule]) -> str:
    """One line per rule: id, name, severity, dialects, targets, fixable, summary."""
    rows = [
        (
            r.id,
            r.name,
            str(r.code.default_severity),
            "/".join(sorted(r.dialects, reverse=True)),
            "/".join(sorted(r.targets, reverse=True)),
            "fix" if r.fixable else "-",
            r.code.summary,
        )
        for r in rules
    ]
    if not rows:
        return ""
    header = ("ID", "NAME", "SEVERITY", "DIALECTS", "TARGETS", "FIX", "SUMMARY")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def render_rule(lint_rule: LintRule) -> str:
    """The documentation of one rule, as `kiln rules NAME` prints it."""
    fix = "autofix available" if lint_rule.fixable else "no autofix"
    lines = [
        f"{lint_rule.id} {lint_rule.name} ({lint_rule.code.default_severity})",
        f"{lint_rule.code.summary}",
        f"dialects: {_dialects(lint_rule)}; targets: {_targets(lint_rule)}; {fix}",
        "",
        lint_rule.doc.strip(),
    ]
    if lint_rule.settings:
        lines += ["", "settings (rules: {" + lint_rule.name + ": {...}} in .kiln.yaml):"]
        lines += [f"  {key}: {value!r}" for key, value in lint_rule.settings.items()]
    return "\n".join(lines) + "\n"


def render_code(code: Code) -> str:
    """A validation or session code, for `kiln rules CODE` (they have no rule doc)."""
    return (
        f"{code.id} {code.name} ({code.default_severity})\n{code.summary}\n"
        "A validation code: reported while compiling, selected and suppressed like a rule.\n"
    )


def _anchor(lint_rule: LintRule) -> str:
    return f"{lint_rule.id}-{lint_rule.name}".lower()


def render_markdown(rules: Sequence[LintRule], session_codes: Sequence[Code] = ()) -> str:
    lines = [
        "# Lint rules",
        "",
        f"<!-- Generated from the rule registry by `{REGENERATE}`; do not edit by hand. -->",
        "",
        f"`kiln lint` runs every validation check and these {len(rules)} rules. Select them "
        "by id, name or id prefix (`--select SEC`, `--ignore unused-parameter`), configure "
        "them in `.kiln.yaml` or `[tool.kiln]`, and suppress a finding with "
        "`# kiln: ignore[CODE]` or `metadata: {kiln: {ignore: [CODE]}}`. `kiln rules NAME` "
        "prints a rule's page from the command line.",
        "",
        "| Rule | Name | Severity | Dialects | Targets | Fix | Summary |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rules:
        lines.append(
            f"| [{r.id}](#{_anchor(r)}) | `{r.name}` | {r.code.default_severity} | "
            f"{_dialects(r)} | {_targets(r)} | {'yes' if r.fixable else ''} | "
            f"{_cell(r.code.summary)} |"
        )
    for r in rules:
        fix = "autofix" if r.fixable else "no autofix"
        lines += [
            "",
            f"## {r.id} {r.name}",
            "",
            f"*{r.code.default_severity} · {_dialects(r)} · target {_targets(r)} · {fix}*",
            "",
            r.code.summary,
            "",
            r.doc.strip(),
        ]
        if r.settings:
            lines += ["", "Settings (`rules: {" + r.name + ": {setting: value}}`):", ""]
            lines += [f"- `{key}` (default `{value!r}`)" for key, value in r.settings.items()]
    if session_codes:
        lines += [
            "",
            "## Codes of the lint session",
            "",
            "Reported by `kiln lint` itself, not by a rule; selected and suppressed the same way.",
            "",
            "| Code | Name | Severity | Summary |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| {code.id} | `{code.name}` | {code.default_severity} | {_cell(code.summary)} |"
            for code in session_codes
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def session_codes(codes: Iterable[Code]) -> list[Code]:
    return sorted((code for code in codes if code.category == "LNT"), key=lambda c: c.id)
