"""JUnit XML output: well-formed, valid against the Jenkins xUnit plugin's JUnit schema, one
test case per finding with its place."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kiln_testing import compare_golden
from render_sample import ROOT

from kiln.compiler.diagnostics import Diagnostic
from kiln.compiler.diagnostics.codes import Severity
from kiln.compiler.diagnostics.render import RENDERERS
from kiln.compiler.source import SourceFile

XSD = Path(__file__).resolve().parents[2] / "data" / "junit" / "junit-10.xsd"
GOLDEN = Path(__file__).resolve().parent / "golden"
CASE_FILE = "tests/diagnostics/render/sample/bad.yaml"
XML_TEXT = re.compile("[\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def render(diagnostics, sources) -> str:
    return RENDERERS["junit"](diagnostics, sources, root=str(ROOT))


def test_one_suite_per_file_one_case_per_finding(sample):
    root = ET.fromstring(render(sample.diagnostics, sample.sources))
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {CASE_FILE, "<input>"}
    in_file = [d for d in sample.diagnostics if d.span is not None]
    cases = suites[CASE_FILE].findall("testcase")
    assert len(cases) == len(in_file) == int(suites[CASE_FILE].get("tests"))
    failing = [d for d in in_file if d.severity >= Severity.WARNING]
    assert int(suites[CASE_FILE].get("failures")) == len(failing)
    assert int(root.get("tests")) == len(sample.diagnostics)
    assert int(root.get("failures")) == len(failing)
    for case, diagnostic in zip(cases, in_file, strict=True):
        assert case.get("file") == CASE_FILE
        assert case.get("line") == str(diagnostic.span.start.line)
        assert case.get("classname") == "tests/diagnostics/render/sample/bad_yaml"
        assert case.get("name").startswith(f"{diagnostic.code.id} {diagnostic.code.name}")
        failure = case.find("failure")
        where = f"{CASE_FILE}:{diagnostic.span.start.line}:{diagnostic.span.start.column}"
        assert failure.get("message") == f"{where}: {diagnostic.message}"
        assert failure.get("type") == str(diagnostic.severity)
        assert failure.text.startswith(f"{where}: {diagnostic.severity} {diagnostic.code.id}")
    # The info finding passes, its text in system-out; control characters are escaped.
    (info,) = suites["<input>"].findall("testcase")
    assert info.find("failure") is None
    assert "control \\x01 char" in info.find("system-out").text


def test_files_without_findings_show_as_passing(sample):
    clean = SourceFile(str(ROOT / "examples" / "clean.yaml"), "heat_template_version: 2018-08-31\n")
    sources = {**sample.sources, clean.path: clean}
    root = ET.fromstring(render(sample.diagnostics, sources))
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "examples/clean.yaml")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "no findings"
    assert case.find("failure") is None
    assert suite.get("tests") == "1" and suite.get("failures") == "0"


def test_valid_against_the_jenkins_junit_schema(sample):
    xmlschema = pytest.importorskip(
        "xmlschema", reason="xmlschema is needed to check the JUnit XSD (pip install xmlschema)"
    )
    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(render(sample.diagnostics, sample.sources))
    schema.validate(render([], {}))
    # ... and the check can fail: a test case without its required name.
    broken = render(sample.diagnostics, sample.sources).replace(' name="SYN003', ' label="SYN003')
    assert not schema.is_valid(broken)


@given(message=st.text(), path=st.lists(st.text(max_size=8), max_size=3))
def test_any_message_gives_well_formed_xml(message, path):
    code = next(iter(_codes()))
    diagnostic = Diagnostic(code, Severity.ERROR, message, None, tuple(path))
    root = ET.fromstring(render([diagnostic], {}))
    failure = root.find("testsuite/testcase/failure")
    shown = failure.get("message").removeprefix("<input>: ")
    # Text XML can carry arrives exactly as written, line breaks included.
    if XML_TEXT.fullmatch(message):
        assert shown == message
        assert failure.text.startswith(f"<input>: error {diagnostic.code.id} {message} [")


def _codes():
    from kiln.compiler.diagnostics.codes import BUILTIN_CODES

    return BUILTIN_CODES


def test_golden(sample, update_golden):
    compare_golden(
        render(sample.diagnostics, sample.sources), GOLDEN / "bad.junit.xml", update_golden
    )
