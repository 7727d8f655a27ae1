"""The CloudFormation tables against the facts they encode (reference/heat.md §2, AWS docs)."""

import pytest

from kiln.compiler.ir.types import ParamType
from kiln.frontends.cfn import functions as f
from kiln.frontends.cfn import versions as v
from kiln.frontends.cfn.parse import detect
from kiln.frontends.loader import load_text

# heat/engine/cfn/template.py: CfnTemplate.functions and condition_functions.
HEAT_FUNCTIONS = {
    "Fn::FindInMap", "Fn::GetAZs", "Ref", "Fn::GetAtt", "Fn::Select", "Fn::Join", "Fn::Split",
    "Fn::Replace", "Fn::Base64", "Fn::MemberListToMap", "Fn::ResourceFacade", "Fn::If",
}  # fmt: skip
HEAT_CONDITION_FUNCTIONS = {"Fn::Equals", "Ref", "Fn::FindInMap", "Fn::Not", "Fn::And", "Fn::Or"}


def spellings(context, in_heat):
    return {
        spec.spelling
        for spec in f.CFN_FUNCTIONS
        if context in spec.contexts and spec.in_heat is in_heat
    }


def test_rows_heat_implements_are_exactly_heats_functions():
    assert spellings("value", True) == HEAT_FUNCTIONS
    assert spellings("condition", True) == HEAT_CONDITION_FUNCTIONS


def test_aws_functions_heat_lacks_are_marked():
    aws_only = {"Fn::Sub", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString", "Fn::ImportValue"}
    assert aws_only | {"Fn::Transform"} <= spellings("value", False)
    assert "Condition" in spellings("condition", False)


def test_only_fn_if_is_missing_from_heats_own_format(registries):
    for spec in f.CFN_FUNCTIONS:
        found = registries.functions.lookup("cfn", spec.spelling, v.HEAT_VERSION, "value")
        if "value" in spec.contexts:
            expected = "wrong-format" if spec.spelling == "Fn::If" else "ok"
            assert found is not None and found.status == expected, spec.spelling


def test_pseudo_parameters():
    heat, aws_only = f.HEAT_PSEUDO_PARAMETERS, f.AWS_ONLY_PSEUDO_PARAMETERS
    assert heat == {"AWS::StackId", "AWS::StackName", "AWS::Region"}
    assert not heat & aws_only
    assert "AWS::NoValue" in f.AWS_ONLY_PSEUDO_PARAMETERS


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("String", ParamType.STRING),
        ("Json", ParamType.JSON),
        ("Boolean", ParamType.BOOLEAN),
        ("CommaDelimitedList", ParamType.COMMA_DELIMITED_LIST),
        ("List<Number>", ParamType.COMMA_DELIMITED_LIST),
        ("AWS::EC2::VPC::Id", ParamType.STRING),
        ("List<AWS::EC2::SecurityGroup::Id>", ParamType.COMMA_DELIMITED_LIST),
        ("AWS::SSM::Parameter::Name", ParamType.STRING),
        ("AWS::SSM::Parameter::Value<String>", ParamType.STRING),
        ("AWS::SSM::Parameter::Value<List<String>>", ParamType.COMMA_DELIMITED_LIST),
        ("AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>", ParamType.COMMA_DELIMITED_LIST),
    ],
)
def test_parameter_types(spelling, expected):
    assert ParamType(v.PARAMETER_TYPES[spelling]) is expected


@pytest.mark.parametrize(
    "spelling",
    ["string", "List<String>", "AWS::EC2::Image::ID", "AWS::SSM::Parameter::Value<Json>"],
)
def test_parameter_types_aws_rejects(spelling):
    assert spelling not in v.PARAMETER_TYPES


@pytest.mark.parametrize(
    ("text", "claimed"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\n", True),
        ("HeatTemplateFormatVersion: '2012-12-12'\n", True),
        ("Resources: {}\n", True),
        ("heat_template_version: 2018-08-31\nResources: {}\n", False),
        ("resources: {}\n", False),
        ("parameters: {a: 1}\n", False),
    ],
)
def test_detect(text, claimed):
    root = load_text(text, "t.yaml").root
    assert detect(root) is claimed
