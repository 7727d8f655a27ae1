"""The built-in lint rules, one module per topic; this tuple is their order of running and
of listing (`kiln rules`, docs/rules.md)."""

from kiln.compiler.lint.rule import LintRule
from kiln.compiler.lint.rules import (
    dependencies,
    deprecation,
    documentation,
    durability,
    heat_target,
    parameters,
    portability,
    resources,
    security,
    unused,
    versions,
)

BUILTIN_RULES: tuple[LintRule, ...] = (
    *unused.RULES,
    *parameters.RULES,
    *security.RULES,
    *documentation.RULES,
    *resources.RULES,
    *dependencies.RULES,
    *deprecation.RULES,
    *versions.RULES,
    *portability.RULES,
    *durability.RULES,
    *heat_target.RULES,
)
