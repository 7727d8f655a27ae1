"""Lint rules: documentation."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
