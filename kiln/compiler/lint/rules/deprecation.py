"""Lint rules: deprecated attributes, and the successors of retired resource types.

Validation already reports deprecated and hidden types (SCH007, SCH008) and properties
(SCH010, with a rename fix where Heat's translation rules rename the property). These rules add
what it cannot say: attributes read through get_attr, and the type that replaces a retired one
when Heat's own message does not name it.
"""

from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import Autofix, TextEdit
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._access import plugin_type, reference_span, resource_path, schema_of
from kiln.compiler.passes.sites import expressions, spell
from kiln.compiler.resource_types import SupportStatus

# What to read instead of a deprecated attribute, where Heat's message does not say.
ATTRIBUTE_REPLACEMENTS: Final[dict[tuple[str, str], str]] = {
    ("OS::Nova::Server", "accessIPv4"): "the `networks` attribute: {get_attr: [server, "
    "networks, <network>, 0]}",
    ("OS::Nova::Server", "accessIPv6"): "the `networks` attribute: {get_attr: [server, "
    "networks, <network>, 1]}",
    ("OS::Zaqar::Queue", "queue_id"): "{get_resource: <queue>}",
}


def _messages(status: SupportStatus | None) -> Iterator[str]:
    while status is not None:
        if status.message:
            yield status.message
        if status.substitute:
            yield status.substitute
        status = status.previous


@rule(
    "DPR001",
    "deprecated-attribute",
    Severity.WARNING,
    "A get_attr of an attribute Heat has deprecated or hidden.",
    message="attribute {attribute!r} of {resource!r} ({type}) is {status}{detail}",
    doc="""\
Heat keeps deprecated attributes working for a while, then hides them, and they disappear in a
later release. Read what replaces them: for OS::Nova::Server, `first_address`, `accessIPv4`
and `accessIPv6` give way to `networks` (addresses per network) and `addresses`; OS::Cinder::
Volume `attachments` to `attachments_list`; OS::Zaqar::Queue `queue_id` to `get_resource`.

```yaml
# bad
value: {get_attr: [server, first_address]}
# good
value: {get_attr: [server, networks, private, 0]}
```""",
)
def deprecated_attribute(context: RuleContext) -> None:
    template = context.template
    for _, found in expressions(template):
        for node, path in found:
            if not isinstance(node, e.AttrRef) or not isinstance(node.attribute, e.Str):
                continue
            resource = template.resources.get(node.resource)
            if resource is None:
                continue
            type_name = plugin_type(context, node.resource, resource)
            schema = schema_of(context, type_name)
            attribute = schema.attribute(node.attribute.value) if schema is not None else None
            if attribute is None:
                continue
            status = SupportStatus.from_json(attribute.get("x-support"))
            if status.status not in ("DEPRECATED", "HIDDEN"):
                continue
            name = node.attribute.value
            detail = f": {status.message}" if status.message else ""
            replacement = ATTRIBUTE_REPLACEMENTS.get((type_name, name))
            if replacement and not detail:
                detail = f"; use {replacement}"
            context.report(
                reference_span(context, node, name) or node.span,
                path,
                attribute=name,
                resource=node.resource,
                type=type_name,
                status="deprecated" if status.status == "DEPRECATED" else "hidden (retired)",
                detail=detail,
            )


# Retired types and what replaces them, with how to move.
SUCCESSORS: Final[dict[str, tuple[str, str]]] = {
    "OS::Neutron::LBaaS::LoadBalancer": ("OS::Octavia::LoadBalancer", ""),
    "OS::Neutron::LBaaS::Listener": ("OS::Octavia::Listener", ""),
    "OS::Neutron::LBaaS::Pool": ("OS::Octavia::Pool", ""),
    "OS::Neutron::LBaaS::PoolMember": ("OS::Octavia::PoolMember", ""),
    "OS::Neutron::LBaaS::HealthMonitor": ("OS::Octavia::HealthMonitor", ""),
    "OS::Neutron::LBaaS::L7Policy": ("OS::Octavia::L7Policy", ""),
    "OS::Neutron::LBaaS::L7Rule": ("OS::Octavia::L7Rule", ""),
    "OS::Neutron::LoadBalancer": (
        "OS::Octavia::LoadBalancer",
        "; LBaaS v1 (and v2) are gone: an Octavia load balancer takes an "
        "OS::Octavia::Listener and an OS::Octavia::Pool, where v1 had the VIP in the pool",
    ),
    "OS::Neutron::Pool": (
        "OS::Octavia::Pool",
        "; the v1 pool's `vip` becomes an OS::Octavia::LoadBalancer with a Listener",
    ),
    "OS::Neutron::PoolMember": ("OS::Octavia::PoolMember", ""),
    "OS::Neutron::HealthMonitor": ("OS::Octavia::HealthMonitor", ""),
    "OS::Glance::Image": (
        "OS::Glance::WebImage",
        "; it makes Glance download the image from `location` itself (Glance v2)",
    ),
}


@rule(
    "DPR002",
    "retired-type-successor",
    Severity.INFO,
    "The type that replaces a retired resource type, where Heat's message does not name it.",
    message="{type} is retired; its successor is {successor}{note}",
    fixable=True,
    doc="""\
Validation reports retired types (SCH007, SCH008) with Heat's own words, which for some name
only a project ("Use octavia instead") or point to a successor that is itself retired (LBaaS v1
says "Use LBaaS V2 instead"). This rule names the type to use now:

| retired | successor |
| --- | --- |
| OS::Neutron::LBaaS::* | OS::Octavia::* (same names) |
| OS::Neutron::LoadBalancer, Pool, PoolMember, HealthMonitor (v1) | OS::Octavia::* |
| OS::Glance::Image | OS::Glance::WebImage |

When every property the resource sets exists in the successor, and the successor's required
properties are all set, the fix changes the type (unsafe: on a stack update Heat replaces the
resource with a new one of the new type).

```yaml
# bad
lb:
  type: OS::Neutron::LBaaS::LoadBalancer
  properties: {vip_subnet: {get_param: subnet}}
# good
lb:
  type: OS::Octavia::LoadBalancer
  properties: {vip_subnet: {get_param: subnet}}
```""",
)
def retired_type_successor(context: RuleContext) -> None:
    template = context.template
    for name, resource in template.resources.items():
        type_name = plugin_type(context, name, resource)
        row = SUCCESSORS.get(type_name)
        schema = schema_of(context, type_name)
        if row is None or schema is None:
            continue
        successor, note = row
        if any(successor in message for message in _messages(schema.support)):
            continue  # validation's message names it already
        context.report(
            resource.type_span or resource.name_span,
            resource_path(template, name, spell(template, "type")),
            autofix=_retype(
                context, resource.type_span, resource.type, resource.properties, successor
            ),
            type=type_name,
            successor=successor,
            note=note,
        )


def _retype(
    context: RuleContext,
    span: object,
    written: str,
    properties: e.Expr | None,
    successor: str,
) -> Autofix | None:
    from kiln.compiler.source import Span

    source = context.source
    new = schema_of(context, successor)
    if source is None or new is None or not isinstance(span, Span):
        return None
    used = set(properties.items) if isinstance(properties, e.MapExpr) else set()
    if properties is not None and not isinstance(properties, e.MapExpr):
        return None
    if not used <= set(new.property_names) or not set(new.required) <= used:
        return None
    text = source.text[span.start.offset : span.end.offset]
    for quote in ("", '"', "'"):
        if text == f"{quote}{written}{quote}":
            edit = TextEdit(
                span.file, span.start.offset, span.end.offset, f"{quote}{successor}{quote}"
            )
            return Autofix(f"change the type to {successor}", (edit,), safe=False)
    return None


RULES: tuple[LintRule, ...] = (deprecated_attribute, retired_type_successor)
