"""Lint rules: dependencies that say nothing, and references that may point at nothing
(cfn-lint W3005; Heat's conditional resources and implicit dependencies)."""

from collections.abc import Iterator

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.graph import DependencyGraph
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._access import (
    condition_name,
    get,
    output_path,
    plugin_type,
    properties_path,
    ref_name,
    reference_span,
    resource_path,
    resources_of,
)
from kiln.compiler.lint.rules._fixes import add_entry, drop_depends_on
from kiln.compiler.lint.rules._refs import Use, guarded, implies, uses
from kiln.compiler.passes.sites import spell


def _references(context: RuleContext, name: str, resource: Resource) -> Iterator[Use]:
    """What a resource refers to where it makes a dependency: properties and metadata for
    Heat (rsrc_defn.ResourceDefinition.dependencies), properties only for AWS, where Fn::Sub
    counts too (Heat has no Fn::Sub)."""
    template = context.template
    aws = context.target == "aws"
    fields = (("properties", resource.properties), ("metadata", None if aws else resource.metadata))
    for field, node in fields:
        yield from uses(node, resource_path(template, name, spell(template, field)), sub=aws)


def _depends_path(template: Template, name: str, resource: Resource, index: int) -> LogicalPath:
    base = resource_path(template, name, spell(template, "depends_on"))
    return (*base, index) if len(resource.depends_on) > 1 else base


@rule(
    "DPN001",
    "redundant-depends-on",
    Severity.WARNING,
    "A depends_on entry that a reference in the resource already implies.",
    message="{resource!r} already depends on {target!r} through its {via} on line {line}",
    fixable=True,
    doc="""\
A `get_resource` or `get_attr` (CloudFormation: `Ref`, `Fn::GetAtt`, and on AWS `Fn::Sub`) in a
resource's properties (and, in Heat, its metadata) already makes it wait for the resource it
names. Listing that
resource in `depends_on` as well says nothing more, and it stays behind as a stale ordering
constraint when the reference is later removed (cfn-lint W3005).

References inside an `if` do not count: the branch may not be taken.

```yaml
# bad
subnet:
  type: OS::Neutron::Subnet
  depends_on: net
  properties:
    network: {get_resource: net}
# good
subnet:
  type: OS::Neutron::Subnet
  properties:
    network: {get_resource: net}
```

The fix removes the entry (the whole `depends_on` when it was the only one).""",
)
def redundant_depends_on(context: RuleContext) -> None:
    template = context.template
    for name, resource in template.resources.items():
        if not resource.depends_on or resource.external_id is not None:
            continue
        implied: dict[str, Use] = {}
        for use in _references(context, name, resource):
            if use.definite and use.target != name:
                implied.setdefault(use.target, use)
        seen: set[str] = set()
        for index, item in enumerate(resource.depends_on):
            if item.value in seen:
                continue  # a repeat: duplicate-depends-on
            seen.add(item.value)
            implied_by = implied.get(item.value)
            if implied_by is None:
                continue
            span = implied_by.node.span
            line = span.start.line if span is not None else "?"
            fix = drop_depends_on(
                context, resource, index, f"remove {item.value!r} from depends_on"
            )
            context.report(
                item.span,
                _depends_path(template, name, resource, index),
                autofix=fix,
                resource=name,
                target=item.value,
                via=implied_by.via,
                line=line,
            )


@rule(
    "DPN002",
    "duplicate-depends-on",
    Severity.INFO,
    "A resource named twice in the same depends_on.",
    message="{target!r} is listed twice in the depends_on of {resource!r}",
    fixable=True,
    doc="""\
Heat and CloudFormation read `depends_on` as a set: a second mention of the same resource does
nothing. It is usually left over from a merge or a copy; remove it.

```yaml
# bad
depends_on: [net, router, net]
# good
depends_on: [net, router]
```""",
)
def duplicate_depends_on(context: RuleContext) -> None:
    template = context.template
    for name, resource in template.resources.items():
        seen: set[str] = set()
        for index, item in enumerate(resource.depends_on):
            if item.value not in seen:
                seen.add(item.value)
                continue
            fix = drop_depends_on(context, resource, index, f"remove the repeated {item.value!r}")
            context.report(
                item.span,
                _depends_path(template, name, resource, index),
                autofix=fix,
                resource=name,
                target=item.value,
            )


def _condition_label(node: e.Expr | None) -> str:
    name = condition_name(node)
    return repr(name) if name is not None else "(inline)"


def _conditional(context: RuleContext, target: str) -> e.Expr | None:
    """The condition of a resource that may not exist (not a literal `true`)."""
    resource: Resource | None = context.template.resources.get(target)
    condition: e.Expr | None = resource.condition if resource is not None else None
    if isinstance(condition, e.Bool) and condition.value:
        return None
    return condition


@rule(
    "DPN003",
    "reference-to-conditional-resource",
    Severity.WARNING,
    "A resource refers to a conditional resource without sharing its condition.",
    message="{resource!r} refers to {target!r}, which exists only when condition {condition} "
    "holds, but {resource!r} {own}",
    doc="""\
A resource with a `condition` is left out of the stack when the condition is false. A resource
that refers to it (`get_resource`, `get_attr`) without the same condition then refers to
nothing, and Heat rejects the whole stack ("The specified reference ... is incorrect") for
those parameter values.

Give the referring resource the same condition (or one that implies it, an `and` containing
it), or wrap the reference in an `if` on that condition. When the condition is already false
for the parameters given, validation reports DEP002 instead.

```yaml
# bad
subnet:
  type: OS::Neutron::Subnet
  properties:
    network: {get_resource: net}      # net has `condition: create_net`
# good
subnet:
  type: OS::Neutron::Subnet
  properties:
    network: {if: [create_net, {get_resource: net}, {get_param: existing_net}]}
```""",
)
def reference_to_conditional_resource(context: RuleContext) -> None:
    template = context.template
    disabled = context.facts.disabled
    for name, resource in template.resources.items():
        if name in disabled:
            continue
        reported: set[str] = set()
        for use in _references(context, name, resource):
            need = _conditional(context, use.target)
            if need is None or use.target == name or use.target in disabled:
                continue  # a false condition is DEP002's
            if use.target in reported or implies(template, resource.condition, need):
                continue
            if guarded(template, use, need):
                continue
            reported.add(use.target)
            own = (
                "has no condition"
                if resource.condition is None
                else f"has condition {_condition_label(resource.condition)}"
            )
            context.report(
                reference_span(context, use.node, use.target),
                use.path,
                resource=name,
                target=use.target,
                condition=_condition_label(need),
                own=own,
            )


@rule(
    "DPN004",
    "output-of-conditional-resource",
    Severity.WARNING,
    "An output refers to a conditional resource without sharing its condition.",
    message="output {output!r} refers to {target!r}, which exists only when condition "
    "{condition} holds{state}, but the output {own}",
    doc="""\
When a resource's condition is false, Heat leaves the resource out, and an output that refers
to it fails when it is shown (`openstack stack output show` reports an error instead of a
value). An output with the resource's condition is kept with a null value instead; an `if` on
the condition can give a fallback.

```yaml
# bad
outputs:
  lb_ip:
    value: {get_attr: [lb, vip_address]}   # lb has `condition: with_lb`
# good
outputs:
  lb_ip:
    condition: with_lb
    value: {get_attr: [lb, vip_address]}
```""",
)
def output_of_conditional_resource(context: RuleContext) -> None:
    template = context.template
    disabled = context.facts.disabled
    for name, output in template.outputs.items():
        reported: set[str] = set()
        path = output_path(template, name, spell(template, "value"))
        for use in uses(output.value, path, sub=context.target == "aws"):
            need = _conditional(context, use.target)
            if need is None or use.target in reported:
                continue
            if implies(template, output.condition, need) or guarded(template, use, need):
                continue
            reported.add(use.target)
            state = " (false for the parameter values given)" if use.target in disabled else ""
            own = (
                "has no condition"
                if output.condition is None
                else f"has condition {_condition_label(output.condition)}"
            )
            context.report(
                reference_span(context, use.node, use.target),
                use.path,
                output=name,
                target=use.target,
                condition=_condition_label(need),
                state=state,
                own=own,
            )


# --- floating IPs and wait conditions: the order Heat's graph gives --------------------------

_FLOATING_IPS = ("OS::Neutron::FloatingIP", "OS::Neutron::FloatingIPAssociation")
_ROUTER_INTERFACE = "OS::Neutron::RouterInterface"


def ancestors(graph: DependencyGraph, name: str) -> set[str]:
    """Everything `name` waits for, directly or not."""
    found: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        if current not in graph.types:
            continue
        for target in graph.requires(current):
            if target not in found:
                found.add(target)
                stack.append(target)
    return found


def port_network(context: RuleContext, port: str | None) -> str | None:
    """The network resource (get_resource) of a port resource of this template."""
    resource = context.template.resources.get(port) if port else None
    if resource is None or resource.type != "OS::Neutron::Port":
        return None
    return ref_name(get(resource.properties, "network")) or ref_name(
        get(resource.properties, "network_id")
    )


def interfaces_on(context: RuleContext, network: str) -> list[str]:
    """Router interfaces of this template that plug a subnet (or port) of `network` in."""
    found = []
    resources = context.template.resources
    for name, interface in resources_of(context, _ROUTER_INTERFACE):
        subnet = ref_name(get(interface.properties, "subnet")) or ref_name(
            get(interface.properties, "subnet_id")
        )
        port = ref_name(get(interface.properties, "port")) or ref_name(
            get(interface.properties, "port_id")
        )
        subnet_resource = resources.get(subnet) if subnet else None
        on = ref_name(get(subnet_resource.properties, "network")) if subnet_resource else None
        on = on or (
            ref_name(get(subnet_resource.properties, "network_id")) if subnet_resource else None
        )
        if on == network or (port is not None and port_network(context, port) == network):
            found.append(name)
    return found


@rule(
    "DPN005",
    "floating-ip-before-router-interface",
    Severity.WARNING,
    "A floating IP that Heat may associate before the router interface it needs exists.",
    message="{resource!r} may be associated before router interface {interfaces} exists; "
    'Neutron then fails with "External network ... is not reachable"',
    fixable=True,
    doc="""\
A floating IP can only be associated with a port whose subnet a router connects to the
external network. Heat adds that ordering by itself only in some layouts (the port's
`fixed_ips` naming the interface's subnet); otherwise the floating IP, the port and the router
interface are created in parallel, and the association fails now and then with "External
network ... is not reachable from subnet ...".

Add `depends_on` on the router interface (the fix does, when there is exactly one).

```yaml
# good
floating_ip:
  type: OS::Neutron::FloatingIP
  depends_on: router_interface
  properties:
    floating_network: {get_param: public_net}
    port_id: {get_resource: port}
```""",
)
def floating_ip_before_router_interface(context: RuleContext) -> None:
    graph = context.facts.graph
    if graph is None:
        return
    template = context.template
    for name, resource in resources_of(context, *_FLOATING_IPS):
        port_value = get(resource.properties, "port_id")
        network = port_network(context, ref_name(port_value))
        if network is None:
            continue
        interfaces = interfaces_on(context, network)
        if not interfaces or ancestors(graph, name) & set(interfaces):
            continue
        if any(name in ancestors(graph, interface) for interface in interfaces):
            continue  # the interface waits for the floating IP: depends_on would be a cycle
        fix = None
        if len(interfaces) == 1 and not resource.depends_on:
            fix = add_entry(context, resource.span, spell(template, "depends_on"), interfaces[0])
        context.report(
            port_value.span if port_value is not None else resource.name_span,
            properties_path(template, name, "port_id"),
            autofix=fix,
            resource=name,
            interfaces=" or ".join(repr(i) for i in interfaces),
        )


_WAIT_CONDITIONS = {
    "OS::Heat::WaitCondition": "handle",
    "OS::Heat::SwiftSignal": "handle",
    "AWS::CloudFormation::WaitCondition": "Handle",
}
# What runs the code that signals a handle (a config only carries the command; the server or
# deployment using it runs it). Provider templates and nested stacks count too.
_SIGNALLERS = frozenset(
    {
        "OS::Nova::Server",
        "OS::Heat::DeployedServer",
        "AWS::EC2::Instance",
        "OS::Heat::ResourceGroup",
        "OS::Heat::AutoScalingGroup",
        "OS::Heat::InstanceGroup",
        "AWS::AutoScaling::AutoScalingGroup",
        "OS::Heat::SoftwareDeployment",
        "OS::Heat::SoftwareDeploymentGroup",
        "OS::Heat::StructuredDeployment",
        "OS::Heat::StructuredDeploymentGroup",
        "OS::Heat::Stack",
        "AWS::CloudFormation::Stack",
    }
)


def descendants(graph: DependencyGraph, name: str) -> set[str]:
    """Everything that waits for `name`, directly or not."""
    found: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        if current not in graph.types:
            continue
        for source in graph.required_by(current):
            if source not in found:
                found.add(source)
                stack.append(source)
    return found


@rule(
    "DPN006",
    "wait-condition-not-after-signaller",
    Severity.WARNING,
    "A wait condition whose timeout starts before the resource that signals it is created.",
    message="wait condition {resource!r} does not depend on {signallers}, which signals "
    "its handle {handle!r}: its timeout runs while {them} still being created",
    fixable=True,
    doc="""\
A wait condition starts its timeout when Heat creates it. Nothing orders it after the server
that signals its handle, since both only refer to the handle: so the wait starts together
with the server, and the server's boot eats into the timeout (a slow boot from volume makes
the stack fail). Make the wait condition depend on the resource that signals it (the fix adds
`depends_on` when there is exactly one).

```yaml
# good
wait:
  type: OS::Heat::WaitCondition
  depends_on: server
  properties:
    handle: {get_resource: wait_handle}
    timeout: 600
```""",
)
def wait_condition_not_after_signaller(context: RuleContext) -> None:
    graph = context.facts.graph
    if graph is None:
        return
    template = context.template
    for name, resource in resources_of(context, *_WAIT_CONDITIONS):
        handle_key = _WAIT_CONDITIONS.get(plugin_type(context, name, resource), "handle")
        handle = ref_name(get(resource.properties, handle_key))
        if handle is None or handle not in graph.types:
            continue
        after = descendants(graph, name)
        signallers = sorted(
            other
            for other in descendants(graph, handle) - after - {name}
            if _signals(context, other)
        )
        if not signallers or ancestors(graph, name) & set(signallers):
            continue
        fix = None
        if len(signallers) == 1 and not resource.depends_on:
            fix = add_entry(context, resource.span, spell(template, "depends_on"), signallers[0])
        context.report(
            resource.name_span,
            resource_path(template, name),
            autofix=fix,
            resource=name,
            signallers=" or ".join(repr(s) for s in signallers),
            handle=handle,
            them="it is" if len(signallers) == 1 else "they are",
        )


def _signals(context: RuleContext, name: str) -> bool:
    resource = context.template.resources.get(name)
    if resource is None:
        return False
    type_name = plugin_type(context, name, resource)
    return not type_name or type_name in _SIGNALLERS


RULES: tuple[LintRule, ...] = (
    redundant_depends_on,
    duplicate_depends_on,
    reference_to_conditional_resource,
    output_of_conditional_resource,
    floating_ip_before_router_interface,
    wait_condition_not_after_signaller,
)
