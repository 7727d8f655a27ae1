"""Lint rules: resources."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
