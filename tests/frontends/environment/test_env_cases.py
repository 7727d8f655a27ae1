"""Environment files through the driver: alone (inline `# expect:`), with a template (-e), and
parameter values the template does not declare (ENV004)."""

from pathlib import Path

import pytest
from kiln_testing import expectations, found

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.plugins.host import Registries

HERE = Path(__file__).parent
CASES = sorted(p for p in (HERE / "cases").iterdir() if p.suffix in (".yaml", ".json"))
PAIRED = HERE / "paired"
TEMPLATE = PAIRED / "template.yaml"


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.name)
def test_environment_case(path: Path, registries: Registries) -> None:
    result = compile_file(str(path), registries)
    assert result.kind == "environment"
    assert found(result, path) == expectations(path), [str(d.message) for d in result.diagnostics]


@pytest.mark.parametrize("name", ["params.env.yaml", "registry.env.yaml"])
def test_environment_with_template(name: str, registries: Registries) -> None:
    env_path = PAIRED / name
    options = CompileOptions(environment_files=(str(env_path),))
    result = compile_file(str(TEMPLATE), registries, options)
    assert found(result, env_path) == expectations(env_path), [
        d.message for d in result.diagnostics
    ]


def test_registry_maps_types_to_templates(registries: Registries) -> None:
    env_path = PAIRED / "registry.env.yaml"
    result = compile_file(
        str(TEMPLATE), registries, CompileOptions(environment_files=(str(env_path),))
    )
    assert result.unit is not None
    server = str(PAIRED / "server.yaml")
    assert [(n.resource, n.nested_file, n.via) for n in result.unit.nested] == [
        ("server", server, "registry")
    ]
    assert server in result.unit.templates
    # The missing target is reported once, in the environment file, with a note at its user.
    (missing,) = [d for d in result.diagnostics if d.code.id == "FIL001"]
    assert missing.path == ("resource_registry", "My::Missing")
    assert missing.notes[0].span is not None and missing.notes[0].span.file == str(TEMPLATE)
    # The registry maps Legacy::Neutron::Net (a glob), so the schema pass does not call it unknown.
    assert not [d for d in result.diagnostics if d.code.id == "SCH001"]


def test_without_the_environment_the_types_are_unknown(registries: Registries) -> None:
    result = compile_file(str(TEMPLATE), registries)
    unknown = sorted(d.path[1] for d in result.diagnostics if d.code.id == "SCH001")
    assert unknown == ["gone", "net", "server"]


def test_cli_parameter_not_declared_has_no_span(registries: Registries) -> None:
    parameters = (("image", "x"), ("imgae", "y"), ("imgae", "z"))
    result = compile_file(str(TEMPLATE), registries, CompileOptions(parameters=parameters))
    undeclared = [d for d in result.diagnostics if d.code.id == "ENV004"]
    assert [(d.span, d.path) for d in undeclared] == [(None, ("parameters", "imgae"))]
    assert "did you mean 'image'?" in undeclared[0].message


def test_parameters_in_several_environment_files(registries: Registries, tmp_path: Path) -> None:
    second = tmp_path / "second.yaml"
    second.write_text("parameters:\n  flavour: big\n  image: other\n", encoding="utf-8")
    first = PAIRED / "params.env.yaml"
    options = CompileOptions(environment_files=(str(first), str(second)))
    result = compile_file(str(TEMPLATE), registries, options)
    undeclared = sorted(
        (d.span.file, d.span.line) for d in result.diagnostics if d.code.id == "ENV004" and d.span
    )
    assert undeclared == sorted([(str(first), 3), (str(second), 2)])
    assert result.unit is not None
    assert result.unit.environment.files == (str(first), str(second))


def test_merge_strategy_conflict_on_a_declared_parameter(
    registries: Registries, tmp_path: Path
) -> None:
    first = tmp_path / "first.yaml"
    first.write_text("parameter_defaults:\n  image: a\n  other: b\n", encoding="utf-8")
    second = tmp_path / "second.yaml"
    second.write_text(
        "parameter_merge_strategies:\n"
        "  image: merge  # expect: ENV007\n"
        "  other: merge\n"  # not declared by the template: Heat never merges it
        "parameter_defaults:\n  image: c\n  other: d\n",
        encoding="utf-8",
    )
    options = CompileOptions(environment_files=(str(first), str(second)))
    result = compile_file(str(TEMPLATE), registries, options)
    assert found(result, second) == expectations(second)
    (conflict,) = [d for d in result.diagnostics if d.code.id == "ENV007"]
    assert str(first) in conflict.message
