"""Lint rules: parameters. Parameters left out of the groups, YAML reading a default
differently from what was written, defaults that are no defaults, confusable names, constraint
lists with repeats or that should be a type. (What Heat rejects in parameter groups is
validation's: kiln/compiler/passes/parameter_groups.py.)"""

from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import AllowedValues, Template
from kiln.compiler.ir.types import ParamType
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._walk import get, literal, section
from kiln.compiler.source import Span

_INTERFACE: Final = "AWS::CloudFormation::Interface"
# Group labels that mark parameters rather than lay out a form (TripleO lists its deprecated
# parameters in a group of that name).
_MARKER_LABELS: Final = frozenset({"deprecated"})


def _grouped(context: RuleContext) -> list[tuple[str, Span | None, int]] | None:
    """Every parameter name the template's groups list, with its span and group index, in
    order; None when the template has no groups, or lists them with functions (cannot tell).
    HOT: `parameter_groups`; CloudFormation: the console's `AWS::CloudFormation::Interface`."""
    template = context.template
    if template.dialect == "hot":
        if not template.parameter_groups:
            return None
        return [
            (name.value, name.span, index)
            for index, group in enumerate(template.parameter_groups)
            for name in group.parameters
        ]
    groups = get(template.metadata, _INTERFACE, "ParameterGroups")
    if not isinstance(groups, e.ListExpr) or not groups.items:
        return None
    found: list[tuple[str, Span | None, int]] = []
    for index, group in enumerate(groups.items):
        names = get(group, "Parameters")
        if not isinstance(names, e.ListExpr):
            return None
        for name in names.items:
            if not isinstance(name, e.Str):
                return None
            found.append((name.value, name.span, index))
    return found


@rule(
    "PRM001",
    "ungrouped-parameter",
    Severity.INFO,
    "A parameter left out of the template's parameter groups.",
    message="parameter {parameter!r} is in no parameter group",
    doc="""\
Once a template has `parameter_groups` (CloudFormation: `Metadata:
AWS::CloudFormation::Interface: ParameterGroups`), forms built from it (Horizon's launch
dialog, the CloudFormation console) show the groups in order and the parameters left out after
them, unlabelled, where they are easily missed. Put every parameter in the group where a user
would look for it.

Bad:
```yaml
parameter_groups:
  - label: Server
    parameters: [image, flavor]
parameters:
  image: {type: string}
  flavor: {type: string}
  key_name: {type: string}     # in no group
```
Good: `parameters: [image, flavor, key_name]`, or a group of its own.

Groups that only mark parameters (TripleO's `label: deprecated`) do not lay out a form: a
template whose only groups are such markers is not checked.""",
)
def ungrouped_parameter(context: RuleContext) -> None:
    grouped = _grouped(context)
    if grouped is None:
        return
    template = context.template
    if template.dialect == "hot" and all(
        (group.label or "").strip().lower() in _MARKER_LABELS for group in template.parameter_groups
    ):
        return  # groups used as markers (TripleO's `deprecated`), not as a form's layout
    names = {name for name, _, _ in grouped}
    where = section(context.template, "parameters")
    for name, parameter in context.template.parameters.items():
        if name not in names:
            context.report(parameter.name_span, (where, name), parameter=name)


@rule(
    "PRM005",
    "parameter-names-differ-by-case",
    Severity.WARNING,
    "Two parameters whose names differ only in letter case.",
    message="parameter {parameter!r} differs from {other!r} only in letter case",
    doc="""\
`db_password` and `DB_Password` are two parameters to Heat and CloudFormation, but one to the
person filling in the form or writing the environment file: the value lands in one of them
and the other keeps its default. It is usually a rename done halfway. Keep one name.

Bad:
```yaml
parameters:
  ImageId: {type: string}
  imageId: {type: string, default: cirros}
```
Good: one `image_id` parameter, used everywhere.""",
)
def parameter_names_differ_by_case(context: RuleContext) -> None:
    first: dict[str, str] = {}
    where = section(context.template, "parameters")
    for name, parameter in context.template.parameters.items():
        other = first.setdefault(name.casefold(), name)
        if other != name:
            context.report(parameter.name_span, (where, name), parameter=name, other=other)


@rule(
    "PRM006",
    "default-changed-by-yaml",
    Severity.WARNING,
    "A string parameter's default that YAML reads as another value than the one written.",
    message="default of string parameter {parameter!r} is written {written}, which YAML reads "
    "as {kind}: the parameter's value becomes {read!r}; quote it",
    targets=("heat",),
    doc="""\
YAML 1.1, which Heat's parser follows, turns some unquoted scalars into numbers or booleans,
and Heat then makes a string of that: `1.10` becomes `"1.1"`, `0755` (octal) becomes `"493"`,
`12:30` (base 60) becomes `"750"`, `yes`/`on` become `"True"`. A version, a file mode, a time
or a zip code then arrives changed, with no error anywhere. Quote the default.

Bad:
```yaml
  app_version:
    type: string
    default: 1.10
```
Good: `default: "1.10"`.""",
)
def default_changed_by_yaml(context: RuleContext) -> None:
    source = context.source
    if source is None:
        return
    for name, parameter in context.template.parameters.items():
        default = parameter.default
        if parameter.type is not ParamType.STRING or default is None or default.span is None:
            continue
        if not isinstance(default, e.Int | e.Float | e.Bool):
            continue
        written = source.text[default.span.start.offset : default.span.end.offset].strip()
        read = str(default.value)  # what Heat makes of it (StringParam: str(value))
        if not written or written == read:
            continue
        kind = f"the {'boolean' if isinstance(default, e.Bool) else 'number'} {default.value!r}"
        if isinstance(default, e.Int | e.Float) and written.lstrip("+") == read:
            continue
        context.report(
            default.span,
            (section(context.template, "parameters"), name, section(context.template, "default")),
            parameter=name,
            written=written,
            kind=kind,
            read=read,
        )


@rule(
    "PRM007",
    "null-default",
    Severity.WARNING,
    "A parameter whose default is empty (null), which Heat reads as no default at all.",
    message="parameter {parameter!r} has an empty default, which Heat treats as no default: "
    "it must be given a value at every deployment",
    targets=("heat",),
    doc="""\
`default:` with nothing after it, `default: ~` and `default: null` are YAML's null, and Heat
treats a null default as a missing one: the stack fails with "The Parameter (x) was not
provided" unless every deployment sets it. An empty string was usually meant. Write `default:
''` (or `[]`/`{}` for lists and json), or remove the key if a value is really required.

Bad:
```yaml
  proxy_url:
    type: string
    default:
```
Good: `default: ''`.""",
)
def null_default(context: RuleContext) -> None:
    for name, parameter in context.template.parameters.items():
        if isinstance(parameter.default, e.Null):
            where = (section(context.template, "parameters"), name)
            context.report(
                parameter.default.span or parameter.name_span,
                (*where, section(context.template, "default")),
                parameter=name,
            )


def _allowed_values(template: Template) -> Iterator[tuple[str, AllowedValues]]:
    for name, parameter in template.parameters.items():
        for constraint in parameter.constraints:
            if isinstance(constraint, AllowedValues):
                yield name, constraint


@rule(
    "PRM008",
    "duplicate-allowed-value",
    Severity.INFO,
    "A value listed twice in a parameter's allowed values.",
    message="allowed value {value!r} of parameter {parameter!r} is listed more than once",
    doc="""\
A repeated allowed value changes nothing for Heat, but it shows twice in the dashboard's
drop-down and usually hides a typo: the entry was meant to be another value (`m1.large`
pasted twice where `m1.xlarge` was meant). Remove the repeat, or fix it.

Bad: `allowed_values: [m1.small, m1.large, m1.large]`.
Good: `allowed_values: [m1.small, m1.large, m1.xlarge]`.""",
)
def duplicate_allowed_value(context: RuleContext) -> None:
    where = section(context.template, "parameters")
    for name, constraint in _allowed_values(context.template):
        seen: set[str] = set()
        for item in constraint.values:
            value = literal(item)
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                continue
            key = repr(value)
            if key in seen:
                span = item.span or constraint.span
                context.report(span, (where, name), value=value, parameter=name)
            seen.add(key)


_BOOLEAN_PAIRS: Final = (
    frozenset({"true", "false"}),
    frozenset({"yes", "no"}),
    frozenset({"on", "off"}),
)


@rule(
    "PRM009",
    "boolean-as-string",
    Severity.INFO,
    "A string parameter allowed only true/false, where HOT has a boolean type.",
    message="parameter {parameter!r} is a string allowed only {values}: make it a boolean",
    dialects=("hot",),
    doc="""\
HOT has a `boolean` parameter type: Heat accepts `true/false`, `yes/no`, `on/off`, `1/0` in
any case, and conditions and properties get a real boolean. A string restricted to
`['true', 'false']` rejects `True` and `yes`, and every use compares strings
(`equals: [{get_param: x}, 'true']`), where a typo silently reads as false.

Bad:
```yaml
  enable_monitoring:
    type: string
    default: 'false'
    constraints:
      - allowed_values: ['true', 'false']
```
Good: `type: boolean` and `default: false`; use it with `{get_param: enable_monitoring}` in a
condition. (CloudFormation has no boolean parameter type, so the rule is HOT's only.)""",
)
def boolean_as_string(context: RuleContext) -> None:
    where = section(context.template, "parameters")
    for name, constraint in _allowed_values(context.template):
        parameter = context.template.parameters[name]
        if parameter.type is not ParamType.STRING:
            continue
        values = [literal(item) for item in constraint.values]
        if not all(isinstance(value, str | bool) for value in values):
            continue
        words = frozenset(str(value).lower() for value in values)
        if words in _BOOLEAN_PAIRS:
            shown = "/".join(str(value) for value in values)
            context.report(
                constraint.span or parameter.name_span, (where, name), parameter=name, values=shown
            )


RULES: tuple[LintRule, ...] = (
    ungrouped_parameter,
    parameter_names_differ_by_case,
    default_changed_by_yaml,
    null_default,
    duplicate_allowed_value,
    boolean_as_string,
)
