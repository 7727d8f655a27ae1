"""Lint rules: heat_target."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
