"""The built-in lint rules, registered through the same hook as third-party rules."""

from collections.abc import Sequence

from kiln.compiler.lint.rule import LintRule
from kiln.plugins.hookspecs import hookimpl


@hookimpl
def kiln_lint_rules() -> Sequence[LintRule]:
    from kiln.compiler.lint.rules import BUILTIN_RULES  # only when linting: keeps start-up light

    return BUILTIN_RULES
