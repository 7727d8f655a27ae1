"""The resource registry as Heat resolves it (heat/engine/environment.py): global, glob and
per-resource mappings, chains, hooks and restricted actions, removal by null, nested stacks."""

from kiln.compiler.diagnostics import Diagnostic, DiagnosticSink
from kiln.compiler.ir.environment import Environment
from kiln.frontends.environment import merge, parse_environment
from kiln.frontends.loader import load_text
from kiln.frontends.syntax import LMap


def parse(text: str, path: str = "envs/env.yaml", base_dir: str | None = None) -> Environment:
    environment, diagnostics = parse_with_diagnostics(text, path, base_dir)
    assert not diagnostics, [d.message for d in diagnostics]
    return environment


def parse_with_diagnostics(
    text: str, path: str = "envs/env.yaml", base_dir: str | None = None
) -> tuple[Environment, list[Diagnostic]]:
    loaded = load_text(text, path)
    assert loaded.source is not None and isinstance(loaded.root, LMap)
    sink = DiagnosticSink()
    environment = parse_environment(loaded.source, loaded.root, sink, base_dir=base_dir)
    return environment, list(sink)


def test_global_template_mapping_resolves_against_the_environment_file() -> None:
    env = parse('resource_registry:\n  "OS::Nova::Server": ../lib/server.yaml\n')
    entry = env.lookup_type("web", "OS::Nova::Server")
    assert entry is not None and entry.target == "../lib/server.yaml"
    assert entry.target_path == "lib/server.yaml"
    assert entry.file == "envs/env.yaml" and entry.span is not None and entry.span.line == 2
    assert env.resolve_type("web", "OS::Nova::Server") == "lib/server.yaml"
    assert env.lookup_type("web", "OS::Neutron::Net") is None
    assert env.resolve_type("web", "OS::Neutron::Net") == "OS::Neutron::Net"


def test_targets_urls_and_base_url() -> None:
    env = parse(
        "resource_registry:\n"
        '  "A::Local": file:///opt/templates/a.yaml\n'
        '  "A::Remote": https://example.com/a.yaml\n'
        '  "A::Type": "OS::Heat::None"\n'
    )
    paths = {entry.key: entry.target_path for entry in env.resource_registry}
    assert paths == {
        "A::Local": "/opt/templates/a.yaml",
        "A::Remote": "https://example.com/a.yaml",
        "A::Type": None,
    }
    remote_base = parse(
        'resource_registry:\n  base_url: https://example.com/t/\n  "A::B": b.yaml\n'
    )
    assert remote_base.resource_registry[0].target_path == "https://example.com/t/b.yaml"
    # A relative base_url is taken from the environment file's directory.
    local_base = parse('resource_registry:\n  base_url: lib\n  "A::B": b.yaml\n')
    assert local_base.resource_registry[0].target_path == "envs/lib/b.yaml"
    moved = parse('resource_registry:\n  "A::B": b.yaml\n', base_dir="elsewhere/dir")
    assert moved.resource_registry[0].target_path == "elsewhere/dir/b.yaml"


def test_glob_mapping_keeps_the_suffix() -> None:
    env = parse('resource_registry:\n  "OS::Quantum*": "OS::Neutron*"\n')
    assert env.resolve_type("net", "OS::Quantum::Net") == "OS::Neutron::Net"
    assert env.lookup_type("net", "OS::Quantum::Net") is not None
    assert env.lookup_type("server", "OS::Nova::Server") is None


def test_many_to_one_glob_never_matches_its_own_target() -> None:
    env = parse('resource_registry:\n  "OS::*": "OS::Heat::None"\n')
    assert env.resolve_type("x", "OS::Nova::Server") == "OS::Heat::None"
    assert env.lookup_type("x", "OS::Heat::None") is None


def test_mappings_chain_to_a_template() -> None:
    env = parse('resource_registry:\n  "My::A": "My::B"\n  "My::B": b.yaml\n')
    entry = env.lookup_type("r", "My::A")
    assert entry is not None and entry.key == "My::B" and entry.target_path == "envs/b.yaml"


def test_a_mapping_loop_terminates() -> None:
    env = parse('resource_registry:\n  "My::A": "My::B"\n  "My::B": "My::A"\n')
    assert env.resolve_type("r", "My::A") in ("My::A", "My::B")


def test_a_matching_glob_sorts_before_an_exact_name_as_in_heat() -> None:
    # ResourceInfo.__lt__ compares paths as text, and '*' sorts before letters.
    env = parse(
        'resource_registry:\n  "OS::Nova::Server": server.yaml\n  "OS::Nova::*": "OS::Heat::None"\n'
    )
    assert env.resolve_type("s", "OS::Nova::Server") == "OS::Heat::None"


def test_per_resource_mapping_wins_and_matches_names_exactly() -> None:
    env = parse(
        "resource_registry:\n"
        '  "OS::Nova::Server": a.yaml\n'
        "  resources:\n"
        "    my_server:\n"
        '      "OS::Nova::Server": b.yaml\n'
        '    "web_*":\n'
        '      "OS::Nova::Server": c.yaml\n'
    )
    assert env.resolve_type("my_server", "OS::Nova::Server") == "envs/b.yaml"
    # Heat looks type mappings up by the exact resource name; globs only select hooks.
    assert env.resolve_type("web_1", "OS::Nova::Server") == "envs/a.yaml"
    assert env.resolve_type("other", "OS::Nova::Server") == "envs/a.yaml"


def test_hooks_and_restricted_actions_match_globs() -> None:
    env = parse(
        "resource_registry:\n"
        "  resources:\n"
        "    my_server:\n"
        "      hooks: [pre-create, post-delete]\n"
        '    "web_*":\n'
        "      hooks: pre-update\n"
        "      restricted_actions: [update, replace]\n"
    )
    assert env.hooks_for("my_server") == {"pre-create", "post-delete"}
    assert env.hooks_for("web_1") == {"pre-update"}
    assert env.restricted_actions_for("web_1") == {"update", "replace"}
    assert (
        env.hooks_for("db") == frozenset()
        and env.restricted_actions_for("my_server") == frozenset()
    )


def test_unknown_hooks_are_dropped_and_reported() -> None:
    text = "resource_registry:\n  resources:\n    s:\n      hooks: [pre-create, pre-destroy]\n"
    env, diagnostics = parse_with_diagnostics(text)
    assert [(d.code.id, d.span.line if d.span else 0) for d in diagnostics] == [("ENV003", 4)]
    assert env.hooks_for("s") == {"pre-create"}


def test_later_files_replace_the_same_path() -> None:
    first = parse(
        'resource_registry:\n  "X::Y": a.yaml\n  resources:\n    r:\n      hooks: pre-create\n'
    )
    second = parse(
        'resource_registry:\n  "X::Y": b.yaml\n  resources:\n    r:\n      hooks: pre-delete\n'
    )
    merged = merge([first, second])
    assert merged.resolve_type("r", "X::Y") == "envs/b.yaml"
    assert merged.hooks_for("r") == {"pre-delete"}
    assert len(merged.resource_registry) == 4 and len(merged.effective_registry) == 2


def test_null_removes_what_earlier_files_registered() -> None:
    first = parse(
        "resource_registry:\n"
        '  "OS::Nova::Server": a.yaml\n'
        '  "OS::Neutron::Net": n.yaml\n'
        '  "OS::Neutron::Port": p.yaml\n'
        "  resources:\n"
        "    r:\n"
        "      hooks: pre-create\n"
    )
    second = parse(
        "resource_registry:\n"
        '  "OS::Nova::Server": null\n'
        '  "OS::Neutron::*": null\n'
        "  resources:\n"
        "    r: null\n"
    )
    merged = merge([first, second])
    for type_name in ("OS::Nova::Server", "OS::Neutron::Net", "OS::Neutron::Port"):
        assert merged.lookup_type("r", type_name) is None
    assert merged.hooks_for("r") == frozenset()
    assert merged.effective_registry == ()


def test_nested_stack_sees_the_registry_without_the_mapping_that_created_it() -> None:
    env = parse(
        'resource_registry:\n  "OS::Nova::Server": server.yaml\n  "My::Other": other.yaml\n'
    )
    used = env.lookup_type("srv", "OS::Nova::Server")
    child = env.nested("srv", used)
    # So server.yaml may itself use OS::Nova::Server (get_child_environment's item_to_remove).
    assert child.lookup_type("inner", "OS::Nova::Server") is None
    assert child.resolve_type("inner", "My::Other") == "envs/other.yaml"


def test_nested_stack_blocks_address_the_nested_stack_resources() -> None:
    env = parse(
        "resource_registry:\n"
        "  resources:\n"
        "    nested_stack:\n"
        "      inner:\n"
        "        hooks: pre-delete\n"
        "    other:\n"
        "      hooks: pre-create\n"
    )
    assert env.hooks_for("inner") == frozenset()
    child = env.nested("nested_stack")
    assert child.hooks_for("inner") == {"pre-delete"}
    assert child.hooks_for("other") == frozenset()
    assert env.nested("unrelated").hooks_for("inner") == frozenset()
