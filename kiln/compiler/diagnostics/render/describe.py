"""What the CI renderers (SARIF, JUnit, GitHub) share: rule descriptions and file paths.

A renderer gets every fact about a finding from its `Diagnostic` (the `Code` included). The
optional `rules` table adds documentation: the CLI maps code ids to validation `Code`s and to
`LintRule`s (anything with a `.code` and a Markdown `.doc`), so a rule's long help reaches
SARIF viewers. Paths are shown relative to a root (the working directory unless given), as CI
systems expect paths relative to the checkout.
"""

import os
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Protocol

from kiln.compiler.diagnostics.codes import Code, Severity


class DocumentedRule(Protocol):
    """A lint rule as renderers see it (kiln.compiler.lint.rule.LintRule satisfies it)."""

    @property
    def code(self) -> Code: ...

    @property
    def doc(self) -> str: ...


RuleInfo = Code | DocumentedRule
Rules = Mapping[str, RuleInfo]


def rule_table(*groups: Iterable[RuleInfo]) -> dict[str, RuleInfo]:
    """Code id -> description, from validation codes and lint rules (later groups win):
    `rule_table(BUILTIN_CODES, registries.lint_rules)`."""
    table: dict[str, RuleInfo] = {}
    for group in groups:
        for info in group:
            table[code_of(info).id] = info
    return table


def code_of(info: RuleInfo) -> Code:
    return info if isinstance(info, Code) else info.code


def doc_of(info: RuleInfo | None) -> str | None:
    """The Markdown documentation of a rule; None for a bare Code (it has only a summary)."""
    if info is None or isinstance(info, Code):
        return None
    doc = info.doc.strip()
    return doc or None


def relative_path(file: str, root: str | None = None) -> str:
    """`file` as a forward-slash path relative to `root` (default: the working directory)
    when it lies under it; otherwise unchanged apart from the slashes."""
    base = os.path.abspath(root if root is not None else os.getcwd())
    absolute = os.path.abspath(file)
    if absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep):
        return PurePath(os.path.relpath(absolute, base)).as_posix()
    return PurePath(file).as_posix()


# The severity words of each format.
SARIF_LEVEL: Mapping[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}
GITHUB_COMMAND: Mapping[Severity, str] = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.HINT: "notice",
}
