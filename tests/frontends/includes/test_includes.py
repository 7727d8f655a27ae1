"""What a template includes: get_file contents, provider templates (by type and by registry),
nested stacks, group members; the sandbox (FIL002), URLs (FIL003), depth (FIL004), cycles
(FIL005). Each tree under trees/ is a small repository; paths are checked as the user sees
them (relative to the directory kiln runs in)."""

from pathlib import Path

import pytest
from kiln_testing import check_case

from kiln.compiler.driver import CompileOptions, CompileResult, compile_file
from kiln.plugins.host import Registries
from kiln.schemas.default_environment import templates_dir

TREES = Path(__file__).parent / "trees"
ROOTS = [
    TREES / "getfile" / "root" / "main.yaml",
    TREES / "provider" / "main.yaml",
    TREES / "stack" / "main.yaml",
    TREES / "cycle" / "self.yaml",
]


@pytest.mark.parametrize("path", ROOTS, ids=lambda path: path.parent.name + "/" + path.name)
def test_inline_expectations(path: Path, registries: Registries) -> None:
    check_case(path, registries)


def run(
    tree: str,
    root: str,
    registries: Registries,
    monkeypatch: pytest.MonkeyPatch,
    **options: tuple[str, ...],
) -> CompileResult:
    monkeypatch.chdir(TREES / tree)
    return compile_file(root, registries, CompileOptions(**options))  # type: ignore[arg-type]


def located(result: CompileResult, prefix: str = "FIL") -> list[tuple[str, int, str]]:
    return sorted(
        (d.span.file if d.span else "", d.span.line if d.span else 0, d.code.id)
        for d in result.diagnostics
        if d.code.id.startswith(prefix)
    )


def nested(result: CompileResult) -> list[tuple[str, str, str, str]]:
    assert result.unit is not None
    return [(n.template_file, n.resource, n.nested_file, n.via) for n in result.unit.nested]


# --- get_file --------------------------------------------------------------------------------


def test_get_file_contents_are_read_once_with_readable_paths(
    registries: Registries, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("getfile", "root/main.yaml", registries, monkeypatch)
    assert result.unit is not None
    assert dict(result.unit.files) == {"root/scripts/setup.sh": "#!/bin/sh\necho setup\n"}
    assert located(result) == [
        ("root/main.yaml", 14, "FIL001"),
        ("root/main.yaml", 18, "FIL003"),
        ("root/main.yaml", 22, "FIL002"),
    ]
    outside = next(d for d in result.diagnostics if d.code.id == "FIL002")
    assert outside.path == ("resources", "outside")
    assert "'shared/common.sh'" in outside.message and "--allow-path" in outside.message


def test_allow_path_lets_a_file_outside_the_tree_be_read(
    registries: Registries, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("getfile", "root/main.yaml", registries, monkeypatch, allow_paths=("shared",))
    assert result.unit is not None
    assert result.unit.files["shared/common.sh"] == "#!/bin/sh\necho common\n"
    assert [code for _, _, code in located(result)] == ["FIL001", "FIL003"]


def test_absolute_paths_and_file_urls(registries: Registries, tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    data = tmp_path / "root" / "data.txt"
    data.write_bytes(b"caf\xc3\xa9 \xff\n")  # not all UTF-8: read with replacement, never fails
    (tmp_path / "secret.txt").write_text("secret\n", encoding="utf-8")
    (tmp_path / "root" / "link.txt").symlink_to(tmp_path / "secret.txt")
    main = tmp_path / "root" / "main.yaml"
    value = "{type: OS::Heat::Value, properties: {value: {get_file: '%s'}}}"
    main.write_text(
        "heat_template_version: 2018-08-31\nresources:\n"
        f"  a: {value % ('file://' + str(data))}\n"
        f"  b: {value % (tmp_path / 'secret.txt')}\n"
        f"  c: {value % 'link.txt'}\n",
        encoding="utf-8",
    )
    result = compile_file(str(main), registries)
    assert result.unit is not None
    assert dict(result.unit.files) == {str(data): "café \ufffd\n"}
    # The symlink leads outside the tree: refused like the absolute path, and never read.
    assert located(result) == [(str(main), 4, "FIL002"), (str(main), 5, "FIL002")]


# --- nested templates ------------------------------------------------------------------------


def test_provider_templates_by_type(
    registries: Registries, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("provider", "main.yaml", registries, monkeypatch)
    assert result.unit is not None
    # Depth first, in source order; the second reference reuses the loaded template.
    assert nested(result) == [
        ("main.yaml", "child", "nested/child.yaml", "type"),
        ("nested/child.yaml", "grandchild", "leaf.yaml", "type"),
        ("main.yaml", "again", "nested/child.yaml", "type"),
    ]
    assert set(result.unit.templates) == {"main.yaml", "nested/child.yaml", "leaf.yaml"}
    # get_file in a nested template resolves against that template's directory.
    assert dict(result.unit.files) == {"nested/data.txt": "some data\n"}
    assert located(result) == [("main.yaml", 8, "FIL001"), ("main.yaml", 10, "FIL003")]


def test_provider_templates_by_registry_and_group_members(
    registries: Registries, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(
        "registry", "main.yaml", registries, monkeypatch, environment_files=("env/env.yaml",)
    )
    assert nested(result) == [
        ("main.yaml", "server", "templates/server.yaml", "registry"),
        ("main.yaml", "group", "templates/member.yaml", "group"),
        ("main.yaml", "plain_group", "templates/member.yaml", "group"),
    ]
    # server.yaml uses OS::Nova::Server itself; its environment no longer maps it (no FIL005).
    assert located(result) == []
    assert not [d for d in result.diagnostics if d.code.id == "SCH001"]


def test_nested_stacks(registries: Registries, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("stack", "main.yaml", registries, monkeypatch)
    assert result.unit is not None
    assert nested(result) == [
        ("main.yaml", "cfn_stack", "child.yaml", "stack"),
        ("main.yaml", "remote_stack", "remote.yaml", "stack"),
    ]
    assert set(result.unit.templates) == {"main.yaml", "child.yaml", "remote.yaml"}
    # OS::Heat::Stack's template is a get_file: its text is in the files table as well.
    assert "heat_template_version" in result.unit.files["remote.yaml"]
    assert located(result) == [("main.yaml", 14, "FIL003"), ("main.yaml", 19, "FIL003")]


# --- depth and cycles ------------------------------------------------------------------------


def test_depth_limit_is_heats_max_nested_stack_depth(
    registries: Registries, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = run("depth", "d0.yaml", registries, monkeypatch)
    assert deep.unit is not None
    # d0 is depth 0; d5 (depth 5) may not create d6.
    assert located(deep) == [("d5.yaml", 4, "FIL004")]
    assert set(deep.unit.templates) == {f"d{i}.yaml" for i in range(6)}
    shallower = run("depth", "d1.yaml", registries, monkeypatch)
    assert located(shallower) == []
    assert "d6.yaml" in shallower.unit.templates if shallower.unit else False


def test_self_include(registries: Registries, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("cycle", "self.yaml", registries, monkeypatch)
    (cycle,) = [d for d in result.diagnostics if d.code.id == "FIL005"]
    assert "self.yaml -> self.yaml" in cycle.message
    assert nested(result) == []  # the unit's nesting stays acyclic


def test_cycle_through_a_chain(registries: Registries, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("cycle", "a.yaml", registries, monkeypatch)
    assert located(result) == [("b.yaml", 4, "FIL005")]
    (cycle,) = [d for d in result.diagnostics if d.code.id == "FIL005"]
    assert "a.yaml -> b.yaml -> a.yaml" in cycle.message
    assert nested(result) == [("a.yaml", "to_b", "b.yaml", "type")]


def test_a_diamond_is_not_a_cycle(registries: Registries, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("cycle", "diamond.yaml", registries, monkeypatch)
    assert located(result) == []
    assert nested(result) == [
        ("diamond.yaml", "left", "left.yaml", "type"),
        ("left.yaml", "shared", "shared.yaml", "type"),
        ("diamond.yaml", "right", "right.yaml", "type"),
        ("right.yaml", "shared", "shared.yaml", "type"),
    ]
    assert result.unit is not None
    assert set(result.unit.templates) == {"diamond.yaml", "left.yaml", "right.yaml", "shared.yaml"}


# --- Heat's default environment ----------------------------------------------------------------


def test_default_environment_maps_types_to_the_templates_heat_ships(
    registries: Registries, tmp_path: Path
) -> None:
    """AWS::RDS::DBInstance and AWS::CloudWatch::Alarm are registry-mapped templates, read from
    kiln/schemas/templates/ (outside the template's tree, yet readable); a mapping in the
    user's environment takes precedence, as Heat's user registry does over its global one."""
    main = tmp_path / "main.yaml"
    main.write_text(
        "heat_template_version: 2013-05-23\nresources:\n"
        "  db: {type: AWS::RDS::DBInstance}\n"
        "  alarm: {type: AWS::CloudWatch::Alarm}\n",
        encoding="utf-8",
    )
    shipped = Path(templates_dir())
    result = compile_file(str(main), registries)
    assert nested(result) == [
        (str(main), "db", str(shipped / "AWS_RDS_DBInstance.yaml"), "registry"),
        (str(main), "alarm", str(shipped / "AWS_CloudWatch_Alarm.yaml"), "registry"),
    ]
    assert located(result) == []
    env = tmp_path / "env.yaml"
    env.write_text("resource_registry:\n  AWS::CloudWatch::Alarm: OS::Heat::None\n")
    mapped = compile_file(str(main), registries, CompileOptions(environment_files=(str(env),)))
    assert [ref[1] for ref in nested(mapped)] == ["db"]
