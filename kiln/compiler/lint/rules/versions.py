"""Lint rules: versions."""

from kiln.compiler.lint.rule import LintRule

RULES: tuple[LintRule, ...] = ()
