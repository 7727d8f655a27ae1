"""The Neutron and AWS::EC2 handlers' planning, without a cloud: Heat's validate() checks on
values only the plan knows (each case under rejected/ marks its RUN codes inline), Heat's
translation of deprecated property names, and which changes update in place or replace."""

from pathlib import Path

import pytest
from kiln_testing import expectations

from kiln.compiler.driver import compile_file
from kiln.compiler.ir.nodes import Resource
from kiln.compiler.resource_types.validator import heat_properties
from kiln.runtime.desired import DesiredResource, Resolved
from kiln.runtime.handlers import HandlerTable
from kiln.runtime.plan import decide
from kiln.runtime.session import StackSession
from kiln.runtime.state.records import ResourceRecord
from kiln.runtime.state.store import StateStore

REJECTED = Path(__file__).parent / "rejected"
CASES = sorted(REJECTED.glob("*.yaml"))

# Heat's own words for each rejected resource.
MESSAGES = {
    "group": 'Security groups cannot be assigned the name "default".',
    "both_cidr_and_pool": "Cannot define the following properties at the same time: "
    "subnetpool, cidr.",
    "ipv6_modes_on_ipv4": "ipv6_ra_mode and ipv6_address_mode are not supported for ipv4.",
    "port": "Cannot define the following properties at the same time: fixed_ips, no_fixed_ips.",
    "ports_backwards": "The minimum port number must be less than or equal to the maximum port "
    "number.",
    "router": "Cannot define the following properties at the same time: distributed, ha.",
    "NeitherAddress": "Either 'EIP' or 'AllocationId' must be provided.",
    "AddressWithoutInstance": "Must specify 'InstanceId' if you specify 'EIP'.",
    "WithVolumes": "Volumes of an AWS::EC2::Instance are not deployable by Kiln yet; attach "
    "them with AWS::EC2::VolumeAttachment resources instead",
}


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_what_heat_rejects_is_a_plan_error(path, registries, tmp_path):
    result = compile_file(str(path), registries)
    assert not result.has_errors, [d.message for d in result.diagnostics]
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    plan = StackSession(store, "s", schemas=registries.schemas).plan(result.unit)
    found = {(d.span.start.line, d.code.id) for d in plan.diagnostics if d.span is not None}
    assert sorted(found) == sorted(expectations(path)), [d.message for d in plan.diagnostics]
    for diagnostic in plan.diagnostics:
        name = diagnostic.path[1]
        assert diagnostic.message == f"resource {name!r}: {MESSAGES[name]}"


def _handler(registries, type_name):
    return HandlerTable(registries.schemas).get(type_name)


def _props(handler, **values):
    return heat_properties(handler.property_schema, handler.translate(values))


def test_deprecated_names_move_to_their_successors(registries):
    port = _handler(registries, "OS::Neutron::Port")
    props = _props(port, network_id="private", fixed_ips=[{"subnet_id": "sub"}])
    assert props["network"] == "private" and props["network_id"] is None
    assert props["fixed_ips"][0]["subnet"] == "sub"
    interface = _handler(registries, "OS::Neutron::RouterInterface")
    props = _props(interface, router_id="r", subnet_id="s", port_id=None)
    assert (props["router"], props["subnet"], props["router_id"]) == ("r", "s", None)
    assert interface.validate(props) is None
    router = _handler(registries, "OS::Neutron::Router")
    assert _props(router, l3_agent_id="a1")["l3_agent_ids"] == ["a1"]
    floating = _handler(registries, "OS::Neutron::FloatingIP")
    assert _props(floating, floating_network_id="public")["floating_network"] == "public"


def _record(type_name, properties):
    return ResourceRecord(
        id=1, stack_id="x", logical_name="r", type=type_name, physical_id="p1",
        reference_id="p1", action="CREATE", status="COMPLETE", status_reason="", current=True,
        replaces=None, request_token="0" * 32, properties=properties, attributes={},
        requires=(), data={}, deletion_policy="Delete", external=False, run_id="r",
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


DECISIONS = [
    # (type, old properties, the change, action, a reason's start)
    ("OS::Neutron::Net", {"name": "a"}, {"name": "b"}, "update", "name can change"),
    ("OS::Neutron::Subnet", {"network": "n", "cidr": "10.0.0.0/24"}, {"cidr": "10.0.1.0/24"},
     "replace", "cidr cannot change"),
    ("OS::Neutron::Subnet", {"network": "n", "cidr": "10.0.0.0/24"}, {"name": "b"}, "update",
     "name can change"),
    ("OS::Neutron::Port", {"network": "n", "replacement_policy": "REPLACE_ALWAYS"},
     {"name": "b"}, "replace", "replacement_policy is REPLACE_ALWAYS"),
    ("OS::Neutron::Port", {"network": "n"}, {"security_groups": ["web"]}, "update",
     "security_groups can change"),
    ("OS::Neutron::RouterInterface", {"router": "r", "subnet": "s"}, {"subnet": "t"},
     "replace", "subnet cannot change"),
    ("OS::Neutron::SecurityGroupRule", {"security_group": "g"}, {"port_range_min": 1},
     "replace", "port_range_min cannot change"),
    ("OS::Neutron::FloatingIP", {"floating_network": "public"}, {"port_id": "p"}, "update",
     "port_id can change"),
    ("AWS::EC2::SecurityGroup", {"GroupDescription": "web"},
     {"SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": "22", "ToPort": "22"}]},
     "update", "SecurityGroupIngress can change"),
    ("AWS::EC2::Subnet", {"VpcId": "v", "CidrBlock": "10.0.0.0/24"},
     {"CidrBlock": "10.0.1.0/24"}, "replace", "CidrBlock cannot change"),
    ("AWS::EC2::EIPAssociation", {"AllocationId": "f1", "NetworkInterfaceId": "p1"},
     {"AllocationId": "f2"}, "update", "AllocationId can change"),
    ("AWS::EC2::EIPAssociation", {"AllocationId": "f1", "NetworkInterfaceId": "p1"},
     {"AllocationId": "f2", "NetworkInterfaceId": "p2"}, "replace",
     "the address and what it is associated with both change"),
]  # fmt: skip


@pytest.mark.parametrize(("type_name", "old", "change", "action", "reason"), DECISIONS)
def test_what_changes_in_place_and_what_replaces(
    registries, type_name, old, change, action, reason
):
    handler = _handler(registries, type_name)
    before = _props(handler, **old)
    after = _props(handler, **{**old, **change})
    item = DesiredResource("r", type_name, Resource(name="r", type=type_name), handler, ())
    decision = decide(item, _record(type_name, before), Resolved(after, after, None))
    assert decision.error is None
    assert (decision.action, decision.reasons[0][: len(reason)]) == (action, reason)


@pytest.mark.parametrize(
    ("type_name", "replacement"),
    [
        # Neutron refuses a second equal rule, a second interface on a subnet; an old
        # association's delete would undo an equal new one.
        ("OS::Neutron::SecurityGroupRule", "delete-first"),
        ("OS::Neutron::RouterInterface", "delete-first"),
        ("OS::Neutron::FloatingIPAssociation", "delete-first"),
        ("AWS::EC2::SubnetRouteTableAssociation", "delete-first"),
        ("OS::Neutron::Port", "create-first"),
        ("OS::Neutron::Subnet", "create-first"),
        ("AWS::EC2::VPC", "create-first"),
    ],
)
def test_how_each_type_is_replaced(registries, type_name, replacement):
    assert _handler(registries, type_name).replacement == replacement


def test_an_ec2_security_group_becomes_neutron_rules(registries):
    """NeutronSecurityGroup's conversion: ports as numbers, -1 as none, no CIDR without
    ports, a source group as a remote group."""
    handler = _handler(registries, "AWS::EC2::SecurityGroup")
    props = _props(
        handler,
        GroupDescription="web",
        SecurityGroupIngress=[
            {"IpProtocol": "tcp", "FromPort": "80", "ToPort": "80", "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "icmp", "FromPort": "-1", "ToPort": "-1", "CidrIp": "10.0.0.0/8"},
            {"IpProtocol": "tcp", "SourceSecurityGroupName": "db", "CidrIp": "10.0.0.0/8"},
        ],
        SecurityGroupEgress=[{"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}],
    )
    target = handler.to_target(props)
    assert target["description"] == "web" and target["name"] is None
    keys = ("direction", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix",
            "remote_mode", "remote_group_id")  # fmt: skip
    assert [tuple(rule[key] for key in keys) for rule in target["rules"]] == [
        ("ingress", "tcp", 80, 80, "0.0.0.0/0", "remote_ip_prefix", None),
        ("ingress", "icmp", None, None, "10.0.0.0/8", "remote_ip_prefix", None),
        ("ingress", "tcp", None, None, None, "remote_group_id", "db"),
        ("egress", None, None, None, None, "remote_ip_prefix", None),
    ]
