"""Issue 4's acceptance tests: `kiln lint` over the shared corpus, against cfn-lint and Heat.

(a) On cfn-bad/ (cfn-lint's own negative fixtures), Kiln reports an error in every template
    for which cfn-lint's expectations (EXPECTED.tsv: rule ids taken from cfn-lint's unit tests)
    list an error about template structure, references, functions, parameters, outputs,
    mappings, conditions, or properties of resource types Kiln has a schema for. REMAINING
    lists the expected templates Kiln does not flag, each with the reason; templates whose
    expected errors are outside those categories are reported with the category's reason.
(b) On the good corpora, no error on any template the reference accepts, unless a row of
    CFN_EXPLAINED (CloudFormation, reference: cfn-lint 1.58.0, run once over all of cfn/ with
    --format json; accepted = no E-level match) or the differential test's KNOWN table (HOT,
    reference: Heat 27 in process, tests/heat_reference/) explains every error.

Kiln's verdict is `kiln lint`'s: the lint session (kiln/compiler/lint/session.py) with every
registered rule, so rules added later are checked too. A template may read the files of its
own repository (corpus/<folder>/<source>/), as in the differential test.

The references are optional: without the corpus (KILN_CORPUS), cfn-lint (KILN_CFNLINT, set by
`make test` to .venv-peers/bin/cfn-lint) or Heat (KILN_HEAT_PYTHON) a test skips and says so.
"""

import csv
import json
import os
import re
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from heat_reference.conftest import heat_oracle  # noqa: F401  (the fixture, reused)
from heat_reference.test_differential_verdicts import Case, explain

from kiln.compiler.diagnostics import Diagnostic, Severity
from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.lint.rule import Target

pytestmark = pytest.mark.corpus

CFN_LINT_VERSION = "1.58.0"  # what peers.md measured and the Makefile pins


# --- Kiln's side -----------------------------------------------------------------------------


def source_root(corpus: Path, relative: str) -> Path:
    folder, source = relative.split("/")[:2]
    return corpus / folder / source


def lint(corpus: Path, relative: str, registries, target: Target | None) -> list[Diagnostic]:
    """What `kiln lint --target <target> <file>` reports for one corpus template."""
    options = CompileOptions(allow_paths=(str(source_root(corpus, relative)),))
    path = str(corpus / relative)
    try:
        from kiln.compiler.lint.session import LintRequest, run
    except ImportError:  # before the session existed: validation plus every rule
        from kiln.compiler.lint.runner import run_rules

        result = compile_file(path, registries, options)
        found = list(result.diagnostics)
        if result.unit is not None:
            found += run_rules(result.unit, registries.lint_rules, registries, target=target)
        return found
    report = run(LintRequest(paths=[path], target=target, compile=options), registries)
    return [*report.config_errors, *report.diagnostics]


def errors(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity >= Severity.ERROR]


def index_rows(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def describe(relative: str, found: Sequence[Diagnostic]) -> str:
    shown = "; ".join(
        f"{d.code.id} line {d.span.start.line if d.span else '?'}: {d.message[:160]}"
        for d in found[:4]
    )
    return f"  {relative}: {shown or 'no error'}"


def show(capsys, lines: list[str]) -> None:
    """The summary goes to the terminal even when the test passes: it is the report."""
    with capsys.disabled():
        print("\n" + "\n".join(lines))


# --- (a) cfn-lint's bad fixtures -------------------------------------------------------------

BAD_SOURCE = "cfn-bad/cfn-lint"

# cfn-lint's rule-id categories (docs/rules.md) that issue 4 asks Kiln to match.
CATEGORIES = {
    "E0": "template structure (parsing)",
    "E1": "functions and references",
    "E2": "parameters",
    "E3": "resources",
    "E6": "outputs",
    "E7": "mappings",
    "E8": "conditions",
}
# Rules of those categories that are not about the template, and E3 rules that are about the
# template's structure rather than a resource type's properties.
NOT_ABOUT_THE_TEMPLATE = {
    "E0002": "cfn-lint's own rule crashed (cfnlint/rules/errors/rule.py): a cfn-lint problem",
    "E0003": "cfn-lint's configuration is wrong (cfnlint/rules/errors/config.py): the unit "
    "test passes a bad configuration",
}
STRUCTURAL_E3 = {"E3007": "resource and parameter names must be unique"}
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

# Expected templates Kiln reports no error on, and why. A row whose template Kiln now flags is
# reported as stale (remove it); a row naming no expected template fails the test.
REMAINING = {
    "test/fixtures/templates/bad/functions/foreach_no_transform.yaml": (
        "kiln gap: Fn::ForEach needs `Transform: AWS::LanguageExtensions` (cfn-lint E1032); "
        "Kiln reads `Fn::ForEach::Buckets` as a resource named so and checks no transform"
    ),
    "test/fixtures/templates/bad/functions/sub_needed.yaml": (
        "kiln gap: `${Var}` in a plain string that is not inside Fn::Sub (cfn-lint E1029); no "
        "Kiln rule looks for it yet"
    ),
    "test/fixtures/templates/bad/override/required.yaml": (
        "not an error on AWS: cfn-lint's unit test (test/unit/module/override/test_required.py) "
        "lints it with an override spec that makes BucketName required; AWS::S3::Bucket needs "
        "no property, and Kiln agrees"
    ),
}


@dataclass(frozen=True)
class Expectation:
    relative: str  # corpus-relative path
    rules: frozenset[str]  # the E rules that make it expected
    reason: str  # why it is, or why it is not, expected


def expected_rules(corpus: Path) -> dict[str, set[str]]:
    """Template (repository-relative) -> E rule ids its EXPECTED.tsv rows list."""
    table = corpus / BAD_SOURCE / "EXPECTED.tsv"
    rules: dict[str, set[str]] = defaultdict(set)
    with table.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            ids = {rule for rule in (row["expected_rule_ids"] or "").split(",") if rule}
            rules[row["path"]].update(rule for rule in ids if rule.startswith("E"))
    return {path: ids for path, ids in rules.items() if ids}


def unknown_types(corpus: Path, relative: str, registries) -> list[str]:
    """Resource types of the template Kiln has no schema for (None: it does not compile)."""
    result = compile_file(str(corpus / relative), registries)
    if result.unit is None:
        return []
    types = {resource.type for resource in result.unit.root.resources.values()}
    return sorted(t or "(no type)" for t in types if registries.schemas.get(t) is None)


def classify(corpus: Path, template: str, rules: set[str], registries) -> tuple[bool, str]:
    """(expected?, why) for one template of cfn-bad and its E rules."""
    relative = f"{BAD_SOURCE}/{template}"
    reasons = []
    for rule in sorted(rules):
        category = CATEGORIES.get(rule[:2])
        if category is None:
            reasons.append(f"{rule}: outside issue 4's categories (E4 metadata, E5 modules)")
        elif rule in NOT_ABOUT_THE_TEMPLATE:
            reasons.append(f"{rule}: {NOT_ABOUT_THE_TEMPLATE[rule]}")
        elif rule == "E0001":
            reasons.append(f"{rule}: a transform failed; Kiln does not run AWS's transforms")
        elif rule.startswith("E3") and rule not in STRUCTURAL_E3:
            text = (corpus / relative).read_text(encoding="utf-8", errors="replace")
            missing = unknown_types(corpus, relative, registries)
            if SAM_TRANSFORM in text:
                reasons.append(f"{rule}: the template needs the SAM transform to be read")
            elif missing:
                # EXPECTED.tsv does not say which resource the finding is about: only a
                # template whose every type Kiln knows is sure to be about a known type.
                reasons.append(f"{rule}: types Kiln has no schema for: {', '.join(missing)}")
            else:
                return True, f"{rule}: {category}, on types Kiln has schemas for"
        else:
            return True, f"{rule}: {STRUCTURAL_E3.get(rule, category)}"
    return False, "; ".join(reasons)


def test_kiln_flags_what_cfn_lint_expects_in_its_bad_fixtures(corpus, registries, capsys):
    if not (corpus / BAD_SOURCE / "EXPECTED.tsv").is_file():
        pytest.skip(f"{BAD_SOURCE}/EXPECTED.tsv not in the corpus at {corpus}")
    expected: list[Expectation] = []
    outside: list[Expectation] = []
    for template, rules in sorted(expected_rules(corpus).items()):
        is_expected, reason = classify(corpus, template, rules, registries)
        item = Expectation(f"{BAD_SOURCE}/{template}", frozenset(rules), reason)
        (expected if is_expected else outside).append(item)
    assert expected, "EXPECTED.tsv gave no template to check"
    unknown_rows = sorted(set(REMAINING) - {e.relative.split("/", 2)[2] for e in expected})
    assert not unknown_rows, f"REMAINING rows for templates that are not expected: {unknown_rows}"

    missed, flagged, remaining, stale = [], [], [], []
    for item in expected:
        found = errors(lint(corpus, item.relative, registries, "aws"))
        key = item.relative.split("/", 2)[2]
        if found:
            flagged.append(describe(item.relative, found))
            if key in REMAINING:
                stale.append(f"  {key}: Kiln now reports an error; remove its REMAINING row")
        elif key in REMAINING:
            remaining.append(f"  {item.relative}: {REMAINING[key]}")
        else:
            missed.append(f"  {item.relative} ({item.reason}): Kiln reports no error")
    show(
        capsys,
        [
            f"cfn-lint's bad fixtures: {len(expected)} templates expected to have errors, "
            f"{len(flagged)} flagged by Kiln, {len(remaining)} remaining (REMAINING), "
            f"{len(outside)} outside issue 4's categories",
            *flagged,
            "remaining:",
            *remaining,
            "outside the categories:",
            *(f"  {e.relative}: {e.reason}" for e in outside),
            *(["stale rows:", *stale] if stale else []),
        ],
    )
    assert not missed, "Kiln reports no error where cfn-lint expects one:\n" + "\n".join(missed)


# --- (b) the good CloudFormation corpus against cfn-lint -------------------------------------


@dataclass(frozen=True)
class Explained:
    category: str  # true-positive | kiln-gap | corpus-gap | disputed
    what: str
    why: str
    applies: Callable[[Diagnostic, str], bool]  # (one error, the corpus-relative template)


def _message(code: str, pattern: str) -> Callable[[Diagnostic, str], bool]:
    regex = re.compile(pattern)
    return lambda d, _path: d.code.id == code and regex.search(d.message) is not None


CFN_EXPLAINED: tuple[Explained, ...] = (
    Explained(
        "true-positive",
        "the rain CLI's !Rain::* directives (SYN004)",
        "`!Rain::Embed` is expanded by `rain pkg` before deploying; CloudFormation's own YAML "
        "reader rejects the tag. cfn-lint's loader turns any !Tag into Fn::Tag and lets it "
        "through.",
        _message("SYN004", r"unknown YAML tag '!Rain::"),
    ),
    Explained(
        "corpus-gap",
        "a nested stack's local TemplateURL the corpus does not hold (FIL001)",
        "the corpus copied cfn-lint's template fixtures, not every file they name; cfn-lint does "
        "not open nested templates, Kiln does and finds the file missing.",
        lambda d, path: (
            d.code.id == "FIL001"
            and path.startswith("cfn/cfn-lint/")
            and d.message.startswith("nested stack template ")
        ),
    ),
)


def cfn_lint_path() -> str:
    executable = os.environ.get("KILN_CFNLINT")
    if not executable:
        pytest.skip(
            "cfn-lint not configured: set KILN_CFNLINT to a cfn-lint executable "
            f"(`make test` builds .venv-peers with cfn-lint=={CFN_LINT_VERSION} and sets it)"
        )
    if not os.access(executable, os.X_OK):
        pytest.skip(f"KILN_CFNLINT={executable} is not an executable")
    return executable


@pytest.fixture(scope="session")
def cfn_lint_verdicts(corpus) -> dict[str, frozenset[str]]:
    """Corpus-relative path of every good CloudFormation template -> the E rules cfn-lint
    reports on it; one cfn-lint process for all of them (its start-up costs ~0.7 s)."""
    executable = cfn_lint_path()
    version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if CFN_LINT_VERSION not in version:
        pytest.skip(f"KILN_CFNLINT is {version!r}, not cfn-lint {CFN_LINT_VERSION}")
    paths = [
        row["path"]
        for row in index_rows(corpus)
        if row["format"] == "cfn" and row["path"].startswith("cfn/")
    ]
    done = subprocess.run(
        [executable, "--format", "json", "--", *paths],
        capture_output=True,
        text=True,
        cwd=corpus,
        check=False,
    )
    # Exit status: bits 2 error, 4 warning, 8 info; 1 is cfn-lint failing (README "Exit Codes").
    if done.returncode & 1 or not done.stdout.strip():
        pytest.fail(f"cfn-lint failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    verdicts: dict[str, set[str]] = {path: set() for path in paths}
    for match in json.loads(done.stdout):
        if match["Level"] == "Error":
            verdicts.setdefault(match["Filename"], set()).add(match["Rule"]["Id"])
    return {path: frozenset(rules) for path, rules in verdicts.items()}


def test_no_error_on_cfn_templates_cfn_lint_accepts(corpus, registries, cfn_lint_verdicts, capsys):
    accepted = sorted(path for path, rules in cfn_lint_verdicts.items() if not rules)
    assert accepted, "cfn-lint accepts no template of the corpus: check its output"
    used: Counter[str] = Counter()
    unexplained = []
    for relative in accepted:
        found = errors(lint(corpus, relative, registries, None))
        rows = [
            next((row for row in CFN_EXPLAINED if row.applies(d, relative)), None) for d in found
        ]
        if any(row is None for row in rows):
            unexplained.append(
                describe(relative, [d for d, row in zip(found, rows, strict=True) if row is None])
            )
            continue
        for row in {id(row): row for row in rows if row is not None}.values():
            used[f"{row.category}: {row.what}"] += 1
    show(
        capsys,
        [
            f"good CloudFormation templates: {len(cfn_lint_verdicts)}, cfn-lint "
            f"{CFN_LINT_VERSION} accepts {len(accepted)}; Kiln errors on them, by explanation "
            "(templates):",
            *(f"  {count:4}  {label}" for label, count in sorted(used.items())),
            f"  {len(unexplained):4}  UNEXPLAINED",
        ],
    )
    assert not unexplained, (
        f"{len(unexplained)} templates cfn-lint accepts get Kiln errors no CFN_EXPLAINED row "
        "explains:\n" + "\n".join(unexplained)
    )


# --- (b) the good HOT corpus against Heat ----------------------------------------------------


def test_no_error_on_hot_templates_heat_accepts(corpus, registries, heat_oracle, capsys):  # noqa: F811
    """Heat's verdict: tools/heat_oracle.py, parameters without a value unknown (as in the
    differential test). Kiln's errors on a template Heat accepts must be explained by a row of
    the differential test's KNOWN table (kiln-stricter rows: true positives with their reasons),
    with Heat's plugins asked where a row needs them."""
    rows = [row for row in index_rows(corpus) if row["format"] == "hot"]
    assert rows, "INDEX.tsv lists no HOT template"
    requests = [{"id": row["path"], "template": str(corpus / row["path"])} for row in rows]
    heat = heat_oracle.run(requests, unknown_parameters=True)
    cases = []
    for row in rows:
        verdict = heat[row["path"]]
        if not verdict["valid"]:
            continue
        found = lint(corpus, row["path"], registries, None)
        root = str(corpus / row["path"])
        cases.append(Case(row["path"], "hot", tuple(found), None, verdict, root))
    stricter = [case for case in cases if case.kiln_errors]
    if stricter:  # the KNOWN rows about Heat's plugin rules need Heat's plugins' verdict
        create = heat_oracle.run(
            [{"id": c.path, "template": c.root} for c in stricter],
            unknown_parameters=True,
            plugins=True,
        )
        stricter = [replace(case, heat_create=create.get(case.path)) for case in stricter]
    used: Counter[str] = Counter()
    unexplained = []
    for case in stricter:
        known = explain(case)
        if known is None:
            unexplained.append(describe(case.path, list(case.kiln_errors)))
        else:
            used[known.label] += 1
    show(
        capsys,
        [
            f"HOT templates: {len(rows)}, Heat accepts {len(cases)}; Kiln errors on "
            f"{len(stricter)} of them, by explanation (tests/heat_reference KNOWN):",
            *(f"  {count:4}  {label}" for label, count in sorted(used.items())),
            f"  {len(unexplained):4}  UNEXPLAINED",
        ],
    )
    assert not unexplained, (
        f"{len(unexplained)} templates Heat accepts get Kiln errors no KNOWN row explains:\n"
        + "\n".join(unexplained)
    )
