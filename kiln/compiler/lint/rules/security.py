"""Lint rules: security."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
