"""What the Neutron deploy tests read from the cloud itself (openstacksdk, not Kiln): the
resources a stack's marks name, and a purge of whatever a test leaves behind."""

from dataclasses import dataclass
from pathlib import Path

from runtime.support import Kiln

from kiln.runtime.cloud import resource_tags

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = ("networks", "subnets", "ports", "routers", "security_groups", "ips")


def stack_tag(stack_id: str) -> str:
    return resource_tags(stack_id, "-", "-")[0]


def tagged(conn, stack_id: str) -> dict[str, list]:
    """Every Neutron resource carrying the stack's mark, by kind."""
    tag = stack_tag(stack_id)
    return {kind: list(getattr(conn.network, kind)(tags=tag)) for kind in KINDS}


def counts(conn, stack_id: str) -> dict[str, int]:
    return {kind: len(found) for kind, found in tagged(conn, stack_id).items()}


def by_resource(found: list, logical_name: str) -> list:
    """The resources a stack's logical resource made (its `kiln-res=` mark)."""
    mark = resource_tags("-", logical_name, "-")[1]
    return [item for item in found if mark in (item.tags or ())]


@dataclass
class CloudKiln:
    """`kiln` against one state store, deploying to the sandbox."""

    kiln: Kiln
    cloud: str

    def deploy(self, template: str, stack: str, *args: object):
        return self.kiln("deploy", TEMPLATES / template, "--stack", stack, "--cloud", self.cloud,
                         *args)  # fmt: skip

    def plan_json(self, template: str, stack: str, *args: object) -> dict:
        return self.kiln.plan_json(TEMPLATES / template, stack, "--cloud", self.cloud, *args)

    def delete(self, stack: str):
        return self.kiln("delete", "--stack", stack)

    def outputs(self, stack: str) -> dict:
        import json

        out = self.kiln("outputs", "--stack", stack, "--output", "json")
        assert out.code == 0, out.text
        return json.loads(out.stdout)

    def spawn_deploy(self, template: str, stack: str, pause_at: str, *args: object):
        return self.kiln.spawn("deploy", TEMPLATES / template, "--stack", stack, "--cloud",
                               self.cloud, *args, pause_at=pause_at)  # fmt: skip


def purge(conn, stack_id: str | None, prefix: str) -> None:
    """Delete what carries the stack's mark or a name starting with `prefix` (the stack's
    physical names): servers and volumes first, then Neutron's in an order it accepts."""
    network = conn.network
    for server in list(conn.compute.servers(name=f"^{prefix}")):
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=120)
    for volume in list(conn.block_storage.volumes()):
        if stack_id is not None and (volume.metadata or {}).get("kiln_stack") == stack_id:
            conn.block_storage.delete_volume(volume, ignore_missing=True, force=True)

    def mine(item) -> bool:
        tags = item.tags or ()
        return (stack_id is not None and stack_tag(stack_id) in tags) or str(
            item.name or ""
        ).startswith(prefix)

    for ip in list(network.ips()):
        if mine(ip):
            network.delete_ip(ip, ignore_missing=True)
    routers = [router for router in network.routers() if mine(router)]
    for router in routers:
        for port in network.ports(device_id=router.id):
            if str(port.device_owner).startswith("network:router_interface"):
                network.remove_interface_from_router(router, port_id=port.id)
        network.delete_router(router, ignore_missing=True)
    for port in list(network.ports()):
        if mine(port):
            network.delete_port(port, ignore_missing=True)
    for group in list(network.security_groups()):
        if mine(group):
            network.delete_security_group(group, ignore_missing=True)
    for net in list(network.networks()):
        if mine(net):
            for port in network.ports(network_id=net.id):
                if str(port.device_owner).startswith("network:router_interface"):
                    network.remove_interface_from_router(port.device_id, port_id=port.id)
            for subnet in network.subnets(network_id=net.id):
                network.delete_subnet(subnet, ignore_missing=True)
            network.delete_network(net, ignore_missing=True)
