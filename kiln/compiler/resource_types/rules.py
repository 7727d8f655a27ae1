"""Cross-property rules Heat keeps in plugin code, as small functions keyed by resource type.

Each rule mirrors one plugin `validate()` (or a helper it calls) and names the Heat file and
method it copies; messages are Heat's. Rules see the properties through `Props` as the
plugin's `self.properties[name]` gives them (validator.heat_properties: coerced by type, a null
the default or the type's empty value, so a null String is '' and `is not None`; an absent
property its default or None): the literal, or what a function evaluates to, or UNKNOWN when
that is not known before deployment. A rule never fires on an UNKNOWN it would have to guess
about, so a template Heat accepts is never reported; Heat's checks that ask a cloud service
(image/flavor lookups, microversions, quotas) are left out.

RENAMES mirrors the REPLACE translation rules (`translation_rules()`): a deprecated property
whose value Heat moves to its replacement.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Final

from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.ir.nodes import Resource
from kiln.compiler.source import Span

Path = tuple[str | int, ...]


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""A value not known before deployment (a resource attribute, a parameter without value)."""


@frozen_dataclass
class RuleFinding:
    path: Path  # below the properties section; the first property the message names
    message: str


@frozen_dataclass
class Props:
    """A map of properties (the resource's, or one item of a list of maps) as rules read
    them: `values` holds plain values with UNKNOWN inside where not known; `refs` the
    resource names of properties written as get_resource."""

    values: Mapping[str, object]
    spans: Mapping[str, Span | None]
    refs: Mapping[str, str]
    resources: Mapping[str, Resource]

    def get(self, name: str) -> object:
        return self.values.get(name)

    def given(self, name: str) -> bool:
        """Heat's `self.properties[name] is not None` (an unknown value will be something)."""
        return self.values.get(name) is not None

    def truthy(self, name: str) -> bool | None:
        """Heat's `if self.properties[name]`; None when the value is not known."""
        value = self.values.get(name)
        return None if _has_unknown(value) else bool(value)

    def items(self, name: str) -> list["Props"]:
        """The maps of a list-of-maps property (unknown items left out)."""
        value = self.values.get(name)
        if not isinstance(value, list):
            return []
        return [Props(item, {}, {}, self.resources) for item in value if isinstance(item, dict)]


def _has_unknown(value: object) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, list):
        return any(_has_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_has_unknown(item) for item in value.values())
    return False


def _conflict(*names: str) -> str:
    """exception.ResourcePropertyConflict."""
    return f"Cannot define the following properties at the same time: {', '.join(names)}."


def _unspecified(*names: str) -> str:
    """exception.PropertyUnspecifiedError."""
    return f"At least one of the following properties must be specified: {', '.join(names)}."


Rule = Callable[[Props, str], Iterator[RuleFinding]]


# --- OS::Nova::Server: heat/engine/resources/openstack/nova/server.py ---------------------------


def server_block_devices(props: Props, name: str) -> Iterator[RuleFinding]:
    """Server._validate_block_device_mapping."""
    bdm, bdm_v2 = props.items("block_device_mapping"), props.items("block_device_mapping_v2")
    if props.truthy("block_device_mapping") and props.truthy("block_device_mapping_v2"):
        yield RuleFinding(
            ("block_device_mapping",),
            _conflict("block_device_mapping", "block_device_mapping_v2"),
        )
    bootable: bool | None = props.given("image")
    for index, mapping in enumerate(bdm):
        where: Path = ("block_device_mapping", index)
        if mapping.get("device_name") == "vda":
            bootable = True
        if mapping.given("volume_id") and mapping.given("snapshot_id"):
            yield RuleFinding(where, _conflict("volume_id", "snapshot_id"))
        if not mapping.given("volume_id") and not mapping.given("snapshot_id"):
            yield RuleFinding(
                where,
                "Either volume_id or snapshot_id must be specified for device mapping "
                f"{mapping.get('device_name')}",
            )
    sources = ("volume_id", "snapshot_id", "image", "swap_size")
    for index, mapping in enumerate(bdm_v2):
        where = ("block_device_mapping_v2", index)
        ephemeral = mapping.get("ephemeral_size") or mapping.get("ephemeral_format")
        given = [mapping.given(key) for key in sources] + [ephemeral is not None]
        if sum(given) > 1:
            yield RuleFinding(
                where,
                _conflict(
                    "volume_id", "snapshot_id", "image", "swap_size", "ephemeral_size",
                    "ephemeral_format",
                ),
            )  # fmt: skip
        if not any(given):
            yield RuleFinding(
                where,
                "Either volume_id, snapshot_id, image_id, swap_size, ephemeral_size or "
                "ephemeral_format must be specified.",
            )
        if any(given[:3]):
            boot_index = mapping.get("boot_index")
            if boot_index is UNKNOWN and not bootable:
                bootable = None
            elif boot_index is None or boot_index == 0:
                bootable = True
    if bootable is False and any(
        _has_unknown(props.get(key)) for key in ("block_device_mapping", "block_device_mapping_v2")
    ):
        bootable = None  # a mapping only the deploy knows (e.g. from get_attr) may boot
    if bootable is False:
        yield RuleFinding((), f"Neither image nor bootable volume is specified for instance {name}")


def server_networks(props: Props, name: str) -> Iterator[RuleFinding]:
    """ServerNetworkMixin._validate_network, and Server.validate's allocate_network and
    security_groups checks (server_network_mixin.py, server.py)."""
    networks = props.items("networks")
    for index, network in enumerate(networks):
        where: Path = ("networks", index)
        net = network.given("network") or network.given("uuid")
        port, subnet = network.given("port"), network.given("subnet")
        allocate = network.truthy("allocate_network")
        if not (net or port or subnet or allocate is not False):
            yield RuleFinding(
                where,
                'One of the properties "network", "port", "allocate_network" or "subnet" '
                f'should be set for the specified network of server "{name}".',
            )
        if allocate and sum(1 for v in network.values.values() if v is not None) != 1:
            yield RuleFinding(
                where,
                'Can not specify "allocate_network" with other keys of networks at the same time.',
            )
        # An unknown fixed_ip is None when Heat validates, so it conflicts with nothing.
        if network.truthy("fixed_ip") and port:
            yield RuleFinding(where, _conflict("networks/fixed_ip", "networks/port"))
        if (
            network.given("floating_ip")
            and net
            and not port
            and not subnet
            and not network.given("port_extra_properties")
        ):
            yield RuleFinding(
                where,
                'Property "floating_ip" is not supported if only "network" is specified, '
                "because the corresponding port can not be retrieved.",
            )
    if any(network.truthy("allocate_network") for network in networks) and len(networks) != 1:
        yield RuleFinding(
            ("networks",),
            'Property "allocate_network" can not be specified if multiple network '
            "interfaces set for server.",
        )
    if any(network.given("port") for network in networks) and props.truthy("security_groups"):
        yield RuleFinding(("security_groups",), _conflict("security_groups", "networks/port"))


# --- Neutron: heat/engine/resources/openstack/neutron/ -----------------------------------------


def port_fixed_ips(props: Props, name: str) -> Iterator[RuleFinding]:
    """port.py Port.validate."""
    if props.truthy("fixed_ips") and props.truthy("no_fixed_ips"):
        yield RuleFinding(("fixed_ips",), _conflict("fixed_ips", "no_fixed_ips"))


def subnet_sources(props: Props, name: str) -> Iterator[RuleFinding]:
    """subnet.py Subnet.validate (gateway_ip's format is the ip_addr-like check below)."""
    cidr = props.truthy("cidr")
    if props.given("subnetpool") and cidr:
        yield RuleFinding(("subnetpool",), _conflict("subnetpool", "cidr"))
    if not props.given("subnetpool") and cidr is False:
        yield RuleFinding((), _unspecified("subnetpool", "cidr"))
    if props.truthy("prefixlen") and cidr:
        yield RuleFinding(("prefixlen",), _conflict("prefixlen", "cidr"))
    ra_mode, address_mode = props.get("ipv6_ra_mode"), props.get("ipv6_address_mode")
    version = props.get("ip_version")
    modes = [mode for mode in (ra_mode, address_mode) if mode and mode is not UNKNOWN]
    if (version is None or version in (4, "4")) and modes:
        yield RuleFinding(
            ("ipv6_ra_mode" if ra_mode else "ipv6_address_mode",),
            "ipv6_ra_mode and ipv6_address_mode are not supported for ipv4.",
        )
    if (
        ra_mode
        and address_mode
        and UNKNOWN not in (ra_mode, address_mode)
        and ra_mode != address_mode
    ):
        yield RuleFinding(
            ("ipv6_ra_mode",),
            "When both ipv6_ra_mode and ipv6_address_mode are set, they must be equal.",
        )


def router_agents(props: Props, name: str) -> Iterator[RuleFinding]:
    """router.py Router.validate."""
    agent, agents = props.truthy("l3_agent_id"), props.truthy("l3_agent_ids")
    distributed, ha = props.truthy("distributed"), props.truthy("ha")
    if agent and agents:
        yield RuleFinding(("l3_agent_id",), _conflict("l3_agent_id", "l3_agent_ids"))
    if distributed and (agent or agents):
        yield RuleFinding(("distributed",), _conflict("distributed", "l3_agent_id/l3_agent_ids"))
    if ha and distributed:
        yield RuleFinding(("distributed",), _conflict("distributed", "ha"))
    ids = props.get("l3_agent_ids")
    if ha is False and isinstance(ids, list) and len(ids) > 1:
        yield RuleFinding(("l3_agent_ids",), "Non HA routers can only have one L3 agent.")


def router_interface(props: Props, name: str) -> Iterator[RuleFinding]:
    """router.py RouterInterface.validate (subnet_id and port_id are translated first)."""
    subnet = props.given("subnet") or props.given("subnet_id")
    port = props.given("port") or props.given("port_id")
    if subnet and port:
        yield RuleFinding(("subnet",), _conflict("subnet", "port"))
    if not subnet and not port:
        yield RuleFinding((), _unspecified("subnet", "port"))


def floating_ip(props: Props, name: str) -> Iterator[RuleFinding]:
    """floatingip.py FloatingIP.validate (exception.ResourcePropertyDependency)."""
    if not props.given("port_id") and props.given("fixed_ip_address"):
        yield RuleFinding(
            ("fixed_ip_address",), "fixed_ip_address cannot be specified without port_id."
        )


def security_group_rule(props: Props, name: str) -> Iterator[RuleFinding]:
    """security_group_rule.py SecurityGroupRule.validate."""
    if props.given("remote_group") and props.given("remote_ip_prefix"):
        yield RuleFinding(("remote_group",), _conflict("remote_group", "remote_ip_prefix"))
    low, high = props.get("port_range_min"), props.get("port_range_max")
    protocol = props.get("protocol")
    if (
        _is_int(low)
        and _is_int(high)
        and protocol is not UNKNOWN
        and protocol not in ("icmp", "icmpv6", "ipv6-icmp")
        and int(high) < int(low)  # type: ignore[call-overload]
    ):
        yield RuleFinding(
            ("port_range_min",),
            "The minimum port number must be less than or equal to the maximum port number.",
        )


def security_group(props: Props, name: str) -> Iterator[RuleFinding]:
    """security_group.py SecurityGroup.validate."""
    if props.get("name") == "default":
        yield RuleFinding(("name",), 'Security groups cannot be assigned the name "default".')


# --- Cinder: heat/engine/resources/openstack/cinder/volume.py ----------------------------------


def cinder_volume(props: Props, name: str) -> Iterator[RuleFinding]:
    """CinderVolume.validate and _validate_create_sources. imageRef has been translated to
    image by then (the conflict of both is the translation's, reported with the renames)."""
    backup = props.truthy("backup_id")
    if backup is not False:
        return
    image = props.truthy("image") if props.given("image") else props.truthy("imageRef")
    sources = {key: props.truthy(key) for key in ("snapshot_id", "source_volid")}
    sources["image"] = image
    if None in sources.values() or (props.given("size") and props.truthy("size") is None):
        return  # a source or the size is not known: Heat's verdict depends on it
    exclusive = [key for key, given in sources.items() if given]
    no_size = [key for key in exclusive if key in ("snapshot_id", "source_volid")]
    if not props.given("size") and (len(no_size) != 1 or len(exclusive) != 1):
        yield RuleFinding(
            (),
            'If neither "backup_id" nor "size" is provided, one and only one of '
            '"source_volid", "snapshot_id" must be specified, but currently specified '
            f"options: {exclusive}.",
        )
    elif props.truthy("size") and len(exclusive) > 1:
        yield RuleFinding(
            ("size",),
            'If "size" is provided, only one of "image", "imageRef", "source_volid", '
            f'"snapshot_id" can be specified, but currently specified options: {exclusive}.',
        )


# --- OS::Heat: heat/engine/resources/openstack/heat/ -------------------------------------------


def software_deployment(props: Props, name: str) -> Iterator[RuleFinding]:
    """software_deployment.py SoftwareDeployment.validate: the server's user_data_format."""
    server = props.resources.get(props.refs.get("server", ""))
    if server is None or not isinstance(server.properties, e.MapExpr):
        return
    user_data_format = server.properties.items.get("user_data_format")
    if isinstance(user_data_format, e.Str) and user_data_format.value != "SOFTWARE_CONFIG":
        yield RuleFinding(
            ("server",),
            f"Resource {props.refs['server']}'s property user_data_format should be set to "
            "SOFTWARE_CONFIG since there are software deployments on it.",
        )


def random_string(props: Props, name: str) -> Iterator[RuleFinding]:
    """random_string.py RandomString.validate (minimums default to 1; length to 32)."""
    total = 0
    for key in ("character_sequences", "character_classes"):
        value = props.get(key)
        if value is UNKNOWN or (value is not None and not isinstance(value, list)):
            return
        entries = (
            value if value is not None else ([{"min": 1}] if key == "character_classes" else [])
        )
        for entry in entries:
            minimum = entry.get("min", 1) if isinstance(entry, dict) else UNKNOWN
            if minimum is None:
                minimum = 1
            if not isinstance(minimum, int | str) or not _is_int(minimum):
                return
            total += int(minimum)
    length = props.get("length")
    length = 32 if length is None else length
    if _is_int(length) and total > int(length):  # type: ignore[call-overload]
        yield RuleFinding(
            ("length",),
            "Length property cannot be smaller than combined character class and character "
            "sequence minimums",
        )


def _group_sizes(minimum: str, maximum: str, desired: str) -> Rule:
    def rule(props: Props, name: str) -> Iterator[RuleFinding]:
        """aws/autoscaling/autoscaling_group.py AutoScalingGroup.validate (OS::Heat's group
        inherits it with its own property names)."""
        low, high, wanted = props.get(minimum), props.get(maximum), props.get(desired)
        if _is_int(low) and _is_int(high) and int(high) < int(low):  # type: ignore[call-overload]
            yield RuleFinding((minimum,), "MinSize can not be greater than MaxSize")
        if _is_int(low) and int(low) < 0:  # type: ignore[call-overload]
            yield RuleFinding((minimum,), "The size of AutoScalingGroup can not be less than zero")
        if (
            _is_int(wanted)
            and _is_int(low)
            and _is_int(high)
            and not int(low) <= int(wanted) <= int(high)  # type: ignore[call-overload]
        ):
            yield RuleFinding((desired,), "DesiredCapacity must be between MinSize and MaxSize")

    return rule


def aws_group_source(props: Props, name: str) -> Iterator[RuleFinding]:
    """AutoScalingGroup.validate for AWS::AutoScaling::AutoScalingGroup."""
    instance, config = props.truthy("InstanceId"), props.truthy("LaunchConfigurationName")
    if instance is not None and config is not None and instance == config:
        yield RuleFinding((), "Either 'InstanceId' or 'LaunchConfigurationName' must be provided.")


# --- Octavia: heat/engine/resources/openstack/octavia/ -----------------------------------------


def octavia_l7policy(props: Props, name: str) -> Iterator[RuleFinding]:
    """l7policy.py L7Policy.validate."""
    action = props.get("action")
    pool, url = props.given("redirect_pool"), props.given("redirect_url")
    if action == "REJECT" and (pool or url):
        yield RuleFinding(
            ("action",),
            "Properties redirect_pool and redirect_url are not required when action type is "
            "set to REJECT.",
        )
    if action == "REDIRECT_TO_POOL":
        if url:
            yield RuleFinding(
                ("redirect_url",),
                "redirect_url property should only be specified for action with value "
                "REDIRECT_TO_URL.",
            )
        if not pool:
            yield RuleFinding(
                ("action",),
                "Property redirect_pool is required when action type is set to REDIRECT_TO_POOL.",
            )
    if action == "REDIRECT_TO_URL":
        if pool:
            yield RuleFinding(
                ("redirect_pool",),
                "redirect_pool property should only be specified for action with value "
                "REDIRECT_TO_POOL.",
            )
        if not url:
            yield RuleFinding(
                ("action",),
                "Property redirect_url is required when action type is set to REDIRECT_TO_URL.",
            )


def octavia_l7rule(props: Props, name: str) -> Iterator[RuleFinding]:
    """l7rule.py L7Rule.validate."""
    if props.get("type") in ("HEADER", "COOKIE") and not props.given("key"):
        yield RuleFinding(
            ("type",),
            "Property key is missing. This property should be specified for rules of HEADER "
            "and COOKIE types.",
        )


def octavia_listener(props: Props, name: str) -> Iterator[RuleFinding]:
    """listener.py Listener.validate."""
    if props.get("protocol") == "TERMINATED_HTTPS" and not props.given("default_tls_container_ref"):
        yield RuleFinding(
            ("protocol",),
            "Property default_tls_container_ref required when protocol is TERMINATED_HTTPS.",
        )


def octavia_pool(props: Props, name: str) -> Iterator[RuleFinding]:
    """pool.py Pool.validate."""
    if not props.given("listener") and not props.given("loadbalancer"):
        yield RuleFinding((), _unspecified("listener", "loadbalancer"))
    persistence = props.get("session_persistence")
    if not isinstance(persistence, dict):
        return
    kind, cookie = persistence.get("type"), persistence.get("cookie_name")
    if kind == "APP_COOKIE" and cookie is not UNKNOWN and not cookie:
        yield RuleFinding(
            ("session_persistence",),
            "Property cookie_name is required when session_persistence type is set to APP_COOKIE.",
        )
    if kind == "SOURCE_IP" and cookie:
        yield RuleFinding(
            ("session_persistence",),
            "Property cookie_name must NOT be specified when session_persistence type is set "
            "to SOURCE_IP.",
        )


# --- AWS::EC2::Instance: heat/engine/resources/aws/ec2/instance.py -----------------------------


def ec2_instance(props: Props, name: str) -> Iterator[RuleFinding]:
    """Instance.validate."""
    groups = props.truthy("SecurityGroups") or props.truthy("SecurityGroupIds")
    if groups and props.truthy("NetworkInterfaces"):
        yield RuleFinding(
            ("NetworkInterfaces",),
            _conflict("SecurityGroups/SecurityGroupIds", "NetworkInterfaces"),
        )
    for index, mapping in enumerate(props.items("BlockDeviceMappings")):
        ebs = mapping.get("Ebs")
        if ebs is UNKNOWN:
            continue
        if not ebs:
            yield RuleFinding(
                ("BlockDeviceMappings", index),
                "Ebs is missing, this is required when specifying BlockDeviceMappings.",
            )
        elif (
            isinstance(ebs, dict)
            and ebs.get("SnapshotId") is not UNKNOWN
            and not ebs.get("SnapshotId")
        ):
            yield RuleFinding(
                ("BlockDeviceMappings", index),
                "SnapshotId is missing, this is required when specifying BlockDeviceMappings.",
            )


def _is_int(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, str):
        try:
            int(value)
        except ValueError:
            return False
        return True
    return False


RULES: Final[dict[str, tuple[Rule, ...]]] = {
    "OS::Nova::Server": (server_block_devices, server_networks),
    "OS::Neutron::Port": (port_fixed_ips,),
    "OS::Neutron::Subnet": (subnet_sources,),
    "OS::Neutron::Router": (router_agents,),
    "OS::Neutron::RouterInterface": (router_interface,),
    "OS::Neutron::FloatingIP": (floating_ip,),
    "OS::Neutron::SecurityGroupRule": (security_group_rule,),
    "OS::Neutron::SecurityGroup": (security_group,),
    "OS::Cinder::Volume": (cinder_volume,),
    "OS::Heat::SoftwareDeployment": (software_deployment,),
    "OS::Heat::StructuredDeployment": (software_deployment,),
    "OS::Heat::RandomString": (random_string,),
    "OS::Heat::AutoScalingGroup": (_group_sizes("min_size", "max_size", "desired_capacity"),),
    "AWS::AutoScaling::AutoScalingGroup": (
        _group_sizes("MinSize", "MaxSize", "DesiredCapacity"),
        aws_group_source,
    ),
    "OS::Octavia::L7Policy": (octavia_l7policy,),
    "OS::Octavia::L7Rule": (octavia_l7rule,),
    "OS::Octavia::Listener": (octavia_listener,),
    "OS::Octavia::Pool": (octavia_pool,),
    "AWS::EC2::Instance": (ec2_instance,),
}

# REPLACE translation rules: map path (list items as '*') -> {deprecated name: replacement}.
RENAMES: Final[dict[str, dict[tuple[str, ...], dict[str, str]]]] = {
    # nova/server.py translation_rules
    "OS::Nova::Server": {
        ("networks", "*"): {"uuid": "network"},
        ("block_device_mapping_v2", "*"): {"image_id": "image"},
    },
    # neutron/port.py
    "OS::Neutron::Port": {
        (): {"network_id": "network"},
        ("fixed_ips", "*"): {"subnet_id": "subnet"},
    },
    "OS::Neutron::Subnet": {(): {"network_id": "network"}},  # neutron/subnet.py
    "OS::Neutron::FloatingIP": {(): {"floating_network_id": "floating_network"}},
    # neutron/router.py RouterInterface and RouterGateway
    "OS::Neutron::RouterInterface": {
        (): {"router_id": "router", "subnet_id": "subnet", "port_id": "port"}
    },
    "OS::Neutron::RouterGateway": {(): {"network_id": "network"}},
    "OS::Neutron::VPNService": {(): {"subnet_id": "subnet", "router_id": "router"}},
    "OS::Neutron::NetworkGateway": {("connections", "*"): {"network_id": "network"}},
    "OS::Cinder::Volume": {(): {"imageRef": "image"}},  # cinder/volume.py
    "OS::Designate::Zone": {(): {"masters": "primaries"}},  # designate/zone.py
}

# HIDDEN types whose plugin still works in Heat 27 (a warning, not an error): the others are
# placeholders that create nothing (NoneResource: Designate Domain/Record, HARestarter) or need
# a retired service or API (LBaaS, nova-network floating IPs, glance v1, Sahara, Senlin, ...).
HIDDEN_BUT_WORKING: Final = frozenset(
    {
        # neutron/router.py RouterGateway: a full neutron plugin, only hidden from listings.
        "OS::Neutron::RouterGateway",
    }
)

# Types whose plugin throws the properties away, so any are accepted: NoneResource.reparse
# (heat/engine/resources/openstack/heat/none_resource.py) replaces them with an empty set.
ANY_PROPERTIES: Final = frozenset({"OS::Heat::None"})
