"""The file cache shared by compile_file calls (kiln/compiler/file_cache.py) and the garbage
collector pause around them: a template many roots include is read and lowered once, with the
same diagnostics as without the cache; an edited file is read again; compiling leaves no
reference cycles behind, which is what makes pausing the collector safe."""

import gc
import os
from pathlib import Path

import pytest

from kiln.compiler.driver import CompileResult, compile_file, gc_paused
from kiln.compiler.file_cache import FileCache
from kiln.plugins.host import Registries

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TESTS = Path(__file__).resolve().parents[1]

# A nested template with a loader finding (a duplicate key) and a frontend finding (an unknown
# section): both come from the cache on a hit.
NESTED = """heat_template_version: 2018-08-31
parameterz: {}
parameters:
  size: {type: number, default: 1}
  size: {type: number, default: 2}
resources:
  r:
    type: OS::Heat::None
outputs:
  out:
    value: {get_param: size}
"""
ROOT = """heat_template_version: 2018-08-31
resources:
  {name}:
    type: nested.yaml
    properties:
      size: 3
"""


def findings(result: CompileResult) -> list[tuple[str, str, int, int, str]]:
    return [
        (d.code.id, d.span.file if d.span else "", d.span.line if d.span else 0,
         d.span.column if d.span else 0, d.message)
        for d in result.diagnostics
    ]  # fmt: skip


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "nested.yaml").write_text(NESTED, encoding="utf-8")
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(ROOT.format(name=name), encoding="utf-8")
    return tmp_path


def test_a_template_two_roots_include_is_lowered_once(tree: Path, registries: Registries) -> None:
    cache = FileCache()
    first = compile_file(str(tree / "a.yaml"), registries, cache=cache)
    second = compile_file(str(tree / "b.yaml"), registries, cache=cache)
    nested = str(tree / "nested.yaml")
    assert first.unit is not None and second.unit is not None
    assert first.unit.templates[nested] is second.unit.templates[nested]
    for shared in (first, second):
        alone = compile_file(shared.path, registries, cache=FileCache())
        assert findings(shared) == findings(alone)
    codes = {code for code, file, *_ in findings(second) if file == nested}
    assert {"SYN003", "SYN013"} <= codes, codes  # duplicate key, unknown section


def test_an_edited_file_is_read_again_whatever_its_size_and_time(
    tree: Path, registries: Registries
) -> None:
    cache = FileCache()
    nested = tree / "nested.yaml"
    before = compile_file(str(tree / "a.yaml"), registries, cache=cache)
    stat = nested.stat()
    edited = NESTED.replace("parameterz", "parametera")  # same size
    nested.write_text(edited, encoding="utf-8")
    os.utime(nested, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = compile_file(str(tree / "a.yaml"), registries, cache=cache)
    assert [m for *_, m in findings(before) if "parameterz" in m]
    assert [m for *_, m in findings(after) if "parametera" in m]
    assert not [m for *_, m in findings(after) if "parameterz" in m]


def test_the_cache_keeps_files_within_its_budget(tree: Path, registries: Registries) -> None:
    nothing = FileCache(budget=0)
    compile_file(str(tree / "a.yaml"), registries, cache=nothing)
    assert len(nothing) == 0
    everything = FileCache()
    compile_file(str(tree / "a.yaml"), registries, cache=everything)
    assert len(everything) == 2
    one = FileCache(budget=len(NESTED))  # room for the nested template, not for both
    compile_file(str(tree / "a.yaml"), registries, cache=one)
    compile_file(str(tree / "b.yaml"), registries, cache=one)
    assert len(one) == 1


def test_compiling_makes_no_reference_cycles(registries: Registries) -> None:
    """What a compilation drops is freed by reference counting: gc_paused relies on it."""
    # Every case of the frontends and passes, HOT and CloudFormation, good and bad.
    roots = sorted(
        path
        for folder in (TESTS / "frontends", TESTS / "passes", EXAMPLES)
        for path in folder.glob("**/*")
        if path.suffix in (".yaml", ".json")
    )
    for path in roots:  # first uses build what is built once (yaql's parser makes cycles)
        compile_file(str(path), registries, cache=FileCache())
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        cache = FileCache()
        for path in roots:
            result = compile_file(str(path), registries, cache=cache)
        del result
        cache.clear()
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_gc_paused_leaves_the_collector_as_it_found_it(tree: Path, registries: Registries) -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            compile_file(str(tree / "a.yaml"), registries, cache=FileCache())
        assert not gc.isenabled()  # still inside the outer pause
    assert gc.isenabled()
    gc.disable()
    try:
        compile_file(str(tree / "a.yaml"), registries, cache=FileCache())
        assert not gc.isenabled()  # a program that disabled it keeps it disabled
    finally:
        gc.enable()
