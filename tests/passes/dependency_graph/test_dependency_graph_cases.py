"""The dependency_graph pass: inline `# expect:` cases for its codes, and the implicit
dependencies of Heat's resource plugins, each rule with a template whose `# implicit:` lines
list exactly the implicit edges Kiln must find (the Heat differential test checks the same
templates against Heat itself)."""

import re
from pathlib import Path

import pytest
from kiln_testing import check_case, expectations

from kiln.compiler.driver import compile_file
from kiln.compiler.graph import DependencyGraph
from kiln.compiler.implicit_dependencies import RULES

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))
IMPLICIT = sorted((HERE / "implicit").glob("*.yaml"))
IMPLICIT_LINE = re.compile(r"#\s*implicit:\s*(\S+)\s*->\s*(\S+)\s+(implicit:\S+)")


def graph_of(path: Path, registries) -> DependencyGraph:
    result = compile_file(str(path), registries)
    assert result.unit is not None
    graph = result.unit.facts_of(result.unit.root).graph
    assert graph is not None
    return graph


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path, registries):
    check_case(path, registries)


def test_every_dep_code_has_a_bad_case():
    from kiln.compiler.diagnostics.codes import BUILTIN_CODES

    expected = {code for path in CASES for _, code in expectations(path)}
    dep_codes = {code.id for code in BUILTIN_CODES if code.category == "DEP"}
    assert dep_codes and dep_codes <= expected


@pytest.mark.parametrize("path", IMPLICIT, ids=[p.stem for p in IMPLICIT])
def test_implicit_edges(path, registries):
    expected = set(IMPLICIT_LINE.findall(path.read_text()))
    graph = graph_of(path, registries)
    found = {(edge.source, edge.target, edge.kind) for edge in graph.edges if edge.implicit}
    assert found == expected


def test_every_rule_has_an_implicit_case():
    kinds = {kind for path in IMPLICIT for *_, kind in IMPLICIT_LINE.findall(path.read_text())}
    prefixes = {kind.split(":", 1)[1].split("-", 1)[0] for kind in kinds}
    for type_name in RULES:
        assert type_name.split("::")[-1].lower() in prefixes, type_name


def test_implicit_edge_points_at_the_property_it_read(registries):
    graph = graph_of(HERE / "implicit" / "port_subnet.yaml", registries)
    (edge,) = [e for e in graph.edges if (e.source, e.target) == ("by_param", "sub_param")]
    assert edge.path == ("resources", "by_param", "properties", "network")
    assert edge.span is not None and edge.span.line == 33


def test_cycle_error_names_the_cycle_and_notes_every_link(registries):
    result = compile_file(str(HERE / "cases" / "bad_cycle.yaml"), registries)
    (cycle,) = [d for d in result.diagnostics if d.code.id == "DEP001"]
    assert "a -> b -> c -> a" in cycle.message
    assert cycle.path == ("resources", "a", "properties", "value")
    notes = [(note.message, note.span.line if note.span else None) for note in cycle.notes]
    assert notes == [
        ("'a' depends on 'b' here (get_attr)", 8),
        ("'b' depends on 'c' here (get_resource)", 12),
        ("'c' depends on 'a' here (depends_on)", 15),
    ]


def test_kinds_spans_and_sections(registries):
    graph = graph_of(HERE / "cases" / "good_dag.yaml", registries)
    kinds = {(e.source, e.target, e.kind) for e in graph.edges}
    assert kinds == {
        ("b", "a", "get_attr"),  # metadata counts
        ("b", "a", "get_resource"),
        ("c", "a", "depends_on"),
        ("c", "b", "depends_on"),
    }
    assert graph.waves == (("a",), ("b",), ("c",))


def test_disabled_resources_are_not_nodes(registries):
    graph = graph_of(HERE / "cases" / "bad_disabled_reference.yaml", registries)
    assert graph.nodes == ("user",)
    assert graph.edges == ()


def test_external_resources_depend_on_nothing(registries):
    graph = graph_of(HERE / "cases" / "bad_external_depends_on.yaml", registries)
    assert graph.pairs() == frozenset()


def test_conditions_follow_parameters(registries, tmp_path):
    from kiln.compiler.driver import CompileOptions

    path = HERE / "implicit" / "conditional.yaml"
    result = compile_file(
        str(path), registries, CompileOptions(parameters=(("with_extra", "true"),))
    )
    assert result.unit is not None
    graph = result.unit.facts_of(result.unit.root).graph
    assert graph is not None
    assert "subnet_off" in graph.nodes
    # with the condition true, the port's network is "other": no subnet of it here
    assert {e.target for e in graph.edges if e.source == "port"} == set()


def test_cloudformation_sub_references(registries, tmp_path):
    path = tmp_path / "sub.yaml"
    path.write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "  Handle:\n"
        "    Type: AWS::CloudFormation::WaitConditionHandle\n"
        "    Metadata:\n"
        "      url: {'Fn::Sub': 'https://${Bucket.DomainName}/${AWS::Region}/${!Bucket}'}\n"
        "      bound: {'Fn::Sub': ['${Bucket}', {Bucket: x}]}\n"
    )
    graph = graph_of(path, registries)
    assert {(e.source, e.target, e.kind) for e in graph.edges} == {("Handle", "Bucket", "Fn::Sub")}


def test_every_template_of_the_unit_gets_a_graph(registries, tmp_path):
    (tmp_path / "child.yaml").write_text(
        "heat_template_version: 2018-08-31\n"
        "resources:\n"
        "  a: {type: OS::Heat::None}\n"
        "  b: {type: OS::Heat::None, depends_on: [a]}\n"
    )
    (tmp_path / "parent.yaml").write_text(
        "heat_template_version: 2018-08-31\n"
        "resources:\n"
        "  child: {type: child.yaml}\n"
        "  after: {type: OS::Heat::None, depends_on: [child]}\n"
    )
    result = compile_file(str(tmp_path / "parent.yaml"), registries)
    assert result.unit is not None
    graphs = {Path(t.file).name: result.unit.facts_of(t).graph for t in result.unit.all_templates()}
    assert graphs["parent.yaml"] is not None and graphs["child.yaml"] is not None
    assert graphs["parent.yaml"].pairs() == {("after", "child")}
    assert graphs["child.yaml"].pairs() == {("b", "a")}
