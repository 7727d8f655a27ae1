"""The resources, dependencies, deprecation, versions, portability, durability and heat-target
rules never fail on odd templates, and their autofixes keep a file readable.

Generated values go where those rules read: names, networks, subnets and CIDRs, fixed IPs,
server images, flavors and user data, groups and their members, floating IPs, wait
conditions, depends_on lists (block and flow), conditions on resources and outputs, deletion
policies, CloudFormation Fn::Sub strings and keys Heat ignores. A rule that raises becomes
PLG001; every finding must point inside the file; applying every autofix of these rules that
does not overlap another must give text that still loads as YAML or JSON.
"""

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.lint.fixes import apply, plan
from kiln.compiler.lint.runner import run_rules

PREFIXES = ("RES", "DPN", "DPR", "VER", "PRT", "DUR", "HTG")
RESOURCES = ["net", "subnet", "port", "server", "volume", "fip", "iface", "group", "wait"]
NAMES = st.sampled_from([*RESOURCES, "handle", "missing", "c", "p"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 70000),
    st.sampled_from(
        ["", "10.0.0.0/24", "10.0.0.300", "fd00::/64", "10.0.0.5", "public", "m1.small",
         "t2.micro", "ami-0abcdef1234567890", "RAW", "SOFTWARE_CONFIG", "Snapshot", "retain",
         "${p}-${net.name}", "${!x}", "arn:aws:iam::123456789012:role/x", "%index%", "name"]
    ),
)  # fmt: skip


def functions(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.builds(lambda n: {"get_resource": n}, NAMES),
        st.builds(
            lambda n, a: {"get_attr": [n, a]}, NAMES, st.sampled_from(["first_address", "x"])
        ),
        st.builds(lambda n: {"get_param": n}, NAMES),
        st.builds(lambda c, a, b: {"if": [c, a, b]}, NAMES, inner, inner),
        st.builds(lambda d, items: {"list_join": [d, items]}, inner, inner),
    )


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "network",
                    "subnet",
                    "ip_address",
                    "start",
                    "end",
                    "name",
                    "type",
                    "properties",
                    "port",
                    "uuid",
                    "fixed_ip",
                ]
            ),
            inner,
            max_size=3,
        ),
        functions(inner),
    ),
    max_leaves=8,
)


@st.composite
def hot_templates(draw: st.DrawFn) -> dict[str, object]:
    value = draw

    def resource(type_name: str, properties: dict[str, object]) -> dict[str, object]:
        body: dict[str, object] = {"type": type_name, "properties": properties}
        if value(st.booleans()):
            body["depends_on"] = value(st.one_of(NAMES, st.lists(NAMES, max_size=3)))
        if value(st.booleans()):
            body["condition"] = value(st.one_of(st.just("c"), VALUES))
        if value(st.booleans()):
            body["deletion_policy"] = value(st.sampled_from(["Delete", "Retain", "Snapshot"]))
        return body

    return {
        "heat_template_version": value(st.sampled_from(["2013-05-23", "2016-10-14", "rocky"])),
        "parameters": {"p": {"type": "string", "default": value(VALUES)}},
        "conditions": {"c": value(VALUES)},
        "resources": {
            "net": resource("OS::Neutron::Net", {"name": value(VALUES)}),
            "subnet": resource(
                "OS::Neutron::Subnet",
                {
                    "network": value(VALUES),
                    "cidr": value(VALUES),
                    "allocation_pools": value(VALUES),
                },
            ),
            "port": resource(
                "OS::Neutron::Port", {"network": value(VALUES), "fixed_ips": value(VALUES)}
            ),
            "server": resource(
                "OS::Nova::Server",
                {
                    "image": value(VALUES),
                    "flavor": value(VALUES),
                    "networks": value(VALUES),
                    "user_data": value(VALUES),
                    "user_data_format": value(VALUES),
                },
            ),
            "volume": resource(
                "OS::Cinder::Volume", {"image": value(VALUES), "availability_zone": value(VALUES)}
            ),
            "fip": resource(
                "OS::Neutron::FloatingIP",
                {"floating_network": value(VALUES), "port_id": value(VALUES)},
            ),
            "iface": resource(
                "OS::Neutron::RouterInterface",
                {"router": value(VALUES), "subnet": value(VALUES)},
            ),
            "group": resource(
                "OS::Heat::ResourceGroup",
                {
                    "count": value(VALUES),
                    "resource_def": value(
                        st.one_of(
                            VALUES,
                            st.fixed_dictionaries(
                                {
                                    "type": st.just("OS::Nova::KeyPair"),
                                    "properties": st.fixed_dictionaries({"name": VALUES}),
                                }
                            ),
                        )
                    ),
                },
            ),
            "handle": {"type": "OS::Heat::WaitConditionHandle"},
            "wait": resource("OS::Heat::WaitCondition", {"handle": value(VALUES), "timeout": 60}),
        },
        "outputs": {
            "o": {"value": value(VALUES), "condition": value(st.one_of(st.just("c"), VALUES))}
        },
    }


@st.composite
def cfn_templates(draw: st.DrawFn) -> dict[str, object]:
    value = draw
    template: dict[str, object] = {
        "Parameters": {"P": {"Type": "String", "Default": value(VALUES)}},
        "Mappings": {"M": {"a": {"b": value(VALUES)}}},
        "Conditions": {"C": {"Fn::Equals": [{"Ref": "P"}, value(VALUES)]}},
        "Resources": {
            "Bucket": {
                "Type": value(st.sampled_from(["AWS::S3::Bucket", "AWS::SNS::Topic"])),
                "DeletionPolicy": value(st.sampled_from(["Retain", "Snapshot", "Delete"])),
                "UpdateReplacePolicy": value(VALUES),
                "CreationPolicy": value(VALUES),
                "DependsOn": value(st.one_of(st.just("Server"), st.lists(NAMES, max_size=2))),
                "Condition": "C",
                "Metadata": {"AWS::CloudFormation::Init": value(VALUES)},
                "Properties": {"Tags": [{"Key": "k", "Value": {"Fn::Sub": value(VALUES)}}]},
            },
            "Server": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "ImageId": value(
                        st.one_of(VALUES, st.just({"Fn::FindInMap": ["M", "a", "b"]}))
                    ),
                    "InstanceType": value(st.one_of(VALUES, st.just({"Ref": "P"}))),
                    "UserData": {"Fn::Sub": value(st.one_of(VALUES, st.lists(VALUES, max_size=2)))},
                },
            },
        },
        "Outputs": {"O": {"Value": {"Ref": "Bucket"}, "Condition": value(VALUES)}},
    }
    if value(st.booleans()):
        template = {"AWSTemplateFormatVersion": "2010-09-09", **template}
    return template


def check(text: str, name: str, tmp_path, registries) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = compile_file(str(path), registries, CompileOptions())
    if result.unit is None:
        return
    rules = [r for r in registries.lint_rules if r.id.startswith(PREFIXES)]
    source = result.unit.sources[str(path)]
    for target in ("heat", "aws"):
        findings = run_rules(result.unit, rules, registries, target=target)
        failed = [f.message for f in findings if f.code.id == "PLG001"]
        assert not failed, failed
        for finding in findings:
            span = finding.span
            if span is not None:
                text_of = result.unit.sources[span.file].text
                assert 0 <= span.start.offset <= span.end.offset <= len(text_of), finding
        chosen, _ = plan(str(path), findings, unsafe=True)
        edits = [edit for finding in chosen for edit in finding.autofix.edits]  # type: ignore[union-attr]
        if edits:
            fixed = apply(source.text, edits)
            if name.endswith(".json"):
                json.loads(fixed)
            else:
                yaml.safe_load(fixed)


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(hot_templates(), st.sampled_from([False, None]))
def test_hot_rules_never_fail(tmp_path, registries, template, flow):
    text = yaml.safe_dump(template, sort_keys=False, default_flow_style=flow)
    check(text, "t.yaml", tmp_path, registries)


@SETTINGS
@given(cfn_templates(), st.sampled_from([None, 1]))
def test_cfn_rules_never_fail(tmp_path, registries, template, indent):
    check(json.dumps(template, indent=indent), "t.json", tmp_path, registries)
