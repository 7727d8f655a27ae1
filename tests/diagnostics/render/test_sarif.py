"""SARIF output: valid against OASIS's own schema, and saying what the findings say."""

import json
import shutil
from functools import cache
from pathlib import Path

import jsonschema
from kiln_testing import compare_golden
from render_sample import ROOT, build_sample

from kiln.compiler.diagnostics.codes import BUILTIN_CODES, Severity
from kiln.compiler.diagnostics.render import RENDERERS, rule_table
from kiln.compiler.diagnostics.render.sarif import SRCROOT, sarif_log

SCHEMA = Path(__file__).resolve().parents[2] / "data" / "sarif" / "sarif-schema-2.1.0.json"
GOLDEN = Path(__file__).resolve().parent / "golden"


@cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The official file is a draft-04 schema (its $schema); validate with that draft.
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def assert_valid(log: dict) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def render(sample, **kwargs) -> dict:
    text = RENDERERS["sarif"](sample.diagnostics, sample.sources, root=str(ROOT), **kwargs)
    return json.loads(text)


def test_output_is_valid_sarif(sample):
    rules = rule_table(BUILTIN_CODES, sample.lint_rules)
    assert_valid(render(sample, rules=rules))
    assert_valid(render(sample))  # without rule documentation too


def test_an_empty_run_is_valid_sarif():
    log = json.loads(RENDERERS["sarif"]([], {}))
    assert_valid(log)
    assert log["runs"][0]["results"] == []


def test_validation_catches_a_broken_log(sample):
    """The schema check can fail: a level SARIF does not have is rejected."""
    log = render(sample)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator().iter_errors(log))


def test_results_point_at_their_rules_and_spans(sample):
    run = render(sample)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted({d.code.id for d in sample.diagnostics})
    assert len(run["results"]) == len(sample.diagnostics)
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for result, diagnostic in zip(run["results"], sample.diagnostics, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == diagnostic.code.id
        assert result["level"] == level[diagnostic.severity]
        assert result["message"]["text"] == diagnostic.message
        if diagnostic.path:
            (logical,) = result["locations"][0]["logicalLocations"]
            assert logical["fullyQualifiedName"] == diagnostic.dotted_path
        span = diagnostic.span
        if span is None:
            assert "physicalLocation" not in result["locations"][0]
            continue
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {
            "uri": "tests/diagnostics/render/sample/bad.yaml",
            "uriBaseId": SRCROOT,
        }
        assert physical["region"] == {
            "startLine": span.start.line,
            "startColumn": span.start.column,
            "endLine": span.end.line,
            "endColumn": span.end.column,
        }
    assert run["originalUriBaseIds"][SRCROOT]["uri"] == ROOT.as_uri() + "/"


def test_rule_descriptions_come_from_codes_and_lint_rules(sample):
    rules = rule_table(BUILTIN_CODES, sample.lint_rules)
    described = {
        r["id"]: r for r in render(sample, rules=rules)["runs"][0]["tool"]["driver"]["rules"]
    }
    lint_rule = next(r for r in sample.lint_rules if r.id == "UNU001")
    unused = described["UNU001"]
    assert unused["name"] == lint_rule.name
    assert unused["shortDescription"]["text"] == lint_rule.code.summary
    assert unused["fullDescription"]["markdown"] == lint_rule.doc.strip()
    assert unused["help"]["markdown"] == lint_rule.doc.strip()
    assert unused["helpUri"] == lint_rule.code.doc_url
    assert unused["defaultConfiguration"]["level"] == "warning"
    syn003 = next(code for code in BUILTIN_CODES if code.id == "SYN003")
    assert described["SYN003"]["fullDescription"] == {"text": syn003.summary}
    assert described["SYN003"]["defaultConfiguration"]["level"] == "error"
    assert described["TST001"]["defaultConfiguration"]["level"] == "note"


def test_notes_become_related_locations(sample):
    run = render(sample)["runs"][0]
    duplicate = next(r for r in run["results"] if r["ruleId"] == "SYN003")
    (related,) = duplicate["relatedLocations"]
    assert related["message"]["text"] == "first defined here"
    assert related["physicalLocation"]["region"]["startLine"] == 4
    unused = next(r for r in run["results"] if r["ruleId"] == "UNU001")
    assert [loc["message"]["text"] for loc in unused["relatedLocations"]] == [
        "also shown in a note, 100% sure"
    ]
    assert unused["properties"]["help"] == "rename it: flavor_2, or drop it"


def test_fix_replacements_apply_like_the_autofix_edits(sample):
    """Applying the SARIF replacements (charOffset/charLength) to the file gives what applying
    Kiln's TextEdits gives, and their lines and columns agree with the offsets."""
    diagnostic = next(d for d in sample.diagnostics if d.autofix is not None)
    result = render(sample)["runs"][0]["results"][sample.diagnostics.index(diagnostic)]
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == diagnostic.autofix.description
    assert fix["properties"]["safe"] is False
    (change,) = fix["artifactChanges"]
    source = sample.sources[diagnostic.autofix.edits[0].file]
    text = source.text
    for replacement in sorted(
        change["replacements"], key=lambda r: -r["deletedRegion"]["charOffset"]
    ):
        region = replacement["deletedRegion"]
        start = region["charOffset"]
        end = start + region["charLength"]
        assert (region["startLine"], region["startColumn"]) == source.position(start)[:2]
        assert (region["endLine"], region["endColumn"]) == source.position(end)[:2]
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    expected = source.text
    for edit in sorted(diagnostic.autofix.edits, key=lambda e: -e.start):
        expected = expected[: edit.start] + edit.text + expected[edit.end :]
    assert text == expected
    assert "  flavor_2:  # expect: SYN003, UNU001" in text.splitlines()


def test_fingerprints_survive_moved_lines(registries, tmp_path):
    """The same findings two lines further down keep their fingerprints; their regions move."""
    case = Path(__file__).resolve().parent / "sample" / "bad.yaml"
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    shutil.copy(case, before / "bad.yaml")
    (after / "bad.yaml").write_text(
        "# a comment\n# another\n" + case.read_text(encoding="utf-8"), encoding="utf-8"
    )
    runs = []
    for root in (before, after):
        sample = build_sample(registries, root / "bad.yaml")
        runs.append(sarif_log(sample.diagnostics, sample.sources, root=str(root))["runs"][0])
    fingerprints = [[r["partialFingerprints"] for r in run["results"]] for run in runs]
    assert fingerprints[0] == fingerprints[1]
    values = [next(iter(f.values())) for f in fingerprints[0]]
    assert len(set(values)) == len(values), "two findings share a fingerprint"
    lines = [
        [
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in run["results"]
            if r["locations"] and "physicalLocation" in r["locations"][0]
        ]
        for run in runs
    ]
    assert [line + 2 for line in lines[0]] == lines[1]


def test_golden(sample, update_golden):
    log = render(sample, rules=rule_table(BUILTIN_CODES, sample.lint_rules))
    run = log["runs"][0]
    # What depends on the machine and the release: the checkout and Kiln's version.
    run["originalUriBaseIds"][SRCROOT]["uri"] = "file:///checkout/"
    run["tool"]["driver"].pop("version", None)
    run["tool"]["driver"].pop("semanticVersion", None)
    # Rule documentation changes with the rules; the golden file shows its place only.
    for rule in run["tool"]["driver"]["rules"]:
        for key in ("fullDescription", "help"):
            if "markdown" in rule.get(key, {}):
                rule[key] = {"text": "<doc>", "markdown": "<doc>"}
    compare_golden(json.dumps(log, indent=2) + "\n", GOLDEN / "bad.sarif", update_golden)
