"""Property test: random expressions of real function spellings, with arguments of plausible
and implausible shapes, in every HOT version and in CloudFormation, evaluated as outputs and
conditions. The evaluator must never raise: every outcome is a value, an Unknown, or a
diagnostic."""

import itertools
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snippets import HOT

from kiln.compiler.driver import compile_file
from kiln.compiler.evaluate import Evaluator
from kiln.compiler.evaluate.parameters import fallback_parameters

HOT_SPELLINGS = [
    "get_param", "get_resource", "get_attr", "list_join", "str_replace", "str_replace_strict",
    "str_replace_vstrict", "repeat", "digest", "str_split", "map_merge", "map_replace", "yaql",
    "if", "filter", "make_url", "list_concat", "list_concat_unique", "contains", "equals", "not",
    "and", "or", "Fn::Select", "Fn::Join", "Fn::Split", "Fn::Replace", "Fn::Base64",
    "Fn::MemberListToMap", "Ref", "resource_facade", "get_file",
]  # fmt: skip
CFN_SPELLINGS = [
    "Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::Split",
    "Fn::FindInMap", "Fn::Base64", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::GetAZs",
    "Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::Replace", "Fn::MemberListToMap",
]  # fmt: skip
NAMES = ["p", "n", "l", "j", "c", "r", "M", "k", "OS::stack_name", "AWS::Region", "AWS::NoValue"]

leaves = st.one_of(
    st.sampled_from(NAMES),
    st.text(max_size=6),
    st.integers(-2, 70000),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["<%x%>", "${p}", "$.data.len()", "md5", "sha256", "a,b", "[1]", "é€"]),
)


def calls(spellings, children):
    argument = st.one_of(
        children,
        st.lists(children, max_size=4),
        st.fixed_dictionaries({"template": children, "params": children}),
        st.fixed_dictionaries({"for_each": st.dictionaries(leaves, children, max_size=2),
                               "template": children}),
        st.fixed_dictionaries({"expression": children, "data": children}),
        st.dictionaries(st.sampled_from(["scheme", "host", "port", "path", "query", "keys",
                                         "values"]), children, max_size=3),
    )  # fmt: skip
    return st.builds(lambda name, arg: {name: arg}, st.sampled_from(spellings), argument)


def expressions(spellings):
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=3), children, max_size=2),
            calls(spellings, children),
            calls(spellings, children),
        ),
        max_leaves=10,
    )


def hot(version, value, condition):
    return {
        "heat_template_version": version,
        "parameters": {
            "p": {"type": "string", "default": "c"},
            "n": {"type": "number", "default": 2},
            "l": {"type": "comma_delimited_list", "default": "a,b"},
            "j": {"type": "json", "default": {"k": [1]}},
        },
        **({"conditions": {"c": condition}} if version >= "2016-10-14" else {}),
        "resources": {"r": {"type": "OS::Heat::None"}},
        "outputs": {"o": {"value": value}},
    }


def cfn(value, condition):
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"p": {"Type": "String", "Default": "c"}, "n": {"Type": "Number"}},
        "Mappings": {"M": {"k": {"k": ["v"]}}},
        "Conditions": {"c": condition},
        "Resources": {"r": {"Type": "OS::Heat::None"}},
        "Outputs": {"o": {"Value": value, "Condition": "c"}},
    }


templates = st.one_of(
    st.builds(hot, st.sampled_from(HOT), expressions(HOT_SPELLINGS), expressions(HOT_SPELLINGS)),
    st.builds(cfn, expressions(CFN_SPELLINGS), expressions(CFN_SPELLINGS)),
)
_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("evaluate")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=templates)
def test_evaluation_never_raises(template, workdir, registries):
    path = workdir / f"{next(_counter)}.yaml"
    path.write_text(yaml.safe_dump(template, allow_unicode=True), encoding="utf-8")
    result = compile_file(str(path), registries)  # runs resolve_conditions too
    if result.unit is None:
        return
    root = result.unit.root
    evaluator = Evaluator(root, parameters=fallback_parameters(root), files=result.unit.files)
    for name in root.outputs:
        evaluator.output(name)
    for name in root.conditions:
        evaluator.condition(name)
    for name in root.resources:
        evaluator.resource_enabled(name)
