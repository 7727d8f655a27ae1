"""Lint rules: parameters."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
