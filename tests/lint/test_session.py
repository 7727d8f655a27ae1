"""The lint session: validation and rules together, one order whatever the processes, nested
templates reported once, the selection's precedence, the public `kiln.lint`."""

from pathlib import Path

import pytest
from lintkit import codes, lint, write

import kiln
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.lint import session
from kiln.compiler.lint.select import Selection, parse_selector
from kiln.compiler.parallel import MIN_FILES_FOR_POOL

PARENT = """
heat_template_version: 2018-08-31
parameters:
  unused: {type: string}
resources:
  child:
    type: child.yaml
  net:
    type: OS::Neutron::Net
    properties: {nam: x}
"""
CHILD = """
heat_template_version: 2018-08-31
resources:
  port:
    type: OS::Neutron::Port
    properties: {network: n, bogus: 1}
"""


def test_validation_and_rules_together_in_order(registries, tmp_path):
    write(tmp_path, "child.yaml", CHILD)
    parent = write(tmp_path, "parent.yaml", PARENT)
    report = lint(registries, parent, select=["UNU001", "SCH003"])
    found = [(Path(d.span.file).name, d.span.start.line, d.code.id) for d in report.diagnostics]
    assert found == [
        ("child.yaml", 5, "SCH003"),  # reached through the parent
        ("parent.yaml", 3, "UNU001"),
        ("parent.yaml", 9, "SCH003"),
    ]
    assert report.files == 1 and report.exit_code == 1
    assert set(report.sources) == {str(tmp_path / "child.yaml"), str(parent)}


def test_a_nested_template_linted_on_its_own_reports_once(registries, tmp_path):
    write(tmp_path, "child.yaml", CHILD)
    write(tmp_path, "parent.yaml", PARENT)
    report = lint(registries, tmp_path, select=["UNU001", "SCH003"])
    assert report.files == 2
    assert codes(report).count("SCH003") == 2  # the child's once, the parent's once


def test_environment_files_are_linted(registries, tmp_path):
    env = write(tmp_path, "env.yaml", "parameter_defaults: {}\nresource_registri: {}\n")
    report = lint(registries, env)
    assert codes(report) == ["ENV001"]


def test_pool_and_serial_give_the_same_results(registries, tmp_path):
    templates = [PARENT.replace("child.yaml", "OS::Heat::None"), CHILD]
    paths = [
        write(tmp_path, f"s{index:02}.yaml", templates[index % 2])
        for index in range(MIN_FILES_FOR_POOL + 2)
    ]
    request = session.LintRequest(paths=[str(p) for p in paths])
    jobs = [session.FileJob(str(p), session.FileSettings(Selection())) for p in paths]
    serial = session._run_jobs(jobs, registries, request, request.compile)
    parallel = session._run_jobs(
        jobs, registries, session.LintRequest(paths=request.paths, jobs=2), request.compile
    )
    assert len(jobs) >= MIN_FILES_FOR_POOL  # the pool ran
    assert parallel == serial
    assert sum(len(result.diagnostics) for result in serial) > len(paths)


@pytest.mark.parametrize(
    ("select", "ignore", "enabled"),
    [
        ((), (), {"UNU001", "UNU002", "SCH003", "SCH001"}),
        (("UNU",), (), {"UNU001", "UNU002"}),
        (("UNU",), ("unused-parameter",), {"UNU002"}),
        (("UNU001",), ("UNU",), {"UNU001"}),  # more specific select wins
        (("UNU",), ("UNU",), set()),  # a tie: ignore wins
        (("ALL",), ("SCH00",), {"UNU001", "UNU002"}),
        (("sch003", "unused-condition"), (), {"SCH003", "UNU002"}),
    ],
)
def test_selection_precedence(registries, select, ignore, enabled):
    _ = registries.lint_rules  # their codes join registries.codes
    parse = lambda tokens: tuple(parse_selector(t, registries.codes) for t in tokens)  # noqa: E731
    selection = Selection(parse(select), parse(ignore))
    candidates = {"UNU001", "UNU002", "SCH003", "SCH001"}
    found = {i for i in candidates if selection.enabled(registries.codes[i])}
    assert found == enabled


def test_per_file_ignores_beat_any_select(registries):
    _ = registries.lint_rules
    unu001 = registries.codes["UNU001"]
    select = (parse_selector("UNU001", registries.codes),)
    assert Selection(select).enabled(unu001)
    assert not Selection(select, (), (parse_selector("UNU", registries.codes),)).enabled(unu001)


def test_public_api(tmp_path):
    path = write(tmp_path, "t.yaml", PARENT.replace("child.yaml", "OS::Heat::None"))
    report = kiln.lint([path], select=["UNU001"], fail_on="warning")
    assert codes(report) == ["UNU001"] and report.exit_code == 1
    assert report.diagnostics[0].severity == Severity.WARNING
    with pytest.raises(session.LintUsageError):
        kiln.lint([path], select=["NOPE1"])
