"""Lint rules: durability."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
