"""A server's slow updates as steps: interfaces detached and attached (a change of
`networks`), a resize and its confirmation (`flavor`), a rebuild (`image`, or `user_data`
with user_data_update_policy REBUILD). Heat's Server.handle_update / check_update_complete
push its ServerUpdateProgress list the same way: one call, then polled until done, in order.

The steps live in the resource's data, each marked when called and when done, so a poll
after a restart carries on where it stopped. Networks are matched as Heat matches them
(ServerNetworkMixin.calculate_networks): an entry in both the old and the new list stays;
the port of an old one that went is detached (and deleted when Kiln made it); a new one is
attached (on a port named or made for it, or on its network).
"""

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from kiln.runtime.cloud import Cloud
from kiln.runtime.errors import HandlerFailure
from kiln.runtime.handlers import calls
from kiln.runtime.handlers import nova_networks as nets
from kiln.runtime.handlers.base import HandlerContext, Props

STEPS: Final = "update_steps"
NIC_PORTS: Final = "nic_ports"  # the port of each `networks` entry, in order


@dataclass(frozen=True, slots=True)
class NetworkChange:
    old: Sequence[Mapping[str, Any]] | None
    new: Sequence[Mapping[str, Any]] | None


def record_nic_ports(ctx: HandlerContext, server_id: str, networks: Any) -> None:
    """After a create or an update: which port serves which `networks` entry. Entries with
    a port of their own (named, or made by Kiln) know it; the others take the server's
    remaining interfaces on their network, in order."""
    known = list(ctx.data.get("nic_ports_planned") or [])
    claimed = {port for port in known if port}
    free = [
        item for item in nets.interfaces(ctx.cloud, server_id) if item["port_id"] not in claimed
    ]
    found: list[str | None] = []
    entries = list(networks) if isinstance(networks, list) else []
    for index, entry in enumerate(entries):
        port = known[index] if index < len(known) else None
        if port is None:
            net = entry.get("network")
            net_id = nets.network_id(ctx.cloud, str(net)) if net else None
            for item in free:
                if net_id is None or item.get("net_id") == net_id:
                    port = str(item["port_id"])
                    free.remove(item)
                    break
        found.append(port)
    ctx.save_data(NIC_PORTS, found)
    ctx.save_data("nic_ports_planned", None)


def plan_steps(
    ctx: HandlerContext,
    server_id: str,
    new: Props,
    *,
    networks: NetworkChange | None,
    flavor: str | None,
    image_id: str | None,
    user_data: str | None,
) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    if networks is not None:
        steps.extend(_network_steps(ctx, server_id, networks, new))
    if flavor is not None:
        steps.append({"op": "resize", "flavor": flavor})
        steps.append({"op": "confirm"})
    if user_data is not None:
        steps.append({"op": "rebuild", "user_data": user_data})
    if image_id is not None:
        steps.append({"op": "rebuild", "image": image_id, "password": new.get("admin_pass"),
                      "preserve_ephemeral":
                          new.get("image_update_policy") == "REBUILD_PRESERVE_EPHEMERAL",
                      "metadata": meta_serialize(new.get("metadata"))})  # fmt: skip
    return steps


def meta_serialize(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    """NovaClientPlugin.meta_serialize: what is not a string goes as JSON."""
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in (metadata or {}).items()
    }


def find_flavor(cloud: Cloud, name_or_id: str) -> dict[str, Any]:
    return calls.find_by_name_or_id(
        cloud, "compute", "flavors", "flavor", name_or_id, kind="Flavor", name_filter=False,
        microversion=calls.NOVA, remember=True,
    )  # fmt: skip


def fault_of(server: Mapping[str, Any]) -> str:
    fault = server.get("fault") or {}
    return f"Message: {fault.get('message', 'Unknown')}, Code: {fault.get('code', 'Unknown')}"


def _network_steps(
    ctx: HandlerContext, server_id: str, change: NetworkChange, new: Props
) -> list[dict[str, Any]]:
    old_entries = list(change.old or [])
    new_entries = list(change.new or [])
    ports: list[str | None] = list(ctx.data.get(NIC_PORTS) or [])
    attached = [str(item["port_id"]) for item in nets.interfaces(ctx.cloud, server_id)]
    steps: list[dict[str, Any]] = []
    planned: list[str | None] = [None] * len(new_entries)
    if nets.allocate_network(old_entries) or not old_entries:
        removed: list[tuple[Mapping[str, Any] | None, str | None]] = [
            (None, port)
            for port in attached  # Nova chose these: all go
        ]
        added = list(range(len(new_entries)))
    else:
        kept: dict[int, int] = {}
        for new_index, entry in enumerate(new_entries):
            for old_index, old in enumerate(old_entries):
                if old_index not in kept.values() and dict(old) == dict(entry):
                    kept[new_index] = old_index
                    break
        for new_index, old_index in kept.items():
            planned[new_index] = ports[old_index] if old_index < len(ports) else None
        removed = [
            (old, ports[index] if index < len(ports) else None)
            for index, old in enumerate(old_entries)
            if index not in kept.values()
        ]
        added = [index for index in range(len(new_entries)) if index not in kept]
    internal = {item["id"] for item in ctx.data.get(nets.INTERNAL_PORTS) or []}
    for gone, port in removed:
        if gone is not None and gone.get("floating_ip"):
            nets.disassociate_floating_ip(ctx.cloud, str(gone["floating_ip"]))
        if port:
            steps.append({"op": "detach", "port": port, "internal": port in internal})
    chosen = nets.allocate_network(new_entries)
    if chosen == "none":
        added = []
    elif chosen == "auto":
        steps.append({"op": "attach", "net": _available_network(ctx), "index": 0})
        added = []
    elif not new_entries:
        steps.append({"op": "attach", "index": None})  # Nova's first free network
    generation = int(ctx.data.get("port_generation") or 0) + 1
    if any(_needs_internal_port(new_entries[index]) for index in added):
        ctx.save_data("port_generation", generation)
    groups = list(new.get("security_groups") or [])
    for index in added:
        entry = new_entries[index]
        step: dict[str, Any] = {"op": "attach", "index": index}
        net = nets.entry_network_id(ctx.cloud, entry)
        if entry.get("port"):
            step["port"] = nets.port_id(ctx.cloud, str(entry["port"]))
        elif _needs_internal_port(entry):
            step["port"] = nets.internal_port(ctx, entry, index, net, groups,
                                              ctx.cloud.project_id,
                                              generation=generation)  # fmt: skip
        else:
            step["net"] = net
            if entry.get("fixed_ip"):
                step["fixed_ip"] = entry["fixed_ip"]
        if entry.get("floating_ip"):
            step["floating_ip"] = entry["floating_ip"]
            step["fixed_ip"] = entry.get("fixed_ip")
        planned[index] = step.get("port")
        steps.append(step)
    ctx.save_data("nic_ports_planned", planned)
    return steps


def _needs_internal_port(entry: Mapping[str, Any]) -> bool:
    return bool(
        not entry.get("port") and (entry.get("subnet") or entry.get("port_extra_properties"))
    )


def _available_network(ctx: HandlerContext) -> str:
    """ServerNetworkMixin._get_available_networks for `allocate_network: auto`."""
    project = ctx.cloud.project_id
    own = calls.call(ctx.cloud, "network", "GET", "/networks",
                     params={"project_id": project, "shared": False,
                             "admin_state_up": True})  # fmt: skip
    shared = calls.call(ctx.cloud, "network", "GET", "/networks", params={"shared": True})
    found = [item["id"] for item in [*own["networks"], *shared["networks"]]
             if not item.get("router:external")]  # fmt: skip
    if len(found) != 1:
        raise HandlerFailure(
            "Multiple possible networks found." if found else "No network to allocate found."
        )
    return str(found[0])


def run_steps(ctx: HandlerContext, server_id: str) -> bool:
    """One poll: call the first step not called yet, or check the first not done."""
    steps = [dict(step) for step in ctx.data.get(STEPS) or []]
    for step in steps:
        if step.get("done"):
            continue
        if not step.get("called"):
            step.update(_call(ctx, server_id, step), called=True)
        elif _done(ctx, server_id, step):
            step["done"] = True
            ctx.save_data(STEPS, steps)
            continue
        ctx.save_data(STEPS, steps)
        return False
    if ctx.data.get("nic_ports_planned") is not None:  # the networks changed
        record_nic_ports(ctx, server_id, ctx.props.get("networks"))
    nets.store_external_ports(ctx, server_id)
    ctx.save_data(STEPS, [])
    return True


def _call(ctx: HandlerContext, server_id: str, step: dict[str, Any]) -> dict[str, Any]:
    cloud = ctx.cloud
    base = f"/servers/{server_id}"
    op = step["op"]
    server = _server(ctx, server_id)
    if op == "detach":
        calls.delete(cloud, "compute", f"{base}/os-interface/{step['port']}",
                     microversion=calls.NOVA)  # fmt: skip
    elif op == "attach":
        body: dict[str, Any] = {}
        if step.get("port"):
            body["port_id"] = step["port"]
        elif step.get("net"):
            body["net_id"] = step["net"]
            if step.get("fixed_ip"):
                body["fixed_ips"] = [{"ip_address": step["fixed_ip"]}]
        answer = calls.call(cloud, "compute", "POST", f"{base}/os-interface",
                            json={"interfaceAttachment": body},
                            microversion=calls.NOVA)  # fmt: skip
        port = str(answer["interfaceAttachment"]["port_id"])
        if step.get("floating_ip"):
            nets.associate_floating_ip(cloud, str(step["floating_ip"]), port, step.get("fixed_ip"))
        planned = list(ctx.data.get("nic_ports_planned") or [])
        if step.get("index") is not None and step["index"] < len(planned):
            planned[step["index"]] = port
            ctx.save_data("nic_ports_planned", planned)
        return {"port": port}
    elif op == "resize":
        flavor = find_flavor(cloud, step["flavor"])
        if (server.get("flavor") or {}).get("original_name") == flavor["name"]:
            return {"skipped": True}  # an interrupted run resized it already
        calls.call(cloud, "compute", "POST", f"{base}/action",
                   json={"resize": {"flavorRef": flavor["id"]}},
                   microversion=calls.NOVA)  # fmt: skip
    elif op == "confirm":
        if server.get("status") == "VERIFY_RESIZE":
            calls.call(cloud, "compute", "POST", f"{base}/action",
                       json={"confirmResize": None}, microversion=calls.NOVA)  # fmt: skip
    elif op == "rebuild":
        rebuild: dict[str, Any] = {"imageRef": step.get("image") or server["image"]["id"]}
        if step.get("user_data") is not None:
            rebuild["user_data"] = base64.b64encode(step["user_data"].encode()).decode()
        if step.get("password"):
            rebuild["adminPass"] = step["password"]
        if step.get("preserve_ephemeral"):
            rebuild["preserve_ephemeral"] = True
        if step.get("metadata") is not None:
            rebuild["metadata"] = step["metadata"]
        calls.call(cloud, "compute", "POST", f"{base}/action", json={"rebuild": rebuild},
                   microversion=calls.NOVA)  # fmt: skip
    return {}


def _done(ctx: HandlerContext, server_id: str, step: Mapping[str, Any]) -> bool:
    op = step["op"]
    if op in ("detach", "attach"):
        ports = {str(item["port_id"]) for item in nets.interfaces(ctx.cloud, server_id)}
        if op == "attach":
            return step.get("port") in ports
        if step["port"] in ports:
            return False
        if step.get("internal"):  # only now Nova has let go of it (Heat's
            calls.delete(ctx.cloud, "network", f"/ports/{step['port']}")  # detached ports)
            remaining = [item for item in ctx.data.get(nets.INTERNAL_PORTS) or []
                         if item["id"] != step["port"]]  # fmt: skip
            ctx.save_data(nets.INTERNAL_PORTS, remaining)
        return True
    server = _server(ctx, server_id)
    status = str(server.get("status"))
    idle = server.get("OS-EXT-STS:task_state") is None
    if status == "ERROR":
        raise HandlerFailure(f"Updating the server failed ({op}): {fault_of(server)}")
    if op == "resize":  # NovaClientPlugin.check_resize
        if step.get("skipped") or status == "VERIFY_RESIZE":
            return True
        if status == "ACTIVE" and idle:
            raise HandlerFailure(f"Resizing to '{step['flavor']}' failed, status '{status}'")
        return False
    return status == "ACTIVE" and idle


def _server(ctx: HandlerContext, server_id: str) -> dict[str, Any]:
    found = calls.get(ctx.cloud, "compute", f"/servers/{server_id}", microversion=calls.NOVA)
    if not isinstance(found, Mapping):
        raise HandlerFailure(f"The server ({server_id}) could not be found.")
    return dict(found["server"])
