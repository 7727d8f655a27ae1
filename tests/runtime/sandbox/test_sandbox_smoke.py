"""End to end through openstacksdk against the running sandbox, in a project of the test's own
(the sandbox is shared): a server on a new network, a volume attached to it, a floating IP, a
security group, Swift when enabled, a Heat stack when enabled; then everything deleted again,
and the project's resource counts back where they were.

Waits are bounded (a hung sandbox fails, it does not hang the suite); nothing asserts speed.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiln.runtime.sandbox import facts

WAIT = 180  # seconds; a bound, not an expectation


def counts(conn: Any) -> dict[str, int]:
    project = conn.current_project_id
    return {
        "servers": len(list(conn.compute.servers())),
        "volumes": len(list(conn.block_storage.volumes())),
        "networks": len(list(conn.network.networks(project_id=project))),
        "subnets": len(list(conn.network.subnets(project_id=project))),
        "ports": len(list(conn.network.ports(project_id=project))),
        "routers": len(list(conn.network.routers(project_id=project))),
        "floating_ips": len(list(conn.network.ips(project_id=project))),
        "security_groups": len(list(conn.network.security_groups(project_id=project))),
    }


def wait_until(what: str, check: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.5)


class Cleanup:
    """Undo steps, run newest first even when the test failed half-way."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Callable[[], None]]] = []
        self.errors: list[str] = []

    def push(self, what: str, step: Callable[[], None]) -> None:
        self.steps.append((what, step))

    def run(self) -> None:
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
            except Exception as error:
                self.errors.append(f"{what}: {type(error).__name__}: {error}")


@pytest.fixture
def demo(sandbox) -> Iterator[Any]:
    with sandbox.project("kiln-smoke") as conn:
        yield conn


def test_server_volume_floating_ip_round_trip(sandbox, demo) -> None:
    admin = sandbox.connect(admin=True)
    before = counts(demo)
    name = f"kiln-smoke-{uuid.uuid4().hex[:8]}"
    cleanup = Cleanup()
    try:
        public = demo.network.find_network(facts.PUBLIC_NETWORK)
        flavor = demo.compute.find_flavor(facts.FLAVORS[0].name)
        image = demo.image.find_image(facts.IMAGE)
        assert public is not None and flavor is not None and image is not None

        network = demo.network.create_network(name=name)
        cleanup.push("network", lambda: demo.network.delete_network(network))
        subnet = demo.network.create_subnet(
            name=name, network_id=network.id, ip_version=4, cidr="10.77.0.0/24"
        )
        cleanup.push("subnet", lambda: demo.network.delete_subnet(subnet))
        router = demo.network.create_router(
            name=name, external_gateway_info={"network_id": public.id}
        )
        cleanup.push("router", lambda: demo.network.delete_router(router))
        demo.network.add_interface_to_router(router, subnet=subnet.id)
        cleanup.push(
            "router interface",
            lambda: demo.network.remove_interface_from_router(router, subnet=subnet.id),
        )
        group = demo.network.create_security_group(name=name)
        cleanup.push("security group", lambda: demo.network.delete_security_group(group))
        rule = demo.network.create_security_group_rule(
            security_group_id=group.id,
            direction="ingress",
            ethertype="IPv4",
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_ip_prefix="0.0.0.0/0",
        )
        assert rule.security_group_id == group.id

        server = demo.compute.create_server(
            name=name,
            flavor_id=flavor.id,
            image_id=image.id,
            networks=[{"uuid": network.id}],
            security_groups=[{"name": name}],
        )

        def delete_server() -> None:
            demo.compute.delete_server(server)
            demo.compute.wait_for_delete(server, wait=WAIT)

        cleanup.push("server", delete_server)
        server = demo.compute.wait_for_server(server, status="ACTIVE", wait=WAIT)
        assert server.status == "ACTIVE"

        # The port is bound by the sandbox's ML2 driver (binding attributes are admin-only).
        port = next(iter(demo.network.ports(device_id=server.id)))
        bound = admin.network.get_port(port.id)
        assert bound.binding_vif_type == "ovs"
        assert bound.binding_host_id == facts.COMPUTE_HOST
        assert port.fixed_ips[0]["subnet_id"] == subnet.id

        volume = demo.block_storage.create_volume(name=name, size=1)
        cleanup.push("volume", lambda: demo.block_storage.delete_volume(volume))
        volume = demo.block_storage.wait_for_status(volume, "available", wait=WAIT)
        attachment = demo.compute.create_volume_attachment(server, volume=volume)

        def detach() -> None:
            demo.compute.delete_volume_attachment(server, volume.id)
            demo.block_storage.wait_for_status(volume, "available", wait=WAIT)

        cleanup.push("attachment", detach)
        assert attachment.volume_id == volume.id
        volume = demo.block_storage.wait_for_status(volume, "in-use", wait=WAIT)
        assert volume.attachments[0]["server_id"] == server.id

        floating = demo.network.create_ip(floating_network_id=public.id, port_id=port.id)
        cleanup.push("floating ip", lambda: demo.network.delete_ip(floating))
        assert floating.fixed_ip_address == port.fixed_ips[0]["ip_address"]

        def addresses() -> set[str]:
            current = demo.compute.get_server(server.id)
            return {a["addr"] for entries in current.addresses.values() for a in entries}

        # Nova learns of the floating IP from Neutron's port event.
        wait_until("the floating IP in the server's addresses",
                   lambda: floating.floating_ip_address in addresses())  # fmt: skip

        if demo.has_service("object-store"):
            container = demo.object_store.create_container(name=name)
            cleanup.push("container", lambda: demo.object_store.delete_container(container))
            demo.object_store.upload_object(container=name, name="hello", data=b"kiln")
            cleanup.push("object", lambda: demo.object_store.delete_object("hello", container=name))
            assert demo.object_store.download_object("hello", container=name) == b"kiln"
    finally:
        cleanup.run()
    assert cleanup.errors == []
    assert counts(demo) == before


HOT = {
    "heat_template_version": "2018-08-31",
    "parameters": {"flavor": {"type": "string"}, "image": {"type": "string"}},
    "resources": {
        "net": {"type": "OS::Neutron::Net"},
        "subnet": {
            "type": "OS::Neutron::Subnet",
            "properties": {"network": {"get_resource": "net"}, "cidr": "10.78.0.0/24"},
        },
        "server": {
            "type": "OS::Nova::Server",
            "depends_on": "subnet",
            "properties": {
                "flavor": {"get_param": "flavor"},
                "image": {"get_param": "image"},
                "networks": [{"network": {"get_resource": "net"}}],
            },
        },
    },
    "outputs": {"ip": {"value": {"get_attr": ["server", "first_address"]}}},
}


def test_heat_stack_round_trip(demo) -> None:
    if not demo.has_service("orchestration"):
        pytest.skip("Heat is not enabled in this sandbox (kiln sandbox up --with-heat)")
    before = counts(demo)
    stack = demo.orchestration.create_stack(
        name=f"kiln-smoke-{uuid.uuid4().hex[:8]}",
        template=HOT,
        parameters={"flavor": facts.FLAVORS[0].name, "image": facts.IMAGE},
    )
    try:
        stack = demo.orchestration.wait_for_status(
            stack, "CREATE_COMPLETE", failures=["CREATE_FAILED"], wait=WAIT
        )
        assert stack.status == "CREATE_COMPLETE"
        assert counts(demo)["servers"] == before["servers"] + 1
    finally:
        demo.orchestration.delete_stack(stack)
        demo.orchestration.wait_for_delete(stack, wait=WAIT)
    assert counts(demo) == before
