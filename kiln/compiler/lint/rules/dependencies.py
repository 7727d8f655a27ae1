"""Lint rules: dependencies."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
