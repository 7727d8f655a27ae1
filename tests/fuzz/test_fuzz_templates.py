"""Structurally plausible HOT and CloudFormation templates built from strategies: real section
and key names, real function spellings with random argument shapes, mixed with garbage.
Compiling them must never raise, and every diagnostic must point inside a file or nowhere."""

import json
from pathlib import Path

import pytest
import yaml
from fuzz_support import compile_bytes, span_problems
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FAST = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LONG = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOT_VERSIONS = [
    "2013-05-23", "2014-10-16", "2015-04-30", "2015-10-15", "2016-04-08", "2016-10-14",
    "2017-02-24", "2017-09-01", "2018-03-02", "2018-08-31", "2021-04-16",
    "newton", "ocata", "pike", "queens", "rocky", "wallaby",
]  # fmt: skip
BAD_VERSIONS = ["2099-01-01", "kilo", "2016-10-15", "", "latest", "2013-05-23 ", "2013-5-23"]
HOT_FUNCTIONS = [
    "get_param", "get_resource", "get_attr", "get_file", "list_join", "str_replace",
    "str_replace_strict", "str_replace_vstrict", "resource_facade", "repeat", "digest",
    "str_split", "map_merge", "map_replace", "yaql", "if", "filter", "make_url", "list_concat",
    "list_concat_unique", "contains", "equals", "not", "and", "or",
    "Fn::Select", "Fn::GetAZs", "Fn::Join", "Fn::Split", "Fn::Replace", "Fn::Base64",
    "Fn::MemberListToMap", "Fn::ResourceFacade", "Ref", "Fn::GetAtt",
]  # fmt: skip
CFN_FUNCTIONS = [
    "Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::Split",
    "Fn::FindInMap", "Fn::Base64", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::GetAZs",
    "Fn::ImportValue", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::Transform",
    "Fn::ForEach::Loop", "Fn::Contains",
]  # fmt: skip
GARBAGE_FUNCTIONS = ["get_params", "Fn::Foo", "list-join", "", "GET_PARAM", "Fn::", "if "]
HOT_TYPES = [
    "OS::Nova::Server", "OS::Heat::RandomString", "OS::Neutron::Net", "OS::Neutron::Port",
    "OS::Heat::ResourceGroup", "OS::Heat::SoftwareConfig", "OS::Heat::None", "OS::Heat::Value",
    "OS::Cinder::Volume", "OS::Heat::WaitCondition", "AWS::EC2::Instance", "nested.yaml",
    "https://example.com/t.yaml", "OS::Nope::Thing", "", "My::Custom::Type",
]  # fmt: skip
CFN_TYPES = [
    "AWS::EC2::Instance", "AWS::S3::Bucket", "AWS::IAM::Role", "AWS::EC2::SecurityGroup",
    "AWS::Serverless::Function", "AWS::CloudFormation::Stack", "Custom::Thing", "AWS::Nope::X",
    "OS::Nova::Server", "",
]  # fmt: skip
PROPERTY_KEYS = [
    "image", "flavor", "networks", "name", "length", "count", "resource_def", "config",
    "user_data", "value", "size", "ImageId", "InstanceType", "Tags", "BucketName", "Key",
]  # fmt: skip
PARAM_NAMES = ["p", "image", "flavor", "Env", "count", "OS::stack_name", "AWS::Region", "名前"]
RESOURCE_NAMES = ["server", "net", "r1", "Bucket", "a.b", "1", "with space", "café"]
CONDITION_NAMES = ["is_prod", "IsProd", "c"]

names = st.sampled_from(PARAM_NAMES + RESOURCE_NAMES + CONDITION_NAMES)
texts = st.text(max_size=12)
leaves = (
    names
    | texts
    | st.integers(-3, 100)
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["${p}", "$p", "%p%", "http://x/${AWS::Region}", "a.b.c", "0,1"])
)


def functions_calls(spellings, children):
    """`{spelling: argument}` with arguments of the shapes the functions take, or any shape."""
    argument = st.one_of(
        children,
        st.lists(children, max_size=4),
        st.tuples(names, names).map(list),
        st.tuples(names, names, children).map(list),
        st.tuples(st.sampled_from(["", ",", " "]), st.lists(children, max_size=3)).map(list),
        st.fixed_dictionaries(
            {"template": children, "params": st.dictionaries(texts, children, max_size=3)}
        ),
        st.fixed_dictionaries(
            {"for_each": st.dictionaries(texts, children, max_size=2), "template": children}
        ),
        st.tuples(names, children, children).map(list),
        st.tuples(st.sampled_from(["${x} ${AWS::Region}", "${r.Arn}"]), children).map(list),
    )
    return st.builds(lambda spelling, arg: {spelling: arg}, st.sampled_from(spellings), argument)


def expressions(spellings):
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.sampled_from(PROPERTY_KEYS) | texts, children, max_size=3),
            functions_calls(spellings, children),
            functions_calls(spellings, children),
        ),
        max_leaves=12,
    )


def junk():
    return st.one_of(leaves, st.lists(leaves, max_size=2))


def sometimes_junk(strategy):
    """Mostly the right shape; now and then a value of the wrong shape."""
    return st.one_of(strategy, strategy, strategy, strategy, junk())


# --- HOT -----------------------------------------------------------------------------------

hot_expr = expressions(HOT_FUNCTIONS + GARBAGE_FUNCTIONS)

hot_constraint = st.one_of(
    st.fixed_dictionaries(
        {"length": st.fixed_dictionaries({}, optional={"min": leaves, "max": leaves})}
    ),
    st.fixed_dictionaries(
        {"range": st.fixed_dictionaries({}, optional={"min": leaves, "max": leaves})}
    ),
    st.fixed_dictionaries({"allowed_values": st.lists(leaves, max_size=3)}),
    st.fixed_dictionaries({"allowed_pattern": st.sampled_from(["[a-z]+", "(", "*"])}),
    st.fixed_dictionaries({"custom_constraint": st.sampled_from(["nova.flavor", "nope"])}),
    st.fixed_dictionaries({"modulo": st.fixed_dictionaries({"step": leaves, "offset": leaves})}),
    st.dictionaries(texts, leaves, max_size=2),
).flatmap(
    lambda c: st.fixed_dictionaries({}, optional={"description": texts}).map(lambda d: {**c, **d})
)

hot_parameter = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            ["string", "number", "comma_delimited_list", "json", "boolean", "list", "String", ""]
        ),
        "default": hot_expr,
        "description": texts,
        "label": texts,
        "hidden": leaves,
        "immutable": leaves,
        "tags": st.lists(texts, max_size=2),
        "constraints": sometimes_junk(st.lists(hot_constraint, max_size=3)),
        "schema": hot_expr,
        "Type": texts,
    },
)

hot_resource = st.fixed_dictionaries(
    {},
    optional={
        "type": sometimes_junk(st.sampled_from(HOT_TYPES)),
        "properties": sometimes_junk(
            st.dictionaries(st.sampled_from(PROPERTY_KEYS) | texts, hot_expr, max_size=4)
        ),
        "depends_on": st.one_of(
            st.sampled_from(RESOURCE_NAMES), st.lists(st.sampled_from(RESOURCE_NAMES), max_size=3)
        ),
        "metadata": hot_expr,
        "deletion_policy": st.sampled_from(["Delete", "Retain", "Snapshot", "delete", "Nope"]),
        "update_policy": hot_expr,
        "description": texts,
        "condition": st.one_of(st.sampled_from(CONDITION_NAMES), hot_expr),
        "external_id": hot_expr,
        "Type": texts,
    },
)

hot_template = st.fixed_dictionaries(
    {
        "heat_template_version": sometimes_junk(
            st.sampled_from(HOT_VERSIONS) | st.sampled_from(BAD_VERSIONS).filter(bool)
        )
    },
    optional={
        "description": texts,
        "parameters": sometimes_junk(
            st.dictionaries(
                st.sampled_from(PARAM_NAMES) | texts, sometimes_junk(hot_parameter), max_size=4
            )
        ),
        "resources": sometimes_junk(
            st.dictionaries(
                st.sampled_from(RESOURCE_NAMES) | texts, sometimes_junk(hot_resource), max_size=4
            )
        ),
        "outputs": sometimes_junk(
            st.dictionaries(
                texts,
                st.fixed_dictionaries(
                    {}, optional={"value": hot_expr, "description": texts, "condition": hot_expr}
                ),
                max_size=3,
            )
        ),
        "conditions": sometimes_junk(
            st.dictionaries(st.sampled_from(CONDITION_NAMES) | texts, hot_expr, max_size=3)
        ),
        "parameter_groups": sometimes_junk(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "label": texts,
                        "description": texts,
                        "parameters": st.lists(st.sampled_from(PARAM_NAMES) | leaves, max_size=3),
                    },
                ),
                max_size=2,
            )
        ),
        "Resources": hot_expr,
        "extra_section": hot_expr,
    },
)

# --- CloudFormation ------------------------------------------------------------------------

cfn_expr = expressions(CFN_FUNCTIONS + GARBAGE_FUNCTIONS)

cfn_resource = st.fixed_dictionaries(
    {},
    optional={
        "Type": sometimes_junk(st.sampled_from(CFN_TYPES)),
        "Properties": sometimes_junk(
            st.dictionaries(st.sampled_from(PROPERTY_KEYS) | texts, cfn_expr, max_size=4)
        ),
        "DependsOn": st.one_of(
            st.sampled_from(RESOURCE_NAMES), st.lists(st.sampled_from(RESOURCE_NAMES), max_size=3)
        ),
        "Condition": st.sampled_from(CONDITION_NAMES) | cfn_expr,
        "DeletionPolicy": st.sampled_from(
            ["Delete", "Retain", "Snapshot", "RetainExceptOnCreate", "x"]
        ),
        "UpdateReplacePolicy": st.sampled_from(["Delete", "Retain"]),
        "Metadata": cfn_expr,
        "CreationPolicy": cfn_expr,
        "UpdatePolicy": cfn_expr,
        "type": texts,
    },
)

cfn_template = st.fixed_dictionaries(
    {
        "Resources": sometimes_junk(
            st.dictionaries(
                st.sampled_from(RESOURCE_NAMES) | texts, sometimes_junk(cfn_resource), max_size=4
            )
        )
    },
    optional={
        "AWSTemplateFormatVersion": sometimes_junk(st.sampled_from(["2010-09-09", "2010-09-10"])),
        "Description": texts,
        "Transform": st.sampled_from(["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"])
        | st.lists(texts, max_size=2),
        "Parameters": sometimes_junk(
            st.dictionaries(
                st.sampled_from(PARAM_NAMES) | texts,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "Type": st.sampled_from(
                            [
                                "String",
                                "Number",
                                "CommaDelimitedList",
                                "AWS::EC2::KeyPair::KeyName",
                                "List<Number>",
                                "string",
                            ]
                        ),
                        "Default": cfn_expr,
                        "AllowedValues": st.lists(leaves, max_size=3),
                        "AllowedPattern": st.sampled_from(["[a-z]+", "("]),
                        "MinLength": leaves,
                        "NoEcho": leaves,
                    },
                ),
                max_size=3,
            )
        ),
        "Mappings": sometimes_junk(
            st.dictionaries(
                texts,
                st.dictionaries(texts, st.dictionaries(texts, leaves, max_size=2), max_size=2),
                max_size=2,
            )
        ),
        "Conditions": sometimes_junk(
            st.dictionaries(st.sampled_from(CONDITION_NAMES) | texts, cfn_expr, max_size=3)
        ),
        "Outputs": sometimes_junk(
            st.dictionaries(
                texts,
                st.fixed_dictionaries(
                    {},
                    optional={
                        "Value": cfn_expr,
                        "Description": texts,
                        "Export": st.fixed_dictionaries({"Name": cfn_expr}),
                        "Condition": st.sampled_from(CONDITION_NAMES),
                    },
                ),
                max_size=3,
            )
        ),
        "Metadata": cfn_expr,
        "Rules": cfn_expr,
        "heat_template_version": st.sampled_from(HOT_VERSIONS[:2]),
    },
)

# --- serialising ---------------------------------------------------------------------------


class Tagged:
    """A value dumped with a local tag, e.g. `!Ref name`."""

    def __init__(self, tag: str, value: object) -> None:
        self.tag = tag
        self.value = value


class TagDumper(yaml.SafeDumper):
    pass


def _represent_tagged(dumper, data: Tagged):
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    text = "" if data.value is None else str(data.value)
    return dumper.represent_scalar(data.tag, text)


TagDumper.add_representer(Tagged, _represent_tagged)
TagDumper.ignore_aliases = lambda self, data: True


def short_tags(value, use: list[bool]):
    """Rewrite `{Ref: x}` / `{Fn::Name: x}` as `!Ref x` / `!Name x` where `use` says so."""
    if isinstance(value, list):
        return [short_tags(item, use) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {key: short_tags(item, use) for key, item in value.items()}
    if len(converted) == 1 and use and use.pop():
        ((key, item),) = converted.items()
        if key == "Ref" or key == "Condition" or (isinstance(key, str) and key.startswith("Fn::")):
            return Tagged("!" + str(key).removeprefix("Fn::"), item)
    return converted


def serialise(template, style: str, tags: list[bool]) -> tuple[bytes, str]:
    if style == "json":
        return json.dumps(template, indent=2).encode(), "t.json"
    if style == "template":
        return json.dumps(template).encode(), "t.template"
    if style == "short-tags":
        text = yaml.dump(short_tags(template, list(tags)), Dumper=TagDumper, allow_unicode=True)
        return text.encode(), "t.yaml"
    flow = style == "yaml-flow"
    text = yaml.safe_dump(template, default_flow_style=flow, allow_unicode=True, width=60)
    return text.encode(), "t.yaml"


styles = st.sampled_from(["yaml", "yaml-flow", "json", "template", "short-tags"])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("templates")


def check(template, style, tags, workdir, registries) -> None:
    data, name = serialise(template, style, tags)
    result = compile_bytes(workdir, name, data, registries)  # must not raise
    problems = span_problems(result)
    assert problems == [], data.decode("utf-8", "replace")


@FAST
@given(template=hot_template, style=styles, tags=st.lists(st.booleans(), max_size=20))
def test_hot_templates(template, style, tags, workdir, registries):
    check(template, style, tags, workdir, registries)


@FAST
@given(template=cfn_template, style=styles, tags=st.lists(st.booleans(), max_size=20))
def test_cfn_templates(template, style, tags, workdir, registries):
    check(template, style, tags, workdir, registries)


@pytest.mark.slow
@LONG
@given(
    template=st.one_of(hot_template, cfn_template),
    style=styles,
    tags=st.lists(st.booleans(), max_size=40),
)
def test_templates_long(template, style, tags, workdir, registries):
    check(template, style, tags, workdir, registries)
