"""Lint rules: template versions. What a newer HOT version would give, CloudFormation
spellings that pin a template to HOT 2013-05-23, and the CloudFormation version keys Heat
needs."""

import re
from collections.abc import Iterator
from typing import Final

from kiln.compiler.diagnostics import Autofix, TextEdit
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.ir import expr as e
from kiln.compiler.lint.rule import LintRule, RuleContext, rule
from kiln.compiler.passes.sites import expressions
from kiln.compiler.source import Span
from kiln.frontends.hot import versions as hot
from kiln.frontends.hot.functions import HOT_FUNCTIONS

# What changed in an existing function at a version (the builders take these switch-over
# versions from their rows; this is their description, for people).
CHANGES: Final[dict[str, tuple[str, ...]]] = {
    "2015-10-15": (
        "get_attr with only a resource name (all attributes)",
        "list_join of several lists",
        "str_replace of lists and maps (as JSON)",
    ),
    "2016-10-14": ("repeat over the keys of a map",),
    "2017-09-01": ("repeat with permutations: false",),
    "2021-04-16": ("two-argument if (drops the item when false)",),
}
# The additions most templates miss, in the order messages name them.
HEADLINES: Final = (
    "the conditions section",
    "if",
    "two-argument if (drops the item when false)",
    "map_replace",
    "filter",
    "list_concat",
    "contains",
    "make_url",
    "yaql",
    "map_merge",
    "str_split",
    "repeat",
    "digest",
)
# Release names of every version, for messages (Heat accepts only newton's on as versions).
NAMES: Final = {date: name for name, date in {**hot.PRE_NEWTON_NAMES, **hot.ALIASES}.items()}


def additions(version: str) -> dict[str, list[str]]:
    """Per newer version: what it adds (functions, sections, keys, constraints) and changes,
    from the version tables."""
    found: dict[str, list[str]] = {v: [] for v in hot.VERSIONS if v > version}
    for spec in HOT_FUNCTIONS:
        if spec.since in found and "value" in spec.contexts:
            found[spec.since].append(spec.spelling)
        if spec.removed in found:
            found[spec.removed].append(f"no more {spec.spelling}")
        if spec.condition_since in found and spec.condition_since != spec.since:
            found[spec.condition_since].append(f"{spec.spelling} in conditions")
    for label, table in (
        ("section", hot.SECTIONS),  # "the conditions section"
        ("resource key", hot.RESOURCE_KEYS),
        ("output key", hot.OUTPUT_KEYS),
        ("parameter key", hot.PARAMETER_KEYS),
        ("constraint", hot.CONSTRAINT_KINDS),
    ):
        for name, since in table.items():
            if since in found:
                found[since].append(
                    f"the {name} {label}" if label == "section" else f"{label} {name}"
                )
    if hot.LOWERCASE_DELETION_POLICY_SINCE in found:
        found[hot.LOWERCASE_DELETION_POLICY_SINCE].append("lower-case deletion policies")
    for since, changes in CHANGES.items():
        if since in found:
            found[since].extend(changes)
    return {v: items for v, items in found.items() if items}


def _label(version: str) -> str:
    name = NAMES.get(version)
    return f"{version} ({name})" if name else version


def version_span(context: RuleContext, keys: tuple[str, ...]) -> Span | None:
    """The value of the template's version key, found in the text (the IR keeps only the
    value)."""
    source = context.source
    if source is None:
        return None
    names = "|".join(re.escape(key) for key in keys)
    pattern = re.compile(r"^[ \t{]*[\"']?(?:" + names + r")[\"']?\s*:\s*([^\s,}#]+)", re.MULTILINE)
    match = pattern.search(source.text)
    return source.span(match.start(1), match.end(1)) if match else None


@rule(
    "VER001",
    "old-template-version",
    Severity.INFO,
    "A HOT version older than the versions that added what templates use today.",
    message="heat_template_version {version} is older than {older_than}; later versions add "
    "{highlights}",
    dialects=("hot",),
    settings={"older-than": "2016-10-14"},
    doc="""\
Each HOT version adds functions and keys (heat.md §1.2): 2016-10-14 (newton) brought
`conditions`, `if`, `map_replace` and `yaql`; 2017-02-24 `filter` and `str_replace_strict`;
2017-09-01 `make_url`, `list_concat` and `contains`; 2018-03-02 parameter `tags`; 2021-04-16
(wallaby) the two-argument `if`. A template on an old version cannot use them, and writers work
around their absence (a ResourceGroup with `count: 0` instead of a condition). The hint lists
everything each later version adds.

Raising the version is usually safe: the one break is 2014-10-16, which drops the
CloudFormation functions (`Ref`, `Fn::Join`, ...; see cfn-function-in-hot) that 2013-05-23 still
accepts, and 2015-10-15, which drops `Fn::Select`.

Setting `older-than` (default `2016-10-14`): the version below which the rule speaks.

```yaml
# bad: no conditions, no `if`
heat_template_version: 2015-04-30
# good
heat_template_version: 2021-04-16
```""",
)
def old_template_version(context: RuleContext) -> None:
    template = context.template
    older_than = str(context.setting("older-than") or "2016-10-14")
    older_than = hot.canonical_version(older_than) or older_than
    if not template.version or template.version >= older_than:
        return
    newer = additions(template.version)
    if not newer:
        return
    offered = {item for items in newer.values() for item in items}
    headline = [item for item in HEADLINES if item in offered]
    highlights = ", ".join(headline[:5]) + (", ..." if len(offered) > 5 else "")
    hint = "; ".join(f"{_label(v)}: {', '.join(items)}" for v, items in newer.items())
    context.report(
        version_span(context, (hot.VERSION_KEY,)) or template.span,
        (hot.VERSION_KEY,),
        hint=hint,
        version=_label(template.version),
        older_than=_label(older_than),
        highlights=highlights,
    )


# CloudFormation spellings HOT 2013-05-23 accepts, and what HOT writes instead. A replacement
# with the same arguments is a safe fix (HOT 2013-05-23 implements both with one class).
CFN_IN_HOT: Final[dict[str, str]] = {
    "Fn::Join": "list_join",
    "Fn::ResourceFacade": "resource_facade",
    "Fn::Select": "",
    "Fn::Split": "",
    "Fn::Replace": "",
    "Fn::Base64": "",
    "Fn::GetAZs": "",
    "Fn::MemberListToMap": "",
}
ADVICE: Final[dict[str, str]] = {
    "Fn::Select": "use a get_attr or get_param path, or yaql",
    "Fn::Split": "use str_split (from 2015-10-15)",
    "Fn::Replace": "use str_replace",
    "Fn::Base64": "drop it: Heat passes the value through unchanged",
    "Fn::GetAZs": "take the availability zone from a parameter",
    "Fn::MemberListToMap": "pass a json parameter instead",
}


def _cfn_calls(context: RuleContext) -> Iterator[tuple[e.Expr, str, tuple[str | int, ...]]]:
    for _, found in expressions(context.template):
        for node, path in found:
            spelling = getattr(node, "spelling", "")
            if spelling == "Ref" or spelling in CFN_IN_HOT:
                yield node, spelling, path


@rule(
    "VER002",
    "cfn-function-in-hot",
    Severity.WARNING,
    "A CloudFormation function in a HOT template, which later HOT versions reject.",
    message="{spelling} is CloudFormation's spelling, which HOT accepts only up to {last}; "
    "{advice}",
    dialects=("hot",),
    fixable=True,
    doc="""\
HOT 2013-05-23 still accepts CloudFormation's functions (`Ref`, `Fn::Join`, `Fn::Select`,
`Fn::Base64`, ...); 2014-10-16 rejects them ("The function Fn::Join is not supported in this
version of HOT"), `Fn::Select` from 2015-10-15. A template that uses them is stuck on the oldest
HOT version. Write the HOT function instead:

| CloudFormation | HOT |
| --- | --- |
| `Ref: resource` / `Ref: parameter` | `get_resource` / `get_param` |
| `Fn::Join: [d, list]` | `list_join: [d, list]` |
| `Fn::ResourceFacade` | `resource_facade` |

The fix renames those three (same arguments, same behaviour).

```yaml
# bad
name: {"Fn::Join": ["-", [{get_param: prefix}, net]]}
network: {Ref: net}
# good
name: {list_join: ["-", [{get_param: prefix}, net]]}
network: {get_resource: net}
```""",
)
def cfn_function_in_hot(context: RuleContext) -> None:
    for node, spelling, path in _cfn_calls(context):
        replacement = CFN_IN_HOT.get(spelling, "")
        if isinstance(node, e.ResourceRef):
            replacement = "get_resource"
        elif isinstance(node, e.ParamRef):
            replacement = "get_param"
        elif spelling == "Ref":
            replacement = ""  # a pseudo parameter: HOT spells those differently
        last = "2015-04-30" if spelling == "Fn::Select" else "2013-05-23"
        advice = f"write {replacement}" if replacement else ADVICE.get(spelling, "use get_param")
        context.report(
            _spelling_span(context, node, spelling) or node.span,
            path,
            autofix=_rename(context, node, spelling, replacement),
            spelling=spelling,
            last=last,
            advice=advice,
        )


def _spelling_span(context: RuleContext, node: e.Expr, spelling: str) -> Span | None:
    source = context.source
    span = node.span
    if source is None or span is None:
        return None
    found = source.text.find(spelling, span.start.offset, span.end.offset)
    return source.span(found, found + len(spelling)) if found != -1 else None


def _rename(context: RuleContext, node: e.Expr, spelling: str, replacement: str) -> Autofix | None:
    span = _spelling_span(context, node, spelling) if replacement else None
    if span is None:
        return None
    edit = TextEdit(span.file, span.start.offset, span.end.offset, replacement)
    return Autofix(f"write {replacement} instead of {spelling}", (edit,), safe=True)


@rule(
    "VER003",
    "missing-format-version",
    Severity.ERROR,
    "A CloudFormation template without AWSTemplateFormatVersion, which Heat refuses.",
    message="Heat needs AWSTemplateFormatVersion (or HeatTemplateFormatVersion) to read a "
    'CloudFormation template: it refuses this one with "Template format version not found"',
    dialects=("cfn",),
    targets=("heat",),
    fixable=True,
    doc="""\
AWS reads a template without `AWSTemplateFormatVersion`, but Heat tells its dialects apart by
the version key and refuses a template that has none. Add the key; `2010-09-09` is the only
value, and AWS accepts it too (the fix adds it as the first key).

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ...
```""",
)
def missing_format_version(context: RuleContext) -> None:
    template = context.template
    if template.version_spelling or template.version:
        return
    source = context.source
    fix = None
    if source is not None:
        text = source.text
        stripped = len(text) - len(text.lstrip())
        if text[stripped : stripped + 1] == "{":
            edit = TextEdit(
                source.path,
                stripped + 1,
                stripped + 1,
                '\n  "AWSTemplateFormatVersion": "2010-09-09",',
            )
        else:
            start = _document_start(text)
            edit = TextEdit(source.path, start, start, 'AWSTemplateFormatVersion: "2010-09-09"\n')
        fix = Autofix("add AWSTemplateFormatVersion", (edit,), safe=True)
    context.report(template.span, (), autofix=fix)


def _document_start(text: str) -> int:
    """After leading comments, blank lines and a `---` marker: where the first key goes."""
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            break
        offset += len(line)
    return offset


@rule(
    "VER004",
    "heat-cfn-format",
    Severity.INFO,
    "A template in Heat's own CloudFormation format, which has no conditions.",
    message="HeatTemplateFormatVersion 2012-12-12 has no Conditions and no Fn::If; "
    "AWSTemplateFormatVersion 2010-09-09 is the same in Heat with them, and HOT is Heat's own "
    "format",
    dialects=("cfn",),
    targets=("heat",),
    fixable=True,
    doc="""\
`HeatTemplateFormatVersion: '2012-12-12'` is Heat's early CloudFormation dialect: Heat reads it
like `AWSTemplateFormatVersion: '2010-09-09'` except that it has no `Conditions` section and no
`Fn::If`. Switch to the AWS version key (the fix does; unsafe only because Kiln then also takes
the template to be AWS-compatible), or better, to HOT, which is where Heat's new features go.

```yaml
# bad
HeatTemplateFormatVersion: '2012-12-12'
# good
AWSTemplateFormatVersion: '2010-09-09'
```""",
)
def heat_cfn_format(context: RuleContext) -> None:
    template = context.template
    if template.version != "2012-12-12":
        return
    source = context.source
    span = version_span(context, ("HeatTemplateFormatVersion",))
    fix = None
    if source is not None and span is not None:
        key = source.text.rfind("HeatTemplateFormatVersion", 0, span.start.offset)
        if key != -1:
            value = source.text[span.start.offset : span.end.offset]
            quote = value[0] if value[:1] in "\"'" else ""
            edits = (
                TextEdit(
                    source.path,
                    key,
                    key + len("HeatTemplateFormatVersion"),
                    "AWSTemplateFormatVersion",
                ),
                TextEdit(
                    source.path, span.start.offset, span.end.offset, f"{quote}2010-09-09{quote}"
                ),
            )
            fix = Autofix("use AWSTemplateFormatVersion 2010-09-09", edits, safe=False)
    context.report(span or template.span, ("HeatTemplateFormatVersion",), autofix=fix)


RULES: tuple[LintRule, ...] = (
    old_template_version,
    cfn_function_in_hot,
    missing_format_version,
    heat_cfn_format,
)
