"""Golden DOT, Mermaid and JSON of the example stack, of a stack ordered mostly by Heat's
implicit dependencies, and of one with a cycle (`pytest --update-golden` rewrites them)."""

import json
from pathlib import Path

import pytest
from kiln_testing import compare_golden

from kiln.backends.graph import renderers
from kiln.compiler.driver import compile_file

HERE = Path(__file__).parent
REPO = HERE.parents[1]
TEMPLATES = {
    "web_stack": REPO / "examples" / "web_stack.yaml",
    "implicit_stack": HERE / "implicit_stack.yaml",
    "cycle_stack": HERE / "cycle_stack.yaml",
}
SUFFIX = {"dot": "dot", "mermaid": "mmd", "json": "json"}


def graph_of(path, registries):
    result = compile_file(str(path), registries)
    assert result.unit is not None
    return result.unit.facts_of(result.unit.root).graph


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_golden(name, fmt, registries, update_golden):
    text = renderers()[fmt](graph_of(TEMPLATES[name], registries), TEMPLATES[name].name)
    compare_golden(text, HERE / "golden" / f"{name}.{SUFFIX[fmt]}", update_golden)


def test_json_document_shape(registries):
    document = json.loads(renderers()["json"](graph_of(TEMPLATES["web_stack"], registries), "x"))
    assert list(document) == ["nodes", "edges", "waves", "critical_path", "cycles"]
    assert set(document["nodes"][0]) == {"name", "type", "wave", "critical"}
    assert set(document["edges"][0]) == {"from", "to", "kind", "implicit"}
    names = [node["name"] for node in document["nodes"]]
    assert names == sorted(names)
    waves = {name: i for i, wave in enumerate(document["waves"]) for name in wave}
    for edge in document["edges"]:
        assert waves[edge["to"]] < waves[edge["from"]]
        assert edge["implicit"] == edge["kind"].startswith("implicit:")
    assert document["cycles"] == []


def test_cycles_are_marked(registries):
    graph = graph_of(TEMPLATES["cycle_stack"], registries)
    document = json.loads(renderers()["json"](graph, "x"))
    assert document["cycles"] == [["config", "secret"]]
    dot = renderers()["dot"](graph, "x")
    assert '"config" -> "secret" [tooltip="get_attr", color="#ff7f0e"' in dot


def test_names_are_quoted(registries, tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        "heat_template_version: 2018-08-31\n"
        "resources:\n"
        "  'say \"hi\"': {type: OS::Heat::None}\n"
        "  'a|b<c>': {type: OS::Heat::None, depends_on: ['say \"hi\"']}\n"
    )
    graph = graph_of(path, registries)
    dot = renderers()["dot"](graph, "odd")
    assert '"a|b<c>" -> "say \\"hi\\""' in dot
    mermaid = renderers()["mermaid"](graph, "odd")
    assert 'r0["a#124;b#lt;c#gt;<br/>OS::Heat::None"]' in mermaid
    assert "say #quot;hi#quot;" in mermaid
