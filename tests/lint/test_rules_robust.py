"""The rules never fail on odd templates: any value (a literal of another type, a function, a
null, a nested list) where a rule hopes for a literal. A rule that raises becomes PLG001; this
property test asserts none does, and that every finding points inside the file.

The templates put generated values where the unused, parameters, security and documentation
rules read: parameter defaults, constraints and groups, security group rules, ports, servers'
networks and user data, configs, containers, outputs.
"""

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.lint.runner import run_rules

NAMES = st.sampled_from(["db_password", "env", "net", "cidr", "sg", "cfg", "x", "Env", "ENV"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        [
            "",
            "0.0.0.0/0",
            "::/0",
            "tcp",
            "-1",
            "22",
            "egress",
            "IPv6",
            "password=x",
            "-----BEGIN RSA PRIVATE KEY-----",
            ".r:*",
            "remote_group_id",
            "$X",
            "${x}",
        ]
    ),
)


def functions(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(
        st.builds(lambda n: {"get_param": n}, NAMES),
        st.builds(lambda n, a: {"get_attr": [n, a]}, NAMES, st.sampled_from(["value", "x"])),
        st.builds(lambda n: {"get_resource": n}, NAMES),
        st.builds(lambda t, p: {"str_replace": {"template": t, "params": p}}, inner, inner),
        st.builds(lambda d, items: {"list_join": [d, items]}, inner, inner),
        st.builds(lambda c, a, b: {"if": [c, a, b]}, NAMES, inner, inner),
        st.builds(lambda v: {"get_file": v}, st.sampled_from(["missing.sh", "x"])),
    )


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["a", "port", "network", "$X", "password"]), inner, max_size=3
        ),
        functions(inner),
    ),
    max_leaves=8,
)


@st.composite
def templates(draw: st.DrawFn) -> dict[str, object]:
    value = draw
    return {
        "heat_template_version": "2018-08-31",
        "parameter_groups": value(
            st.one_of(
                VALUES,
                st.lists(
                    st.fixed_dictionaries({"label": VALUES, "parameters": VALUES}), max_size=2
                ),
            )
        ),
        "parameters": {
            name: {
                "type": value(
                    st.sampled_from(["string", "number", "json", "boolean", "comma_delimited_list"])
                ),
                "default": value(VALUES),
                "hidden": value(VALUES),
                "constraints": value(
                    st.one_of(
                        VALUES,
                        st.lists(st.fixed_dictionaries({"allowed_values": VALUES}), max_size=1),
                    )
                ),
            }
            for name in value(st.lists(NAMES, max_size=3, unique=True))
        },
        "conditions": {"c": value(VALUES)},
        "resources": {
            "sg": {
                "type": "OS::Neutron::SecurityGroup",
                "properties": {"rules": value(st.one_of(VALUES, st.lists(VALUES, max_size=3)))},
            },
            "rule": {"type": "OS::Neutron::SecurityGroupRule", "properties": value(VALUES)},
            "port": {"type": "OS::Neutron::Port", "properties": value(VALUES)},
            "cfg": {"type": "OS::Heat::CloudConfig", "properties": {"cloud_config": value(VALUES)}},
            "server": {
                "type": "OS::Nova::Server",
                "properties": {
                    "networks": value(VALUES),
                    "user_data": value(VALUES),
                    "admin_pass": value(VALUES),
                },
            },
            "box": {
                "type": "OS::Swift::Container",
                "properties": {"X-Container-Read": value(VALUES)},
            },
        },
        "outputs": {"o": {"value": value(VALUES), "description": value(VALUES)}},
    }


@st.composite
def cfn_templates(draw: st.DrawFn) -> dict[str, object]:
    value = draw
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {"AWS::CloudFormation::Interface": {"ParameterGroups": value(VALUES)}},
        "Parameters": {
            "Env": {"Type": "String", "Default": value(VALUES), "NoEcho": value(VALUES)}
        },
        "Mappings": {"M": {"a": {"b": value(VALUES)}}},
        "Resources": {
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "g",
                    "SecurityGroupIngress": value(st.lists(VALUES, max_size=3)),
                },
            },
            "Server": {"Type": "AWS::EC2::Instance", "Properties": value(VALUES)},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": value(VALUES)}},
        },
        "Outputs": {"O": {"Value": {"Fn::FindInMap": value(VALUES)}}},
    }


def check(text: str, name: str, tmp_path, registries) -> None:
    path = tmp_path / name
    path.write_text(text)
    result = compile_file(str(path), registries, CompileOptions())
    if result.unit is None:
        return
    for target in ("heat", "aws"):
        findings = run_rules(result.unit, registries.lint_rules, registries, target=target)
        failed = [f.message for f in findings if f.code.id == "PLG001"]
        assert not failed, failed
        for finding in findings:
            span = finding.span
            if span is not None:
                source = result.unit.sources[span.file]
                assert 0 <= span.start.offset <= span.end.offset <= len(source.text), finding


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(templates())
def test_hot_rules_never_fail(tmp_path, registries, template):
    check(yaml.safe_dump(template, sort_keys=False), "t.yaml", tmp_path, registries)


@SETTINGS
@given(cfn_templates())
def test_cfn_rules_never_fail(tmp_path, registries, template):
    check(json.dumps(template, indent=1), "t.json", tmp_path, registries)
