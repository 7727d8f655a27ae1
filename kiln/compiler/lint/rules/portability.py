"""Lint rules: portability."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
