"""Heat's implicit dependencies: what resource plugins add in `add_dependencies()` overrides.

Heat 27 has ten such overrides (grep `def add_dependencies` under heat/engine/resources/);
each is mirrored here by one function naming its file and class, listed in `RULES` by the type
it belongs to. They compare *resolved property values* the way Heat sees them while building
the graph, before anything exists (heat/engine/stk_defn.py, ResourceProxy):

- `get_resource: x` (and `Ref`) resolves to the name "x", so a literal "x" matches it too;
- `get_attr` resolves to None;
- `get_param` resolves to the parameter's value;
- an `if` takes the branch its condition selects.

Kiln resolves those where it knows them (`DependencyValues`); anything else becomes an
`Opaque` value, equal only to the same expression (spans aside), which is what equal
expressions evaluate to in Heat too. Property renames Heat makes before reading
(`translation_rules()` REPLACE rules: `network_id` -> `network`, ...) are the table
`RENAMES`. Heat skips a resource whose property it cannot read (ValueError/TypeError); Kiln
skips a value of the wrong shape the same way.

Edges are `implicit:<rule>`; the span is the dependent's property the rule read.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from kiln.compiler.graph import IMPLICIT_PREFIX, Edge
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Resource
from kiln.compiler.ir.visit import walk_exprs
from kiln.compiler.source import Span


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value not known before deployment; equal only to the same unknown."""

    key: object

    def __bool__(self) -> bool:  # Heat's values here are real, mostly non-empty strings
        return True


class _Dropped(Enum):
    DROPPED = "dropped"  # a two-argument `if` whose condition is false: the item goes away


DROPPED: Final = _Dropped.DROPPED

Truth = Callable[[e.Expr], bool | None]  # a condition's value, None when unknown
# Optional: the shared evaluator; raises when the value is not fully known.
Evaluate = Callable[[e.Expr], Any]


@dataclass(frozen=True, slots=True)
class DependencyValues:
    """Resolve expressions as Heat does while computing dependencies (see module doc)."""

    parameters: Mapping[str, Any]
    truth: Truth
    evaluate: Evaluate | None = None

    def resolve(self, node: e.Expr | None) -> Any:
        if node is None or isinstance(node, e.Null):
            return None
        if isinstance(node, e.Str | e.Int | e.Float | e.Bool):
            return node.value
        if isinstance(node, e.ListExpr):
            items = (self.resolve(item) for item in node.items)
            return [item for item in items if item is not DROPPED]
        if isinstance(node, e.MapExpr):
            pairs = ((key, self.resolve(value)) for key, value in node.items.items())
            return {key: value for key, value in pairs if value is not DROPPED}
        if isinstance(node, e.ResourceRef):
            return node.name  # ResourceProxy.FnGetRefId before the resource exists
        if isinstance(node, e.AttrRef):
            return None  # GetAtt.result: not created yet
        if isinstance(node, e.ParamRef):
            return self._parameter(node)
        if isinstance(node, e.If):
            truth = self.truth(node.condition)
            if truth is None:
                return Opaque(node)
            if truth:
                return self.resolve(node.then)
            return DROPPED if node.otherwise is None else self.resolve(node.otherwise)
        return self._other(node)

    def _parameter(self, node: e.ParamRef) -> Any:
        value = self.parameters.get(node.name, Opaque(("param", node.name)))
        if not node.path:
            return value
        # GetParam walks the path and yields "" where it misses (heat/engine/hot/functions.py).
        for component in (self.resolve(item) for item in node.path):
            if isinstance(value, Opaque) or isinstance(component, Opaque):
                return Opaque(node)
            try:
                value = value[component]
            except (KeyError, IndexError, TypeError):
                return ""
        return value

    def _other(self, node: e.Expr) -> Any:
        # The shared evaluator knows the other functions; it does not use Heat's
        # before-creation values for references, so those stay opaque.
        if self.evaluate is not None and not any(
            isinstance(item, e.ResourceRef | e.AttrRef) for item in walk_exprs(node)
        ):
            try:
                return self.evaluate(node)
            except Exception:  # a value Kiln cannot compute is simply unknown here
                pass
        return Opaque(node)


@dataclass
class Candidate:
    """One enabled resource as the rules see it: its class, its interfaces (Heat's
    Resource.has_interface: its type or what the environment maps it to), its properties."""

    name: str
    resource: Resource
    plugin_type: str  # the type Heat instantiates (environment and aliases followed)
    interfaces: frozenset[str]
    values: DependencyValues
    # Logical path of the properties: ("resources", name, "properties") or the CFN spelling.
    prefix: tuple[str | int, ...] = ()
    _properties: dict[str, Any] | None = field(default=None, init=False)
    _read: bool = field(default=False, init=False)

    def is_a(self, type_name: str) -> bool:
        return type_name in self.interfaces

    @property
    def properties(self) -> dict[str, Any] | None:
        """Resolved properties with Heat's renames applied; None when unreadable."""
        if not self._read:
            self._read = True
            value = self.values.resolve(self.resource.properties)
            if self.resource.properties is None:
                value = {}
            if isinstance(value, dict):
                self._properties = _renamed(self.plugin_type, value)
        return self._properties

    def get(self, name: str) -> Any:
        properties = self.properties
        return None if properties is None else properties.get(name)

    def span(self, *names: str) -> Span | None:
        mapping = self.resource.properties
        if isinstance(mapping, e.MapExpr):
            for name in names:
                value = mapping.items.get(name)
                if value is not None:
                    return value.span or mapping.key_span(name)
        return self.resource.span

    def readable(self) -> bool:
        """False where Heat's `except (ValueError, TypeError): continue` skips."""
        return self.properties is not None

    def has(self, type_name: str, name: str, value: Any) -> bool:
        """Heat's `res.has_interface(T)` and `res.properties.get(name) == value`."""
        return self.is_a(type_name) and self.readable() and self.get(name) == value


# Heat's REPLACE translation rules for the properties the rules read: (path to a list of maps
# or (), new name, old name). A value under the old name moves to the new one.
RENAMES: Final[Mapping[str, tuple[tuple[str, str, str], ...]]] = {
    # heat/engine/resources/openstack/neutron/subnet.py Subnet.translation_rules
    "OS::Neutron::Subnet": (("", "network", "network_id"),),
    # heat/engine/resources/openstack/neutron/port.py Port.translation_rules
    "OS::Neutron::Port": (("", "network", "network_id"), ("fixed_ips", "subnet", "subnet_id")),
    # heat/engine/resources/openstack/neutron/router.py RouterInterface / RouterGateway
    "OS::Neutron::RouterInterface": (
        ("", "port", "port_id"),
        ("", "router", "router_id"),
        ("", "subnet", "subnet_id"),
    ),
    "OS::Neutron::RouterGateway": (("", "network", "network_id"),),
    # heat/engine/resources/openstack/neutron/floatingip.py FloatingIP.translation_rules
    "OS::Neutron::FloatingIP": (("", "floating_network", "floating_network_id"),),
    # heat/engine/resources/openstack/nova/server.py Server.translation_rules
    "OS::Nova::Server": (("networks", "network", "uuid"),),
}


def _renamed(plugin_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    result = dict(properties)
    for list_path, new, old in RENAMES.get(plugin_type, ()):
        if not list_path:
            _move(result, new, old)
            continue
        items = result.get(list_path)
        if isinstance(items, list):
            result[list_path] = [
                _move(dict(item), new, old) if isinstance(item, dict) else item for item in items
            ]
    return result


def _move(mapping: dict[str, Any], new: str, old: str) -> dict[str, Any]:
    if mapping.get(old) is not None and mapping.get(new) is None:
        mapping[new] = mapping[old]
    mapping.pop(old, None)
    return mapping


# --- the rules ---------------------------------------------------------------------------------

Match = tuple[str, str, tuple[str, ...]]  # (target, rule name, properties read for the span)
RuleFunction = Callable[[Candidate, Sequence[Candidate], frozenset[str]], Iterator[Match]]

SUBNET: Final = "OS::Neutron::Subnet"
PORT: Final = "OS::Neutron::Port"
ROUTER: Final = "OS::Neutron::Router"
ROUTER_INTERFACE: Final = "OS::Neutron::RouterInterface"
ROUTER_GATEWAY: Final = "OS::Neutron::RouterGateway"


def server_rule(me: Candidate, others: Sequence[Candidate], _: frozenset[str]) -> Iterator[Match]:
    """heat/engine/resources/openstack/nova/server.py Server.add_dependencies: every Subnet
    of a network the server is on; a subnet whose network is unknown, and every subnet when an
    entry names no network (a port), too."""
    nets = me.get("networks")
    if not me.readable() or not nets or not isinstance(nets, list):
        return
    if not all(isinstance(net, dict) for net in nets):
        return  # Heat: a properties error, reported by validation
    for res in others:
        if not res.is_a(SUBNET) or not res.readable():
            continue
        subnet_net = res.get("network")
        if not subnet_net:
            yield res.name, "server-subnet", ("networks",)
            continue
        for net in nets:
            net_id = net.get("network")
            if not net_id or net_id == subnet_net:
                yield res.name, "server-subnet", ("networks",)
                break


def port_rule(me: Candidate, others: Sequence[Candidate], _: frozenset[str]) -> Iterator[Match]:
    """heat/engine/resources/openstack/neutron/port.py Port.add_dependencies: every Subnet
    of the port's network."""
    if not me.readable():
        return
    for res in others:
        if res.has(SUBNET, "network", me.get("network")):
            yield res.name, "port-subnet", ("network", "network_id")


def router_rule(me: Candidate, others: Sequence[Candidate], _: frozenset[str]) -> Iterator[Match]:
    """heat/engine/resources/openstack/neutron/router.py Router.add_dependencies: every
    Subnet of the external gateway's network."""
    gateway = me.get("external_gateway_info")
    if not gateway or not isinstance(gateway, dict):
        return
    network = gateway.get("network")
    for res in others:
        if res.has(SUBNET, "network", network):
            yield res.name, "router-subnet", ("external_gateway_info",)


def router_gateway_rule(
    me: Candidate, others: Sequence[Candidate], _: frozenset[str]
) -> Iterator[Match]:
    """heat/engine/resources/openstack/neutron/router.py RouterGateway.add_dependencies: the
    RouterInterfaces of its router, and the Subnets of its network."""
    if not me.readable():
        return
    for res in others:
        if res.has(ROUTER_INTERFACE, "router", me.get("router_id")):
            yield res.name, "routergateway-routerinterface", ("router_id",)
        if res.has(SUBNET, "network", me.get("network")):
            yield res.name, "routergateway-subnet", ("network", "network_id")


def floating_ip_rule(
    me: Candidate, others: Sequence[Candidate], explicit: frozenset[str]
) -> Iterator[Match]:
    """heat/engine/resources/openstack/neutron/floatingip.py FloatingIP.add_dependencies:
    a RouterGateway or a Router with an external gateway on the floating network, and a
    RouterInterface on the subnet of a port the floating IP already depends on."""
    if not me.readable():
        return
    floating_network = me.get("floating_network")
    for res in others:
        if res.is_a(ROUTER_GATEWAY):
            if res.readable() and (res.get("network") or res.get("network_id")) == floating_network:
                yield res.name, "floatingip-routergateway", ("floating_network",)
        elif res.is_a(ROUTER_INTERFACE):
            if res.readable() and _interface_port(me, res, others, explicit):
                yield res.name, "floatingip-routerinterface", ("port_id",)
        elif res.is_a(ROUTER):
            gateway = res.get("external_gateway_info")
            if isinstance(gateway, dict) and gateway.get("network") == floating_network:
                yield res.name, "floatingip-router", ("floating_network",)


def _interface_port(
    me: Candidate, interface: Candidate, others: Sequence[Candidate], explicit: frozenset[str]
) -> bool:
    # FloatingIP._add_router_interface_dependencies: `deps.graph()[self]` holds the explicit
    # dependencies plus the implicit ones FloatingIP added itself, which are never Ports.
    subnet = interface.get("subnet") or interface.get("subnet_id")
    for port in (o for o in others if o.name in explicit):
        if not port.is_a(PORT) or not port.readable():
            continue
        fixed_ips = port.get("fixed_ips")
        if not fixed_ips:
            if subnet is None:
                return True
            # Heat asks Neutron whether the port's network holds the subnet; before creation
            # the subnet is only a name, and offline the call fails: no dependency.
            continue
        if isinstance(fixed_ips, list):
            for fixed_ip in fixed_ips:
                if isinstance(fixed_ip, dict) and subnet == (
                    fixed_ip.get("subnet") or fixed_ip.get("subnet_id")
                ):
                    return True
    return False


def _first_fixed_ip_on(port: Candidate, subnet: Any) -> bool:
    # FloatingIPAssociation / FloatingIPPortForward port_on_subnet: only the first fixed IP
    # counts (its loop returns on the first item).
    if not port.is_a(PORT) or not port.readable():
        return False
    fixed_ips = port.get("fixed_ips") or []
    if not isinstance(fixed_ips, list) or not fixed_ips or not isinstance(fixed_ips[0], dict):
        return False
    first = fixed_ips[0]
    return bool(subnet == (first.get("subnet") or first.get("subnet_id")))


def _port_on_interface_rule(name: str, doc: str) -> RuleFunction:
    def rule(
        me: Candidate, others: Sequence[Candidate], explicit: frozenset[str]
    ) -> Iterator[Match]:
        for res in others:
            if not res.is_a(ROUTER_INTERFACE) or not res.readable():
                continue
            subnet = res.get("subnet") or res.get("subnet_id")
            if any(_first_fixed_ip_on(o, subnet) for o in others if o.name in explicit):
                yield res.name, name, ()

    rule.__doc__ = doc
    return rule


floating_ip_association_rule = _port_on_interface_rule(
    "floatingipassociation-routerinterface",
    "heat/engine/resources/openstack/neutron/floatingip.py FloatingIPAssociation."
    "add_dependencies: a RouterInterface on the subnet of a port it depends on.",
)
floating_ip_port_forward_rule = _port_on_interface_rule(
    "floatingipportforward-routerinterface",
    "heat/engine/resources/openstack/neutron/floatingip.py FloatingIPPortForward."
    "add_dependencies: a RouterInterface on the subnet of a port it depends on.",
)


def extra_route_rule(
    me: Candidate, others: Sequence[Candidate], _: frozenset[str]
) -> Iterator[Match]:
    """heat/engine/resources/openstack/neutron/extraroute.py ExtraRoute.add_dependencies: the
    RouterInterfaces and RouterGateways of its router."""
    if not me.readable():
        return
    for res in others:
        if res.is_a(ROUTER_INTERFACE):
            if res.has(ROUTER_INTERFACE, "router", me.get("router_id")):
                yield res.name, "extraroute-routerinterface", ("router_id",)
        elif res.has(ROUTER_GATEWAY, "router_id", me.get("router_id")):
            yield res.name, "extraroute-routergateway", ("router_id",)


def extra_route_set_rule(
    me: Candidate, others: Sequence[Candidate], _: frozenset[str]
) -> Iterator[Match]:
    """heat/engine/resources/openstack/neutron/extrarouteset.py ExtraRouteSet.
    add_dependencies: the RouterInterfaces of its router."""
    if not me.readable():
        return
    for res in others:
        if res.has(ROUTER_INTERFACE, "router", me.get("router")):
            yield res.name, "extrarouteset-routerinterface", ("router",)


def vpc_gateway_attachment_rule(
    me: Candidate, others: Sequence[Candidate], _: frozenset[str]
) -> Iterator[Match]:
    """heat/engine/resources/aws/ec2/internet_gateway.py VPCGatewayAttachment.
    add_dependencies: every RouteTable of its VPC."""
    if not me.readable():
        return
    for res in others:
        if res.has("AWS::EC2::RouteTable", "VpcId", me.get("VpcId")):
            yield res.name, "vpcgatewayattachment-routetable", ("VpcId",)


# The type Heat instantiates -> its add_dependencies. AWS::EC2::EIP and EIPAssociation have no
# override in Heat 27 (heat/engine/resources/aws/ec2/eip.py), nor does Subnet.
RULES: Final[Mapping[str, RuleFunction]] = {
    "OS::Nova::Server": server_rule,
    "OS::Neutron::Port": port_rule,
    "OS::Neutron::Router": router_rule,
    "OS::Neutron::RouterGateway": router_gateway_rule,
    "OS::Neutron::FloatingIP": floating_ip_rule,
    "OS::Neutron::FloatingIPAssociation": floating_ip_association_rule,
    "OS::Neutron::FloatingIPPortForward": floating_ip_port_forward_rule,
    "OS::Neutron::ExtraRoute": extra_route_rule,
    "OS::Neutron::ExtraRouteSet": extra_route_set_rule,
    "AWS::EC2::VPCGatewayAttachment": vpc_gateway_attachment_rule,
}


def implicit_edges(
    candidates: Sequence[Candidate], explicit: Mapping[str, frozenset[str]]
) -> list[Edge]:
    """Every implicit edge, resources in source order (Heat's Stack._add_implicit_dependencies
    walks them in template order); `explicit` maps a resource to what it depends on already."""
    edges: list[Edge] = []
    for me in candidates:
        rule = RULES.get(me.plugin_type)
        if rule is None:
            continue
        for target, name, read in rule(me, candidates, explicit.get(me.name, frozenset())):
            path = (*me.prefix, read[0]) if read else me.prefix
            edges.append(
                Edge(me.name, target, IMPLICIT_PREFIX + name, span=me.span(*read), path=path)
            )
    return edges
