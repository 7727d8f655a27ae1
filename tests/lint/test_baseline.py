"""Baselines: written from a run, they hide those findings (by file, logical path and code,
count-aware), wherever the lines move; new findings still show; gone ones are counted."""

import json

from lintkit import codes, lint, write

from kiln.compiler.diagnostics import codes as c
from kiln.compiler.diagnostics import make
from kiln.compiler.lint import baseline
from kiln.compiler.source import SourceFile

TEMPLATE = """
heat_template_version: 2018-08-31
parameters:
  old_a:
    type: string
  old_b:
    type: string
resources:
  net:
    type: OS::Neutron::Net
    properties:
      nam: x
"""
SELECT = ["UNU001", "SCH003"]


def test_round_trip_survives_lines_added_above(registries, tmp_path):
    path = write(tmp_path, "stack.yaml", TEMPLATE)
    known = tmp_path / "baseline.json"
    first = lint(registries, path, select=SELECT, write_baseline=str(known))
    assert first.diagnostics == [] and first.exit_code == 0 and first.hidden == 3
    document = json.loads(known.read_text())
    assert document["kiln-baseline"] == 1
    entries = {
        (f["file"], ".".join(map(str, f["path"])), f["code"], f["count"])
        for f in document["findings"]
    }
    assert entries == {
        ("stack.yaml", "parameters.old_a", "UNU001", 1),
        ("stack.yaml", "parameters.old_b", "UNU001", 1),
        ("stack.yaml", "resources.net.properties.nam", "SCH003", 1),
    }  # fmt: skip

    # Edits above the findings move every line; the findings stay hidden.
    text = path.read_text().replace(
        "parameters:\n", "description: |\n  Added later,\n  over three lines.\nparameters:\n"
    )
    text = text.replace("resources:\n", "  new_one:\n    type: string\nresources:\n")
    path.write_text(text)
    report = lint(registries, path, select=SELECT, baseline=str(known))
    assert [(d.code.id, d.dotted_path) for d in report.diagnostics] == [
        ("UNU001", "parameters.new_one")
    ]
    assert report.hidden == 3 and report.stale == 0 and report.exit_code == 0

    # A finding fixed is a stale baseline entry; the others stay hidden.
    path.write_text(text.replace("      nam: x\n", "      name: x\n"))
    report = lint(registries, path, select=SELECT, baseline=str(known))
    assert report.hidden == 2 and report.stale == 1


def test_counts_are_matched_one_by_one(tmp_path):
    """Two findings with one key against a baseline that has it once: one is new."""
    source = SourceFile(str(tmp_path / "s.yaml"), "a: 1\nb: 2\n")
    first, second = (
        make(c.UNUSED_SUPPRESSION, source.span(at, at + 1), ("r",), kind="x", what="y", where="")
        for at in (0, 5)
    )
    written = baseline.build(str(tmp_path / "b.json"), [(first, source.path)])
    matcher = baseline.Matcher(written)
    matcher.note_linted([source.path])
    assert matcher.hides(first, source.path) and not matcher.hides(second, source.path)
    assert matcher.stale() == 0
    again = baseline.Matcher(written)
    again.note_linted([source.path])
    assert again.stale() == 1  # nothing matched: its one finding is gone
    other = baseline.Matcher(written)
    assert other.stale() == 0  # the file was not linted: its entries are not judged


def test_files_are_keyed_relative_to_the_baseline(registries, tmp_path, monkeypatch):
    path = write(tmp_path, "stacks/s.yaml", TEMPLATE)
    known = tmp_path / "ci" / "baseline.json"
    known.parent.mkdir()
    monkeypatch.chdir(tmp_path / "stacks")
    lint(registries, "s.yaml", select=SELECT, write_baseline=str(known))
    files = {f["file"] for f in json.loads(known.read_text())["findings"]}
    assert files == {"../stacks/s.yaml"}
    monkeypatch.chdir(tmp_path)  # run from elsewhere: same keys
    report = lint(registries, path, select=SELECT, baseline=str(known))
    assert report.diagnostics == [] and report.hidden == 3


def test_baseline_from_config(registries, tmp_path):
    path = write(tmp_path, "s.yaml", TEMPLATE)
    lint(registries, path, select=SELECT, write_baseline=str(tmp_path / "known.json"))
    write(tmp_path, ".kiln.yaml", "baseline: known.json\n")
    assert codes(lint(registries, path, select=SELECT)) == []


def test_malformed_baseline_is_a_configuration_error(registries, tmp_path):
    path = write(tmp_path, "s.yaml", TEMPLATE)
    bad = tmp_path / "b.json"
    bad.write_text('{"kiln-baseline": 1,\n "findings": [}\n')
    report = lint(registries, path, baseline=str(bad))
    (error,) = report.config_errors
    assert report.exit_code == 2 and error.code.id == "LNT003"
    assert (error.span.start.line, error.span.start.column) == (2, 15)
    bad.write_text('{"kiln-baseline": 1, "findings": [{"file": "s.yaml"}]}')
    (error,) = lint(registries, path, baseline=str(bad)).config_errors
    assert "findings[0]" in error.message
    missing = lint(registries, path, baseline=str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.config_errors[0].message
