"""Parameter values against their types and constraints; facts.parameters for every template.

Heat's precedence (heat/engine/parameters.py Parameters, heat/engine/environment.py): for the
root template a -P value, else the environment's `parameters`, else its `parameter_defaults`,
else the parameter's default; for a nested or provider template the value its parent resource
passes (TemplateResource.child_params: its properties), else `parameter_defaults`, else the
default. Every value Kiln sees is checked (Heat checks a default's type only when no value
overrides it: Kiln always does, as a broken default is broken for the next user).

Missing values: `kiln validate` of a template alone is like `openstack orchestration template
validate`, which needs no values. Only when the user gives at least one -P or -e (a
deploy-like check) is a parameter with neither default nor value an error, as `stack create`
raises UserParameterMissing. A nested template's missing value is its parent's missing
property, which validate_schema reports there with or without -P/-e: Heat's TemplateResource
makes such a parameter a required property, and template validation checks it.

Parameter groups are checked here too (parameter_groups.py), as Stack.validate does right after
the parameters.
"""

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from kiln.compiler import parameters as p
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate.values import Unknown, Value
from kiln.compiler.ir import expr as e
from kiln.compiler.ir import nodes as n
from kiln.compiler.ir.frozen import FrozenMap, frozen_dataclass
from kiln.compiler.ir.types import ParamType, ValueType
from kiln.compiler.names import suggest
from kiln.compiler.passes import PassContext
from kiln.compiler.passes.parameter_groups import check_parameter_groups
from kiln.compiler.resource_types import validator as v
from kiln.compiler.source import Span
from kiln.compiler.unit import CompilationUnit, NestedRef

# A json parameter may hold a map, a list or a scalar (JsonParam): unknown, it is any type.
_UNKNOWN_TYPES: Final = {
    ParamType.STRING: ValueType.STRING,
    ParamType.NUMBER: ValueType.NUMBER,
    ParamType.BOOLEAN: ValueType.BOOLEAN,
    ParamType.COMMA_DELIMITED_LIST: ValueType.LIST,
    ParamType.JSON: ValueType.ANY,
}
_FROM_PARENT: Final = "the value its parent resource passes"
_GROUP_MEMBER: Final = {
    "OS::Heat::ResourceGroup": "resource_def",
    "OS::Heat::AutoScalingGroup": "resource",
}
_STACK_PARAMETERS: Final = {
    "AWS::CloudFormation::Stack": "Parameters",
    "OS::Heat::Stack": "parameters",
}


@frozen_dataclass
class _Given:
    """A value for a parameter, and where it came from (for messages and spans)."""

    value: object
    source: str
    span: Span | None


def validate_parameters(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    checker = _Checker(unit, context)
    for template in _parents_first(unit):
        check_parameter_groups(template, context.sink)
        values = checker.template(template)
        facts = replace(unit.facts_of(template), parameters=FrozenMap(values))
        unit = unit.with_facts(template, facts)
        checker.unit = unit
    return unit


def unknown_value(parameter: n.Parameter, reason: str) -> Unknown:
    return Unknown(_UNKNOWN_TYPES[parameter.type], f"parameter {parameter.name!r} {reason}")


class _Checker:
    def __init__(self, unit: CompilationUnit, context: PassContext) -> None:
        self.unit = unit
        self.sink = context.sink
        self.schemas = context.registries.schemas
        self.known = frozenset(self.schemas.custom_constraints())
        self.cli = dict(context.parameters)  # the last -P for a name wins, as in heatclient
        self.deploy = bool(context.parameters) or bool(unit.environment.files)
        self.aws = False

    def template(self, template: n.Template) -> dict[str, Value]:
        root = template.file == self.unit.root.file
        # A CloudFormation template written for AWS (no HeatTemplateFormatVersion).
        self.aws = template.dialect == "cfn" and template.version != "2012-12-12"
        parents = [] if root else self._parent_values(template)
        cfn = template.dialect == "cfn"
        values: dict[str, Value] = {}
        for name, parameter in template.parameters.items():
            where = ("Parameters" if cfn else "parameters", name)
            self._definition(parameter, where)
            if _has_default(parameter):
                assert parameter.default is not None
                default = _Given(
                    p.to_python(parameter.default), "the default", parameter.default.span
                )
                self._check(parameter, default, (*where, "Default" if cfn else "default"))
            given = self._given(parameter, root, parents)
            # A value a parent passes is checked at the parent's property (validate_schema,
            # against the parameter's constraints there), where Heat reports it too.
            if given is not None and given.source not in ("the default", _FROM_PARENT):
                self._check(parameter, given, where)
            values[name] = self._value(parameter, given)
            if given is None and root and self.deploy:
                self.sink.report(
                    c.MISSING_PARAMETER_VALUE, parameter.span, where, parameter=name,
                    fix=f"give it a value: -P {name}=... or an environment file's parameters",
                )  # fmt: skip
        return values

    # --- where a value comes from -------------------------------------------------------------

    def _given(
        self, parameter: n.Parameter, root: bool, parents: list[Mapping[str, object]]
    ) -> _Given | None:
        environment = self.unit.environment
        name = parameter.name
        if root and name in self.cli:
            return _Given(self.cli[name], "the value given with -P", None)
        if root and name in environment.parameters:
            node = environment.parameters[name]
            return _Given(p.to_python(node), "the environment's value", node.span)
        if not root and parents:
            found = [values[name] for values in parents if name in values]
            if found:
                first = found[0]
                same = all(_same(value, first) for value in found)
                shown = first if same else Unknown(ValueType.ANY, "parents differ")
                return _Given(shown, _FROM_PARENT, None)
        if name in environment.parameter_defaults:
            node = environment.parameter_defaults[name]
            return _Given(p.to_python(node), "the parameter_defaults value", node.span)
        if _has_default(parameter) and parameter.default is not None:
            return _Given(p.to_python(parameter.default), "the default", parameter.default.span)
        return None

    def _parent_values(self, template: n.Template) -> list[Mapping[str, object]]:
        """What each parent resource passes to this template: its properties, evaluated in
        the parent's template (Heat's child_params: lists joined with commas)."""
        found: list[Mapping[str, object]] = []
        for ref in self.unit.nested:
            if ref.nested_file != template.file:
                continue
            parent = self.unit.templates.get(ref.template_file)
            if parent is None or ref.resource not in parent.resources:
                continue
            properties = _passed(parent.resources[ref.resource], ref)
            if properties is None:
                found.append({})
                continue
            evaluate, _ = self._evaluator(parent)
            values: dict[str, object] = {}
            for key, node in properties.items.items():
                parameter = template.parameters.get(key)
                if parameter is None:
                    continue
                value = evaluate(node, ("resources", ref.resource, "properties", key))
                if type(value).__name__ == "Absent" or value is None:
                    continue
                values[key] = _child_param(parameter, value)
            found.append(values)
        return found

    def _evaluator(self, template: n.Template) -> tuple[v.Evaluate, list[object]]:
        facts = self.unit.facts_of(template)
        evaluate, diagnostics = v.make_evaluate(
            template, facts.parameters, facts.conditions or None, self.unit.files,
            v.attribute_typer(self.schemas),
        )  # fmt: skip
        return evaluate, list(diagnostics)

    # --- checks ---------------------------------------------------------------------------------

    def _definition(self, parameter: n.Parameter, where: tuple[str, ...]) -> None:
        """What Heat's Schema.validate rejects whatever the value: a constraint kind the type
        does not take, and (once a value is checked) a custom constraint nobody registers."""
        for constraint, problem in p.invalid_constraints(parameter):
            self.sink.report(
                c.CONSTRAINT_NOT_FOR_TYPE, constraint.span or parameter.span, where,
                parameter=parameter.name, problem=problem,
            )  # fmt: skip
        for constraint in parameter.constraints:
            if isinstance(constraint, n.AllowedPattern):
                self._pattern(parameter, constraint, where)
            if isinstance(constraint, n.CustomConstraint) and constraint.name not in self.known:
                self.sink.report(
                    c.UNKNOWN_CUSTOM_CONSTRAINT, constraint.span or parameter.span, where,
                    parameter=parameter.name, name=constraint.name,
                    hint=suggest(constraint.name, sorted(self.known)),
                )  # fmt: skip

    def _pattern(
        self, parameter: n.Parameter, constraint: n.AllowedPattern, where: tuple[str, ...]
    ) -> None:
        """AllowedPattern.__init__ compiles the pattern with Python's re: one that does not
        compile fails the template whatever the value."""
        try:
            re.compile(constraint.pattern)
        except re.error as error:
            self.sink.report(
                c.INVALID_ALLOWED_PATTERN, constraint.span or parameter.span, where,
                kind="AllowedPattern" if where[0] == "Parameters" else "allowed_pattern",
                parameter=parameter.name, pattern=constraint.pattern, problem=str(error),
            )  # fmt: skip

    def _check(self, parameter: n.Parameter, given: _Given, where: tuple[str, ...]) -> None:
        if isinstance(given.value, Unknown) or _has_unknown(given.value):
            return
        problem = p.check_value(parameter, given.value, known_constraints=self.known)
        if problem is None:
            return
        span = given.span or parameter.span
        name, message, source = parameter.name, problem.message, given.source
        if problem.kind == "type":
            self.sink.report(
                c.INVALID_PARAMETER_VALUE, span, where, parameter=name, problem=message,
                source=source, type=p.type_name(parameter),
            )  # fmt: skip
            return
        if problem.text_expected and self.aws:
            self.sink.report(
                c.HEAT_REJECTS_AWS_PARAMETER, span, where, parameter=name, problem=message,
                source=source,
            )  # fmt: skip
            return
        kind = p.CONSTRAINT_KEYS[type(problem.constraint)]
        if isinstance(problem.constraint, n.CustomConstraint):
            kind = f"custom_constraint {problem.constraint.name}"
        self.sink.report(
            c.PARAMETER_CONSTRAINT, span, where, parameter=name, problem=message, source=source,
            constraint=kind,
        )  # fmt: skip

    def _value(self, parameter: n.Parameter, given: _Given | None) -> Value:
        if given is None:
            return unknown_value(parameter, "has no value")
        if isinstance(given.value, Unknown):
            return unknown_value(parameter, given.value.reason)
        if _has_unknown(given.value):
            return unknown_value(parameter, "is passed a value not known before deployment")
        try:
            return _as_value(p.parse(parameter, given.value))
        except p.InvalidValue:
            return unknown_value(parameter, "has an invalid value")


def _parents_first(unit: CompilationUnit) -> list[n.Template]:
    """Templates in an order where every parent comes before the templates it includes."""
    order = [unit.root]
    seen = {unit.root.file}
    index = 0
    while index < len(order):
        current = order[index].file
        index += 1
        for ref in unit.nested:
            if ref.template_file == current and ref.nested_file not in seen:
                nested = unit.templates.get(ref.nested_file)
                if nested is not None:
                    seen.add(ref.nested_file)
                    order.append(nested)
    order.extend(t for t in unit.all_templates() if t.file not in seen)
    return order


def _passed(resource: n.Resource, ref: NestedRef) -> e.MapExpr | None:
    """The map of values a parent resource passes to the nested template."""
    properties = resource.properties
    if not isinstance(properties, e.MapExpr):
        return None
    if ref.via == "group":
        member = next(
            (
                properties.items.get(key)
                for key in _GROUP_MEMBER.values()
                if key in properties.items
            ),
            None,
        )
        inner = member.items.get("properties") if isinstance(member, e.MapExpr) else None
        if isinstance(inner, e.MapExpr) and resource.type == "OS::Heat::ResourceGroup":
            indexed = v.with_index(inner, v.index_var(properties))
            inner = indexed if isinstance(indexed, e.MapExpr) else inner
        return inner if isinstance(inner, e.MapExpr) else None
    if ref.via == "stack":
        for key in _STACK_PARAMETERS.values():
            inner = properties.items.get(key)
            if isinstance(inner, e.MapExpr):
                return inner
        return None
    return properties


def _child_param(parameter: n.Parameter, value: object) -> object:
    """TemplateResource.child_params: a List property (comma_delimited_list parameter) is
    passed joined with commas, member-style when its items are maps."""
    if parameter.type is not ParamType.COMMA_DELIMITED_LIST or not isinstance(value, list):
        return value
    if value and isinstance(value[0], dict):
        return ",".join(
            f".member.{index}.{key}={item}"
            for index, member in enumerate(value)
            if isinstance(member, dict)
            for key, item in member.items()
        )
    return ",".join("" if item is None else str(item) for item in value)


def _has_default(parameter: n.Parameter) -> bool:
    """Heat reads `default: null` as no default at all."""
    return parameter.default is not None and not isinstance(parameter.default, e.Null)


def _has_unknown(value: object) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    return False


def _same(left: object, right: object) -> bool:
    return type(left) is type(right) and left == right


def _as_value(value: object) -> Value:
    """A parsed parameter value as an evaluator Value (JSON-like)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list):
        return [_as_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _as_value(item) for key, item in value.items()}
    return str(value)


__all__ = ["unknown_value", "validate_parameters"]
