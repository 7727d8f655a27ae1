"""Security group rules read as data: which ports they open, and to which addresses.

Neutron's semantics (heat/engine/resources/openstack/neutron/security_group.py `_format_rule`,
security_group_rule.py): a rule without `remote_ip_prefix` and without a remote group matches
every address of its ethertype; without `protocol` (in a SecurityGroup's rules) it matches
every protocol; a TCP/UDP rule without a port range matches every port. A standalone
OS::Neutron::SecurityGroupRule defaults its protocol to tcp. Heat's AWS::EC2::SecurityGroup
passes CidrIp as remote_ip_prefix, so a rule without CidrIp nor source group is open to all on
Heat (AWS itself rejects it).
"""

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.ir import expr as e
from kiln.compiler.lint.rule import RuleContext
from kiln.compiler.lint.rules._walk import UNKNOWN, get, resource_path, resources, value
from kiln.compiler.source import Span

# Remote administration and data stores: reachable from anywhere, each is a break-in or a
# data leak waiting for a weak password or the next CVE.
ADMIN_PORTS: Final[dict[int, str]] = {
    22: "SSH",
    23: "Telnet",
    135: "MS RPC",
    139: "NetBIOS",
    445: "SMB",
    1433: "SQL Server",
    1521: "Oracle",
    2375: "Docker",
    2376: "Docker",
    2379: "etcd",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5900: "VNC",
    5984: "CouchDB",
    5985: "WinRM",
    5986: "WinRM",
    6379: "Redis",
    9042: "Cassandra",
    9200: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
}
# Ports that matter over UDP as well (memcached's UDP amplification).
UDP_ADMIN_PORTS: Final = frozenset({11211})

_ANY: Final = "any"
_PROTOCOLS: Final[dict[str, str]] = {
    "tcp": "tcp",
    "6": "tcp",
    "udp": "udp",
    "17": "udp",
    "-1": _ANY,
    "any": _ANY,
    "all": _ANY,
}


@dataclass(frozen=True, slots=True)
class OpenRule:
    """A rule open to every address, and the admin ports it lets in."""

    ports: tuple[int, ...]
    every_port: bool
    protocol: str  # tcp, udp or any
    cidr: str
    span: Span | None
    path: LogicalPath


def open_rules(context: RuleContext, ports: tuple[int, ...]) -> Iterator[OpenRule]:
    template = context.template
    for name, resource in resources(template, "OS::Neutron::SecurityGroup"):
        rules = get(resource.properties, "rules")
        if isinstance(rules, e.ListExpr):
            for index, item in enumerate(rules.items):
                path = resource_path(template, name, "rules", index)
                yield from _neutron(context, item, "", path, ports)
    for name, resource in resources(template, "OS::Neutron::SecurityGroupRule"):
        path = resource_path(template, name)
        yield from _neutron(context, resource.properties, "tcp", path, ports)
    for name, resource in resources(template, "AWS::EC2::SecurityGroup"):
        rules = get(resource.properties, "SecurityGroupIngress")
        if isinstance(rules, e.ListExpr):
            for index, item in enumerate(rules.items):
                path = resource_path(template, name, "SecurityGroupIngress", index)
                yield from _aws(context, item, path, ports)
    for name, resource in resources(template, "AWS::EC2::SecurityGroupIngress"):
        yield from _aws(context, resource.properties, resource_path(template, name), ports)


def _neutron(
    context: RuleContext,
    rule: e.Expr | None,
    default_protocol: str,
    path: LogicalPath,
    ports: tuple[int, ...],
) -> Iterator[OpenRule]:
    if not isinstance(rule, e.MapExpr):
        return
    items = rule.items
    direction = value(context, items.get("direction")) if "direction" in items else "ingress"
    if direction != "ingress":
        return
    if "remote_mode" in items and value(context, items["remote_mode"]) != "remote_ip_prefix":
        return  # a remote group, or a mode we cannot know
    for key in ("remote_group", "remote_group_id"):
        if key in items and value(context, items[key]) is not None:
            return
    ethertype = value(context, items.get("ethertype")) if "ethertype" in items else "IPv4"
    cidr = _open_cidr(context, items.get("remote_ip_prefix"), ethertype)
    if cidr is None:
        return
    protocol = _protocol(context, items, "protocol", default_protocol)
    low = _port(context, items.get("port_range_min"))
    high = _port(context, items.get("port_range_max"))
    found = _exposed(protocol, low, high, ports)
    if found is not None:
        span = rule.key_span("remote_ip_prefix") or rule.span
        yield OpenRule(found[0], found[1], protocol or _ANY, cidr, span, path)


def _aws(
    context: RuleContext, rule: e.Expr | None, path: LogicalPath, ports: tuple[int, ...]
) -> Iterator[OpenRule]:
    if not isinstance(rule, e.MapExpr):
        return
    items = rule.items
    sources = ("SourceSecurityGroupId", "SourceSecurityGroupName", "SourcePrefixListId")
    if any(key in items for key in sources):
        return
    cidr: str | None
    if "CidrIp" in items or "CidrIpv6" in items:
        key = "CidrIp" if "CidrIp" in items else "CidrIpv6"
        cidr = _open_cidr(context, items[key], "IPv4" if key == "CidrIp" else "IPv6")
        span = rule.key_span(key) or rule.span
    elif context.target == "heat":
        cidr, span = "0.0.0.0/0 (no CidrIp: Heat sets no remote prefix)", rule.span
    else:
        return  # AWS rejects a rule without a source
    if cidr is None:
        return
    protocol = _protocol(context, items, "IpProtocol", "")
    low = _port(context, items.get("FromPort"))
    high = _port(context, items.get("ToPort"))
    if low == -1 or high == -1:
        low = high = None
    found = _exposed(protocol, low, high, ports)
    if found is not None:
        yield OpenRule(found[0], found[1], protocol or _ANY, cidr, span, path)


def _open_cidr(context: RuleContext, node: e.Expr | None, ethertype: object) -> str | None:
    """The rule's remote prefix when it is every address; None when it is narrower or
    cannot be known."""
    if node is None or isinstance(node, e.Null):
        return "::/0" if ethertype == "IPv6" else "0.0.0.0/0"
    prefix = value(context, node)
    if not isinstance(prefix, str):
        return None
    try:
        network = ipaddress.ip_network(prefix.strip(), strict=False)
    except ValueError:
        return None
    if network.prefixlen != 0:
        return None
    return prefix if isinstance(node, e.Str) else f"{prefix} (the value of {_name(node)})"


def _name(node: e.Expr) -> str:
    return f"parameter {node.name!r}" if isinstance(node, e.ParamRef) else "a parameter"


def _protocol(
    context: RuleContext, items: Mapping[str, e.Expr], key: str, default: str
) -> str | None:
    """tcp, udp, any, "" for another protocol; None when it cannot be known."""
    node = items.get(key)
    if node is None or isinstance(node, e.Null):
        return default or _ANY
    found = value(context, node)
    if found is UNKNOWN or isinstance(found, bool):
        return None
    return _PROTOCOLS.get(str(found).strip().lower(), "")


def _port(context: RuleContext, node: e.Expr | None) -> object:
    """The port number; None when absent; UNKNOWN when it cannot be known."""
    if node is None or isinstance(node, e.Null):
        return None
    found = value(context, node)
    if isinstance(found, bool):
        return UNKNOWN
    if isinstance(found, int):
        return found
    if isinstance(found, str) and found.strip().lstrip("-").isdigit():
        return int(found)
    return UNKNOWN


def _exposed(
    protocol: str | None, low: object, high: object, ports: tuple[int, ...]
) -> tuple[tuple[int, ...], bool] | None:
    """The admin ports a rule lets in, and whether it lets in every port."""
    if protocol is None or protocol == "" or low is UNKNOWN or high is UNKNOWN:
        return None
    first, last = 0, 65535
    if protocol != _ANY and (low is not None or high is not None):
        # Neutron takes a lone bound as a one-port range.
        start = low if isinstance(low, int) else high
        end = high if isinstance(high, int) else low
        if not isinstance(start, int) or not isinstance(end, int):
            return None
        first, last = start, end
    every = first <= 1 and last >= 65535
    candidates = (
        ports
        if protocol in ("tcp", _ANY)
        else tuple(port for port in ports if port in UDP_ADMIN_PORTS)
    )
    covered = tuple(port for port in candidates if first <= port <= last)
    if not covered:
        return None
    return covered, every


def describe(rule: OpenRule) -> str:
    named = [f"{ADMIN_PORTS.get(port, 'port')} ({port})" for port in rule.ports]
    if rule.every_port:
        kind = "" if rule.protocol == _ANY else f"{rule.protocol.upper()} "
        listed = ", ".join(named[:2])
        more = f" and {len(named) - 2} more admin ports" if len(named) > 2 else ""
        return f"every {kind}port (including {listed}{more})"
    if len(named) == 1:
        return named[0]
    if len(named) <= 3:
        return f"{', '.join(named[:-1])} and {named[-1]}"
    return f"{', '.join(named[:3])} and {len(named) - 3} more admin ports"


# --- object storage open to all ---------------------------------------------------------------

# Swift container ACLs and S3 canned ACLs that let anyone in.
_PUBLIC_SWIFT: Final = {"X-Container-Read": ".r:*", "X-Container-Write": "*:*"}
_PUBLIC_S3: Final = frozenset({"PublicRead", "PublicReadWrite", "AuthenticatedRead"})


@dataclass(frozen=True, slots=True)
class PublicStorage:
    type: str
    resource: str
    who: str
    key: str
    value: str
    span: Span | None
    path: LogicalPath


def public_storage(context: RuleContext) -> Iterator[PublicStorage]:
    """Swift containers whose ACLs hold `.r:*` (read) or `*:*` (write), S3 buckets with a
    public canned ACL."""
    template = context.template
    for name, resource in resources(template, "OS::Swift::Container"):
        for key, marker in _PUBLIC_SWIFT.items():
            node = get(resource.properties, key)
            if not isinstance(node, e.Str):
                continue
            acl = node.value
            if marker not in [part.strip() for part in acl.split(",")]:
                continue
            who = "everyone" if key == "X-Container-Read" else "every user of the cloud"
            path = resource_path(template, name, key)
            yield PublicStorage(resource.type, name, who, key, acl, node.span, path)
    for name, resource in resources(template, "AWS::S3::Bucket"):
        node = get(resource.properties, "AccessControl")
        if not isinstance(node, e.Str) or node.value not in _PUBLIC_S3:
            continue
        acl = node.value
        who = "every AWS user" if acl == "AuthenticatedRead" else "everyone"
        path = resource_path(template, name, "AccessControl")
        yield PublicStorage(resource.type, name, who, "AccessControl", acl, node.span, path)
