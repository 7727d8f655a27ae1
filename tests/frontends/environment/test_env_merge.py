"""Several environment files merged as Heat's merge_environments does
(heat/common/environment_util.py): overwrite by default, per-key merge strategies."""

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.environment import Environment
from kiln.frontends.environment import merge, parse_environment
from kiln.frontends.loader import load_text
from kiln.frontends.syntax import LMap


def parse(text: str, path: str = "env.yaml") -> Environment:
    loaded = load_text(text, path)
    assert loaded.source is not None and isinstance(loaded.root, LMap)
    sink = DiagnosticSink()
    environment = parse_environment(loaded.source, loaded.root, sink)
    assert not list(sink), [d.message for d in sink]
    return environment


def test_no_files_and_one_file() -> None:
    assert merge([]) == Environment()
    only = parse("parameters:\n  a: 1\n")
    assert merge([only]) is only


def test_later_files_overwrite_by_default() -> None:
    first = parse("parameters:\n  a: 1\n  b: x\nparameter_defaults:\n  c: [1]\n")
    second = parse("parameters:\n  a: 2\nparameter_defaults:\n  c: [2]\n")
    merged = merge([first, second])
    assert dict(merged.parameters) == {"a": e.literal(2), "b": e.literal("x")}
    assert dict(merged.parameter_defaults) == {"c": e.literal([2])}


def test_null_never_replaces_a_value() -> None:
    merged = merge([parse("parameters:\n  a: 1\n"), parse("parameters:\n  a: null\n")])
    assert merged.parameters["a"] == e.literal(1)


def test_merge_strategy_by_value_shape() -> None:
    # The first file to set a key fixes its strategy, so the strategies are declared there.
    first = parse(
        "parameter_merge_strategies:\n"
        "  default: merge\n"
        "  plain: overwrite\n"
        "parameter_defaults:\n"
        "  cfg: {x: 1, nested: {p: 1}}\n"
        "  items: [1]\n"
        "  csv: a,b\n"
        "  count: 1\n"
        "  plain: old\n"
    )
    second = parse(
        "parameter_defaults:\n"
        "  cfg: {nested: {q: 2}, y: 2}\n"
        "  items: [2]\n"
        "  csv: c\n"
        "  count: 2\n"
        "  plain: new\n"
    )
    merged = merge([first, second]).parameter_defaults
    # merge is shallow for maps: the new `nested` replaces the old one.
    assert merged["cfg"] == e.literal({"x": 1, "nested": {"q": 2}, "y": 2})
    assert merged["items"] == e.literal([1, 2])
    assert merged["csv"] == e.literal("a,b,c")
    assert merged["count"] == e.literal(3)
    assert merged["plain"] == e.literal("new")


def test_deep_merge() -> None:
    first = parse(
        "parameter_merge_strategies:\n  cfg: deep_merge\n"
        "parameter_defaults:\n  cfg: {nested: {p: 1, s: ab}, l: [1]}\n"
    )
    # Repeating the same strategy in a later file is fine.
    second = parse(
        "parameter_merge_strategies:\n  cfg: deep_merge\n"
        "parameter_defaults:\n  cfg: {nested: {q: 2, s: cd}, l: [2]}\n"
    )
    merged = merge([first, second]).parameter_defaults
    # Heat's deep merge concatenates strings without a separator.
    assert merged["cfg"] == e.literal({"nested": {"p": 1, "s": "abcd", "q": 2}, "l": [1, 2]})


def test_the_first_file_to_merge_a_key_fixes_its_strategy() -> None:
    first = parse("parameter_merge_strategies:\n  a: merge\nparameters:\n  a: [1]\n")
    second = parse("parameter_merge_strategies:\n  default: overwrite\nparameters:\n  a: [2]\n")
    merged = merge([first, second])
    assert merged.parameters["a"] == e.literal([1, 2])
    assert merged.parameter_merge_strategies["a"] == "merge"
    assert merged.merge_conflicts == ()


def test_a_later_file_naming_another_strategy_conflicts() -> None:
    first = parse("parameters:\n  a: [1]\n  b: 1\n", "one.yaml")
    second = parse(
        "parameter_merge_strategies:\n  a: merge\n  c: merge\nparameters:\n  a: [2]\n  c: [3]\n",
        "two.yaml",
    )
    merged = merge([first, second])
    # Heat raises ConflictingMergeStrategyForParam; Kiln keeps the first choice and says so.
    assert merged.parameters["a"] == e.literal([2])
    (conflict,) = merged.merge_conflicts
    assert (conflict.parameter, conflict.strategy, conflict.fixed) == ("a", "merge", "overwrite")
    assert (conflict.fixed_by, conflict.file) == ("one.yaml", "two.yaml")
    assert conflict.span is not None and conflict.span.line == 2


def test_registry_sinks_and_names_accumulate() -> None:
    first = parse(
        'resource_registry:\n  "A::B": a.yaml\n'
        "event_sinks:\n  - {type: zaqar-queue, target: q1}\n"
        "encrypted_param_names: [p1, p2]\n"
        "parameters:\n  x: 1\n",
        "one.yaml",
    )
    second = parse(
        'resource_registry:\n  "C::D": "OS::Heat::None"\n'
        "event_sinks:\n  - {type: zaqar-queue, target: q2}\n"
        "encrypted_param_names: [p2, p3]\n"
        "parameters:\n  x: 2\n",
        "two.yaml",
    )
    merged = merge([first, second])
    assert [entry.key for entry in merged.resource_registry] == ["A::B", "C::D"]
    assert len(merged.event_sinks) == 2
    assert merged.encrypted_param_names == ("p1", "p2", "p3")
    assert merged.files == ("one.yaml", "two.yaml")
    assert [(name, span.file if span else None) for name, span in merged.parameter_keys] == [
        ("x", "one.yaml"),
        ("x", "two.yaml"),
    ]
