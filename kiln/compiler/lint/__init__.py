"""Lint: rules beyond validation, run over a checked compilation unit.

A `LintRule` (rule.py) is a code from the registry plus a check function and its docs. Rules
come from plugins through the `kiln_lint_rules` hook; the built-in ones (rules/) register the
same way (plugin.py). `run_rules` (runner.py) applies the enabled rules to one unit; the lint
session around it (config, suppression, baseline, fixes, files in parallel) builds on it.
"""

from kiln.compiler.diagnostics import Autofix, TextEdit
from kiln.compiler.lint.rule import LintRule, RuleContext, Target, rule

__all__ = ["Autofix", "LintRule", "RuleContext", "Target", "TextEdit", "rule"]
