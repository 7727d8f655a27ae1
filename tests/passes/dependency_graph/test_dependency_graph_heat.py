"""Kiln's dependency graphs against Heat's own (KILN_HEAT_PYTHON, set by `make test`).

One subprocess of the Heat venv (heat_dependencies.py beside this file) computes
`stack.dependencies.graph()`, implicit dependencies included, for every template; Kiln's graph
of the same template with the same parameter values must have the same nodes (enabled
resources), the same edges as a set of (requirer, required) pairs, and the same waves.
Templates Heat cannot build (unknown resource types, missing environment files) are left out,
and at least MINIMUM_COMPARED must remain so the test cannot pass by comparing nothing.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.ir.types import ParamType

HERE = Path(__file__).parent
REPO = HERE.parents[2]
HEAT_PYTHON = os.environ.get("KILN_HEAT_PYTHON")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not HEAT_PYTHON,
        reason="KILN_HEAT_PYTHON is not set (`make test` points it at .venv-heat/bin/python)",
    ),
]

# Where Kiln means to differ from Heat: path relative to the corpus (or the repository) -> why.
# Empty: on these templates Kiln's graph is Heat's. (Known differences that do not show here:
# `Fn::Sub` references count in Kiln, for converters, and Heat has no Fn::Sub; a value Kiln
# cannot know, such as a parameter without any value, matches only the same expression, where
# Heat compares the real values.)
INTENTIONAL_DIFFERENCES: dict[str, str] = {}

MINIMUM_COMPARED = 100

# Values for parameters without a default (Heat needs one to resolve properties); distinct
# strings, so two of them are equal only when they are the same parameter, as in Kiln.
DUMMY = {
    ParamType.NUMBER: "1",
    ParamType.BOOLEAN: "false",
    ParamType.JSON: "{}",
}


def corpus_templates(corpus: Path) -> list[Path]:
    """The HOT and CFN templates of openstack/heat-templates, and Heat's own samples."""
    sources = {
        "hot": ("hot/heat-templates/", "hot/heat/"),
        "cfn": ("cfn/heat-templates/", "cfn/heat/"),
    }
    rows = (line.split("\t") for line in (corpus / "INDEX.tsv").read_text().splitlines()[1:])
    return [corpus / row[0] for row in rows if row[0].startswith(sources.get(row[1], ("//",)))]


def parameters_for(path: Path, registries) -> tuple[tuple[str, str], ...]:
    result = compile_file(str(path), registries)
    if result.unit is None:
        return ()
    return tuple(
        (name, DUMMY.get(parameter.type, f"kiln-{name}"))
        for name, parameter in result.unit.root.parameters.items()
        if parameter.default is None
    )


def label(path: Path, corpus: Path) -> str:
    for root in (corpus, REPO):
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return str(path)


def test_graphs_match_heat(registries, corpus):
    templates = [
        REPO / "examples" / "web_stack.yaml",
        *sorted((HERE / "implicit").glob("*.yaml")),
        *corpus_templates(corpus),
    ]
    requests, kiln = [], {}
    for path in templates:
        parameters = parameters_for(path, registries)
        result = compile_file(str(path), registries, CompileOptions(parameters=parameters))
        graph = result.unit.facts_of(result.unit.root).graph if result.unit else None
        if graph is None:
            continue
        key = label(path, corpus)
        kiln[key] = graph
        requests.append({"id": key, "template": str(path), "parameters": dict(parameters)})
    completed = subprocess.run(
        [str(HEAT_PYTHON), str(HERE / "heat_dependencies.py")],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    mismatches, compared, heat_failed = [], 0, []
    for line in completed.stdout.splitlines():
        heat = json.loads(line)
        key = heat["id"]
        if "error" in heat:
            heat_failed.append(f"{key}: {heat['error'][:120]}")
            continue
        graph = kiln[key]
        heat_edges = {tuple(edge) for edge in heat["edges"]}
        heat_waves = heat["waves"]
        problems = []
        if set(graph.nodes) != set(heat["nodes"]):
            problems.append(f"nodes: Kiln {sorted(graph.nodes)}, Heat {heat['nodes']}")
        if graph.pairs() != heat_edges:
            problems.append(
                f"only in Heat {sorted(heat_edges - graph.pairs())}, "
                f"only in Kiln {sorted(graph.pairs() - heat_edges)}"
            )
        kiln_waves = None if graph.cycles else [list(wave) for wave in graph.waves]
        if not problems and kiln_waves != heat_waves:
            problems.append(f"waves: Kiln {kiln_waves}, Heat {heat_waves}")
        compared += 1
        if problems and key not in INTENTIONAL_DIFFERENCES:
            mismatches.append(f"{key}: {'; '.join(problems)}")
        elif not problems and key in INTENTIONAL_DIFFERENCES:
            mismatches.append(f"{key}: listed as a difference but now matches Heat")
    assert len(requests) == compared + len(heat_failed)
    print(f"compared {compared}, Heat failed on {len(heat_failed)}")
    assert compared >= MINIMUM_COMPARED, heat_failed
    assert not mismatches, "\n".join(mismatches)
