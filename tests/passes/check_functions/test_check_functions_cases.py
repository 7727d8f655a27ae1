"""check_functions: inline `# expect: CODE` cases, bad ones per code and Heat version, and
good ones with the argument forms Heat accepts (which must stay quiet)."""

from pathlib import Path

import pytest
from kiln_testing import check_case

from kiln.compiler.ir import expr as e
from kiln.compiler.passes.check_functions import edit_distance, fits, near_miss
from kiln.compiler.passes.function_args import unreplaced
from kiln.plugins.host import Registries

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.yaml"))


def _shown(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_case(path: Path, registries: Registries) -> None:
    check_case(_shown(path), registries)


@pytest.mark.parametrize(
    ("template", "keys", "missing"),
    [
        ("foo bar", ["foo", "bar"], []),
        ("foo", ["foo", "baz"], ["baz"]),
        # Longer keys go first; "foo" inside "foobar" is consumed by it (Replace.result).
        ("foobar", ["foobar", "foo"], ["foo"]),
        ("foobar foo", ["foobar", "foo"], []),
    ],
)
def test_unreplaced_follows_heats_order(template: str, keys: list[str], missing: list[str]) -> None:
    assert unreplaced(template, keys) == missing


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("get_resrc", "get_resource"),
        ("getattr", "get_attr"),
        ("list-join", "list_join"),
        ("Str_Replace", "str_replace"),
        ("digets", "digest"),
        ("lists", None),
        ("name", None),
        ("fi", None),
    ],
)
def test_near_miss(key: str, expected: str | None) -> None:
    spellings = [
        "get_attr",
        "get_param",
        "get_resource",
        "list_join",
        "str_replace",
        "digest",
        "if",
    ]
    assert near_miss(key, spellings) == expected


def test_fits_needs_the_functions_shape() -> None:
    assert fits("get_resource", e.Str(value="x"))
    assert not fits("get_resource", e.ListExpr(items=(e.Str(value="x"),)))
    assert not fits("str_replace", e.MapExpr(items=e.FrozenMap({"name": e.Str(value="x")})))


def test_edit_distance() -> None:
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
