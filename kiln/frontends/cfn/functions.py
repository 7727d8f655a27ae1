"""CloudFormation function spellings: Heat's CfnTemplate/HeatTemplate rows plus the AWS
functions Heat lacks (in_heat=False, reported for the Heat target by later passes).

Source: `functions` and `condition_functions` of `heat/engine/cfn/template.py` (heat.md §2).
Rows name only the two real formats; a template without a version key is lowered with
versions.function_format(""), i.e. as 2010-09-09.
"""

from typing import Final

from kiln.compiler.functions import Builder, FunctionSpec
from kiln.compiler.functions import builders as b
from kiln.compiler.ir import expr as e
from kiln.frontends.cfn.versions import AWS_VERSION

DIALECT: Final = "cfn"
VALUE_ONLY: Final = frozenset({"value"})
CONDITION_ONLY: Final = frozenset({"condition"})
BOTH: Final = frozenset({"value", "condition"})
# Fn::If is CfnTemplate's only (HeatTemplate, 2012-12-12, has no conditions at all).
CONDITION_FORMATS: Final = frozenset({AWS_VERSION})

# CfnParameters.PSEUDO_PARAMETERS; the others are real on AWS and unknown to Heat.
HEAT_PSEUDO_PARAMETERS: Final = frozenset({"AWS::StackId", "AWS::StackName", "AWS::Region"})
AWS_ONLY_PSEUDO_PARAMETERS: Final = frozenset(
    {"AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::URLSuffix", "AWS::NotificationARNs"}
)
PSEUDO_PARAMETERS: Final = HEAT_PSEUDO_PARAMETERS | AWS_ONLY_PSEUDO_PARAMETERS


def _row(spelling: str, build: Builder, summary: str, **options: object) -> FunctionSpec:
    options.setdefault("contexts", VALUE_ONLY)
    return FunctionSpec(DIALECT, spelling, build, summary, **options)  # type: ignore[arg-type]


def _aws_in_condition(spelling: str, build: Builder) -> FunctionSpec:
    """A value function AWS also accepts inside Fn::Equals (cfn-lint rule E8003). Heat maps
    every non-condition function in a condition to function.Invalid: the row is AWS-only."""
    summary = "As in a value; AWS accepts it in Fn::Equals."
    return _row(spelling, build, summary, contexts=CONDITION_ONLY, in_heat=False)


_ref = b.cfn_ref(PSEUDO_PARAMETERS)
_join = b.join(None)
_split = b.split(index_allowed=False)

_HEAT_ROWS: Final = (
    _row("Ref", _ref, "Parameter, resource reference id, or pseudo parameter."),
    # In a condition Heat reads Ref as a parameter only (cfn_funcs.ParamRef); the same builder
    # leaves binding to resolve_references, so a Ref to a resource there stays visible to the
    # checks as a ResourceRef inside a condition.
    _row(
        "Ref",
        _ref,
        "Parameter or pseudo parameter (Heat: ParamRef, parameters only).",
        contexts=CONDITION_ONLY,
    ),
    _row("Fn::GetAtt", b.build_cfn_get_att, "Attribute of a resource."),
    _row("Fn::Join", _join, "Join a list with a delimiter."),
    _row("Fn::Select", b.build_select, "Item of a list or map; '' when missing in Heat."),
    _row("Fn::Split", _split, "Split a string."),
    _row("Fn::Base64", b.unary(e.Base64, "value"), "Base64 on AWS; a no-op in Heat."),
    _row("Fn::FindInMap", b.build_find_in_map, "Value from the Mappings.", contexts=BOTH),
    _row("Fn::GetAZs", b.unary(e.GetAZs, "region"), "Availability zones."),
    _row("Fn::Replace", b.build_cfn_replace, "Heat's substring replacement."),
    _row("Fn::MemberListToMap", b.build_member_list_to_map, "Heat's member-list conversion."),
    _row("Fn::ResourceFacade", b.unary(e.ResourceFacade, "kind"), "Facade of the parent."),
    _row(
        "Fn::If",
        b.if_(None),
        "Choose a value by a condition.",
        formats=CONDITION_FORMATS,
        condition_args=(0,),
    ),
    # Condition functions: inside Conditions (and a resource's Condition) only.
    _row("Fn::Equals", b.build_equals, "Whether two values are equal.", contexts=CONDITION_ONLY),
    _row("Fn::Not", b.not_(list_form=True), "Negate a condition.", contexts=CONDITION_ONLY),
    _row(
        "Fn::And",
        b.boolean_list(e.And, 2, 10),
        "All of 2 to 10 conditions hold.",
        contexts=CONDITION_ONLY,
    ),
    _row(
        "Fn::Or",
        b.boolean_list(e.Or, 2, 10),
        "Any of 2 to 10 conditions holds.",
        contexts=CONDITION_ONLY,
    ),
)

_AWS_ROWS: Final = (
    # `{Condition: name}` nests a named condition; Heat's condition_functions lack it.
    _row(
        "Condition",
        b.build_condition_ref,
        "A named condition.",
        contexts=CONDITION_ONLY,
        in_heat=False,
    ),
    _aws_in_condition("Fn::Join", _join),
    _aws_in_condition("Fn::Select", b.build_select),
    _aws_in_condition("Fn::Split", _split),
    _row("Fn::Sub", b.build_sub, "Substitute ${Name} variables.", contexts=BOTH, in_heat=False),
    _row("Fn::Cidr", b.build_cidr, "CIDR blocks of an address block.", in_heat=False),
    _row(
        "Fn::Length", b.unary(e.Length, "value"), "Length of a list.", contexts=BOTH, in_heat=False
    ),
    _row(
        "Fn::ToJsonString",
        b.unary(e.ToJsonString, "value"),
        "A value as a JSON string.",
        contexts=BOTH,
        in_heat=False,
    ),
    _row(
        "Fn::ImportValue", b.unary(e.ImportValue, "name"), "Another stack's export.", in_heat=False
    ),
    _row(
        "Fn::GetStackOutput",
        b.unary(e.StackOutput, "arguments"),
        "Another stack's output.",
        in_heat=False,
    ),
    _row("Fn::Transform", b.unary(e.Transform, "arguments"), "A macro call.", in_heat=False),
)

# Fn::ForEach is left out: its loops are keys (`Fn::ForEach::Name`), reported by parse.py.
CFN_FUNCTIONS: Final[tuple[FunctionSpec, ...]] = (*_HEAT_ROWS, *_AWS_ROWS)
