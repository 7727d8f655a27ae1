"""CloudFormation formats as data: version keys, sections, keys and parameter types.

Heat reads two formats (reference/heat.md §2, `heat/engine/cfn/template.py`):
`AWSTemplateFormatVersion: 2010-09-09` is CfnTemplate, `HeatTemplateFormatVersion: 2012-12-12`
is HeatTemplate, which lacks Conditions, the Condition keys and Fn::If. A template without
either key (AWS accepts it; Heat does not) gets the version "" and reads like 2010-09-09.

The tables carry AWS's full vocabulary, so valid AWS templates read cleanly; what Heat lacks is
reported by later passes for the Heat target, not as syntax errors here. A row `name: formats`
means the name exists only in those formats (None: in every format).
"""

from typing import Final

AWS_KEY: Final = "AWSTemplateFormatVersion"
HEAT_KEY: Final = "HeatTemplateFormatVersion"
AWS_VERSION: Final = "2010-09-09"
HEAT_VERSION: Final = "2012-12-12"
NO_VERSION: Final = ""

# Each version key accepts exactly one value (Heat's `heat.templates` entry points).
VERSION_KEYS: Final[dict[str, str]] = {AWS_KEY: AWS_VERSION, HEAT_KEY: HEAT_VERSION}

# Formats that have Conditions, resource/output Condition keys and Fn::If (CfnTemplate).
WITH_CONDITIONS: Final = frozenset({AWS_VERSION, NO_VERSION})

SECTIONS: Final[dict[str, frozenset[str] | None]] = {
    AWS_KEY: None,
    HEAT_KEY: None,
    "Description": None,
    "Metadata": None,
    "Parameters": None,
    "Rules": None,
    "Mappings": None,
    "Conditions": WITH_CONDITIONS,
    "Transform": None,
    "Resources": None,
    "Outputs": None,
}

SERVERLESS: Final = "AWS::Serverless-2016-10-31"

# Sections and resource keys that exist only under a transform, which rewrites them away
# before CloudFormation reads the template (SAM's Globals, CodeDeploy's Hooks).
TRANSFORM_SECTIONS: Final[dict[str, str]] = {
    "Globals": SERVERLESS,
    "Hooks": "AWS::CodeDeployBlueGreen",
}
TRANSFORM_RESOURCE_KEYS: Final[dict[str, str]] = {
    "IgnoreGlobals": SERVERLESS,
    "Connectors": SERVERLESS,
}

# Fn::ForEach loops (AWS::LanguageExtensions) are keys `Fn::ForEach::<Name>` in these sections.
FOREACH_PREFIX: Final = "Fn::ForEach::"

RESOURCE_KEYS: Final[dict[str, frozenset[str] | None]] = {
    "Type": None,
    "Properties": None,
    "Metadata": None,
    "DependsOn": None,
    "DeletionPolicy": None,
    "UpdatePolicy": None,
    "UpdateReplacePolicy": None,
    "CreationPolicy": None,
    "Condition": WITH_CONDITIONS,
    "Description": None,
    "Version": None,  # old AWS templates (`"Version": "2009-05-15"`); meaningless, not kept
}

OUTPUT_KEYS: Final[dict[str, frozenset[str] | None]] = {
    "Description": None,
    "Value": None,
    "Condition": WITH_CONDITIONS,
    "Export": None,
}

# heat/engine/parameters.py PARAMETER_KEYS; Label is Heat's, harmless on AWS.
PARAMETER_KEYS: Final[dict[str, frozenset[str] | None]] = {
    name: None
    for name in (
        "Type", "Default", "NoEcho", "AllowedValues", "AllowedPattern", "MaxLength",
        "MinLength", "MaxValue", "MinValue", "Description", "ConstraintDescription", "Label",
    )
}  # fmt: skip

# Heat's own parameter types (Schema.TYPES), by their ParamType value.
BASIC_TYPES: Final[dict[str, str]] = {
    "String": "string",
    "Number": "number",
    "CommaDelimitedList": "comma_delimited_list",
    "Json": "json",
    "Boolean": "boolean",
}

# AWS-specific parameter types: ids checked by AWS against the account. They are strings
# (lists when wrapped in List<...>) and keep their spelling on the Parameter.
AWS_SPECIFIC_TYPES: Final[tuple[str, ...]] = (
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
)
SSM_NAME_TYPE: Final = "AWS::SSM::Parameter::Name"
SSM_VALUE_PREFIX: Final = "AWS::SSM::Parameter::Value<"


def _list_of(name: str) -> str:
    return f"List<{name}>"


# Every spelling AWS accepts, mapped to its ParamType value.
_PLAIN_TYPES: Final[dict[str, str]] = {
    **BASIC_TYPES,
    _list_of("Number"): "comma_delimited_list",
    **{name: "string" for name in AWS_SPECIFIC_TYPES},
    **{_list_of(name): "comma_delimited_list" for name in AWS_SPECIFIC_TYPES},
    SSM_NAME_TYPE: "string",
}
# What an SSM parameter may hold: `AWS::SSM::Parameter::Value<T>`.
_SSM_VALUE_TYPES: Final[dict[str, str]] = {
    "String": "string",
    _list_of("String"): "comma_delimited_list",
    "CommaDelimitedList": "comma_delimited_list",
    **{name: "string" for name in AWS_SPECIFIC_TYPES},
    **{_list_of(name): "comma_delimited_list" for name in AWS_SPECIFIC_TYPES},
}
PARAMETER_TYPES: Final[dict[str, str]] = {
    **_PLAIN_TYPES,
    **{f"{SSM_VALUE_PREFIX}{name}>": kind for name, kind in _SSM_VALUE_TYPES.items()},
}

DELETION_POLICIES: Final[tuple[str, ...]] = ("Delete", "Retain", "Snapshot")
# AWS also has RetainExceptOnCreate; Heat does not, which is the Heat target's concern.
AWS_DELETION_POLICIES: Final[tuple[str, ...]] = (*DELETION_POLICIES, "RetainExceptOnCreate")

# CloudFormation constraint keys onto Heat's constraint vocabulary, in the order Heat builds
# them (Schema.from_dict): range, length, allowed values, allowed pattern.
RANGE_KEYS: Final = ("MinValue", "MaxValue")
LENGTH_KEYS: Final = ("MinLength", "MaxLength")


def version_of(key: str, spelling: str) -> str | None:
    """The canonical version for a version key's value, or None when Heat does not know it."""
    expected = VERSION_KEYS[key]
    return expected if spelling == expected else None


def function_format(version: str) -> str:
    """The format whose functions a template reads: one without a version key reads like
    2010-09-09 (the function rows name only the two real formats)."""
    return version or AWS_VERSION


def available(table: dict[str, frozenset[str] | None], name: str, version: str) -> bool:
    formats = table[name]
    return formats is None or version in formats
