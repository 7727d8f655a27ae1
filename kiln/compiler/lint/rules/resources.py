"""Lint rules: resources that the services behind Heat will refuse or misread (names that
collide, networks that do not match, addresses outside their subnet, configs passed as ids)."""

import ipaddress
from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import Note
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource, Template
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.lint.rules._access import (
    GROUP_MEMBERS,
    get,
    integer,
    items,
    owners,
    plugin_type,
    properties_path,
    ref_name,
    resources_of,
    text,
)
from kiln.compiler.lint.rules._refs import uses
from kiln.compiler.lint.rules.dependencies import interfaces_on, port_network
from kiln.compiler.source import Span

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Types whose `name` a second resource must not repeat, with what goes wrong when it does.
_REFUSED = "the service refuses a second one with the same name"
_AMBIGUOUS = "anything that looks it up by name fails with 'Multiple ... matches found'"
_SAME = "both resources manage the same object, and deleting one breaks the other"
NAMED_TYPES: Final[dict[str, tuple[str, str]]] = {
    "OS::Nova::KeyPair": ("name", _REFUSED),
    "OS::Nova::Flavor": ("name", _REFUSED),
    "OS::Keystone::Project": ("name", _REFUSED),
    "OS::Keystone::User": ("name", _REFUSED),
    "OS::Keystone::Group": ("name", _REFUSED),
    "OS::Keystone::Role": ("name", _REFUSED),
    "OS::Keystone::Domain": ("name", _REFUSED),
    "OS::Designate::Zone": ("name", _REFUSED),
    "OS::Swift::Container": ("name", _SAME),
    "OS::Neutron::Net": ("name", _AMBIGUOUS),
    "OS::Neutron::Subnet": ("name", _AMBIGUOUS),
    "OS::Neutron::Router": ("name", _AMBIGUOUS),
    "OS::Neutron::SecurityGroup": ("name", _AMBIGUOUS),
    "OS::Neutron::Port": ("name", _AMBIGUOUS),
    "OS::Nova::Server": ("name", _AMBIGUOUS),
    "OS::Cinder::Volume": ("name", _AMBIGUOUS),
    "OS::Glance::WebImage": ("name", _AMBIGUOUS),
    "OS::Octavia::LoadBalancer": ("name", _AMBIGUOUS),
    "AWS::S3::Bucket": ("BucketName", _REFUSED),
    "AWS::IAM::Role": ("RoleName", _REFUSED),
    "AWS::IAM::User": ("UserName", _REFUSED),
    "AWS::DynamoDB::Table": ("TableName", _REFUSED),
    "AWS::SQS::Queue": ("QueueName", _REFUSED),
    "AWS::SNS::Topic": ("TopicName", _REFUSED),
    "AWS::Lambda::Function": ("FunctionName", _REFUSED),
    "AWS::Logs::LogGroup": ("LogGroupName", _REFUSED),
}


def _comparable(first: Resource, second: Resource) -> bool:
    """Two resources that may exist together: not under different conditions (the usual way
    to pick one of two alternatives)."""
    return (
        first.condition is None or second.condition is None or first.condition == second.condition
    )


@rule(
    "RES001",
    "duplicate-resource-name",
    Severity.WARNING,
    "Two resources of the same type given the same literal name.",
    message="{resource!r} has the same {key} {value!r} as {first!r}: {consequence}",
    doc="""\
Two resources of one type with the same literal name are usually a copy-and-paste slip. Some
services refuse the second one (key pairs, flavors, Keystone names, DNS zones, S3 buckets);
others accept it, but then anything that names the resource (a `network: private-net` property,
a CLI command) fails with "Multiple ... matches found"; two Swift containers of one name are one
container.

Give each its own name, or derive it from the stack (`{list_join: ['-', [{get_param:
'OS::stack_name'}, 'db']]}`). Resources under different conditions (alternatives) are not
compared.

```yaml
# bad
front_net: {type: OS::Neutron::Net, properties: {name: app-net}}
back_net: {type: OS::Neutron::Net, properties: {name: app-net}}
```""",
)
def duplicate_resource_name(context: RuleContext) -> None:
    template = context.template
    first: dict[tuple[str, str], str] = {}
    for owner in owners(context, members=False):
        row = NAMED_TYPES.get(owner.type)
        if row is None:
            continue
        key, consequence = row
        node = get(owner.properties, key)
        value = text(node)
        if node is None or not value:
            continue
        earlier = first.get((owner.type, value))
        resource = template.resources[owner.resource]
        if earlier is None or not _comparable(template.resources[earlier], resource):
            first.setdefault((owner.type, value), owner.resource)
            continue
        context.report(
            node.span,
            (*owner.path, key),
            notes=[Note(f"{earlier!r} is named {value!r} here", _span(template, earlier, key))],
            resource=owner.resource,
            key=key,
            value=value,
            first=earlier,
            consequence=consequence,
        )


def _span(template: Template, name: str, key: str) -> Span | None:
    resource = template.resources.get(name)
    node = get(resource.properties, key) if resource is not None else None
    return node.span if node is not None else None


@rule(
    "RES002",
    "group-member-same-name",
    Severity.WARNING,
    "A group whose members all get the same literal name.",
    message="every member of {resource!r} is named {value!r}: {consequence}; {advice}",
    doc="""\
A ResourceGroup creates its member definition `count` times, with the same properties. A
literal `name` gives every member the same name: key pairs and other uniquely named objects
fail from the second member on, and servers or networks become indistinguishable. Heat replaces
the group's `index_var` (`%index%` unless set) in the member's properties with the member's
index.

```yaml
# good
servers:
  type: OS::Heat::ResourceGroup
  properties:
    count: 3
    resource_def:
      type: OS::Nova::Server
      properties:
        name: web-%index%
```""",
)
def group_member_same_name(context: RuleContext) -> None:
    for owner in owners(context):
        row = NAMED_TYPES.get(owner.type)
        if not owner.member or row is None:
            continue
        key, consequence = row
        group = context.template.resources[owner.resource]
        group_type = plugin_type(context, owner.resource, group)
        node = get(owner.properties, key)
        value = text(node)
        if node is None or not value:
            continue
        if group_type == "OS::Heat::ResourceGroup":
            count = get(group.properties, "count")
            size = 1 if count is None else integer(count)
            if size is not None and size <= 1:
                continue
            index = text(get(group.properties, "index_var")) or "%index%"
            if index in value:
                continue
            advice = f"put {index!r} in the name"
        else:
            advice = "leave the name out (an autoscaling group has no member index)"
        context.report(
            node.span,
            (*owner.path, key),
            resource=owner.resource,
            value=value,
            consequence=consequence,
            advice=advice,
        )


# --- networks ------------------------------------------------------------------------------

_SUBNET = "OS::Neutron::Subnet"
_PORT = "OS::Neutron::Port"
_SERVER = "OS::Nova::Server"


def _network_of_subnet(context: RuleContext, subnet: str | None) -> str | None:
    resource = context.template.resources.get(subnet) if subnet else None
    if resource is None or subnet is None or plugin_type(context, subnet, resource) != _SUBNET:
        return None
    return ref_name(get(resource.properties, "network")) or ref_name(
        get(resource.properties, "network_id")
    )


def _cidr(context: RuleContext, subnet: str | None) -> IpNetwork | None:
    resource = context.template.resources.get(subnet) if subnet else None
    if resource is None or subnet is None or plugin_type(context, subnet, resource) != _SUBNET:
        return None
    value = text(get(resource.properties, "cidr"))
    try:
        return ipaddress.ip_network(value, strict=False) if value else None
    except ValueError:
        return None  # validation's business


def _fixed_ips(
    context: RuleContext,
) -> Iterator[tuple[str, tuple[str | int, ...], e.Expr, str | None]]:
    """(resource, path to the map, the map, its network resource) for every port fixed_ips
    entry and every server networks entry."""
    template = context.template
    for name, port in resources_of(context, _PORT):
        network = ref_name(get(port.properties, "network")) or ref_name(
            get(port.properties, "network_id")
        )
        for index, entry in enumerate(items(get(port.properties, "fixed_ips"))):
            yield name, properties_path(template, name, "fixed_ips", index), entry, network
    for name, server in resources_of(context, _SERVER):
        for index, entry in enumerate(items(get(server.properties, "networks"))):
            network = ref_name(get(entry, "network")) or ref_name(get(entry, "uuid"))
            yield name, properties_path(template, name, "networks", index), entry, network


def _subnet_key(entry: e.Expr) -> str | None:
    for key in ("subnet", "subnet_id"):
        if get(entry, key) is not None:
            return key
    return None


@rule(
    "RES003",
    "subnet-not-on-network",
    Severity.ERROR,
    "A port or server network entry whose subnet belongs to another network.",
    message="{resource!r} is on network {network!r} but asks for subnet {subnet!r}, which is "
    "on network {other!r}; Neutron rejects the port",
    doc="""\
A port's fixed IPs must come from subnets of the port's own network. When both are resources
of the template and the subnet's `network` names another one, Neutron refuses to create the
port ("Invalid input for operation: Failed to create port on network ..., because fixed_ips
included invalid subnet ...").

```yaml
# bad
port:
  type: OS::Neutron::Port
  properties:
    network: {get_resource: front_net}
    fixed_ips: [{subnet: {get_resource: back_subnet}}]   # back_subnet is on back_net
```""",
)
def subnet_not_on_network(context: RuleContext) -> None:
    for name, path, entry, network in _fixed_ips(context):
        key = _subnet_key(entry)
        node = get(entry, key) if key else None
        subnet = ref_name(node)
        other = _network_of_subnet(context, subnet)
        if network is None or other is None or node is None or other == network:
            continue
        context.report(
            node.span,
            (*path, key or "subnet"),
            resource=name,
            network=network,
            subnet=subnet,
            other=other,
        )


@rule(
    "RES004",
    "overlapping-subnets",
    Severity.ERROR,
    "Subnets on one network, or on one router, whose CIDRs overlap.",
    message="subnet {resource!r} ({cidr}) overlaps subnet {other!r} ({other_cidr}) {where}; "
    "Neutron rejects it",
    doc="""\
Neutron refuses a subnet whose CIDR overlaps another subnet of the same network ("Requested
subnet with cidr ... overlaps with another subnet"), and a router interface on a subnet that
overlaps a subnet the router already has. Give each subnet its own range.

```yaml
# bad
a: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.0.0.0/16}}
b: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.0.1.0/24}}
```""",
)
def overlapping_subnets(context: RuleContext) -> None:
    template = context.template
    groups: dict[tuple[str, str], list[str]] = {}
    for name, _ in resources_of(context, _SUBNET):
        network = _network_of_subnet(context, name)
        if network is not None:
            groups.setdefault(("network", network), []).append(name)
    for _, interface in resources_of(context, "OS::Neutron::RouterInterface"):
        router = ref_name(get(interface.properties, "router")) or ref_name(
            get(interface.properties, "router_id")
        )
        subnet = ref_name(get(interface.properties, "subnet")) or ref_name(
            get(interface.properties, "subnet_id")
        )
        if router is not None and subnet is not None and subnet in template.resources:
            members = groups.setdefault(("router", router), [])
            if subnet not in members:
                members.append(subnet)
    reported: set[tuple[str, str]] = set()
    for (kind, owner), subnets in groups.items():
        for position, name in enumerate(subnets):
            cidr = _cidr(context, name)
            for earlier in subnets[:position]:
                other = _cidr(context, earlier)
                if cidr is None or other is None or cidr.version != other.version:
                    continue
                if not cidr.overlaps(other) or (earlier, name) in reported:
                    continue
                if not _comparable(template.resources[earlier], template.resources[name]):
                    continue
                reported.add((earlier, name))
                node = get(template.resources[name].properties, "cidr")
                context.report(
                    node.span if node is not None else template.resources[name].name_span,
                    properties_path(template, name, "cidr"),
                    resource=name,
                    cidr=cidr,
                    other=earlier,
                    other_cidr=other,
                    where=f"on {kind} {owner!r}",
                )


def _address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value) if value else None
    except ValueError:
        return None


@rule(
    "RES005",
    "address-outside-subnet",
    Severity.ERROR,
    "A fixed IP or allocation pool address outside its subnet's CIDR.",
    message="{address} is not in {cidr}, the CIDR of subnet {subnet!r}; Neutron rejects it",
    doc="""\
A port's fixed IP on a subnet, and a subnet's allocation pools, must lie inside the subnet's
CIDR; Neutron refuses them otherwise ("IP address ... is not a valid IP for the specified
subnet", "allocation pool ... spans beyond the subnet cidr").

```yaml
# bad
subnet: {type: OS::Neutron::Subnet, properties: {network: {get_resource: net}, cidr: 10.0.0.0/24}}
port:
  type: OS::Neutron::Port
  properties:
    network: {get_resource: net}
    fixed_ips: [{subnet: {get_resource: subnet}, ip_address: 10.0.1.10}]
```""",
)
def address_outside_subnet(context: RuleContext) -> None:
    template = context.template
    for _, path, entry, _ in _fixed_ips(context):
        key = _subnet_key(entry)
        subnet = ref_name(get(entry, key)) if key else None
        cidr = _cidr(context, subnet)
        address_key = "ip_address" if get(entry, "ip_address") is not None else "fixed_ip"
        node = get(entry, address_key)
        address = _address(text(node))
        if cidr is None or address is None or node is None or address in cidr:
            continue
        if address.version != cidr.version:
            continue
        context.report(node.span, (*path, address_key), address=address, cidr=cidr, subnet=subnet)
    for name, subnet_resource in resources_of(context, _SUBNET):
        cidr = _cidr(context, name)
        if cidr is None:
            continue
        for index, pool in enumerate(items(get(subnet_resource.properties, "allocation_pools"))):
            for key in ("start", "end"):
                node = get(pool, key)
                address = _address(text(node))
                if address is None or node is None or address.version != cidr.version:
                    continue
                if address not in cidr:
                    context.report(
                        node.span,
                        properties_path(template, name, "allocation_pools", index, key),
                        address=address,
                        cidr=cidr,
                        subnet=name,
                    )


# --- servers and their configuration ---------------------------------------------------------

_CONFIG_TYPES: Final = frozenset(
    {"OS::Heat::CloudConfig", "OS::Heat::MultipartMime", "OS::Heat::SoftwareConfig"}
)
_RESOLVING_FORMATS: Final = frozenset({"RAW", "SOFTWARE_CONFIG"})


@rule(
    "RES006",
    "user-data-config-not-raw",
    Severity.WARNING,
    "A server whose user_data is a config resource, but whose format passes the id, not the "
    "config.",
    message="{resource!r} takes its user_data from config {config!r}, but with user_data_format "
    "{format} Heat passes the config's id to the server, not its content",
    fixable=True,
    doc="""\
`user_data: {get_resource: config}` gives the server the id of an OS::Heat::CloudConfig,
MultipartMime or SoftwareConfig. Heat swaps the id for the config's content only when
`user_data_format` is `RAW` or `SOFTWARE_CONFIG`; with the default, `HEAT_CFNTOOLS`, the server
boots with the id as its user data and cloud-init does nothing.

```yaml
# good
server:
  type: OS::Nova::Server
  properties:
    user_data_format: RAW
    user_data: {get_resource: cloud_config}
```

The fix sets `user_data_format: RAW` when the template does not set it at all (unsafe: a
changed user_data_format replaces an existing server on update).""",
)
def user_data_config_not_raw(context: RuleContext) -> None:
    from kiln.compiler.lint.rules._fixes import add_entry

    template = context.template
    for owner in owners(context):
        if owner.type not in (_SERVER, "OS::Heat::DeployedServer"):
            continue
        node = get(owner.properties, "user_data")
        config = ref_name(node)
        resource = template.resources.get(config) if config else None
        if node is None or resource is None or config is None:
            continue
        if plugin_type(context, config, resource) not in _CONFIG_TYPES:
            continue
        format_node = get(owner.properties, "user_data_format")
        written = text(format_node)
        if format_node is not None and (written is None or written in _RESOLVING_FORMATS):
            continue
        fix = None
        properties = owner.properties
        if format_node is None and isinstance(properties, e.MapExpr) and not owner.member:
            fix = add_entry(context, properties.span, "user_data_format", "RAW")
        context.report(
            node.span,
            (*owner.path, "user_data"),
            autofix=fix,
            resource=owner.resource,
            config=config,
            format=written or "HEAT_CFNTOOLS (the default)",
        )


_DEPLOYMENTS: Final = frozenset({"OS::Heat::SoftwareDeployment", "OS::Heat::StructuredDeployment"})


@rule(
    "RES007",
    "deployment-server-not-software-config",
    Severity.WARNING,
    "A software deployment on a server not set up for software config.",
    message="deployment {resource!r} targets server {server!r}, whose user_data_format is "
    "{format}: no agent on it collects the deployment, which then waits until it times out",
    doc="""\
OS::Heat::SoftwareDeployment hands its config to an agent on the server (os-collect-config and
heat-config). Heat sets that agent up through the server's user data only when the server has
`user_data_format: SOFTWARE_CONFIG`; otherwise, unless the image was built with a configured
agent, the deployment stays IN_PROGRESS until its timeout and fails.

```yaml
# good
server:
  type: OS::Nova::Server
  properties:
    user_data_format: SOFTWARE_CONFIG
deployment:
  type: OS::Heat::SoftwareDeployment
  properties:
    server: {get_resource: server}
    config: {get_resource: config}
```""",
)
def deployment_server_not_software_config(context: RuleContext) -> None:
    template = context.template
    for name, deployment in resources_of(context, *_DEPLOYMENTS):
        node = get(deployment.properties, "server")
        server = ref_name(node)
        resource = template.resources.get(server) if server else None
        if node is None or resource is None or server is None:
            continue
        if plugin_type(context, server, resource) != _SERVER:
            continue
        format_node = get(resource.properties, "user_data_format")
        written = text(format_node)
        if format_node is not None and (written is None or written == "SOFTWARE_CONFIG"):
            continue
        context.report(
            node.span,
            properties_path(template, name, "server"),
            resource=name,
            server=server,
            format=written or "HEAT_CFNTOOLS (the default)",
        )


@rule(
    "RES008",
    "empty-group",
    Severity.INFO,
    "A group whose size is a literal 0.",
    message="{resource!r} has {key} 0 and creates nothing",
    doc="""\
A ResourceGroup with `count: 0` (an autoscaling group with `max_size: 0`) creates no member:
Heat does not even validate the member definition. It is usually a switched-off feature; a
parameter (or a `condition` on the group) says so, and keeps the member definition checked.

```yaml
# good
workers:
  type: OS::Heat::ResourceGroup
  properties:
    count: {get_param: worker_count}
```""",
)
def empty_group(context: RuleContext) -> None:
    template = context.template
    sizes = {
        "OS::Heat::ResourceGroup": "count",
        "OS::Heat::AutoScalingGroup": "max_size",
        "AWS::AutoScaling::AutoScalingGroup": "MaxSize",
    }
    for name, group in resources_of(context, *sizes):
        key = sizes[plugin_type(context, name, group)]
        node = get(group.properties, key)
        if node is not None and integer(node) == 0:
            context.report(node.span, properties_path(template, name, key), resource=name, key=key)


_FLOATING: Final = ("OS::Neutron::FloatingIP", "OS::Neutron::FloatingIPAssociation")


@rule(
    "RES009",
    "floating-ip-network-unrouted",
    Severity.WARNING,
    "A floating IP for a port on a network no router of the template connects.",
    message="{resource!r} is for a port on network {network!r}, which no router interface of "
    "this template connects; Neutron refuses the association (external network not reachable)",
    doc="""\
A floating IP is reachable only through a router with a gateway on the external network and an
interface on the port's subnet. When the port's network is created by the template itself, no
router outside the stack can have that interface yet: without an OS::Neutron::RouterInterface
on one of its subnets, associating the floating IP fails with "External network ... is not
reachable from subnet ...".

```yaml
# good
router_interface:
  type: OS::Neutron::RouterInterface
  properties:
    router: {get_resource: router}
    subnet: {get_resource: subnet}     # a subnet of the port's network
```""",
)
def floating_ip_network_unrouted(context: RuleContext) -> None:
    template = context.template
    for name, resource in resources_of(context, *_FLOATING):
        node = get(resource.properties, "port_id")
        network = port_network(context, ref_name(node))
        if node is None or network is None or network not in template.resources:
            continue
        if interfaces_on(context, network) or _passed_on(context, network):
            continue
        context.report(
            node.span, properties_path(template, name, "port_id"), resource=name, network=network
        )


def _passed_on(context: RuleContext, network: str) -> bool:
    """The network or one of its subnets is given to something Kiln cannot see into (a
    provider template, a nested stack, a group): a router interface may be made there."""
    template = context.template
    names = {network} | {
        name
        for name, _ in resources_of(context, _SUBNET)
        if _network_of_subnet(context, name) == network
    }
    for name, resource in template.resources.items():
        type_name = plugin_type(context, name, resource)
        if type_name and type_name not in GROUP_MEMBERS and not type_name.endswith("::Stack"):
            continue
        path = properties_path(template, name)
        if any(use.target in names for use in uses(resource.properties, path)):
            return True
    return False


RULES: tuple[LintRule, ...] = (
    duplicate_resource_name,
    group_member_same_name,
    subnet_not_on_network,
    overlapping_subnets,
    address_outside_subnet,
    user_data_config_not_raw,
    deployment_server_not_software_config,
    empty_group,
    floating_ip_network_unrouted,
)
