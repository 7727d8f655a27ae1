"""The plugin contract, exercised from outside by tests/plugins/example_plugin."""

import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiln.cli.main import cli
from kiln.compiler.driver import compile_file
from kiln.compiler.functions import FunctionSpec
from kiln.compiler.ir import expr as e
from kiln.plugins.hookspecs import hookimpl
from kiln.plugins.host import BUILTIN_PLUGINS, PluginError, load

HERE = Path(__file__).parent
PLUGIN_ROOT = HERE / "example_plugin"
WIDGET = PLUGIN_ROOT / "widget.yaml"


@pytest.fixture
def example_module(monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_ROOT))
    import kiln_example_plugin

    return kiln_example_plugin


def codes(result):
    return sorted(d.code.id for d in result.diagnostics)


def test_builtins_register_through_the_hooks():
    registries = load(entry_points=False)
    assert [spec.name for spec in registries.frontends] == ["hot", "cfn"]
    assert set(BUILTIN_PLUGINS) <= set(registries.plugins)
    assert "get_param" in registries.functions.spellings("hot")


def test_without_the_plugin_its_type_and_function_are_unknown():
    result = compile_file(str(WIDGET), load(entry_points=False))
    assert codes(result) == ["SCH001"]
    output = result.unit.root.outputs["text"].value
    assert isinstance(output, e.MapExpr)  # an unknown HOT key is a plain map, as in Heat


def test_the_plugin_adds_a_function_a_type_and_a_code(example_module):
    registries = load(entry_points=False, extra=[("example", example_module)])
    assert "EXA001" in registries.codes
    result = compile_file(str(WIDGET), registries)
    assert codes(result) == []
    output = result.unit.root.outputs["text"].value
    assert isinstance(output, e.Join) and output.spelling == "join_lines"
    assert output.delimiter == e.Str(value="\n")
    assert "size" in registries.schemas.get("Example::Thing::Widget").attribute_names


def test_entry_point_discovery(tmp_path, monkeypatch):
    """A distribution's `kiln` entry point is found without being named anywhere."""
    dist = tmp_path / "kiln_example_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kiln-example-plugin\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text("[kiln]\nexample = kiln_example_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGIN_ROOT))
    registries = load(entry_points=True)
    assert "example" in registries.plugins
    assert codes(compile_file(str(WIDGET), registries)) == []


def broken_entry_point(tmp_path, monkeypatch, module_source: str) -> None:
    dist = tmp_path / "kiln_broken-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kiln-broken\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[kiln]\nbroken = kiln_broken_plugin\n")
    (tmp_path / "kiln_broken_plugin.py").write_text(textwrap.dedent(module_source))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("kiln_broken_plugin", None)


def test_a_plugin_that_fails_to_import_is_named(tmp_path, monkeypatch):
    broken_entry_point(tmp_path, monkeypatch, "raise RuntimeError('boom')\n")
    with pytest.raises(PluginError) as error:
        load(entry_points=True)
    assert error.value.plugin == "broken" and "boom" in error.value.problem


def test_a_misspelt_hook_is_named(tmp_path, monkeypatch):
    broken_entry_point(
        tmp_path,
        monkeypatch,
        """
        from kiln.plugins.hookspecs import hookimpl

        @hookimpl
        def kiln_functionz():
            return []
        """,
    )
    with pytest.raises(PluginError) as error:
        load(entry_points=True)
    assert error.value.plugin == "broken" and "kiln_functionz" in error.value.problem


def test_the_cli_reports_a_broken_plugin_and_exits_1(tmp_path, monkeypatch):
    broken_entry_point(tmp_path, monkeypatch, "raise ImportError('missing dependency x')\n")
    result = CliRunner().invoke(cli, ["validate", str(WIDGET)])
    assert result.exit_code == 1
    assert "PLG001" in result.output and "'broken'" in result.output
    assert "missing dependency x" in result.output
    assert "Traceback" not in result.output


class _HookRaises:
    @hookimpl
    def kiln_functions(self):
        raise ValueError("bad table")


class _Duplicate:
    @hookimpl
    def kiln_functions(self):
        return [FunctionSpec("hot", "get_param", lambda call: call.args, "clash")]


@pytest.mark.parametrize(
    ("plugin", "needle"),
    [(_HookRaises(), "bad table"), (_Duplicate(), "get_param")],
    ids=["hook-raises", "duplicate-function"],
)
def test_registration_failures_are_named(plugin, needle):
    with pytest.raises(PluginError) as error:
        load(entry_points=False, extra=[("third-party", plugin)])
    assert error.value.plugin == "third-party" and needle in error.value.problem


def test_blocked_plugin_is_not_loaded():
    registries = load(entry_points=False, blocked=["kiln.frontends.cfn.plugin"])
    assert [spec.name for spec in registries.frontends] == ["hot"]
