"""resolve_references: inline `# expect: CODE` cases, one bad case per code and good cases
with the forms Heat accepts (dynamic group attributes, provider outputs, pseudo parameters)."""

from pathlib import Path

import pytest
from kiln_testing import check_case

from kiln.compiler.driver import CompileOptions, compile_file
from kiln.plugins.host import Registries

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))


def _shown(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path: Path, registries: Registries) -> None:
    check_case(_shown(path), registries)


def test_environment_mappings_decide_the_attributes(registries: Registries) -> None:
    """A type the environment maps to a template has that template's outputs; one it maps to
    a plugin type has that type's attributes (Environment.resolve_type)."""
    here = HERE / "environment"
    options = CompileOptions(environment_files=(str(_shown(here / "env.yaml")),))
    check_case(_shown(here / "mapped.yaml"), registries, options)


def test_symbol_table_holds_definitions_and_references(registries: Registries) -> None:
    result = compile_file(str(_shown(HERE / "cases" / "bad_unknown_resource.yaml")), registries)
    assert result.unit is not None
    table = result.unit.facts_of(result.unit.root).symbols
    assert table is not None
    assert list(table.resources) == ["secret", "value"]
    unresolved = sorted((ref.kind, ref.name, ref.via) for ref in table.unresolved())
    assert unresolved == [
        ("resource", "nothing", "get_attr"),
        ("resource", "secert", "get_resource"),
        ("resource", "secrett", "depends_on"),
    ]
    assert all(ref.span is not None for ref in table.references)


def test_nested_templates_get_their_own_table(registries: Registries) -> None:
    result = compile_file(str(_shown(HERE / "cases" / "good_references.yaml")), registries)
    assert result.unit is not None
    nested = [t for t in result.unit.all_templates() if t.file.endswith("provider.yaml")]
    assert len(nested) == 1
    table = result.unit.facts_of(nested[0]).symbols
    assert table is not None
    assert [(ref.kind, ref.name, ref.attribute) for ref in table.references] == [
        ("resource", "inner", "value"),
        ("resource", "inner", None),
    ]
