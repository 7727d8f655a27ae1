"""Real deploys of Neutron templates (HOT and AWS::EC2 CloudFormation) to the sandbox through
`kiln deploy`: every resource checked in the cloud itself with openstacksdk, attributes and
outputs against it, a second deploy that changes nothing, edits that update in place or
replace as planned, resume after kill -9 without a duplicate, delete leaving nothing. The
AWS::EC2 templates deploy the same way, Instance and Volume over the Nova and Cinder handlers.

Each test has its own stack (a unique name, resources marked with its id); whatever a test
leaves is deleted by the `stack` fixture. Skipped without a sandbox (KILN_SANDBOX_CLOUDS).
"""

import ipaddress
import uuid

import pytest
from runtime.cloud.neutron_support import by_resource, counts, purge, tagged

from kiln.runtime.cloud import resource_tags
from kiln.runtime.handlers.base import physical_name


def _deployed(cloud_kiln, template, stack, *args):
    out = cloud_kiln.deploy(template, stack, *args)
    assert out.code == 0, out.text
    return out


def _rows(cloud_kiln, stack):
    return cloud_kiln.kiln.by_name(stack)


def _rule_keys(group):
    return sorted(
        (rule["direction"], rule["ethertype"], rule["protocol"], rule["port_range_min"],
         rule["port_range_max"], rule["remote_ip_prefix"])
        for rule in group.security_group_rules
    )  # fmt: skip


def _interfaces(conn, router_id):
    ports = conn.network.ports(device_id=router_id, device_owner="network:router_interface")
    return [fixed["subnet_id"] for port in ports for fixed in port.fixed_ips]


def test_a_network_deploys_as_asked_and_deletes_to_nothing(cloud_kiln, conn, stack):
    _deployed(cloud_kiln, "network.yaml", stack, "-P", f"prefix={stack}")
    rows = _rows(cloud_kiln, stack)
    assert {row.state for row in rows.values()} == {"CREATE_COMPLETE"}
    ids = {name: row.physical_id for name, row in rows.items()}
    stack_id = cloud_kiln.kiln.stack(stack).id
    network = conn.network

    net = network.get_network(ids["net"])
    assert net.name == f"{stack}-net"
    token = rows["net"].request_token
    assert set(net.tags) == {"kiln-test", *resource_tags(stack_id, "net", token)}
    subnet = network.get_subnet(ids["subnet"])
    assert (subnet.network_id, subnet.cidr, subnet.ip_version) == (net.id, "10.42.0.0/24", 4)
    assert subnet.dns_nameservers == ["192.0.2.53"]
    assert subnet.allocation_pools == [{"start": "10.42.0.10", "end": "10.42.0.99"}]
    assert subnet.name == physical_name(stack, "subnet", rows["subnet"].request_token)

    web = network.get_security_group(ids["web"])
    assert web.description == "web servers"  # the template's own, not Kiln's mark
    assert _rule_keys(web) == sorted([
        ("egress", "IPv4", None, None, None, None),  # Neutron's defaults stay: no egress rule
        ("egress", "IPv6", None, None, None, None),
        ("ingress", "IPv4", "icmp", None, None, None),
        ("ingress", "IPv4", "tcp", 22, 22, "0.0.0.0/0"),
        ("ingress", "IPv4", "tcp", 80, 80, None),  # the SecurityGroupRule resource
    ])  # fmt: skip
    http = network.get_security_group_rule(ids["http"])
    assert (http.security_group_id, http.port_range_min) == (web.id, 80)

    port = network.get_port(ids["port"])
    assert port.network_id == net.id and port.security_group_ids == [web.id]
    assert port.fixed_ips == [{"subnet_id": subnet.id, "ip_address": "10.42.0.20"}]
    assert port.status == "DOWN"  # no L2 agent in the sandbox: Kiln must not wait for ACTIVE

    router = network.get_router(ids["router"])
    public = network.find_network("public")
    assert router.external_gateway_info["network_id"] == public.id
    assert ids["interface"] == f"{router.id}:subnet_id={subnet.id}"  # Heat's physical id
    assert _interfaces(conn, router.id) == [subnet.id]

    floating = network.get_ip(ids["floating"])
    assert floating.floating_network_id == public.id
    assert floating.port_id == port.id and floating.fixed_ip_address == "10.42.0.20"

    outputs = cloud_kiln.outputs(stack)
    assert outputs["net_name"] == net.name
    assert outputs["net_mtu"] == net.mtu
    assert (outputs["subnet_cidr"], outputs["subnet_gateway"]) == ("10.42.0.0/24", "10.42.0.1")
    assert outputs["subnet_pools"] == [{"start": "10.42.0.10", "end": "10.42.0.99"}]
    assert outputs["subnet_network"] == net.id
    assert (outputs["port_ip"], outputs["port_mac"]) == ("10.42.0.20", port.mac_address)
    assert outputs["port_network"] == net.id and outputs["port_network_name"] == net.name
    assert outputs["port_subnet_cidrs"] == "10.42.0.0/24"
    assert outputs["port_groups"] == [web.id] and outputs["port_show_id"] == port.id
    assert outputs["gateway_network"] == public.id
    assert outputs["interface"] == ids["interface"]
    assert outputs["floating_address"] == floating.floating_ip_address
    assert ipaddress.ip_address(floating.floating_ip_address) in ipaddress.ip_network(
        "172.24.4.0/24"
    )
    assert outputs["floating_network"] == public.id
    # Outputs read attributes as Heat does, after every resource exists: the group's rules
    # include the one SecurityGroupRule `http` added later, the net lists the subnet created
    # after it, the floating IP has the port its later association gave it.
    live_rules = list(network.security_group_rules(security_group_id=web.id))
    assert len(outputs["group_rules"]) == len(live_rules) == 5
    assert outputs["net_subnets"] == [subnet.id]
    assert outputs["floating_port"] == port.id
    assert outputs["rule_port"] == 80

    # Everything Kiln made carries the stack's mark (a router interface is the router's port).
    assert counts(conn, stack_id) == {
        "networks": 1, "subnets": 1, "ports": 1, "routers": 1, "security_groups": 1, "ips": 1,
    }  # fmt: skip

    # A second deploy changes nothing and calls nothing that changes anything.
    plan = cloud_kiln.plan_json("network.yaml", stack, "-P", f"prefix={stack}")
    assert plan["changes"] == [] and plan["summary"]["unchanged"] == 9
    again = _deployed(cloud_kiln, "network.yaml", stack, "-P", f"prefix={stack}")
    assert "no changes" in again.stdout
    assert network.get_network(net.id).revision_number == net.revision_number
    assert network.get_port(port.id).revision_number == port.revision_number

    out = cloud_kiln.delete(stack)
    assert out.code == 0, out.text
    assert counts(conn, stack_id) == dict.fromkeys(counts(conn, stack_id), 0)
    assert network.find_security_group_rule(http.id) is None
    assert network.find_ip(floating.id) is None


def test_edits_update_in_place_or_replace_as_planned(cloud_kiln, conn, stack):
    base = ("-P", f"prefix={stack}")
    _deployed(cloud_kiln, "update.yaml", stack, *base)
    before = {name: row.physical_id for name, row in _rows(cloud_kiln, stack).items()}
    edit = (*base, "-P", "net_name=second", "-P", "router_name=second", "-P", "ssh_port=2222",
            "-P", "cidr=10.43.1.0/24")  # fmt: skip

    plan = cloud_kiln.plan_json("update.yaml", stack, *edit)
    actions = {change["resource"]: change["action"] for change in plan["changes"]}
    assert actions == {
        "net": "update", "router": "update", "web": "update",  # name, name, rules: in place
        "subnet": "replace", "interface": "replace",  # cidr cannot change; the interface's
    }  # subnet with it  # fmt: skip

    _deployed(cloud_kiln, "update.yaml", stack, *edit)
    after = {name: row.physical_id for name, row in _rows(cloud_kiln, stack).items()}
    network = conn.network
    for name in ("net", "router", "web"):
        assert after[name] == before[name], name  # updated in place: the same resource
    assert network.get_network(after["net"]).name == f"{stack}-second"
    assert network.get_router(after["router"]).name == f"{stack}-second"
    rules = _rule_keys(network.get_security_group(after["web"]))
    assert ("ingress", "IPv4", "tcp", 2222, 2222, None) in rules
    assert ("ingress", "IPv4", "tcp", 22, 22, None) not in rules

    assert after["subnet"] != before["subnet"]  # replaced: created new, the old one deleted
    assert network.get_subnet(after["subnet"]).cidr == "10.43.1.0/24"
    assert network.find_subnet(before["subnet"]) is None
    assert after["interface"] == f"{after['router']}:subnet_id={after['subnet']}"
    assert _interfaces(conn, after["router"]) == [after["subnet"]]
    assert cloud_kiln.outputs(stack) == {"cidr": "10.43.1.0/24"}
    assert cloud_kiln.plan_json("update.yaml", stack, *edit)["changes"] == []


RESUME_PAUSES = [
    "net:after-create",  # created and marked, its id not recorded
    "web:after-create",  # a security group and its rules
    "http:after-create",  # a rule (no tags: found by the mark in its description)
    "interface:after-create",  # an interface (no object of its own: found on the router)
    "subnet:created",  # id recorded, completion not checked
]


@pytest.mark.parametrize("pause", RESUME_PAUSES)
def test_a_create_killed_midway_resumes_without_a_duplicate(cloud_kiln, conn, stack, pause):
    args = ("-P", f"prefix={stack}")
    spawned = cloud_kiln.spawn_deploy("resume.yaml", stack, pause, *args)
    assert spawned.wait_for_pause().endswith(f"paused at {pause}")
    spawned.kill()
    name = pause.split(":")[0]
    assert _rows(cloud_kiln, stack)[name].state == "CREATE_IN_PROGRESS"

    out = _deployed(cloud_kiln, "resume.yaml", stack, *args)
    assert "resume" in out.stdout
    rows = _rows(cloud_kiln, stack)  # one row per resource
    assert {row.state for row in rows.values()} == {"CREATE_COMPLETE"}
    stack_id = cloud_kiln.kiln.stack(stack).id
    assert counts(conn, stack_id) == {
        "networks": 1, "subnets": 1, "ports": 0, "routers": 1, "security_groups": 1, "ips": 0,
    }  # fmt: skip
    found = tagged(conn, stack_id)
    assert [item.id for item in by_resource(found["networks"], "net")] == [rows["net"].physical_id]
    group = conn.network.get_security_group(rows["web"].physical_id)
    assert _rule_keys(group).count(("ingress", "IPv4", "tcp", 443, 443, None)) == 1
    assert _rule_keys(group).count(("ingress", "IPv4", "tcp", 80, 80, None)) == 1
    assert _interfaces(conn, rows["router"].physical_id) == [rows["subnet"].physical_id]
    assert "no changes" in _deployed(cloud_kiln, "resume.yaml", stack, *args).stdout


def test_a_delete_tolerates_what_is_already_gone(cloud_kiln, conn, stack):
    args = ("-P", f"prefix={stack}")
    _deployed(cloud_kiln, "resume.yaml", stack, *args)
    ids = {name: row.physical_id for name, row in _rows(cloud_kiln, stack).items()}
    network = conn.network
    network.remove_interface_from_router(ids["router"], subnet_id=ids["subnet"])
    network.delete_security_group_rule(ids["http"])
    network.delete_security_group(ids["web"])
    network.delete_subnet(ids["subnet"])
    out = cloud_kiln.delete(stack)
    assert out.code == 0, out.text
    assert network.find_network(ids["net"]) is None
    assert network.find_router(ids["router"]) is None


def test_a_cloudformation_vpc_deploys_as_heat_does(cloud_kiln, conn, stack):
    _deployed(cloud_kiln, "vpc.yaml", stack)
    rows = _rows(cloud_kiln, stack)
    ids = {name: row.physical_id for name, row in rows.items()}
    network = conn.network
    public = network.find_network("public")

    vpc = network.get_network(ids["VPC"])  # a network and a router of the same name
    assert vpc.name == physical_name(stack, "VPC", rows["VPC"].request_token)
    (vpc_router,) = network.routers(name=vpc.name)
    subnet = network.get_subnet(ids["Subnet"])
    assert (subnet.network_id, subnet.cidr) == (vpc.id, "10.50.1.0/24")

    table = network.get_router(ids["RouteTable"])  # the subnet moved onto the route table
    assert _interfaces(conn, table.id) == [subnet.id] and _interfaces(conn, vpc_router.id) == []
    assert table.external_gateway_info["network_id"] == public.id  # VPCGatewayAttachment

    group = network.get_security_group(ids["WebGroup"])
    assert group.description == "web"
    assert _rule_keys(group) == sorted([  # egress given: Neutron's default egress rules gone
        ("egress", "IPv4", "tcp", 443, 443, "0.0.0.0/0"),
        ("ingress", "IPv4", "icmp", None, None, "10.0.0.0/8"),
        ("ingress", "IPv4", "tcp", 80, 80, "0.0.0.0/0"),
    ])  # fmt: skip

    interface = network.get_port(ids["Interface"])
    assert interface.fixed_ips == [{"subnet_id": subnet.id, "ip_address": "10.50.1.20"}]
    assert interface.security_group_ids == [group.id]
    address = network.get_ip(ids["Address"])
    assert address.floating_network_id == public.id and address.port_id == interface.id

    outputs = cloud_kiln.outputs(stack)
    assert outputs["Address"] == address.floating_ip_address  # Ref of an EIP: the address
    assert outputs["AllocationId"] == address.id
    assert outputs["PrivateIp"] == "10.50.1.20"
    assert outputs["Zone"] == "nova" and outputs["Subnet"] == subnet.id
    assert outputs["Gateway"] == physical_name(stack, "Gateway", rows["Gateway"].request_token)

    assert "no changes" in _deployed(cloud_kiln, "vpc.yaml", stack).stdout
    stack_id = cloud_kiln.kiln.stack(stack).id
    assert counts(conn, stack_id) == {
        "networks": 1, "subnets": 1, "ports": 1, "routers": 2, "security_groups": 1, "ips": 1,
    }  # fmt: skip
    out = cloud_kiln.delete(stack)
    assert out.code == 0, out.text
    assert counts(conn, stack_id) == dict.fromkeys(counts(conn, stack_id), 0)
    assert list(network.routers(name=vpc.name)) == []


def test_a_cloudformation_instance_deploys_on_nova_and_cinder(cloud_kiln, conn, stack):
    """AWS::EC2::Instance, Volume and VolumeAttachment over the Nova and Cinder handlers;
    the instance's SubnetId and SecurityGroupIds make its port, its EIP finds that port."""
    _deployed(cloud_kiln, "instance.yaml", stack)
    rows = _rows(cloud_kiln, stack)
    ids = {name: row.physical_id for name, row in rows.items()}
    server = conn.compute.get_server(ids["Server"])
    assert server.status == "ACTIVE" and server.metadata == {"role": "web"}
    (port,) = conn.network.ports(device_id=server.id)
    subnet = conn.network.get_subnet(ids["Subnet"])
    assert [fixed["subnet_id"] for fixed in port.fixed_ips] == [subnet.id]
    assert port.security_group_ids == [ids["WebGroup"]]
    address = conn.network.get_ip(ids["Address"])
    assert address.port_id == port.id
    volume = conn.block_storage.get_volume(ids["Disk"])
    assert volume.status == "in-use" and volume.metadata["role"] == "data"
    assert [item["server_id"] for item in volume.attachments] == [server.id]

    outputs = cloud_kiln.outputs(stack)
    assert outputs["PrivateIp"] == port.fixed_ips[0]["ip_address"]
    assert outputs["Address"] == address.floating_ip_address
    assert (outputs["Server"], outputs["Disk"]) == (server.id, volume.id)
    assert "no changes" in _deployed(cloud_kiln, "instance.yaml", stack).stdout

    stack_id = cloud_kiln.kiln.stack(stack).id
    out = cloud_kiln.delete(stack)
    assert out.code == 0, out.text
    assert conn.compute.find_server(server.id) is None
    assert conn.block_storage.find_volume(volume.id) is None
    assert counts(conn, stack_id) == dict.fromkeys(counts(conn, stack_id), 0)


def test_a_create_killed_before_its_tags_is_found_by_its_description_or_name(
    sandbox, registries, conn, monkeypatch
):
    """Neutron takes tags only after the create: what a kill leaves untagged in between is
    recognised by the token mark in its description, or by its generated name when the
    template writes the description; `find_existing` then tags it."""
    from kiln.compiler.resource_types.validator import heat_properties
    from kiln.runtime.cloud import connect
    from kiln.runtime.handlers import HandlerTable
    from kiln.runtime.handlers.base import HandlerContext
    from kiln.runtime.handlers.neutron_api import token_mark

    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(sandbox.clouds_yaml))
    cloud = connect(sandbox.cloud)
    table = HandlerTable(registries.schemas)
    stack = f"kt-{uuid.uuid4().hex[:10]}"

    def context(logical, type_name, **props):
        handler = table.get(type_name)
        return handler, HandlerContext(
            stack_name=stack, stack_id=str(uuid.uuid4()), logical_name=logical,
            resource_type=type_name, request_token=uuid.uuid4().hex, data={},
            save=lambda key, value: None, cloud_provider=lambda: cloud,
            props=heat_properties(handler.property_schema, props),
        )  # fmt: skip

    net_handler, net_ctx = context("net", "OS::Neutron::Net", name=f"{stack}-mine")
    group_handler, group_ctx = context("web", "OS::Neutron::SecurityGroup", description="own")
    try:
        assert net_handler.find_existing(net_ctx) is None  # nothing made yet
        net = conn.network.create_network(name=f"{stack}-mine", description=token_mark(net_ctx))
        group_name = group_ctx.physical_resource_name
        group = conn.network.create_security_group(name=group_name, description="own")
        assert net_handler.find_existing(net_ctx) == net.id
        assert set(net_ctx.tags) <= set(conn.network.get_network(net.id).tags)
        assert group_handler.find_existing(group_ctx) == group.id
        assert set(group_ctx.tags) <= set(conn.network.get_security_group(group.id).tags)
    finally:
        purge(conn, None, f"{stack}-")
