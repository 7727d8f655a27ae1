"""Lint rules: deprecation."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
