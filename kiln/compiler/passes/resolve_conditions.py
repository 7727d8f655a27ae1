"""Conditions: each one's truth under the known parameters, and what is wrong with them.

For every template of the unit (root and nested) this evaluates every named condition, every
resource's and output's `condition`, and the condition of every `if`, with the evaluator (Heat's
rules: heat/engine/conditions.py, heat/engine/hot/functions.py If). It records
facts.conditions (bool, or Unknown when a condition depends on what is not known) and
facts.disabled (resources whose condition is false: Heat drops them, so validate_schema skips
them), and reports:
- CND001 a condition name no condition defines (from a resource or output `condition`, an `if`,
  or another condition; Heat fails only where it evaluates it, Kiln says so everywhere);
- CND002 a condition that depends on itself, with the whole chain;
- CND003 a definition that is not a condition function or a boolean (a bare name too);
- CND004 a value used as a condition that is neither a boolean nor a name;
- EVL errors Heat raises while resolving a condition's definition.
Condition functions a HOT version lacks are the frontend's to report (FN002/FN005).

Parameters: facts.parameters from validate_parameters when it has filled them; otherwise the
values are worked out here from -P, the environment and the defaults (root template only; a
nested template's values come from its parent and are Unknown).
"""

from collections.abc import Iterator
from dataclasses import replace
from typing import Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.evaluate import Evaluator, Unknown, Value
from kiln.compiler.evaluate.parameters import fallback_parameters, literal_value
from kiln.compiler.evaluate.semantics import HEAT_DEFAULT_REGION
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.visit import walk, walk_exprs
from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def resolve_conditions(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    for template in unit.all_templates():
        facts = unit.facts_of(template)
        evaluator = Evaluator(
            template,
            parameters=_parameters(unit, template, context),
            files=unit.files,
            region=_region(unit),
        )
        if not evaluator.has_conditions:
            continue  # the frontend reported the conditions this format does not have
        conditions = _resolve(template, evaluator)
        disabled = frozenset(
            name for name in template.resources if evaluator.resource_enabled(name) is False
        )
        context.sink.extend(evaluator.condition_diagnostics)
        context.sink.extend(evaluator.diagnostics)
        unit = unit.with_facts(
            template, replace(facts, conditions=FrozenMap(conditions), disabled=disabled)
        )
    return unit


def _resolve(template: Template, evaluator: Evaluator) -> dict[str, bool | Unknown]:
    section = "Conditions" if template.dialect == "cfn" else "conditions"
    key = "Condition" if template.dialect == "cfn" else "condition"
    values = {name: evaluator.condition(name, (section, name)) for name in template.conditions}
    for name, output in template.outputs.items():
        if output.condition is not None:
            evaluator.condition(output.condition, ("outputs", name, key))
    # Names that no condition defines, wherever they stand (inside a branch Heat would not
    # take too: the name is wrong either way).
    refs, ifs = _condition_nodes(template)
    for ref, path in refs:
        if ref.name not in template.conditions:
            evaluator.conditions.named(evaluator, ref.name, ref, path)
    # Conditions computed from values (`if: [{get_param: env}, ...]`) name conditions only
    # once evaluated. What else those evaluations report is the schema check's to report.
    reported = len(evaluator.diagnostics)
    for node, path in ifs:
        evaluator.condition(node.condition, path)
    del evaluator.diagnostics[reported:]
    return values


Found = tuple[tuple[tuple[e.ConditionRef, LogicalPath], ...], tuple[tuple[e.If, LogicalPath], ...]]


def _condition_nodes(template: Template) -> Found:
    """Every condition name (with the path of the field it is in) and every `if` (with its
    own path) of the conditions, resources and outputs, in walk order. Kept for the templates
    seen last (a template many roots include is the same object each time); a template with
    neither, most of them, is not walked field by field at all."""
    kept = _FOUND.get(id(template))
    if kept is not None and kept[0] is template:
        return kept[1]
    refs: list[tuple[e.ConditionRef, LogicalPath]] = []
    ifs: list[tuple[e.If, LogicalPath]] = []
    present = {type(expr) for expr in walk_exprs(template)}  # kept by visit.py
    if e.ConditionRef in present or e.If in present:
        for path, node in _fields(template):
            for item in walk(node):
                if isinstance(item, e.ConditionRef):
                    refs.append((item, path))
                elif isinstance(item, e.If):
                    ifs.append((item, (*path, item.spelling)))
    found: Found = (tuple(refs), tuple(ifs))
    if len(_FOUND) >= _FOUND_SIZE:
        _FOUND.clear()  # simpler than least-recently-used, and safe across threads
    _FOUND[id(template)] = (template, found)  # the template is held: its id stays its own
    return found


_FOUND: dict[int, tuple[Template, Found]] = {}
_FOUND_SIZE: Final = 64


def _fields(template: Template) -> Iterator[tuple[LogicalPath, e.Expr]]:
    """Every expression of the conditions, resources and outputs, with its logical path."""
    cfn = template.dialect == "cfn"
    section = "Conditions" if cfn else "conditions"
    for name, condition in template.conditions.items():
        yield (section, name), condition.expr
    section = "Resources" if cfn else "resources"
    for name, resource in template.resources.items():
        for field in _RESOURCE_FIELDS:
            value = getattr(resource, field)
            if value is not None:
                yield (section, name, _key(field, cfn)), value
    section = "Outputs" if cfn else "outputs"
    for name, output in template.outputs.items():
        for field in ("value", "condition"):
            value = getattr(output, field)
            if value is not None:
                yield (section, name, _key(field, cfn)), value


_RESOURCE_FIELDS = (
    "condition",
    "properties",
    "metadata",
    "deletion_policy",
    "update_policy",
    "external_id",
)


def _key(field: str, cfn: bool) -> str:
    """The key a field has in the dialect (`deletion_policy` is CloudFormation's
    DeletionPolicy)."""
    if not cfn:
        return field
    return "".join(part.capitalize() for part in field.split("_"))


def _parameters(
    unit: CompilationUnit, template: Template, context: PassContext
) -> FrozenMap[str, Value] | dict[str, Value]:
    """validate_parameters' values when it has computed them, else a local estimate."""
    facts = unit.facts_of(template)
    if facts.parameters or not template.parameters:
        return facts.parameters
    if template.file != unit.root.file:
        return fallback_parameters(template, nested=True)
    environment = unit.environment
    given: dict[str, object] = {
        name: literal_value(expr) for name, expr in environment.parameter_defaults.items()
    }
    given.update((name, literal_value(expr)) for name, expr in environment.parameters.items())
    given.update(context.parameters)
    return fallback_parameters(template, given)


def _region(unit: CompilationUnit) -> str:
    """AWS::Region: Heat's default, unless parameter_defaults set it (Parameters applies
    param_defaults to pseudo parameters too, heat/engine/parameters.py)."""
    given = unit.environment.parameter_defaults.get("AWS::Region")
    value = literal_value(given) if given is not None else None
    return value if isinstance(value, str) else HEAT_DEFAULT_REGION
