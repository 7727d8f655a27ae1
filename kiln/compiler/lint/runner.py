"""Apply lint rules to a compilation unit.

Rules run on the root template of the unit (a nested template is linted when it is itself
given to `kiln lint`); the unit must have been through the whole pass pipeline, so the side
tables (symbols, parameters, conditions, graph) are there to read. A rule that raises is a
bug in that rule: it becomes a PLG001 diagnostic naming it, and the other rules still run.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from kiln.compiler.diagnostics import Diagnostic, make
from kiln.compiler.diagnostics.codes import PLUGIN_FAILED
from kiln.compiler.lint.rule import LintRule, RuleContext, Target
from kiln.compiler.lint.targets import target_of
from kiln.compiler.unit import CompilationUnit
from kiln.plugins.host import Registries


def applicable(rule: LintRule, unit: CompilationUnit, target: Target) -> bool:
    return unit.root.dialect in rule.dialects and target in rule.targets


def run_rules(
    unit: CompilationUnit,
    rules: Iterable[LintRule],
    registries: Registries,
    *,
    target: Target | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Diagnostic]:
    """Every finding of every applicable rule, in rule order (the caller sorts)."""
    target = target_of(unit.root, target)
    settings = settings or {}
    findings: list[Diagnostic] = []
    for lint_rule in rules:
        if not applicable(lint_rule, unit, target):
            continue
        context = RuleContext(
            rule=lint_rule,
            unit=unit,
            template=unit.root,
            registries=registries,
            target=target,
            settings=settings.get(lint_rule.name, settings.get(lint_rule.id, {})),
        )
        try:
            lint_rule.check(context)
        except Exception as error:  # a broken rule must not hide the others' findings
            findings.append(
                make(
                    PLUGIN_FAILED,
                    unit.root.span,
                    plugin=f"lint rule {lint_rule.id} ({lint_rule.name})",
                    problem=f"{type(error).__name__}: {error}",
                )
            )
            continue
        findings.extend(context.findings)
    return findings
