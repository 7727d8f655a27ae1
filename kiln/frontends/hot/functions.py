"""HOT function spellings per version: the rows of heat.md §1.2 as data.

Each row names a builder; the builders are shared with CloudFormation. Where Heat changed a
function's implementation at a version (GetAttAllAttributes, JoinMultiple, IfNullable, ...)
the builder takes that version as a parameter.
"""

from typing import Final

from kiln.compiler.functions import Builder, FunctionSpec
from kiln.compiler.functions import builders as b
from kiln.compiler.ir import expr as e
from kiln.frontends.hot.versions import PSEUDO_PARAMETERS

DIALECT: Final = "hot"
FIRST: Final = "2013-05-23"
CFN_IN_HOT_REMOVED: Final = "2014-10-16"
CONDITIONS: Final = "2016-10-14"
VALUE_ONLY: Final = frozenset({"value"})
CONDITION_ONLY: Final = frozenset({"condition"})
CFN_PSEUDO: Final = frozenset({"AWS::StackId", "AWS::StackName", "AWS::Region"})


def _row(spelling: str, build: Builder, summary: str, **options: object) -> FunctionSpec:
    options.setdefault("contexts", VALUE_ONLY)
    return FunctionSpec(DIALECT, spelling, build, summary, **options)  # type: ignore[arg-type]


HOT_FUNCTIONS: Final[tuple[FunctionSpec, ...]] = (
    _row(
        "get_param",
        b.pseudo_aware_param(PSEUDO_PARAMETERS),
        "Value of a parameter or pseudo parameter, optionally walked by a path.",
        contexts=frozenset({"value", "condition"}),
        condition_since=CONDITIONS,
    ),
    _row("get_resource", b.build_resource_ref, "Reference id of a resource."),
    _row(
        "get_attr",
        b.attr_ref("2015-10-15"),
        "Attribute of a resource, optionally walked by a path.",
    ),
    _row("get_file", b.build_get_file, "Content of a file next to the template."),
    _row("list_join", b.join("2015-10-15"), "Join lists of strings with a delimiter."),
    _row("str_replace", b.build_str_replace, "Replace keys of params in a template string."),
    _row("resource_facade", b.unary(e.ResourceFacade, "kind"), "Facade of the parent resource."),
    _row("repeat", b.build_repeat, "Repeat a template over lists.", since="2015-04-30"),
    _row("digest", b.build_digest, "Hash of a value.", since="2015-04-30"),
    _row("str_split", b.split(index_allowed=True), "Split a string.", since="2015-10-15"),
    _row("map_merge", b.unary(e.MapMerge, "maps"), "Merge maps.", since="2016-04-08"),
    _row(
        "map_replace", b.build_map_replace, "Rename keys and values of a map.", since="2016-10-14"
    ),
    _row(
        "yaql",
        b.build_yaql,
        "Evaluate a yaql expression.",
        since="2016-10-14",
        contexts=frozenset({"value", "condition"}),
        condition_since="2017-09-01",
    ),
    _row(
        "if",
        b.if_("2021-04-16"),
        "Choose a value by a condition.",
        since="2016-10-14",
        condition_args=(0,),
    ),
    _row("filter", b.build_filter, "Remove values from a list.", since="2017-02-24"),
    _row(
        "str_replace_strict",
        b.build_str_replace,
        "str_replace; every key must occur.",
        since="2017-02-24",
    ),
    _row("make_url", b.unary(e.MakeUrl, "parts"), "Build an escaped URL.", since="2017-09-01"),
    _row("list_concat", b.list_concat(unique=False), "Concatenate lists.", since="2017-09-01"),
    _row(
        "list_concat_unique",
        b.list_concat(unique=True),
        "Concatenate lists, no repeats.",
        since="2017-09-01",
    ),
    _row(
        "str_replace_vstrict",
        b.build_str_replace,
        "str_replace_strict; no value may be empty.",
        since="2017-09-01",
    ),
    _row(
        "contains",
        b.build_contains,
        "Whether a sequence contains a value.",
        since="2017-09-01",
        contexts=frozenset({"value", "condition"}),
        condition_since="2017-09-01",
    ),
    # Condition functions: only inside conditions; elsewhere Heat keeps them as plain maps.
    _row(
        "equals",
        b.build_equals,
        "Whether two values are equal.",
        since=CONDITIONS,
        contexts=CONDITION_ONLY,
    ),
    _row(
        "not",
        b.not_(list_form=False),
        "Negate a condition.",
        since=CONDITIONS,
        contexts=CONDITION_ONLY,
    ),
    _row(
        "and",
        b.boolean_list(e.And, 2, None),
        "All conditions hold.",
        since=CONDITIONS,
        contexts=CONDITION_ONLY,
    ),
    _row(
        "or",
        b.boolean_list(e.Or, 2, None),
        "Any condition holds.",
        since=CONDITIONS,
        contexts=CONDITION_ONLY,
    ),
    # CloudFormation functions HOT 2013-05-23 still accepts; Fn::Select lasts until 2015-10-15.
    _row("Fn::Select", b.build_select, "Item of a list or map.", removed="2015-10-15"),
    _row(
        "Fn::GetAZs", b.unary(e.GetAZs, "region"), "Availability zones.", removed=CFN_IN_HOT_REMOVED
    ),
    _row("Fn::Join", b.join(None), "Join a list with a delimiter.", removed=CFN_IN_HOT_REMOVED),
    _row("Fn::Split", b.split(index_allowed=False), "Split a string.", removed=CFN_IN_HOT_REMOVED),
    _row("Fn::Replace", b.build_cfn_replace, "Replace substrings.", removed=CFN_IN_HOT_REMOVED),
    _row("Fn::Base64", b.unary(e.Base64, "value"), "No-op in Heat.", removed=CFN_IN_HOT_REMOVED),
    _row(
        "Fn::MemberListToMap",
        b.build_member_list_to_map,
        "Heat's member-list conversion.",
        removed=CFN_IN_HOT_REMOVED,
    ),
    _row(
        "Fn::ResourceFacade",
        b.unary(e.ResourceFacade, "kind"),
        "Facade of the parent resource.",
        removed=CFN_IN_HOT_REMOVED,
    ),
    _row(
        "Ref",
        b.cfn_ref(CFN_PSEUDO),
        "Reference to a parameter or resource.",
        removed=CFN_IN_HOT_REMOVED,
    ),
)
