"""Many templates validated in one go, as `kiln validate a.yaml dir/` does.

Each file is compiled on its own (every validation pass), in up to `jobs` processes
(kiln/compiler/parallel.py); the results come back in the files' order, so the output is the
same whatever the number of processes. A diagnostic reached through two files (a nested
template checked on its own and through its parent) is kept once, where it was first found.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from kiln.compiler.diagnostics import Diagnostic, files_shown
from kiln.compiler.driver import CompileOptions, compile_file, gc_paused
from kiln.compiler.parallel import map_ordered
from kiln.compiler.source import SourceFile
from kiln.plugins.host import Registries


@dataclass(frozen=True, slots=True)
class BatchResult:
    files: int
    diagnostics: tuple[Diagnostic, ...]
    # The sources the diagnostics point into (what a renderer shows excerpts from).
    sources: dict[str, SourceFile]


def validate_files(
    paths: Sequence[str],
    registries: Registries,
    options: CompileOptions,
    jobs: int = 1,
    no_plugins: bool = False,
) -> BatchResult:
    """Compile every path; `no_plugins` says how a spawned worker rebuilds `registries`."""
    rebuild = partial(_worker_context, no_plugins, options)
    with gc_paused():  # between files too (see driver.gc_paused)
        results = map_ordered(_validate, paths, jobs, (registries, options), rebuild)
    diagnostics: list[Diagnostic] = []
    seen: set[Diagnostic] = set()
    sources: dict[str, SourceFile] = {}
    for found, shown in results:
        for diagnostic in found:
            if diagnostic not in seen:
                seen.add(diagnostic)
                diagnostics.append(diagnostic)
        sources.update(shown)
    return BatchResult(len(paths), tuple(diagnostics), sources)


# --- workers -------------------------------------------------------------------------------

_Context = tuple[Registries, CompileOptions]


def _worker_context(no_plugins: bool, options: CompileOptions) -> _Context:
    from kiln.plugins.host import load

    return load(entry_points=not no_plugins), options


def _validate(context: _Context, path: str) -> tuple[tuple[Diagnostic, ...], dict[str, SourceFile]]:
    """One file's diagnostics, and only the sources they point into (the rest would be
    pickled back from a worker for nothing)."""
    registries, options = context
    result = compile_file(path, registries, options)
    shown = files_shown(result.diagnostics)
    return result.diagnostics, {name: s for name, s in result.sources.items() if name in shown}
