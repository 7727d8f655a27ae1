"""What the rules of this package read from a template, in one place: property values by
path, literals, resource references by name, the type Heat instantiates for a resource, and
logical paths in the dialect's spelling.

Every reader answers None for "cannot tell" (a function where a literal was expected, a list
where a map was, a missing key): a rule then stays silent.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.lint.rule import RuleContext
from kiln.compiler.names import is_template_type
from kiln.compiler.passes.sites import name_span, spell
from kiln.compiler.resource_types import InvalidResourceTypeSchema, ResourceTypeSchema
from kiln.compiler.source import Span

# The member definition of each group type: (property, the member's properties key).
GROUP_MEMBERS = {
    "OS::Heat::ResourceGroup": "resource_def",
    "OS::Heat::AutoScalingGroup": "resource",
}


def get(node: e.Expr | None, *keys: str | int) -> e.Expr | None:
    """The expression at `keys` below `node` (map keys, list indexes), or None."""
    for key in keys:
        if isinstance(node, e.MapExpr) and isinstance(key, str):
            node = node.items.get(key)
        elif isinstance(node, e.ListExpr) and isinstance(key, int) and 0 <= key < len(node.items):
            node = node.items[key]
        else:
            return None
    return node


def text(node: e.Expr | None) -> str | None:
    """A literal string's value."""
    return node.value if isinstance(node, e.Str) else None


def scalar_text(node: e.Expr | None) -> str | None:
    """A literal string or number, as text (a flavor may be written as an id number)."""
    if isinstance(node, e.Str):
        return node.value
    if isinstance(node, e.Int | e.Float):
        return str(node.value)
    return None


def integer(node: e.Expr | None) -> int | None:
    """A literal integer (or a string of digits, which Heat's Integer properties accept)."""
    if isinstance(node, e.Int):
        return node.value
    if isinstance(node, e.Str) and node.value.strip().lstrip("-").isdigit():
        return int(node.value.strip())
    return None


def ref_name(node: e.Expr | None) -> str | None:
    """The resource a `get_resource` / resource `Ref` names."""
    return node.name if isinstance(node, e.ResourceRef) else None


def items(node: e.Expr | None) -> tuple[e.Expr, ...]:
    """A literal list's items (nothing for anything else)."""
    return node.items if isinstance(node, e.ListExpr) else ()


def condition_name(node: e.Expr | None) -> str | None:
    """The condition a resource or output names (`condition: name`)."""
    if isinstance(node, e.ConditionRef):
        return node.name
    if isinstance(node, e.Str):
        return node.value
    return None


def key_or_value_span(mapping: e.Expr | None, key: str) -> Span | None:
    """The value of `key` in a literal map, or its key when the value has no span."""
    if not isinstance(mapping, e.MapExpr):
        return None
    value = mapping.items.get(key)
    return (value.span if value is not None else None) or mapping.key_span(key)


def reference_span(context: RuleContext, node: e.Expr, name: str) -> Span | None:
    """Where `name` is written inside a get_resource/get_attr call (the call's span else)."""
    after = getattr(node, "spelling", "")
    return name_span(context.unit.sources, node.span, name, after if isinstance(after, str) else "")


# --- paths -----------------------------------------------------------------------------------


def resource_path(template: Template, name: str, *rest: str | int) -> LogicalPath:
    return (spell(template, "resources"), name, *rest)


def properties_path(template: Template, name: str, *rest: str | int) -> LogicalPath:
    return (spell(template, "resources"), name, spell(template, "properties"), *rest)


def output_path(template: Template, name: str, *rest: str | int) -> LogicalPath:
    return (spell(template, "outputs"), name, *rest)


# --- types -----------------------------------------------------------------------------------


def plugin_type(context: RuleContext, name: str, resource: Resource) -> str:
    """The plugin type Heat instantiates for a resource (environment mappings and the
    registry's aliases followed); "" for a provider template or an unreadable alias chain."""
    if not resource.type:
        return ""
    resolved = context.unit.environment.resolve_type(name, resource.type)
    if is_template_type(resolved):
        return ""
    try:
        final: str = context.registries.schemas.resolve_alias(resolved)
    except InvalidResourceTypeSchema:
        return ""
    return final


def schema_of(context: RuleContext, type_name: str) -> ResourceTypeSchema | None:
    if not type_name:
        return None
    try:
        schema: ResourceTypeSchema | None = context.registries.schemas.get(type_name)
    except InvalidResourceTypeSchema:
        return None
    return schema


@dataclass(frozen=True, slots=True)
class Owner:
    """Something with properties of a plugin type: a resource, or a group's member
    definition (`resource_def` of a ResourceGroup), which Heat creates once per member."""

    resource: str  # the template's resource (the group, for a member)
    type: str  # the plugin type
    properties: e.Expr | None
    path: LogicalPath  # to the properties
    member: bool = False


def owners(context: RuleContext, *, members: bool = True) -> Iterator[Owner]:
    """Every enabled resource of the template with its plugin type, and (with `members`) the
    member definitions of its groups whose type is written literally."""
    template = context.template
    disabled = context.facts.disabled
    for name, resource in template.resources.items():
        if name in disabled or resource.external_id is not None:
            continue
        type_name = plugin_type(context, name, resource)
        if not type_name:
            continue
        path = properties_path(template, name)
        yield Owner(name, type_name, resource.properties, path)
        member_key = GROUP_MEMBERS.get(type_name)
        if not members or member_key is None:
            continue
        definition = get(resource.properties, member_key)
        member_type = text(get(definition, "type"))
        if member_type is None:
            continue
        resolved = context.unit.environment.resolve_type("0", member_type)
        if is_template_type(resolved):
            continue
        try:
            resolved = context.registries.schemas.resolve_alias(resolved)
        except InvalidResourceTypeSchema:
            continue
        member_path = (*path, member_key, "properties")
        yield Owner(name, resolved, get(definition, "properties"), member_path, member=True)


def resources_of(context: RuleContext, *types: str) -> Iterator[tuple[str, Resource]]:
    """Enabled resources whose plugin type is one of `types`."""
    disabled = context.facts.disabled
    for name, resource in context.template.resources.items():
        if name not in disabled and plugin_type(context, name, resource) in types:
            yield name, resource
