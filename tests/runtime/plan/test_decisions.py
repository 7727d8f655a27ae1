"""Decisions the local templates cannot show on their own: immutable properties (only AWS
types have them), the environment's restricted_actions, and AWS types as data over an
OpenStack type's handler (TypeMapping)."""

import io

from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.compiler.driver import compile_file
from kiln.compiler.ir.nodes import Resource
from kiln.runtime.desired import DesiredResource, Resolved
from kiln.runtime.handlers import HandlerTable, TypeMapping
from kiln.runtime.handlers.base import BaseHandler, Renamed
from kiln.runtime.plan import decide
from kiln.runtime.progress import PlainLines
from kiln.runtime.session import StackSession
from kiln.runtime.state.records import ResourceRecord
from kiln.runtime.state.store import StateStore


def _record(type_name, properties, state=("CREATE", "COMPLETE")):
    return ResourceRecord(
        id=1, stack_id="x", logical_name="vol", type=type_name, physical_id="p1",
        reference_id="p1", action=state[0], status=state[1], status_reason="", current=True,
        replaces=None, request_token="0" * 32, properties=properties, attributes={},
        requires=(), data={}, deletion_policy="Delete", external=False, run_id="r",
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


def _volume(registries):
    handler = BaseHandler(registries.schemas.get("AWS::EC2::Volume"))
    node = Resource(name="vol", type="AWS::EC2::Volume")
    return DesiredResource("vol", "AWS::EC2::Volume", node, handler, ())


def test_an_immutable_property_cannot_change(registries):
    item = _volume(registries)
    old = {"AvailabilityZone": "nova", "Size": 1, "SnapshotId": None, "Tags": None}
    new = {**old, "Size": 2}
    decision = decide(item, _record("AWS::EC2::Volume", old), Resolved(new, new, None))
    assert decision.error is not None and "property Size is immutable" in decision.error
    assert decision.error_code.id == "RUN004"
    same = decide(item, _record("AWS::EC2::Volume", old), Resolved(old, old, None))
    assert same.action == "none" and same.error is None


def test_a_failed_create_is_replaced_and_an_interrupted_one_resumed(registries):
    item = _volume(registries)
    props = {"AvailabilityZone": "nova", "Size": 1, "SnapshotId": None, "Tags": None}
    resolved = Resolved(props, props, None)
    failed = decide(item, _record("AWS::EC2::Volume", props, ("CREATE", "FAILED")), resolved)
    assert failed.action == "replace" and "CREATE_FAILED last time" in failed.reasons[0]
    running = decide(item, _record("AWS::EC2::Volume", props, ("CREATE", "IN_PROGRESS")), resolved)
    assert running.action == "resume"


def test_restricted_actions_forbid_the_update(tmp_path):
    state = tmp_path / "state.db"
    template = tmp_path / "t.yaml"
    template.write_text(
        "heat_template_version: 2021-04-16\n"
        "parameters:\n  v: {type: string, default: a}\n"
        "resources:\n  label:\n    type: OS::Heat::Value\n"
        "    properties: {value: {get_param: v}}\n"
    )
    environment = tmp_path / "env.yaml"
    environment.write_text(
        "resource_registry:\n  resources:\n    label:\n      restricted_actions: [update]\n"
    )

    def kiln(*args):
        return CliRunner(env={"OS_CLOUD": None}).invoke(
            cli, [*map(str, args), "--state", str(state)]
        )

    assert kiln("deploy", template, "--stack", "s", "-e", environment).exit_code == 0
    refused = kiln("deploy", template, "--stack", "s", "-e", environment, "-P", "v=b")
    assert refused.exit_code == 1
    assert "error RUN005 resource 'label': the plan must update it" in refused.stderr
    assert kiln("deploy", template, "--stack", "s", "-P", "v=b").exit_code == 0


MAPPING = TypeMapping(
    source="AWS::EC2::Subnet",
    target="OS::Heat::TestResource",
    properties={"CidrBlock": "value", "VpcId": Renamed("wait_secs", lambda vpc: 0)},
    attributes={"AvailabilityZone": "output"},
)


def test_a_type_mapping_deploys_an_aws_type_with_an_openstack_handler(registries, tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n  Net:\n    Type: AWS::EC2::Subnet\n"
        "    Properties: {CidrBlock: 10.0.0.0/24, VpcId: vpc-1}\n"
        "Outputs:\n  Zone: {Value: {'Fn::GetAtt': [Net, AvailabilityZone]}}\n"
    )
    result = compile_file(str(template), registries)
    assert not result.has_errors, [d.message for d in result.diagnostics]
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    table = HandlerTable(registries.schemas, mappings={MAPPING.source: MAPPING})
    session = StackSession(store, "s", schemas=registries.schemas, handlers=table)
    plan, outcome = session.deploy(result.unit, PlainLines(io.StringIO()))
    assert not plan.diagnostics and outcome is not None and outcome.ok, outcome
    (row,) = store.resources(store.require_stack("s").id)
    assert row.type == "AWS::EC2::Subnet"
    assert row.data["value"] == "10.0.0.0/24"  # CidrBlock reached TestResource's value
    assert row.properties["CidrBlock"] == "10.0.0.0/24"  # recorded in the AWS type's terms
    assert row.attributes["AvailabilityZone"] == "10.0.0.0/24"  # TestResource's output
    assert dict(store.require_stack("s").outputs) == {"Zone": "10.0.0.0/24"}
    # Without the mapping the type has no handler: a plan-time error, not a skip.
    unmapped = HandlerTable(registries.schemas, mappings={})
    without = StackSession(store, "t", schemas=registries.schemas, handlers=unmapped)
    plain = without.plan(result.unit)
    assert [d.code.id for d in plain.diagnostics] == ["RUN001"]
