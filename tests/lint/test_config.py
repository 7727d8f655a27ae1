"""Lint configuration: discovery upward from each file, precedence, and every problem in a
configuration file reported at its line (tests/lint/configs/, `# expect: LNT003` at the line)."""

from pathlib import Path

import pytest
from kiln_testing import expectations
from lintkit import codes, fixture_plugin_registries, lint, located, write

from kiln.compiler.diagnostics import Severity
from kiln.compiler.lint.config import Configs, read_config

CONFIGS = Path(__file__).parent / "configs"


@pytest.fixture
def fixture_registries():
    return fixture_plugin_registries()


UNUSED = """
heat_template_version: 2018-08-31
parameters:
  unused:
    type: string
resources:
  net:
    type: OS::Neutron::Net
    properties:
      nam: x
"""


@pytest.mark.parametrize("path", sorted(CONFIGS.iterdir()), ids=lambda p: p.name)
def test_config_file(path, registries):
    config, errors = read_config(str(path), registries.codes, registries.lint_rules)
    assert located(errors) == expectations(path), "\n".join(
        f"{d.span}: {d.message}" for d in errors
    )
    assert (config is None) == bool(errors)


def test_good_config_is_resolved(registries):
    config, _ = read_config(str(CONFIGS / "good.yaml"), registries.codes, registries.lint_rules)
    assert config.fail_on == Severity.WARNING and config.target == "heat"
    assert config.baseline == str(CONFIGS / "kiln-baseline.json")
    assert [s.value for s in config.ignore] == ["UNU002", "DPN"]
    assert config.excludes(str(CONFIGS / "legacy" / "a" / "b.yaml"))
    assert config.excludes(str(CONFIGS / "deep" / "x.generated.yaml"))
    assert not config.excludes(str(CONFIGS / "stack.yaml"))
    assert [s.value for s in config.ignores_for(str(CONFIGS / "tests" / "t.yaml"))] == [
        "unused-parameter"
    ]
    assert config.ignores_for(str(CONFIGS / "other" / "t.yaml")) == ()


def test_nearest_configuration_wins(registries, tmp_path):
    write(tmp_path, ".kiln.yaml", "ignore: [UNU001]\n")
    write(tmp_path, "sub/.kiln.yaml", "ignore: [SCH003]\n")
    top = write(tmp_path, "top.yaml", UNUSED)
    deep = write(tmp_path, "sub/deeper/deep.yaml", UNUSED)
    report = lint(registries, top, deep, select=["UNU001", "SCH003"])
    assert [(Path(d.span.file).name, d.code.id) for d in report.diagnostics] == [
        ("deep.yaml", "UNU001"),
        ("top.yaml", "SCH003"),
    ]


def test_pyproject_tool_kiln_and_precedence_over_pyproject_without_it(registries, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.kiln]\nignore = ["SCH003"]\n')
    write(tmp_path, "sub/pyproject.toml", '[project]\nname = "x"\n')  # not a Kiln config
    path = write(tmp_path, "sub/t.yaml", UNUSED)
    assert codes(lint(registries, path, select=["UNU001", "SCH003"])) == ["UNU001"]
    write(tmp_path, "sub/.kiln.yaml", "ignore: [UNU001]\n")  # .kiln.yaml, nearer, wins
    assert codes(lint(registries, path, select=["UNU001", "SCH003"])) == ["SCH003"]


def test_explicit_config_replaces_discovery(registries, tmp_path):
    write(tmp_path, ".kiln.yaml", "ignore: [UNU001]\n")
    chosen = write(tmp_path / "elsewhere", "lint.yaml", "ignore: [SCH003]\n")
    path = write(tmp_path, "t.yaml", UNUSED)
    assert codes(lint(registries, path, select=["UNU001", "SCH003"], config=str(chosen))) == [
        "UNU001"
    ]


def test_command_line_select_replaces_and_ignore_adds(registries, tmp_path):
    write(tmp_path, ".kiln.yaml", "select: [UNU001]\nignore: [SCH]\n")
    path = write(tmp_path, "t.yaml", UNUSED)
    assert codes(lint(registries, path)) == ["UNU001"]
    assert codes(lint(registries, path, select=["SCH"])) == []  # a tie: the ignore wins
    assert codes(lint(registries, path, select=["SCH003"])) == ["SCH003"]  # more specific
    assert codes(lint(registries, path, ignore=["UNU001"])) == []


def test_severity_fail_on_and_per_file_ignores(registries, tmp_path):
    write(
        tmp_path,
        ".kiln.yaml",
        """
        select: [UNU001]
        severity: {unused-parameter: error}
        per-file-ignores: {"legacy/*.yaml": [UNU]}
        """,
    )
    path = write(tmp_path, "t.yaml", UNUSED)
    legacy = write(tmp_path, "legacy/old.yaml", UNUSED)
    report = lint(registries, path, legacy)
    assert [(d.code.id, d.severity) for d in report.diagnostics] == [("UNU001", Severity.ERROR)]
    assert report.failed and report.exit_code == 1
    write(tmp_path, ".kiln.yaml", "select: [UNU001]\nfail-on: info\n")
    assert lint(registries, path).exit_code == 1  # a warning, at or above info
    write(tmp_path, ".kiln.yaml", "select: [UNU001]\n")
    assert lint(registries, path).exit_code == 0  # a warning, below the default (error)


def test_exclude_skips_files(registries, tmp_path):
    write(tmp_path, ".kiln.yaml", "exclude: [vendor, 'gen/*.yaml']\n")
    write(tmp_path, "vendor/a/t.yaml", UNUSED)
    write(tmp_path, "gen/t.yaml", UNUSED)
    write(tmp_path, "gen/sub/kept.yaml", UNUSED)
    report = lint(registries, tmp_path, select=["UNU001"])
    assert report.files == 1
    assert [Path(d.span.file).name for d in report.diagnostics] == ["kept.yaml"]


def test_rule_settings_reach_the_rule(fixture_registries, tmp_path):
    template = """
    heat_template_version: 2018-08-31
    parameters:
      db_password: {type: string, hidden: true}
      api_secret: {type: string}
    resources: {}
    """
    path = write(tmp_path, "t.yaml", template)
    assert located(lint(fixture_registries, path, select=["TST001"]).diagnostics) == {}
    write(tmp_path, ".kiln.yaml", "rules: {secret-not-hidden: {pattern: secret}}\n")
    report = lint(fixture_registries, path, select=["TST001"])
    assert [d.message for d in report.diagnostics] == [
        "parameter 'api_secret' looks like a secret but is not hidden"
    ]


def test_bad_config_is_reported_and_nothing_linted(registries, tmp_path):
    write(tmp_path, ".kiln.yaml", "select: [UNU001]\nfail-on: never\n")
    path = write(tmp_path, "t.yaml", UNUSED)
    report = lint(registries, path)
    assert report.exit_code == 2 and report.files == 0
    (error,) = report.config_errors
    assert error.code.id == "LNT003" and error.span.start.line == 2
    assert error.span.file == str(tmp_path / ".kiln.yaml")


def test_discovery_reads_each_configuration_once(registries, tmp_path):
    config = write(tmp_path, ".kiln.yaml", "ignore: [UNU001]\n")
    configs = Configs(registries.codes, registries.lint_rules)
    first = configs.for_file(str(tmp_path / "a" / "x.yaml"))
    second = configs.for_file(str(tmp_path / "b" / "y.yaml"))
    assert first is second and first.path == str(config)
    assert configs.for_file("/t.yaml").path is None
    assert configs.errors == []


def test_no_config_means_no_jsonschema_import(tmp_path):
    """Start-up: jsonschema (and tomllib) are imported only when a configuration exists."""
    import subprocess
    import sys

    path = write(tmp_path, "t.yaml", UNUSED)
    script = (
        "import sys\n"
        "from kiln.plugins.host import load\n"
        "from kiln.compiler.lint.session import LintRequest, run\n"
        f"run(LintRequest(paths=[{str(path)!r}]), load(entry_points=False))\n"
        "print('jsonschema' in sys.modules, 'tomllib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.split() == ["False", "False"]
    write(tmp_path, ".kiln.yaml", "ignore: [UNU001]\n")
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.split() == ["True", "False"]
