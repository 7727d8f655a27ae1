"""`--fix`: safe autofixes applied, the file rewritten only when the result still compiles
without new errors and the fixed findings are gone; untouched bytes stay as they were.

The autofixes come from the fixture plugin (tests/lint/fixture_plugin): TST001 appends
`hidden: true` (safe), TST002 appends a label at the same place (overlaps TST001), TST003
removes a parameter (unsafe), TST004 breaks the YAML (the session must refuse it).
"""

import json
import os
import stat

import pytest
from lintkit import codes, fixture_plugin_registries, lint, write

from kiln.compiler.diagnostics import TextEdit
from kiln.compiler.lint.fixes import apply


@pytest.fixture
def fixture_registries():
    return fixture_plugin_registries()


ODD = """\
# A template with comments and an odd layout: everything but the fix must survive.
heat_template_version:   2018-08-31     # trailing spaces and a comment

parameters:
    db_password:            # four-space indentation
        type:    string
        # a comment inside the parameter
        description: "quoted,   spaced"

    other:   {type: string,   default: x}   # flow mapping
resources:
  net:   # two-space indentation here
    type: OS::Neutron::Net
    properties:
      name: {get_param: db_password}
      value_specs: {other: {get_param: other}}
"""


def test_yaml_fix_keeps_every_other_byte(fixture_registries, tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(ODD)
    report = lint(fixture_registries, path, select=["TST"], fix=True)
    assert report.fixed == {"TST001": 1} and report.fix_problems == []
    assert report.diagnostics == []  # linted again after the fix: nothing left
    expected = ODD.replace(
        '        description: "quoted,   spaced"\n',
        '        description: "quoted,   spaced"\n        hidden: true\n',
    )
    assert path.read_text() == expected


def test_json_fix(fixture_registries, tmp_path):
    text = (
        "{\n"
        '  "heat_template_version": "2018-08-31",\n'
        '  "parameters": {\n'
        '    "db_password": {"type": "string"},\n'
        '    "x": {\n'
        '      "type": "string"\n'
        "    }\n"
        "  },\n"
        '  "resources": {"n": {"type": "OS::Neutron::Net", "properties": {"name": '
        '{"list_join": ["", [{"get_param": "db_password"}, {"get_param": "x"}]]}}}}\n'
        "}\n"
    )
    path = tmp_path / "t.json"
    path.write_text(text)
    report = lint(fixture_registries, path, select=["TST001"], fix=True)
    assert report.fixed == {"TST001": 1}
    fixed = path.read_text()
    assert fixed == text.replace(
        '"db_password": {"type": "string"}', '"db_password": {"type": "string", "hidden": true}'
    )
    assert json.loads(fixed)["parameters"]["db_password"]["hidden"] is True


def test_crlf_bom_and_permissions_are_kept(fixture_registries, tmp_path):
    body = (
        "heat_template_version: 2018-08-31\r\n"
        "parameters:\r\n"
        "  db_password:\r\n"
        "    type: string\r\n"
        "resources:\r\n"
        "  n: {type: OS::Neutron::Net, properties: {name: {get_param: db_password}}}\r\n"
    )
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    os.chmod(path, 0o640)
    report = lint(fixture_registries, path, select=["TST001"], fix=True)
    assert report.fixed == {"TST001": 1}
    expected = body.replace("    type: string\r\n", "    type: string\r\n    hidden: true\r\n")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["crlf.yaml"]  # no temporary file left


TEMPLATE = """
heat_template_version: 2018-08-31
parameters:
  obsolete_size:
    type: number
  break_me:
    type: string
resources: {}
"""


def test_unsafe_fixes_only_when_asked(fixture_registries, tmp_path):
    path = write(tmp_path, "t.yaml", TEMPLATE.replace("  break_me:\n    type: string\n", ""))
    original = path.read_text()
    report = lint(fixture_registries, path, select=["TST003"], fix=True)
    assert report.fixed == {} and codes(report) == ["TST003"]
    assert path.read_text() == original
    report = lint(fixture_registries, path, select=["TST003"], fix=True, unsafe_fixes=True)
    assert report.fixed == {"TST003": 1} and codes(report) == []
    assert path.read_text() == original.replace("  obsolete_size:\n    type: number\n", "")


def test_a_fix_that_breaks_the_template_is_not_written(fixture_registries, tmp_path):
    path = write(tmp_path, "t.yaml", TEMPLATE)
    original = path.read_bytes()
    report = lint(fixture_registries, path, select=["TST004"], fix=True)
    assert path.read_bytes() == original
    assert report.fixed == {}
    (problem,) = report.fix_problems
    assert problem.startswith(f"{path}: fixes not applied: ")
    assert "SYN" in problem or "no longer read as a template" in problem
    assert codes(report) == ["TST004"]  # still reported, unfixed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.yaml"]


def test_overlapping_fixes_wait_for_the_next_run(fixture_registries, tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """
        heat_template_version: 2018-08-31
        parameters:
          db_password_labelled:
            type: string
        resources:
          n: {type: OS::Neutron::Net, properties: {name: {get_param: db_password_labelled}}}
        """,
    )
    first = lint(fixture_registries, path, select=["TST001", "TST002"], fix=True)
    assert first.fixed == {"TST001": 1} and codes(first) == ["TST002"]
    assert first.deferred == 1
    second = lint(fixture_registries, path, select=["TST001", "TST002"], fix=True)
    assert second.fixed == {"TST002": 1} and codes(second) == []
    assert "    hidden: true\n    label: db_password_labelled\n" in path.read_text()


def test_suppressed_and_unselected_findings_are_not_fixed(fixture_registries, tmp_path):
    path = write(
        tmp_path,
        "t.yaml",
        """
        heat_template_version: 2018-08-31
        parameters:
          db_password:  # kiln: ignore[secret-not-hidden]
            type: string
          api_password:
            type: string
        resources:
          n:
            type: OS::Neutron::Net
            properties:
              name: {list_join: ['', [{get_param: db_password}, {get_param: api_password}]]}
        """,
    )
    original = path.read_text()
    assert lint(fixture_registries, path, select=["TST002"], fix=True).fixed == {}
    report = lint(fixture_registries, path, select=["TST001"], fix=True)
    assert report.fixed == {"TST001": 1}
    fixed = path.read_text()
    assert fixed.count("hidden: true") == 1
    assert fixed.index("hidden: true") > fixed.index("api_password")
    assert fixed.replace("    hidden: true\n", "", 1) == original


def test_apply_is_a_splice():
    text = "a: 1\r\nb: 2\r\n"
    edits = [TextEdit("f", 6, 6, "x: 0\n"), TextEdit("f", 0, 1, "z")]
    assert apply(text, edits) == "z: 1\r\nx: 0\r\nb: 2\r\n"
    with pytest.raises(ValueError):
        apply(text, [TextEdit("f", 5, 99, "")])


def test_fixes_in_worker_processes(fixture_registries, tmp_path):
    from kiln.compiler.parallel import MIN_FILES_FOR_POOL

    text = """
    heat_template_version: 2018-08-31
    parameters:
      db_password: {type: string}
    resources:
      n: {type: OS::Neutron::Net, properties: {name: {get_param: db_password}}}
    """
    paths = [write(tmp_path, f"t{index:02}.yaml", text) for index in range(MIN_FILES_FOR_POOL)]
    report = lint(fixture_registries, tmp_path, select=["TST001"], fix=True, jobs=2)
    assert report.fixed == {"TST001": len(paths)} and report.diagnostics == []
    assert all("{type: string, hidden: true}" in path.read_text() for path in paths)
