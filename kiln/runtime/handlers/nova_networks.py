"""A server's networks, as Heat's ServerNetworkMixin handles them
(heat/engine/resources/openstack/nova/server_network_mixin.py).

Each entry of `networks` becomes one NIC in the create request:
- `port`: that port, as it is (its floating IP, if the entry names one, is associated);
- `subnet` or `port_extra_properties`: an *internal* port Kiln creates first, named
  `<resource>-port-<index>` as Heat names it, tagged like everything Kiln creates (plus
  `kiln-port=<index>`; its description holds the request token and that mark, so a resumed
  create finds it again), and deleted after the server is gone (Neutron forbids deleting a
  port a server still uses);
- `network` (with `fixed_ip`): a NIC Nova creates and deletes with the server;
- `allocate_network: auto|none`: Nova's own choice.
No `networks` at all is what Nova did before microversion 2.37 made the key mandatory:
`auto` when the project has a network to use, `none` otherwise (Heat, at Nova's newest
microversion, fails there).

The attributes `networks`, `addresses` and `first_address` are read as Heat reads them.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Final

from kiln.runtime.cloud import Cloud
from kiln.runtime.errors import CloudError, HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers.base import HandlerContext, Props

PORT_TAG: Final = "kiln-port="
INTERNAL_PORTS: Final = "internal_ports"
EXTERNAL_PORTS: Final = "external_ports"
# Port.EXTRA_PROPERTIES sent as they are (value_specs merged in first; allowed address
# pairs, no_fixed_ips and qos_policy are handled apart).
PORT_EXTRA_KEYS: Final = (
    "admin_state_up",
    "mac_address",
    "binding:vnic_type",
    "port_security_enabled",
    "propagate_uplink_status",
)


def network_id(cloud: Cloud, name_or_id: str) -> str:
    found = calls.find_by_name_or_id(cloud, "network", "networks", "network", name_or_id,
                                     kind="Network")  # fmt: skip
    return str(found["id"])


def subnet(cloud: Cloud, name_or_id: str) -> dict[str, Any]:
    return calls.find_by_name_or_id(cloud, "network", "subnets", "subnet", name_or_id,
                                    kind="Subnet")  # fmt: skip


def port_id(cloud: Cloud, name_or_id: str) -> str:
    found = calls.find_by_name_or_id(cloud, "network", "ports", "port", name_or_id, kind="Port")
    return str(found["id"])


def entry_network_id(cloud: Cloud, entry: Mapping[str, Any]) -> str | None:
    """ServerNetworkMixin._get_network_id: the network, else the subnet's network."""
    if entry.get("network"):
        net = network_id(cloud, str(entry["network"]))
        if entry.get("subnet") and not entry.get("port"):
            found = subnet(cloud, str(entry["subnet"]))
            if found.get("network_id") != net:  # _validate_belonging_subnet_to_net
                raise HandlerFailure(
                    f"Specified subnet {entry['subnet']} does not belongs to network {net}."
                )
        return net
    if entry.get("subnet"):
        return str(subnet(cloud, str(entry["subnet"]))["network_id"])
    return None


def security_group_ids(cloud: Cloud, groups: Sequence[str], project_id: str) -> list[str]:
    """NeutronClientPlugin.get_secgroup_uuids: ids as they are, names within the project."""
    ids: list[str] = []
    for group in groups:
        found = calls.get(cloud, "network", f"/security-groups/{group}")
        if isinstance(found, Mapping) and found.get("security_group"):
            ids.append(str(found["security_group"]["id"]))
            continue
        listing = calls.call(cloud, "network", "GET", "/security-groups",
                             params={"name": group, "project_id": project_id})  # fmt: skip
        matches = listing.get("security_groups", [])
        if not matches:
            raise HandlerFailure(f"Could not find security group {group}.")
        if len(matches) > 1:
            raise HandlerFailure(f"Multiple security groups found with name {group}.")
        ids.append(str(matches[0]["id"]))
    return ids


def allocate_network(networks: Sequence[Mapping[str, Any]] | None) -> str | None:
    for entry in networks or ():
        if entry.get("allocate_network"):
            return str(entry["allocate_network"])
    return None


def default_networks(cloud: Cloud, project_id: str) -> str:
    """`auto` when the project has its own or a shared network, else `none` (see above)."""
    own = calls.call(cloud, "network", "GET", "/networks",
                     params={"project_id": project_id, "shared": False,
                             "admin_state_up": True, "router:external": False})  # fmt: skip
    shared = calls.call(cloud, "network", "GET", "/networks", params={"shared": True})
    found = [*own.get("networks", []), *shared.get("networks", [])]
    return "auto" if found else "none"


def build_nics(ctx: HandlerContext, props: Props, project_id: str) -> list[dict[str, Any]] | str:
    """The `networks` of Nova's create request (ServerNetworkMixin._build_nics), creating
    internal ports and associating floating IPs on the way."""
    networks = props.get("networks") or []
    cloud = ctx.cloud
    if not networks:
        return default_networks(cloud, project_id)
    chosen = allocate_network(networks)
    if chosen:
        return chosen
    security_groups = list(props.get("security_groups") or [])
    nics: list[dict[str, Any]] = []
    planned: list[str | None] = []
    for index, entry in enumerate(networks):
        nic: dict[str, Any] = {}
        net = entry_network_id(cloud, entry)
        if net:
            nic["uuid"] = net
        if entry.get("port"):
            nic["port"] = port_id(cloud, str(entry["port"]))
            release_from_previous(ctx, nic["port"])
        elif entry.get("subnet") or entry.get("port_extra_properties"):
            nic["port"] = internal_port(ctx, entry, index, net, security_groups, project_id)
        if not nic.get("port") and entry.get("fixed_ip"):
            nic["fixed_ip"] = entry["fixed_ip"]
        if entry.get("floating_ip") and nic.get("port"):
            associate_floating_ip(cloud, str(entry["floating_ip"]), nic["port"],
                                  entry.get("fixed_ip"))  # fmt: skip
        if entry.get("tag"):
            nic["tag"] = entry["tag"]
        nics.append(nic)
        planned.append(nic.get("port"))
    ctx.save_data("nic_ports_planned", planned)
    return nics


def internal_port(
    ctx: HandlerContext,
    entry: Mapping[str, Any],
    index: int,
    net: str | None,
    security_groups: Sequence[str],
    project_id: str,
    *,
    generation: int = 0,
) -> str:
    """ServerNetworkMixin._create_internal_port, or the one an interrupted create made
    (found by its tags: the create's request token, the entry's index, and for ports an
    update adds, that update's generation)."""
    cloud = ctx.cloud
    mark = f"{PORT_TAG}{generation}.{index}" if generation else f"{PORT_TAG}{index}"
    tags = [*ctx.tags, mark]
    # Neutron drops a port's `tags` at create: they are PUT after it, and the description
    # carries the request token and the mark meanwhile, so a kill in between is harmless.
    description = f"{ctx.tags[-1]} {mark}"
    existing = calls.call(cloud, "network", "GET", "/ports", params={"description": description})
    found = [item for item in existing.get("ports", []) if item.get("description") == description]
    if found:
        port = str(found[0]["id"])
    else:
        body: dict[str, Any] = {
            "network_id": net,
            "name": f"{ctx.logical_name}-port-{index}",
            "description": description,
        }
        fixed: dict[str, Any] = {}
        if entry.get("fixed_ip"):
            fixed["ip_address"] = entry["fixed_ip"]
        if entry.get("subnet"):
            fixed["subnet_id"] = subnet(cloud, str(entry["subnet"]))["id"]
        if fixed:
            body["fixed_ips"] = [fixed]
        extra = entry.get("port_extra_properties") or {}
        if extra.get("no_fixed_ips"):
            body["fixed_ips"] = []
        if security_groups:
            body["security_groups"] = security_group_ids(cloud, security_groups, project_id)
        body.update(port_extra(cloud, extra))
        created = calls.call(cloud, "network", "POST", "/ports", json={"port": body})
        port = str(created["port"]["id"])
    calls.call(cloud, "network", "PUT", f"/ports/{port}/tags", json={"tags": tags})
    ports = list(ctx.data.get(INTERNAL_PORTS) or [])
    if port not in [item["id"] for item in ports]:
        ctx.save_data(INTERNAL_PORTS, [*ports, {"id": port}])
    return port


def release_from_previous(ctx: HandlerContext, port: str) -> None:
    """Server.prepare_for_replace: a port the resource's previous server (the one this
    create replaces) still holds is detached from it first. Any other holder is left alone:
    Nova then refuses the port as in use, which is the template's mistake."""
    found = calls.get(ctx.cloud, "network", f"/ports/{port}")
    details = found["port"] if isinstance(found, Mapping) else {}
    device = details.get("device_id")
    if not device or not str(details.get("device_owner") or "").startswith("compute:"):
        return
    holder = calls.get(ctx.cloud, "compute", f"/servers/{device}", microversion=calls.NOVA)
    tags = set(holder["server"].get("tags") or []) if isinstance(holder, Mapping) else set()
    stack, resource, token = ctx.tags
    if stack not in tags or resource not in tags or token in tags:
        return
    calls.delete(ctx.cloud, "compute", f"/servers/{device}/os-interface/{port}",
                 microversion=calls.NOVA)  # fmt: skip
    raise CloudError(
        f"port {port} is being detached from the server this one replaces ({device})",
        transient=True,
    )


def port_extra(cloud: Cloud, extra: Mapping[str, Any]) -> dict[str, Any]:
    """ServerNetworkMixin._build_port_extra_kwargs (qos_policy resolved to its id)."""
    kwargs: dict[str, Any] = dict(extra.get("value_specs") or {})
    for key in PORT_EXTRA_KEYS:
        if extra.get(key) is not None:
            kwargs[key] = extra[key]
    if extra.get("qos_policy"):
        found = calls.find_by_name_or_id(cloud, "network", "qos/policies", "policy",
                                          str(extra["qos_policy"]), kind="QoS policy")  # fmt: skip
        kwargs["qos_policy_id"] = found["id"]
    pairs = extra.get("allowed_address_pairs")
    if pairs is not None:
        kwargs["allowed_address_pairs"] = [
            {key: value for key, value in pair.items() if value is not None} for pair in pairs
        ]
    return kwargs


def associate_floating_ip(cloud: Cloud, floating_ip: str, port: str, fixed_ip: Any) -> None:
    body: dict[str, Any] = {"port_id": port}
    if fixed_ip:
        body["fixed_ip_address"] = fixed_ip
    calls.call(cloud, "network", "PUT", f"/floatingips/{floating_ip}", json={"floatingip": body})


def disassociate_floating_ip(cloud: Cloud, floating_ip: str) -> None:
    calls.request(cloud, "network", "PUT", f"/floatingips/{floating_ip}",
                  json={"floatingip": {"port_id": None}}, missing_ok=True)  # fmt: skip


def delete_internal_ports(ctx: HandlerContext) -> None:
    """After the server is gone: its internal ports (an already deleted one is fine)."""
    for item in list(ctx.data.get(INTERNAL_PORTS) or []):
        calls.delete(ctx.cloud, "network", f"/ports/{item['id']}")
    ctx.save_data(INTERNAL_PORTS, [])


def interfaces(cloud: Cloud, server_id: str) -> list[dict[str, Any]]:
    answer = calls.get(cloud, "compute", f"/servers/{server_id}/os-interface",
                       microversion=calls.NOVA)  # fmt: skip
    return list(answer.get("interfaceAttachments", [])) if isinstance(answer, Mapping) else []


def store_external_ports(ctx: HandlerContext, server_id: str) -> None:
    """ServerNetworkMixin.store_external_ports: the ports Nova made for the server."""
    internal = {item["id"] for item in ctx.data.get(INTERNAL_PORTS) or []}
    attached = [str(item["port_id"]) for item in interfaces(ctx.cloud, server_id)]
    external = [{"id": port} for port in attached if port not in internal]
    if external != ctx.data.get(EXTERNAL_PORTS):
        ctx.save_data(EXTERNAL_PORTS, external)


# --- attributes ---------------------------------------------------------------------------


def labelled(server: Mapping[str, Any]) -> dict[str, list[str]]:
    """novaclient's Server.networks: each network label with its addresses."""
    addresses = server.get("addresses") or {}
    return {label: [item.get("addr") for item in items] for label, items in addresses.items()}


def first_address(server: Mapping[str, Any]) -> str:
    """NovaClientPlugin.server_to_ipaddress, or '' as Heat's attribute returns."""
    networks = labelled(server)
    for label in sorted(networks, reverse=True):
        if networks[label]:
            return str(networks[label][0])
    return ""


def extend_networks(cloud: Cloud, networks: Mapping[str, Any]) -> dict[str, Any]:
    """Server._extend_networks: each network also under its id (when the label names one
    network)."""
    extended = dict(networks)
    for label in list(networks):
        try:
            extended[network_id(cloud, label)] = networks[label]
        except CloudError as error:
            if error.transient:
                raise
    return extended


def addresses(cloud: Cloud, server_id: str) -> dict[str, Any]:
    """Server._get_server_addresses with extend_networks: every port of the server with its
    fixed and floating addresses, subnets and network."""
    found: dict[str, list[dict[str, Any]]] = {}
    ports = calls.call(cloud, "network", "GET", "/ports", params={"device_id": server_id})
    networks: dict[str, dict[str, Any]] = {}
    for port in ports.get("ports", []):
        net_id = port["network_id"]
        if net_id not in networks:
            networks[net_id] = calls.call(cloud, "network", "GET", f"/networks/{net_id}")["network"]
        entries = found.setdefault(networks[net_id]["name"], [])
        for fixed in port.get("fixed_ips", []):
            address = fixed.get("ip_address")
            # Heat writes `ipaddress.ip_address(...).version,` with a trailing comma, so the
            # version is a one-element tuple: [4] once serialised. Kept, for equal outputs.
            version = [_ip_version(address)]
            entry = {
                "addr": address,
                "OS-EXT-IPS-MAC:mac_addr": port.get("mac_address"),
                "OS-EXT-IPS:type": "fixed",
                "port": port["id"],
                "version": version,
            }
            if address:
                floating = calls.call(cloud, "network", "GET", "/floatingips",
                                      params={"fixed_ip_address": address})  # fmt: skip
                for fip in floating.get("floatingips", []):
                    entries.append(
                        {
                            "addr": fip.get("floating_ip_address"),
                            "version": version,
                            "OS-EXT-IPS-MAC:mac_addr": port.get("mac_address"),
                            "OS-EXT-IPS:type": "floating",
                            "port": None,
                        }
                    )
            entry["subnets"] = [
                calls.call(cloud, "network", "GET", f"/subnets/{item['subnet_id']}")["subnet"]
                for item in port.get("fixed_ips", [])
                if item.get("subnet_id")
            ]
            entry["network"] = networks[net_id]
            entries.append(entry)
    return extend_networks(cloud, found)


def _ip_version(address: Any) -> int | None:
    import ipaddress

    try:
        return ipaddress.ip_address(str(address)).version
    except ValueError:
        return None
