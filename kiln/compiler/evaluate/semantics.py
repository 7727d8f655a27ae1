"""Which of Heat's implementations of a function applies, per spelling and template version.

Heat changed several functions' behaviour by swapping the class a HOT version maps the
spelling to (the `functions` dicts of heat/engine/hot/template.py; reference/heat.md §1.2).
Here each spelling has a table of (first version, Heat class); the evaluator asks for the
class name and branches on it. CloudFormation spellings have one class each
(heat/engine/cfn/template.py); in HOT 2013-05-23 they keep their CloudFormation classes.
"""

from typing import Final

# (first HOT version, Heat class) rows, oldest first.
VersionTable = tuple[tuple[str, str], ...]

HOT_VARIANTS: Final[dict[str, VersionTable]] = {
    "get_attr": (
        ("2013-05-23", "GetAttThenSelect"),
        ("2014-10-16", "GetAtt"),
        ("2015-10-15", "GetAttAllAttributes"),
    ),
    "list_join": (("2013-05-23", "Join"), ("2015-10-15", "JoinMultiple")),
    "str_replace": (("2013-05-23", "Replace"), ("2015-10-15", "ReplaceJson")),
    "str_replace_strict": (("2017-02-24", "ReplaceJsonStrict"),),
    "str_replace_vstrict": (("2017-09-01", "ReplaceJsonVeryStrict"),),
    "repeat": (
        ("2015-04-30", "Repeat"),
        ("2016-10-14", "RepeatWithMap"),
        ("2017-09-01", "RepeatWithNestedLoop"),
    ),
    "if": (("2016-10-14", "If"), ("2021-04-16", "IfNullable")),
}

# CloudFormation spellings (and HOT 2013-05-23's CloudFormation functions): one class each.
# Fn::Replace subclasses hot Replace (no JSON), Fn::Join subclasses hot Join (one list),
# Fn::GetAtt subclasses GetAttThenSelect; Fn::If is hot If (three arguments).
FIXED_VARIANTS: Final[dict[str, str]] = {
    "Fn::Join": "Join",
    "Fn::Replace": "Replace",
    "Fn::GetAtt": "GetAttThenSelect",
    "Fn::If": "If",
    # AWS only: Heat has no class; the evaluator applies AWS's semantics.
    "Fn::Sub": "Sub",
}

# Heat's options for yaql (heat/engine/hot/functions.py: yaql_opts defaults, Yaql.get_yaql_parser).
YAQL_OPTIONS: Final[dict[str, int]] = {
    "yaql.limitIterators": 200,
    "yaql.memoryQuota": 10000,
}

# CfnParameters: AWS::Region's default when the user gives none (heat/engine/cfn/parameters.py).
HEAT_DEFAULT_REGION: Final = "ap-southeast-1"


def variant(spelling: str, version: str) -> str:
    """Heat's class for a spelling in a template version; "" when the spelling has no
    versioned behaviour (the same class everywhere)."""
    fixed = FIXED_VARIANTS.get(spelling)
    if fixed is not None:
        return fixed
    table = HOT_VARIANTS.get(spelling)
    if table is None:
        return ""
    chosen = table[0][1]
    for since, name in table:
        if version >= since:
            chosen = name
    return chosen


def supports_conditions(dialect: str, version: str) -> bool:
    """Whether the template format has conditions at all (HOT from 2016-10-14, CfnTemplate;
    not HeatTemplate 2012-12-12). Where it has none, the frontend reports the `conditions`
    section and `condition` keys, and Heat rejects them: they decide nothing."""
    if dialect == "hot":
        from kiln.frontends.hot import versions as hot

        return hot.available(hot.RESOURCE_KEYS, "condition", version)
    if dialect == "cfn":
        from kiln.frontends.cfn import versions as cfn

        return cfn.available(cfn.RESOURCE_KEYS, "Condition", version)
    return True
