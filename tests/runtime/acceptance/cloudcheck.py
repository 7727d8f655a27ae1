"""What the cloud says, read through openstacksdk (not through Kiln's handlers): whether each
resource a stack records exists with the properties it was given, what its outputs should
be, and everything a project holds (to see that a delete leaves nothing behind)."""

import json
from collections.abc import Callable, Mapping
from typing import Any

KILN_TAGS = ("kiln-stack=", "kiln-res=", "kiln-token=")


def inventory(conn: Any, project_id: str) -> dict[str, set[str]]:
    """Every resource of the project, by kind (ids; key pairs by name)."""
    found = {
        "servers": {s.id for s in conn.compute.servers()},
        "ports": {p.id for p in conn.network.ports(project_id=project_id)},
        "networks": {n.id for n in conn.network.networks(project_id=project_id)},
        "subnets": {s.id for s in conn.network.subnets(project_id=project_id)},
        "routers": {r.id for r in conn.network.routers(project_id=project_id)},
        "security_groups": {
            g.id for g in conn.network.security_groups(project_id=project_id) if g.name != "default"
        },
        "floating_ips": {f.id for f in conn.network.ips(project_id=project_id)},
        "volumes": {v.id for v in conn.block_storage.volumes()},
        "keypairs": {k.name for k in conn.compute.keypairs()},
        "server_groups": {g.id for g in conn.compute.server_groups()},
    }
    if conn.has_service("object-store"):
        found["containers"] = {c.name for c in conn.object_store.containers()}
    return found


def difference(before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> dict[str, Any]:
    """What `after` has that `before` had not, and the reverse, by kind."""
    changed: dict[str, Any] = {}
    for kind in sorted(set(before) | set(after)):
        added = after.get(kind, set()) - before.get(kind, set())
        removed = before.get(kind, set()) - after.get(kind, set())
        if added or removed:
            changed[kind] = {"added": sorted(added), "removed": sorted(removed)}
    return changed


def meta_serialize(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in (metadata or {}).items()}


class Checker:
    """Each recorded resource against the cloud: a list of problems (empty: all is as asked)."""

    def __init__(self, conn: Any, stack_name: str) -> None:
        self.conn = conn
        self.stack_name = stack_name
        self.checks: dict[str, Callable[[Any, dict[str, Any]], list[str]]] = {
            "OS::Nova::Server": self.server,
            "OS::Nova::KeyPair": self.keypair,
            "OS::Nova::ServerGroup": self.server_group,
            "OS::Cinder::Volume": self.volume,
            "OS::Cinder::VolumeAttachment": self.attachment,
            "OS::Swift::Container": self.container,
            "OS::Neutron::Net": self.network_resource("get_network"),
            "OS::Neutron::Subnet": self.network_resource("get_subnet", "cidr"),
            "OS::Neutron::Port": self.network_resource("get_port"),
            "OS::Neutron::Router": self.network_resource("get_router"),
            "OS::Neutron::RouterInterface": lambda row, props: [],
            "OS::Neutron::SecurityGroup": self.network_resource("get_security_group"),
            "OS::Neutron::FloatingIP": self.floating_ip,
        }

    def rows(self, rows: list[Any]) -> list[str]:
        problems: list[str] = []
        for row in rows:
            check = self.checks.get(row.type)
            if check is None:
                problems.append(f"{row.logical_name}: no check for {row.type}")
                continue
            problems.extend(f"{row.logical_name}: {p}" for p in check(row, row.properties or {}))
        return problems

    def _generated(self, row: Any, name: str | None, limit: int = 255) -> bool:
        """Heat's physical_resource_name (<stack>-<resource>-<short id>, shortened to the
        limit keeping both ends), as Kiln computes it from the request token."""
        from kiln.runtime.handlers.base import physical_name

        return name == physical_name(self.stack_name, row.logical_name, row.request_token, limit)

    def server(self, row: Any, props: dict[str, Any]) -> list[str]:
        server = self.conn.compute.find_server(row.physical_id)
        if server is None:
            return [f"no server {row.physical_id}"]
        problems = []
        if server.status != "ACTIVE":
            problems.append(f"status {server.status}")
        if props.get("name") and server.name != props["name"]:
            problems.append(f"name {server.name!r}, asked {props['name']!r}")
        if not props.get("name") and not self._generated(row, server.name, limit=53):
            problems.append(f"generated name {server.name!r}")
        flavor = self.conn.compute.find_flavor(props["flavor"])
        if server.flavor.name != flavor.name:
            problems.append(f"flavor {server.flavor.name}, asked {props['flavor']}")
        if props.get("image"):
            image = self.conn.image.find_image(props["image"])
            if server.image.id != image.id:
                problems.append(f"image {server.image.id}, asked {props['image']}")
        if (server.key_name or None) != (props.get("key_name") or None):
            problems.append(f"key {server.key_name}, asked {props.get('key_name')}")
        if server.metadata != meta_serialize(props.get("metadata")):
            problems.append(f"metadata {server.metadata}, asked {props.get('metadata')}")
        marks = [tag for tag in server.tags if tag.startswith(KILN_TAGS)]
        if len(marks) != 3:
            problems.append(f"Kiln's tags missing: {server.tags}")
        interfaces = list(self.conn.compute.server_interfaces(server))
        ports = {item.port_id for item in interfaces}
        nets = {item.net_id for item in interfaces}
        for entry in props.get("networks") or []:
            if entry.get("port"):
                port = self.conn.network.find_port(entry["port"])
                if port is None or port.id not in ports:
                    problems.append(f"port {entry['port']} not attached")
            elif entry.get("network"):
                net = self.conn.network.find_network(entry["network"])
                if net is None or net.id not in nets:
                    problems.append(f"no interface on network {entry['network']}")
        groups = {g["name"] for g in server.security_groups or []}
        for group in props.get("security_groups") or []:
            found = self.conn.network.find_security_group(group)
            if found is None or found.name not in groups:
                problems.append(f"security group {group} missing ({groups})")
        return problems

    def keypair(self, row: Any, props: dict[str, Any]) -> list[str]:
        found = self.conn.compute.find_keypair(row.physical_id)
        if found is None:
            return [f"no key pair {row.physical_id}"]
        problems = []
        if found.name != props["name"]:
            problems.append(f"name {found.name}, asked {props['name']}")
        if props.get("public_key") and found.public_key.strip() != props["public_key"].strip():
            problems.append("another public key")
        return problems

    def server_group(self, row: Any, props: dict[str, Any]) -> list[str]:
        found = self.conn.compute.find_server_group(row.physical_id)
        if found is None:
            return [f"no server group {row.physical_id}"]
        policy = (props.get("policies") or ["anti-affinity"])[0]
        return [] if found.policy == policy else [f"policy {found.policy}, asked {policy}"]

    def volume(self, row: Any, props: dict[str, Any]) -> list[str]:
        found = self.conn.block_storage.find_volume(row.physical_id)
        if found is None:
            return [f"no volume {row.physical_id}"]
        problems = []
        if props.get("size") is not None and found.size != int(props["size"]):
            problems.append(f"size {found.size}, asked {props['size']}")
        if props.get("name") and found.name != props["name"]:
            problems.append(f"name {found.name}, asked {props['name']}")
        if not props.get("name") and not self._generated(row, found.name):
            problems.append(f"generated name {found.name!r}")
        for key, value in (props.get("metadata") or {}).items():
            if found.metadata.get(key) != str(value):
                problems.append(f"metadata {key}={found.metadata.get(key)}, asked {value}")
        if found.metadata.get("kiln_token") != row.request_token:
            problems.append("Kiln's marks missing from the metadata")
        if props.get("availability_zone") and found.availability_zone != props["availability_zone"]:
            problems.append(f"zone {found.availability_zone}")
        if found.status not in ("available", "in-use"):
            problems.append(f"status {found.status}")
        return problems

    def attachment(self, row: Any, props: dict[str, Any]) -> list[str]:
        volume = self.conn.block_storage.find_volume(props["volume_id"])
        if volume is None:
            return [f"no volume {props['volume_id']}"]
        here = [a for a in volume.attachments if a["server_id"] == props["instance_uuid"]]
        if volume.status != "in-use" or not here:
            return [f"volume {volume.id} is {volume.status}, attached to {volume.attachments}"]
        # The mountpoint is a wish Nova's driver may not honour (the sandbox's fake driver
        # names devices itself), as Heat's documentation of the property says.
        return []

    def container(self, row: Any, props: dict[str, Any]) -> list[str]:
        answer = self.conn.object_store.head(f"/{row.physical_id}")
        if answer.status_code >= 300:
            return [f"no container {row.physical_id} ({answer.status_code})"]
        headers = {k.lower(): v for k, v in answer.headers.items()}
        problems = []
        for key in ("X-Container-Read", "X-Container-Write"):
            if props.get(key) is not None and headers.get(key.lower()) != props[key]:
                problems.append(f"{key} {headers.get(key.lower())}, asked {props[key]}")
        for key, value in (props.get("X-Container-Meta") or {}).items():
            if headers.get(f"x-container-meta-{key.lower()}") != str(value):
                problems.append(f"X-Container-Meta-{key} missing")
        return problems

    def network_resource(
        self, getter: str, *fields: str
    ) -> Callable[[Any, dict[str, Any]], list[str]]:
        def check(row: Any, props: dict[str, Any]) -> list[str]:
            try:
                found = getattr(self.conn.network, getter)(row.physical_id)
            except Exception as error:  # the SDK's NotFound
                return [f"missing ({error})"]
            problems = []
            for name in ("name", *fields):
                if props.get(name) and getattr(found, name) != props[name]:
                    problems.append(f"{name} {getattr(found, name)}, asked {props[name]}")
            return problems

        return check

    def floating_ip(self, row: Any, props: dict[str, Any]) -> list[str]:
        try:
            found = self.conn.network.get_ip(row.physical_id)
        except Exception as error:
            return [f"missing ({error})"]
        if props.get("port_id") and found.port_id != props["port_id"]:
            return [f"associated with {found.port_id}, asked {props['port_id']}"]
        return []


# --- outputs, as the cloud says they should be -----------------------------------------------


def networks_of(conn: Any, server_id: str) -> dict[str, list[str]]:
    server = conn.compute.get_server(server_id)
    labelled = {label: [a["addr"] for a in items] for label, items in server.addresses.items()}
    extended = dict(labelled)
    for label, items in labelled.items():
        found = conn.network.find_network(label, ignore_missing=True)
        if found is not None:
            extended[found.id] = items
    return extended


def first_address(conn: Any, server_id: str) -> str:
    labelled = networks_of(conn, server_id)
    for label in sorted(labelled, reverse=True):
        if labelled[label]:
            return labelled[label][0]
    return ""


CONSOLES = {"novnc": "vnc", "xvpvnc": "vnc", "spice-html5": "spice", "rdp-html5": "rdp",
            "serial": "serial", "webmks": "mks"}  # fmt: skip


def console(conn: Any, server_id: str, kind: str) -> str:
    body = {"remote_console": {"protocol": CONSOLES[kind], "type": kind}}
    answer = conn.compute.post(f"/servers/{server_id}/remote-consoles", json=body,
                               microversion="2.90")  # fmt: skip
    if answer.status_code < 300:
        return answer.json()["remote_console"]["url"]
    error = next(iter(answer.json().values()))["message"]
    return f"Cannot get console url: {error}"


def expected_output(conn: Any, spec: Mapping[str, Any], ids: Mapping[str, str]) -> Any:
    ((kind, target),) = spec.items()
    if kind == "literal":
        return target
    if kind == "networks":
        return networks_of(conn, ids[target])
    if kind == "first_address":
        return first_address(conn, ids[target])
    if kind == "console":
        return console(conn, ids[target[0]], target[1])
    if kind == "consoles":
        return {name: console(conn, ids[target], name) for name in CONSOLES}
    if kind == "volume":
        value = getattr(conn.block_storage.get_volume(ids[target[0]]), target[1])
        return value if target[1] == "name" else str(value)
    if kind == "container_url":
        return conn.object_store.get_endpoint().rstrip("/") + "/" + ids[target]
    if kind == "port_ip":
        return conn.network.get_port(ids[target]).fixed_ips[0]["ip_address"]
    if kind == "floating_ip":
        return conn.network.get_ip(ids[target]).floating_ip_address
    raise AssertionError(f"unknown output check {kind}")


def servers_tagged(conn: Any, stack_id: str) -> list[Any]:
    return list(conn.compute.servers(tags=f"kiln-stack={stack_id}"))


def volumes_marked(conn: Any, stack_id: str) -> list[Any]:
    return [v for v in conn.block_storage.volumes() if v.metadata.get("kiln_stack") == stack_id]


def ports_tagged(conn: Any, stack_id: str) -> list[Any]:
    return list(conn.network.ports(tags=f"kiln-stack={stack_id}"))
