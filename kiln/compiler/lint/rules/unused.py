"""Lint rules: definitions nothing uses (cfn-lint W2001, W8001, W7001, W1019)."""

import re
from fnmatch import fnmatchcase
from typing import Final

from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.visit import walk_exprs
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._walk import section
from kiln.compiler.passes.sites import expressions, key_span

_TRANSFORMS = """

A CloudFormation template with a `Transform` (SAM, `AWS::LanguageExtensions` and its
`Fn::ForEach`) is not checked: what the transform generates may use any name."""


@rule(
    "UNU001",
    "unused-parameter",
    Severity.WARNING,
    "A parameter that nothing in the template uses.",
    message="parameter {parameter!r} is declared but never used",
    settings={"ignore": []},
    doc="""\
A parameter nothing refers to still has to be given (or defaulted) at every deployment, and it
suggests a reference that was meant and forgotten. Remove it, or use it.

In an environment-driven stack (TripleO), parameters may be declared only to be accepted from
`parameter_defaults`; suppress the rule there (`# kiln: ignore[unused-parameter]`), or list the
names every template of such a family declares in the `ignore` setting (shell-style patterns):
`rules: {unused-parameter: {ignore: [ServiceNetMap, EndpointMap, "*Password"]}}`.
"""
    + _TRANSFORMS,
)
def unused_parameter(context: RuleContext) -> None:
    symbols = context.facts.symbols
    if symbols is None or context.template.transform is not None:
        return
    ignore = [str(pattern) for pattern in context.setting("ignore") or ()]
    used = {ref.name for ref in symbols.references if ref.kind == "parameter"}
    for name, parameter in context.template.parameters.items():
        if name in used or any(fnmatchcase(name, pattern) for pattern in ignore):
            continue
        context.report(parameter.name_span, ("parameters", name), parameter=name)


# Where a condition may be named. Anything else there (a get_param, say) computes a condition
# name at deployment: then no condition can be called unused.
_CONDITION_FORMS: Final = (e.ConditionRef, e.Equals, e.And, e.Or, e.Not, e.Bool, e.Contains)


@rule(
    "UNU002",
    "unused-condition",
    Severity.WARNING,
    "A condition that no resource, output or `if` uses.",
    message="condition {condition!r} is defined but never used",
    doc="""\
A condition that nothing refers to decides nothing: it is evaluated at every deployment and
changes no resource or output. It is usually left over after the resource it guarded was
removed, or a `condition:` key was forgotten. A condition used only by other unused conditions
is unused too. Remove it, or attach it where it was meant to apply (cfn-lint W8001).

Bad (HOT):
```yaml
conditions:
  is_prod: {equals: [{get_param: env}, prod]}
resources:
  volume:
    type: OS::Cinder::Volume   # meant to be `condition: is_prod`
    properties: {size: 10}
```
Good: give the resource `condition: is_prod`, or delete the condition. The same holds for
CloudFormation's `Conditions` and a resource's `Condition`."""
    + _TRANSFORMS,
)
def unused_condition(context: RuleContext) -> None:
    template = context.template
    if not template.conditions or template.transform is not None:
        return
    uses: dict[str, set[str]] = {name: set() for name in template.conditions}  # who names it
    outside: set[str] = set()  # named by a resource or an output
    for owner, node in _condition_sites(context):
        for found in walk_exprs(node):
            if isinstance(found, e.If) and not isinstance(found.condition, _CONDITION_FORMS):
                return  # the name is computed: cannot tell which conditions are used
            if isinstance(found, e.ConditionRef):
                if owner is None:
                    outside.add(found.name)
                elif found.name in uses:
                    uses[found.name].add(owner)
    for resource in template.resources.values():
        if resource.condition is not None and not isinstance(resource.condition, _CONDITION_FORMS):
            return
    used = set(outside)
    changed = True
    while changed:  # a condition named by a used condition is used
        changed = False
        for name, owners in uses.items():
            if name not in used and owners & used:
                used.add(name)
                changed = True
    for name, condition in template.conditions.items():
        if name not in used:
            span = key_span(context.unit.sources, condition.span, name)
            context.report(span, (section(template, "conditions"), name), condition=name)


def _condition_sites(context: RuleContext) -> list[tuple[str | None, object]]:
    """Every node that may name a condition, with the condition it belongs to (None for
    resources and outputs: their every field, CreationPolicy counts too)."""
    template = context.template
    found: list[tuple[str | None, object]] = [
        (name, condition.expr) for name, condition in template.conditions.items()
    ]
    found.extend((None, resource) for resource in template.resources.values())
    found.extend((None, output) for output in template.outputs.values())
    return found


@rule(
    "UNU003",
    "unused-mapping",
    Severity.WARNING,
    "A mapping that no Fn::FindInMap reads.",
    message="mapping {mapping!r} is defined but never used",
    dialects=("cfn",),
    doc="""\
A mapping that no `Fn::FindInMap` reads is dead data: it is kept, reviewed and updated for
nothing, and often means a lookup was replaced by a hard-coded value (cfn-lint W7001). Remove
the mapping, or read it where the value is needed.

Bad:
```yaml
Mappings:
  RegionAMI:
    us-east-1: {AMI: ami-0abc}
Resources:
  Server:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-0abc}
```
Good: `ImageId: !FindInMap [RegionAMI, !Ref "AWS::Region", AMI]`.

When a map name is itself computed (`Fn::FindInMap: [!Ref Table, ...]`), any mapping may be
read and the rule stays silent."""
    + _TRANSFORMS,
)
def unused_mapping(context: RuleContext) -> None:
    template = context.template
    symbols = context.facts.symbols
    if not template.mappings or symbols is None or template.transform is not None:
        return
    for node in walk_exprs(template):
        if isinstance(node, e.FindInMap) and not isinstance(node.map_name, e.Str):
            return
    used = {ref.name for ref in symbols.references if ref.kind == "mapping"}
    for name, mapping in template.mappings.items():
        if name not in used:
            span = key_span(context.unit.sources, mapping.span, name)
            context.report(span, (section(template, "mappings"), name), mapping=name)


_SUB_VARIABLE: Final = re.compile(r"\$\{(?!!)\s*([^}]*?)\s*\}")
# Spellings whose unused keys Heat itself rejects (EVL002): not reported twice.
_STRICT: Final = frozenset({"str_replace_strict", "str_replace_vstrict"})


@rule(
    "UNU004",
    "unused-interpolation-variable",
    Severity.WARNING,
    "A str_replace parameter or Fn::Sub variable that the template string never contains.",
    message="{function} {what} {key!r} does not occur in the template string",
    doc="""\
`str_replace` replaces each of its `params` keys wherever the key occurs in `template`; a key
that never occurs replaces nothing, silently. It is nearly always a typo (`$db_pass` in
params, `$DB_PASS` in the script) and the script then runs with the placeholder text where a
value was meant. The same holds for a variable given to `Fn::Sub` (cfn-lint W1019) or Heat's
`Fn::Replace` that the string never names. Fix the spelling, or remove the entry.
(`str_replace_strict` makes Heat itself fail on such a key; Kiln reports that as EVL002.)

Bad (HOT):
```yaml
user_data:
  str_replace:
    template: "echo $DB_HOST"
    params:
      $db_host: {get_attr: [db, first_address]}
```
Good: the same spelling in both places (`$DB_HOST`). In CloudFormation:
`!Sub ["echo ${Host}", {Host: !GetAtt Db.PrivateIp}]`, not `{DbHost: ...}`.""",
)
def unused_interpolation_variable(context: RuleContext) -> None:
    seen: set[int] = set()
    for _site, found in expressions(context.template):
        for node, path in found:
            if not isinstance(node, e.Interpolate) or node.spelling in _STRICT:
                continue
            if id(node) in seen:
                continue  # a YAML alias repeats a node: one report at its place
            seen.add(id(node))
            template, bindings = node.template, node.bindings
            if not isinstance(template, e.Str) or not isinstance(bindings, e.MapExpr):
                continue
            if node.spelling == "Fn::Sub":
                names = {m.group(1) for m in _SUB_VARIABLE.finditer(template.value)}
                unused = [key for key in bindings.items if key not in names]
                what = "variable"
            else:
                unused = [key for key in bindings.items if key and key not in template.value]
                what = "parameter"
            for key in unused:
                context.report(
                    bindings.key_span(key) or bindings.span,
                    (*path, node.spelling, key),
                    function=node.spelling,
                    what=what,
                    key=key,
                )


# Resources that do nothing unless something reads them: configs are only delivered by a
# deployment or a server's user_data, values and strings only exist to be read, a handle only
# to be signalled. (AWS::CloudFormation::WaitConditionHandle is left out on purpose: on AWS it
# is the idiomatic placeholder resource of a template whose resources are all conditional.)
HELPER_TYPES: Final = frozenset(
    {
        "OS::Heat::SoftwareConfig",
        "OS::Heat::StructuredConfig",
        "OS::Heat::CloudConfig",
        "OS::Heat::MultipartMime",
        "OS::Heat::SoftwareComponent",
        "OS::Heat::RandomString",
        "OS::Heat::Value",
        "OS::Heat::WaitConditionHandle",
        "OS::Heat::UpdateWaitConditionHandle",
        "OS::Heat::SwiftSignalHandle",
    }
)


@rule(
    "UNU005",
    "unused-helper-resource",
    Severity.WARNING,
    "A config, value, random string or signal handle that nothing reads.",
    message="{type} {resource!r} is never referenced, so it has no effect",
    doc="""\
Some resource types have no effect of their own: a software config (`OS::Heat::SoftwareConfig`,
`CloudConfig`, `MultipartMime`, ...) is only delivered through a deployment or a server's
`user_data`; an `OS::Heat::RandomString` or `OS::Heat::Value` only exists to be read; a wait
condition handle only to be signalled. One that nothing references is dead code, usually a
config whose deployment was deleted or renamed, so the server silently runs without it.
Reference it (`get_resource`, `get_attr`), or remove it.

Bad:
```yaml
resources:
  install:
    type: OS::Heat::SoftwareConfig
    properties: {group: script, config: {get_file: install.sh}}
  server:
    type: OS::Nova::Server
    properties: {image: fedora, flavor: m1.small}   # nothing deploys `install`
```
Good: an `OS::Heat::SoftwareDeployment` with `config: {get_resource: install}` and
`server: {get_resource: server}`, or `user_data: {get_resource: install}` with
`user_data_format: SOFTWARE_CONFIG`.""",
)
def unused_helper_resource(context: RuleContext) -> None:
    symbols = context.facts.symbols
    if symbols is None:
        return
    template = context.template
    resources = section(template, "resources")
    referenced = {
        ref.name
        for ref in symbols.references
        if ref.kind == "resource" and (ref.owner != ref.name or ref.path[:1] != (resources,))
    }
    for name, resource in template.resources.items():
        if resource.type in HELPER_TYPES and name not in referenced:
            context.report(
                resource.name_span,
                (section(template, "resources"), name),
                type=resource.type,
                resource=name,
            )


RULES: tuple[LintRule, ...] = (
    unused_parameter,
    unused_condition,
    unused_mapping,
    unused_interpolation_variable,
    unused_helper_resource,
)
