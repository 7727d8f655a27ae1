"""`kiln validate` and `kiln dump-ir` as a user runs them: output formats and exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiln.cli import main as cli_main
from kiln.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "web_stack.yaml"
CASES = REPO / "tests" / "frontends" / "hot" / "cases"


def run(*args):
    return CliRunner().invoke(cli, ["validate", "--no-plugins", *map(str, args)])


def test_valid_template_exits_0():
    result = run(EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_errors_exit_1_with_location_excerpt_and_name():
    result = run(CASES / "bad_sections.yaml")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.endswith("[unknown-section]")
    assert ":2:1: error SYN013 unknown section 'descripton'; did you mean 'description'?" in first
    assert "    2 | descripton: typo" in result.output
    assert "      | ^~~~~~~~~~" in result.output


def test_every_error_is_reported_in_one_run():
    result = run(CASES / "bad_sections.yaml")
    assert result.output.count(": error ") == 9


def test_json_format():
    result = run("--format", "json", CASES / "unknown_version.yaml")
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)
    assert item["line"] == 1 and item["column"] == 24 and item["end_column"] == 34
    assert item["code"] == "SYN012" and item["name"] == "unknown-template-version"
    assert item["severity"] == "error" and item["path"] == "heat_template_version"
    assert set(item) >= {"file", "line", "column", "end_line", "end_column", "message", "path"}


def test_directories_are_walked(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text("heat_template_version: 2018-08-31\nresources: {}\n")
    (tmp_path / "b.yaml").write_text("heat_template_version: 2018-08-31\nresourzes: {}\n")
    (tmp_path / "notes.txt").write_text("not a template")
    result = run(tmp_path)
    assert result.exit_code == 1
    assert "2 file(s) checked: 1 error(s)" in result.output


NESTED_PARENT = """heat_template_version: 2018-08-31
resources:
  child:
    type: child.yaml
"""
NESTED_CHILD = """heat_template_version: 2018-08-31
resourzes: {}
"""


def test_jobs_change_nothing_in_the_output(tmp_path):
    """Enough files for the process pool: the same report, in the same order, as one process,
    and the nested template's error once although two files reach it."""
    from kiln.compiler.parallel import MIN_FILES_FOR_POOL

    (tmp_path / "child.yaml").write_text(NESTED_CHILD)
    (tmp_path / "parent.yaml").write_text(NESTED_PARENT)
    for index in range(MIN_FILES_FOR_POOL):
        broken = "resources:\n  r: {type: OS::Heat::Nonexistent}\n" if index % 3 else ""
        text = "heat_template_version: 2018-08-31\n" + broken
        (tmp_path / f"t{index:02}.yaml").write_text(text)
    one = run("--jobs", "1", "--format", "json", tmp_path)
    two = run("--jobs", "2", "--format", "json", tmp_path)
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    found = json.loads(two.stdout)
    assert sum(1 for item in found if item["file"].endswith("child.yaml")) == 1
    assert len({item["file"] for item in found}) == 1 + sum(
        1 for index in range(MIN_FILES_FOR_POOL) if index % 3
    )
    text = run("--jobs", "2", tmp_path)
    assert f"{MIN_FILES_FOR_POOL + 2} file(s) checked" in text.output


def test_usage_errors_exit_2(tmp_path):
    assert run().exit_code == 2
    assert run(tmp_path / "missing.yaml").exit_code == 2
    assert run("-P", "novalue", EXAMPLE).exit_code == 2
    assert run("--format", "xml", EXAMPLE).exit_code == 2
    assert run("--jobs", "0", EXAMPLE).exit_code == 2


def test_internal_error_exits_3_without_traceback(monkeypatch):
    import kiln.compiler.batch

    def explode(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(kiln.compiler.batch, "compile_file", explode)
    monkeypatch.delenv("KILN_DEBUG", raising=False)
    result = run(EXAMPLE)
    assert result.exit_code == cli_main.EXIT_INTERNAL == 3
    assert "internal error: ZeroDivisionError: simulated bug" in result.output
    assert "report" in result.output
    assert "Traceback" not in result.output


def test_dump_ir_prints_the_template():
    result = CliRunner().invoke(cli, ["dump-ir", "--no-plugins", "--spans", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Template dialect='hot' version='2018-08-31' version_spelling='rocky'" in result.stdout
    assert "GetFile path='web_stack_boot.sh' spelling='get_file' @" in result.stdout


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help(flag):
    result = CliRunner().invoke(cli, [flag])
    assert result.exit_code == 0 and "validate" in result.output
