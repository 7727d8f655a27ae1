"""validate_parameters: inline `# expect:` cases, and the values it records for other passes.

A case's first lines may carry options: `# kiln: -P name=value` and `# kiln: -e file.yaml`
(relative to the case), as given on the command line. A value given with -P is reported at the
parameter's declaration.
"""

import shlex
from pathlib import Path

import pytest
from kiln_testing import check_case, expectations, found

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.compiler.evaluate.values import Unknown
from kiln.compiler.ir.types import ValueType
from kiln.plugins.host import Registries

HERE = Path(__file__).parent
CASES = sorted(
    p
    for p in (HERE / "cases").iterdir()
    if p.suffix in (".yaml", ".json") and not p.name.endswith(".env.yaml")
)


def options_of(path: Path) -> CompileOptions:
    parameters: list[tuple[str, str]] = []
    environments: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# kiln:"):
            continue
        words = shlex.split(line.removeprefix("# kiln:"))
        for flag, value in zip(words[::2], words[1::2], strict=True):
            if flag == "-P":
                name, _, given = value.partition("=")
                parameters.append((name, given))
            elif flag == "-e":
                environments.append(str(path.parent / value))
    return CompileOptions(environment_files=tuple(environments), parameters=tuple(parameters))


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path: Path, registries: Registries) -> None:
    options = options_of(path)
    check_case(path, registries, options)
    # Diagnostics in the environment files a case uses are expected there.
    result = compile_file(str(path), registries, options)
    for env in options.environment_files:
        assert found(result, Path(env)) == expectations(Path(env)), [
            d.message for d in result.diagnostics
        ]


def _facts(path: Path, registries: Registries, options: CompileOptions | None = None):
    result = compile_file(str(path), registries, options or CompileOptions())
    assert result.unit is not None
    return result.unit


def test_values_follow_heat_precedence_and_types(registries: Registries) -> None:
    path = HERE / "cases" / "good_precedence.yaml"
    unit = _facts(path, registries, options_of(path))
    values = dict(unit.facts_of(unit.root).parameters)
    # -P beats the environment's parameters, which beat parameter_defaults, then the default.
    assert values["from_cli"] == 7
    assert values["from_env"] == ["node1", " blue"]
    assert values["from_defaults"] is True
    assert values["from_default"] == {"k": [1, 2]}
    assert values["number_text"] == 100.0
    assert values["no_value"] == {}  # `default: null` is no default; parameter_defaults sets it


def test_unknown_values_are_typed(registries: Registries) -> None:
    unit = _facts(HERE / "cases" / "good_no_values_needed.yaml", registries)
    values = dict(unit.facts_of(unit.root).parameters)
    assert isinstance(values["count"], Unknown) and values["count"].type is ValueType.NUMBER
    # json may hold a map, a list or a scalar: its type is not known.
    assert isinstance(values["settings"], Unknown) and values["settings"].type is ValueType.ANY


def test_nested_template_gets_its_parents_values(registries: Registries) -> None:
    unit = _facts(HERE / "nested" / "parent.yaml", registries)
    child = next(t for t in unit.all_templates() if t.file.endswith("child.yaml"))
    values = dict(unit.facts_of(child).parameters)
    assert values["size"] == 3  # the parent's property
    assert values["names"] == ["a", "b"]  # a list property reaches a list parameter
    assert values["label"] == "member-0"  # %index% of the group member
    assert values["kept"] == "default"  # not passed: the child's default


def test_hidden_value_is_never_shown(registries: Registries) -> None:
    path = HERE / "cases" / "bad_hidden.yaml"
    result = compile_file(str(path), registries, options_of(path))
    messages = [d.message for d in result.diagnostics]
    assert messages and not any("hunter2" in m or "topsecret" in m for m in messages), messages
