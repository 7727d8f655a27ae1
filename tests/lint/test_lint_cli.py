"""`kiln lint` and `kiln rules` as a user runs them: exit codes, outputs, options; a few runs
through the installed `kiln` executable (exit codes, --output, --jobs 1 and 2 the same bytes)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lintkit import install_fixture_plugin, write

from kiln.cli.main import cli
from kiln.compiler.parallel import MIN_FILES_FOR_POOL

KILN = Path(sys.executable).parent / "kiln"

CLEAN = """
heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
"""
WARNING = """
heat_template_version: 2018-08-31
parameters:
  unused:
    type: string
resources:
  net: {type: OS::Neutron::Net}
"""
ERROR = """
heat_template_version: 2018-08-31
resources:
  net:
    type: OS::Neutron::Net
    properties: {nam: x}
"""
ONLY = ["--no-plugins", "--select", "UNU001,SCH003,LNT"]


def run(*args, **kwargs):
    return CliRunner().invoke(cli, ["lint", *map(str, args)], **kwargs)


@pytest.fixture
def stacks(tmp_path):
    write(tmp_path, "clean.yaml", CLEAN)
    write(tmp_path, "warning.yaml", WARNING)
    write(tmp_path, "error.yaml", ERROR)
    return tmp_path


def test_exit_codes_follow_the_threshold(stacks):
    assert run(*ONLY, stacks / "clean.yaml").exit_code == 0
    assert run(*ONLY, stacks / "warning.yaml").exit_code == 0
    assert run(*ONLY, "--fail-on", "warning", stacks / "warning.yaml").exit_code == 1
    assert run(*ONLY, "--fail-on", "info", stacks / "warning.yaml").exit_code == 1
    assert run(*ONLY, stacks / "error.yaml").exit_code == 1
    assert run(*ONLY, "--ignore", "SCH003", stacks / "error.yaml").exit_code == 0


def test_text_output_and_summary(stacks):
    result = run(*ONLY, stacks)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert lines == [
        f"{stacks / 'error.yaml'}:5:18: error SCH003 Unknown Property nam in resource 'net' "
        "(OS::Neutron::Net); did you mean 'name'? [unknown-property]",
        f"{stacks / 'warning.yaml'}:3:3: warning UNU001 parameter 'unused' is declared but "
        "never used [unused-parameter]",
    ]
    assert result.stderr.strip().splitlines()[-1] == (
        "3 file(s) linted: 1 error(s), 1 warning(s), fixed 0"
    )


def test_json_output_and_output_file(stacks, tmp_path):
    printed = run(*ONLY, "--format", "json", stacks)
    out = tmp_path / "report" / "lint.json"
    out.parent.mkdir()
    written = run(*ONLY, "--format", "json", "--output", out, stacks)
    assert written.exit_code == printed.exit_code == 1
    assert written.stdout == ""
    assert out.read_text() == printed.stdout
    assert [item["code"] for item in json.loads(out.read_text())] == ["SCH003", "UNU001"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["lint.json"]


@pytest.mark.parametrize(
    ("fmt", "needle"),
    [("sarif", '"ruleId": "SCH003"'), ("junit", "SCH003"), ("github", "::error file=")],
)
def test_ci_formats(stacks, fmt, needle, monkeypatch):
    monkeypatch.chdir(stacks)
    result = run(*ONLY, "--format", fmt, ".")
    assert result.exit_code == 1
    assert needle in result.stdout


def test_globs_directories_and_files(stacks):
    write(stacks, "deep/a/b/warning.yaml", WARNING)
    result = run(*ONLY, "--format", "json", str(stacks / "**" / "warning.yaml"))
    files = [Path(item["file"]).relative_to(stacks) for item in json.loads(result.stdout)]
    assert files == [Path("deep/a/b/warning.yaml"), Path("warning.yaml")]
    assert "2 file(s) linted" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", "NOPE1"], "--select: unknown code, rule name or prefix 'NOPE1'"),
        (["--ignore", "unused-paramter"], "did you mean 'unused-parameter'?"),
        (["--unsafe-fixes"], "--unsafe-fixes applies with --fix"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--jobs", "0"], "Invalid value for '-j' / '--jobs'"),
    ],
)
def test_usage_errors_exit_2(stacks, args, message):
    result = run(*args, stacks / "clean.yaml")
    assert result.exit_code == 2
    assert message in result.stderr


def test_paths_that_name_nothing_exit_2(stacks):
    result = run(stacks / "missing.yaml")
    assert result.exit_code == 2 and "no such file or directory" in result.stderr
    result = run(str(stacks / "*.nothing"))
    assert result.exit_code == 2 and "matches no file" in result.stderr
    assert run().exit_code == 2


def test_bad_config_exits_2_with_its_position(stacks):
    write(stacks, ".kiln.yaml", "select: [UNU001]\nfail-on: sometimes\n")
    result = run(stacks / "clean.yaml")
    assert result.exit_code == 2
    assert f"{stacks / '.kiln.yaml'}:2:10: error LNT003 lint configuration: fail-on:" in (
        result.stderr
    )
    assert "    2 | fail-on: sometimes" in result.stderr


def test_internal_error_exits_3(stacks, monkeypatch):
    import kiln.compiler.lint.session

    def explode(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(kiln.compiler.lint.session, "compile_file", explode)
    monkeypatch.delenv("KILN_DEBUG", raising=False)
    result = run("--no-plugins", stacks / "clean.yaml")
    assert result.exit_code == 3
    assert "internal error: ZeroDivisionError: simulated bug" in result.stderr


def test_fix_reports_counts_per_rule(tmp_path, monkeypatch):
    install_fixture_plugin(tmp_path, monkeypatch)
    path = write(
        tmp_path,
        "t.yaml",
        """
        heat_template_version: 2018-08-31
        parameters:
          db_password: {type: string}
        resources:
          n: {type: OS::Neutron::Net, properties: {name: {get_param: db_password}}}
        """,
    )
    result = run("--select", "TST001", "--fix", path)
    assert result.exit_code == 0, result.output
    assert "fixed 1 x TST001 (secret-not-hidden)" in result.stderr
    assert result.stderr.strip().endswith("1 file(s) linted: 0 error(s), 0 warning(s), fixed 1")
    assert "{type: string, hidden: true}" in path.read_text()


# --- kiln rules --------------------------------------------------------------------------------


def rules(*args):
    return CliRunner().invoke(cli, ["rules", "--no-plugins", *args])


def test_rules_lists_every_rule(registries):
    result = rules()
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "NAME", "SEVERITY", "DIALECTS", "TARGETS", "FIX", "SUMMARY"]
    assert [row.split()[0] for row in rows] == [r.id for r in registries.lint_rules]
    unused = next(row for row in rows if row.startswith("UNU001"))
    assert unused.split()[:6] == [
        "UNU001",
        "unused-parameter",
        "warning",
        "hot/cfn",
        "heat/aws",
        "-",
    ]


def test_rules_json_and_select(registries):
    result = rules("--format", "json", "--select", "UNU")
    items = json.loads(result.stdout)
    assert [item["id"] for item in items] == [
        r.id for r in registries.lint_rules if r.id.startswith("UNU")
    ]
    first = items[0]
    assert first["name"] == "unused-parameter" and first["severity"] == "warning"
    assert set(first) >= {"dialects", "targets", "fixable", "summary", "settings"}


def test_rules_prints_one_rule_or_code():
    result = rules("unused-parameter")
    assert result.exit_code == 0
    assert result.stdout.startswith("UNU001 unused-parameter (warning)\n")
    assert "Remove it, or use it." in result.stdout
    assert rules("unu001").stdout == result.stdout
    code = rules("SCH003")
    assert code.exit_code == 0 and code.stdout.startswith("SCH003 unknown-property (error)")
    missing = rules("no-such-rule")
    assert missing.exit_code == 2 and "no rule or code 'no-such-rule'" in missing.stderr


# --- through the installed executable ---------------------------------------------------------


def kiln(*args, cwd=None):
    return subprocess.run(
        [str(KILN), "lint", *map(str, args)], capture_output=True, cwd=cwd, check=False
    )


def test_installed_kiln_exit_codes_and_output_file(stacks, tmp_path):
    assert kiln(*ONLY, stacks / "clean.yaml").returncode == 0
    assert kiln(*ONLY, stacks / "error.yaml").returncode == 1
    assert kiln(*ONLY, stacks / "nothing.yaml").returncode == 2
    out = tmp_path / "out.sarif"
    result = kiln(*ONLY, "--format", "sarif", "-o", out, stacks)
    assert result.returncode == 1 and result.stdout == b""
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_jobs_do_not_change_the_output(tmp_path):
    """Enough files for the process pool: one process and two give the same bytes."""
    templates = [CLEAN, WARNING, ERROR]
    count = MIN_FILES_FOR_POOL + 8
    for index in range(count):
        text = templates[index % 3].replace("unused:", f"unused_{index}:")
        write(tmp_path, f"stacks/s{index:02}/t{index % 7}.yaml", text)
    outputs = []
    for jobs in ("1", "2"):
        result = kiln("--no-plugins", "--jobs", jobs, "--format", "json", tmp_path / "stacks")
        assert result.returncode == 1
        assert f"{count} file(s) linted".encode() in result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])) >= count // 3 * 2


def test_pre_commit_hooks_run_real_commands():
    import re

    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text()
    )
    assert [hook["id"] for hook in hooks] == ["kiln-lint", "kiln-validate"]
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "kiln" and command in cli.commands
        pattern = re.compile(hook["files"])
        assert all(pattern.search(name) for name in ("a.yaml", "b.yml", "c.json", "d.template"))
        assert not pattern.search("setup.py")
