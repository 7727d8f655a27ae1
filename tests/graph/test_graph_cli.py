"""`kiln graph` as a user runs it: formats, -o, exit codes, --render with and without dot."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiln.backends.graph import graphviz
from kiln.cli.main import cli

HERE = Path(__file__).parent
EXAMPLE = HERE.parents[1] / "examples" / "web_stack.yaml"
CLEAN = HERE / "implicit_stack.yaml"  # no diagnostics at all: exit code 0
CYCLE = HERE / "cycle_stack.yaml"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not on PATH (apt-get install graphviz)"
)


def run(*args):
    return CliRunner().invoke(cli, ["graph", "--no-plugins", *map(str, args)])


def test_dot_by_default():
    result = run(CLEAN)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("// Kiln dependency graph of implicit_stack.yaml.")
    assert "subgraph cluster_wave_3" in result.stdout
    assert '"worker" -> "private_subnet" [tooltip="implicit:server-subnet"' in result.stdout


def test_parameters_change_the_graph():
    default = json.loads(run(EXAMPLE, "--format", "json").stdout)
    prod = json.loads(run(EXAMPLE, "--format", "json", "-P", "env_type=prod").stdout)
    assert "data_volume" not in {node["name"] for node in default["nodes"]}
    assert "data_volume" in {node["name"] for node in prod["nodes"]}


def test_mermaid_and_output_file(tmp_path):
    target = tmp_path / "graph.mmd"
    result = run(CLEAN, "--format", "mermaid", "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert target.read_text().startswith("flowchart BT\n")


def test_errors_exit_1_and_the_graph_is_still_printed():
    result = run(CYCLE, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["cycles"] == [["config", "secret"]]
    assert "DEP001" in result.stderr


def test_unreadable_template_exits_1_without_graph(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("heat_template_version: [\n")
    result = run(path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no dependency graph" in result.stderr


def test_render_without_dot_exits_2_with_a_message(monkeypatch):
    monkeypatch.setattr(graphviz.shutil, "which", lambda name: None)
    result = run(EXAMPLE, "--render", "png")
    assert result.exit_code == 2
    assert "needs Graphviz's `dot` on PATH" in result.stderr
    assert "Traceback" not in result.output


def test_render_takes_no_other_format():
    result = run(EXAMPLE, "--render", "svg", "--format", "json")
    assert result.exit_code == 2
    assert "--render draws the DOT graph" in result.output


@needs_dot
def test_render_png(tmp_path):
    target = tmp_path / "graph.png"
    result = run(CLEAN, "--render", "png", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@needs_dot
def test_render_svg_to_stdout():
    result = run(CLEAN, "--render", "svg")
    assert result.exit_code == 0, result.output
    assert "<svg" in result.stdout and "floating_ip" in result.stdout


def test_dot_failure_is_reported(monkeypatch, tmp_path):
    failing = tmp_path / "dot"
    failing.write_text("#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(graphviz.shutil, "which", lambda name: str(failing))
    result = run(EXAMPLE, "--render", "png")
    assert result.exit_code == 2
    assert "failed: syntax error in line 1" in result.stderr
