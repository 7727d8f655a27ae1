"""Kiln's verdict against Heat's on every HOT and CloudFormation template of the corpus.

Kiln's verdict: `compile_file` with the built-in registries is valid when it reports no ERROR.
Heat's verdict: tools/heat_oracle.py (Heat 27's own template and stack validation, in process).
Parameters without a value are unknown on both sides: Kiln evaluates them as Unknown, the oracle
runs with "unknown_parameters" (it skips the values that use them, as Heat does for values that
use resources not created yet). Each template may reach files of its own repository
(corpus/<folder>/<source>/), as heatclient would read them.

Where Kiln finds errors and Heat's template validation does not, the oracle runs again with
"plugins" (Heat's resource plugins' own validate(), as at stack create): a row may require that
Heat then reports what Kiln reports.

Every disagreement must be explained by a row of KNOWN: a predicate over (Kiln's diagnostics,
Heat's error) with a category and a reason. Categories:

- kiln-stricter: Kiln reports a real problem that Heat's validation does not check;
- kiln-laxer: Kiln accepts what Heat rejects, on purpose, for the reason given;
- heat-needs-services: Heat's verdict needs an OpenStack service the oracle does not have;
- heat-needs-values: Heat needs a parameter's value to decide, and the corpus gives none;
- corpus-gap: the file references something missing from the corpus (today these agree: both
  sides report the missing file; the summary counts them apart).

Keep predicates narrow: one that hides a Kiln bug is worse than a failing test. A disagreement
no row explains fails the test with the template, Kiln's errors and Heat's error.
"""

import csv
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.driver import CompileOptions, compile_file
from kiln.frontends.cfn import versions as cfn_versions
from kiln.frontends.loader import CFN_SHORT_TAGS

pytestmark = pytest.mark.corpus


@dataclass(frozen=True)
class Case:
    path: str  # relative to the corpus
    format: str  # hot | cfn
    diagnostics: tuple[Diagnostic, ...]
    crash: str | None  # compile_file raised: a Kiln bug, never explained
    heat: dict[str, Any]
    root: str = ""  # the template's absolute path
    heat_create: dict[str, Any] | None = None  # Heat with its plugins' validate() too

    @property
    def kiln_errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity >= Severity.ERROR)

    @property
    def kiln_valid(self) -> bool:
        return self.crash is None and not self.kiln_errors

    @property
    def heat_valid(self) -> bool:
        return bool(self.heat["valid"])

    def heat_error(self, pattern: str, stage: str | None = None) -> re.Match[str] | None:
        """Heat's error, when it matches `pattern` (and came from `stage`)."""
        if self.heat_valid or (stage is not None and self.heat.get("stage") != stage):
            return None
        return re.search(pattern, self.heat.get("error") or "")

    def kiln_errors_all(self, code: str, test: Callable[[Diagnostic], bool] = bool) -> bool:
        """Kiln has errors, and every one of them is `code` and passes `test`."""
        errors = self.kiln_errors
        return bool(errors) and all(d.code.id == code and test(d) for d in errors)

    def kiln_reports(self, code: str, text: str) -> bool:
        return any(d.code.id == code and text in d.message for d in self.diagnostics)

    def in_nested_file(self, diagnostic: Diagnostic) -> bool:
        span = diagnostic.span
        return span is not None and Path(span.file).resolve() != Path(self.root).resolve()


@dataclass(frozen=True)
class Known:
    category: str
    what: str
    note: str
    applies: Callable[[Case], bool]

    @property
    def label(self) -> str:
        return f"{self.category}: {self.what}"


# --- the explained differences -----------------------------------------------------------------

# Sections CloudFormation has and Heat's CfnTemplate (heat/engine/cfn/template.py SECTIONS) lacks.
HEAT_CFN_SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion",
        "HeatTemplateFormatVersion",
        "Description",
        "Mappings",
        "Parameters",
        "Resources",
        "Outputs",
        "Conditions",
    }
)
AWS_ONLY_SECTIONS = (
    frozenset(cfn_versions.SECTIONS) | frozenset(cfn_versions.TRANSFORM_SECTIONS)
) - HEAT_CFN_SECTIONS


def _short_form(case: Case) -> bool:
    match = case.heat_error(r"could not determine a constructor for the tag '(![A-Za-z]+)'")
    return case.format == "cfn" and match is not None and match.group(1) in CFN_SHORT_TAGS


def _aws_section(case: Case) -> bool:
    match = case.heat_error(r"^The template section is invalid: (\S+)$", stage="template")
    return case.format == "cfn" and match is not None and match.group(1) in AWS_ONLY_SECTIONS


def _type_warned(case: Case) -> bool:
    match = case.heat_error(r"^The Resource Type \(([^)]+)\) could not be found\.$")
    return (
        case.format == "cfn"
        and match is not None
        and case.kiln_reports("SCH002", f"Heat has no type {match.group(1)!r}")
    )


def _aws_property_warned(case: Case) -> bool:
    """Heat rejects a property (or an update policy key) of one of its AWS types; Kiln warns
    SCH013 with Heat's words."""
    match = case.heat_error(
        r"^Property error: Resources\.(.+)\.(?:Properties|UpdatePolicy)(?:\.[^:]*)?: (.+)$"
    )
    if case.format != "cfn" or match is None:
        return False
    resource, said = match.groups()
    return any(
        d.code.id == "SCH013" and f"resource {resource!r}" in d.message and said in d.message
        for d in case.diagnostics
    )


def _aws_parameter_type(case: Case) -> bool:
    match = case.heat_error(r"^Invalid type \((.+)\)$")
    if case.format != "cfn" or match is None or case.heat.get("error_type") != "InvalidSchemaError":
        return False
    kind = match.group(1)
    return kind not in cfn_versions.BASIC_TYPES and kind.startswith(("AWS::", "List<"))


def _in_outputs(diagnostic: Diagnostic) -> bool:
    return bool(diagnostic.path) and diagnostic.path[0] in ("outputs", "Outputs")


def _in_group_member(diagnostic: Diagnostic) -> bool:
    """resources.<group>.properties.resource(_def).type: the type of a group's members."""
    path = diagnostic.path
    return len(path) == 5 and path[2] == "properties" and path[3] in ("resource", "resource_def")


# Heat's error, without the location it puts before the message.
_LOCATION = re.compile(r"^(Property error: )?(resources|Resources)\.[^ ]*?: ")


def _plugin_rule_confirmed(case: Case) -> bool:
    """Kiln's errors are all SCH012 (rules from the plugins' validate()), and Heat running its
    plugins reports one of them."""
    create = case.heat_create
    if not case.heat_valid or create is None or create["valid"]:
        return False
    said = _LOCATION.sub("", create.get("error") or "")
    return case.kiln_errors_all("SCH012") and case.kiln_reports("SCH012", said)


KNOWN: tuple[Known, ...] = (
    Known(
        "kiln-laxer",
        "CloudFormation YAML short forms (!Ref, !Sub, ...)",
        "Kiln reads AWS's short-form tags (kiln/frontends/loader.py CFN_SHORT_TAGS); Heat's YAML "
        "loader (heat/common/template_format.py) has no constructor for them and rejects the "
        "file before reading it.",
        _short_form,
    ),
    Known(
        "kiln-laxer",
        "CloudFormation template without AWSTemplateFormatVersion",
        "AWS makes the version optional and Kiln reads such a template as 2010-09-09 "
        "(kiln/frontends/cfn/versions.py NO_VERSION); heat/common/template_format.py requires "
        "a version key.",
        lambda c: (
            c.format == "cfn"
            and c.heat_error(r"^Template format version not found\.$", stage="parse") is not None
        ),
    ),
    Known(
        "kiln-laxer",
        "CloudFormation sections Heat lacks (Metadata, Transform, Rules, Globals, ...)",
        "Kiln reads AWS's sections (kiln/frontends/cfn/versions.py SECTIONS, TRANSFORM_SECTIONS); "
        "heat/engine/cfn/template.py knows only its own and rejects the others.",
        _aws_section,
    ),
    Known(
        "kiln-laxer",
        "CloudFormation resource types Heat lacks (Kiln warns SCH002)",
        "Heat says 'The Resource Type ... could not be found' (AWS types, Custom::*, modules, "
        "other clouds' plugins); Kiln names the same type in an SCH002 warning, so that AWS "
        "templates still validate for conversion.",
        _type_warned,
    ),
    Known(
        "kiln-laxer",
        "properties Heat's AWS types reject (Kiln warns SCH013)",
        "Heat's AWS::* plugins implement a subset of AWS's properties and update policies (no "
        "BucketName, InstanceType required, no WaitOnResourceSignals, ...); Kiln says so in an "
        "SCH013 warning, in Heat's words, since AWS may accept the template.",
        _aws_property_warned,
    ),
    Known(
        "kiln-laxer",
        "AWS-specific parameter types (AWS::EC2::KeyPair::KeyName, List<...>)",
        "Kiln reads them as strings or lists (kiln/frontends/cfn/versions.py AWS_SPECIFIC_TYPES); "
        "heat/engine/parameters.py Schema knows only String, Number, CommaDelimitedList, Json "
        "and Boolean.",
        _aws_parameter_type,
    ),
    Known(
        "heat-needs-services",
        "Fn::GetAZs asks nova for the availability zones",
        "The oracle has no cloud: Stack.get_availability_zones (heat/engine/stack.py) fails to "
        "connect, and Heat reports that as a property error.",
        lambda c: c.heat_error(r"Unable to establish connection to ") is not None,
    ),
    Known(
        "heat-needs-values",
        "a condition or policy needs a parameter the corpus gives no value",
        "With unknown parameters the oracle skips the property values that use them, but "
        "conditions and deletion policies must be resolved to validate the rest.",
        lambda c: bool(c.heat.get("needs_value")),
    ),
    Known(
        "kiln-stricter",
        "rules of Heat's plugins (SCH012), which Heat checks at stack create",
        "Resource.validate() of the plugins (Server: image or bootable volume, Subnet: cidr or "
        "subnetpool, ...) runs at stack create, not in template validation; the oracle ran them "
        "and Heat reported what Kiln reports.",
        _plugin_rule_confirmed,
    ),
    Known(
        "kiln-stricter",
        "retired resource types (SCH007)",
        "Heat 27 still registers its HIDDEN types and validates them; they are placeholders that "
        "create nothing (OS::Designate::Domain, OS::Heat::HARestarter) or need a retired "
        "service (neutron-lbaas).",
        lambda c: c.heat_valid and c.kiln_errors_all("SCH007"),
    ),
    Known(
        "kiln-stricter",
        "errors inside nested templates",
        "Kiln checks every template the root includes; Heat's template validation checks the "
        "root only and validates a nested stack when it creates it (StackResource.validate, "
        "group members when the group grows). The nested file is in the corpus and judged on "
        "its own too.",
        lambda c: (
            c.heat_valid and bool(c.kiln_errors) and all(map(c.in_nested_file, c.kiln_errors))
        ),
    ),
    Known(
        "kiln-stricter",
        "a group member type nothing defines (SCH001)",
        "AutoScalingGroup `resource` and ResourceGroup `resource_def` types are resolved when the "
        "group creates its members (heat/engine/resources/openstack/heat/), so Heat's template "
        "validation does not see them; the type needs an environment the corpus does not pair "
        "with the template.",
        lambda c: c.heat_valid and c.kiln_errors_all("SCH001", _in_group_member),
    ),
    Known(
        "kiln-stricter",
        "get_param of an undeclared parameter inside an output (REF001)",
        "Heat resolves outputs only when they are shown (heat/engine/output.py validate() checks "
        "arguments, not names); the template is broken all the same.",
        lambda c: c.heat_valid and c.kiln_errors_all("REF001", _in_outputs),
    ),
    Known(
        "kiln-stricter",
        "unknown key in an output (SYN019)",
        "heat/engine/hot/template.py checks output keys (validate_section) only when the outputs "
        "section is read through Template.__getitem__, which stack validation never does; Heat "
        "silently ignores the key.",
        lambda c: c.heat_valid and c.kiln_errors_all("SYN019"),
    ),
)


def explain(case: Case) -> Known | None:
    if case.crash is not None:
        return None
    return next((known for known in KNOWN if known.applies(case)), None)


# --- the run -----------------------------------------------------------------------------------


def _templates(corpus: Path) -> list[dict[str, str]]:
    """Every HOT and CFN template; cfn-bad files that do not even parse are left out."""
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        row
        for row in rows
        if row["format"] in ("hot", "cfn")
        and not (row["path"].startswith("cfn-bad/") and row["parse"] != "ok")
    ]


def _kiln(
    corpus: Path, relative: str, registries: Any
) -> tuple[tuple[Diagnostic, ...], str | None]:
    folder, source = relative.split("/")[:2]
    options = CompileOptions(allow_paths=(str(corpus / folder / source),))
    try:
        result = compile_file(str(corpus / relative), registries, options)
    except Exception as error:  # an internal error: a Kiln bug
        return (), f"{type(error).__name__}: {error}"
    return tuple(result.diagnostics), None


def _describe(case: Case) -> str:
    if case.crash is not None:
        kiln = f"raised {case.crash}"
    elif case.kiln_valid:
        kiln = "valid"
    else:
        kiln = "; ".join(
            f"{d.code.id} line {d.span.start.line if d.span else '?'}: {d.message}"
            for d in case.kiln_errors[:4]
        )
    text = f"{case.path}\n    Kiln: {kiln}\n    Heat: {_verdict(case.heat)}"
    if case.heat_create is not None:
        text += f"\n    Heat with its plugins' validate(): {_verdict(case.heat_create)}"
    return text


def _verdict(heat: dict[str, Any]) -> str:
    if heat["valid"]:
        return "valid"
    return f"{heat['error_type']} ({heat['stage']}): {(heat['error'] or '')[:300]}"


@pytest.fixture(scope="module")
def cases(corpus, registries, heat_oracle) -> list[Case]:
    rows = _templates(corpus)
    assert rows, "INDEX.tsv lists no HOT or CFN template"
    requests = [{"id": row["path"], "template": str(corpus / row["path"])} for row in rows]
    heat = heat_oracle.run(requests, unknown_parameters=True)
    built = []
    for row in rows:
        diagnostics, crash = _kiln(corpus, row["path"], registries)
        root = str(corpus / row["path"])
        built.append(Case(row["path"], row["format"], diagnostics, crash, heat[row["path"]], root))
    # Kiln stricter than Heat's template validation: ask Heat's plugins too.
    stricter = [c for c in built if c.heat_valid and c.crash is None and not c.kiln_valid]
    if stricter:
        requests = [{"id": c.path, "template": c.root} for c in stricter]
        create = heat_oracle.run(requests, unknown_parameters=True, plugins=True)
        built = [replace(c, heat_create=create.get(c.path)) for c in built]
    return built


def test_kiln_and_heat_agree_on_every_corpus_template(cases, heat_report):
    counts: Counter[tuple[str, str]] = Counter()
    unexplained = []
    for case in cases:
        if case.crash is None and case.kiln_valid == case.heat_valid:
            counts[(case.format, _agreement(case))] += 1
            continue
        known = explain(case)
        if known is None:
            unexplained.append(case)
            direction = (
                "Kiln valid, Heat invalid" if case.kiln_valid else "Kiln invalid, Heat valid"
            )
            counts[(case.format, f"UNEXPLAINED ({direction})")] += 1
        else:
            counts[(case.format, known.label)] += 1
    lines = _summary(counts, len(cases))
    heat_report.extend(lines)
    print("\n".join(lines))
    if unexplained:
        pytest.fail(
            f"{len(unexplained)} of {len(cases)} templates: Kiln and Heat disagree and no KNOWN "
            "row explains it:\n" + "\n".join(_describe(case) for case in unexplained),
            pytrace=False,
        )


CORPUS_GAP = "agree: both invalid, corpus-gap (heatclient cannot fetch a referenced file)"


def _agreement(case: Case) -> str:
    if case.kiln_valid:
        return "agree: both valid"
    if case.heat.get("stage") == "client" and case.kiln_reports("FIL001", ""):
        return CORPUS_GAP
    return "agree: both invalid"


def _summary(counts: Counter[tuple[str, str]], total: int) -> list[str]:
    labels = [
        "agree: both valid",
        "agree: both invalid",
        CORPUS_GAP,
        *(known.label for known in KNOWN),
        "UNEXPLAINED (Kiln valid, Heat invalid)",
        "UNEXPLAINED (Kiln invalid, Heat valid)",
    ]
    width = max(len(label) for label in labels)
    lines = [
        f"differential verdicts over {total} corpus templates (Heat 27 in process)",
        f"{'category':<{width}}  {'hot':>5}  {'cfn':>5}",
    ]
    for label in labels:
        hot, cfn = counts[("hot", label)], counts[("cfn", label)]
        lines.append(f"{label:<{width}}  {hot:>5}  {cfn:>5}")
    return lines
