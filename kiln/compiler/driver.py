"""The driver: load -> frontend -> includes and environment -> passes, for one input file.

Every stage returns values plus diagnostics; nothing here raises on a user's mistake. What is
an exception here is a bug in Kiln, and the CLI says so.
"""

import gc
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiln.compiler.diagnostics import Diagnostic, DiagnosticSink, sorted_diagnostics
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.file_cache import CachedFile, FileCache, Lowered
from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.frozen import FrozenMap, frozen_dataclass
from kiln.compiler.ir.nodes import Template
from kiln.compiler.passes import PassContext, run_pipeline
from kiln.compiler.source import SourceFile
from kiln.compiler.unit import CompilationUnit
from kiln.frontends import environment as env
from kiln.frontends import includes
from kiln.frontends.base import ParseContext
from kiln.frontends.loader import LoadOptions, LoadResult
from kiln.frontends.syntax import LMap, describe
from kiln.plugins.host import Registries

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
Kind = Literal["template", "environment", "unreadable"]


@dataclass(frozen=True, slots=True)  # not frozen_dataclass: ruff knows this one is immutable (B008)
class CompileOptions:
    environment_files: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    allow_paths: tuple[str, ...] = ()
    load: LoadOptions = field(default_factory=LoadOptions)


@frozen_dataclass
class CompileResult:
    path: str
    kind: Kind
    unit: CompilationUnit | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, SourceFile]

    @property
    def has_errors(self) -> bool:
        return any(d.severity >= c.Severity.ERROR for d in self.diagnostics)


# Shared by every compile_file call that is not given its own cache (see file_cache.py).
FILES = FileCache()


def clear_caches() -> None:
    """Forget every file read so far (the bench does this between repetitions)."""
    FILES.clear()


@dataclass(slots=True)
class Session:
    """State shared while compiling one root file: registries, options, the sink, and every
    source read so far (so diagnostics in nested files can show excerpts). Files come through
    `cache`, so a template included by many roots is loaded and lowered once."""

    registries: Registries
    options: CompileOptions
    sink: DiagnosticSink = field(default_factory=DiagnosticSink)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    cache: FileCache = field(default_factory=FileCache)

    def read(self, path: str) -> LMap | None:
        """Load a file: its root mapping, or None when it is unreadable or not a mapping
        (reported either way)."""
        return self._root(self.cache.tree(self._file(path), self.options.load))

    def _file(self, path: str) -> CachedFile:
        entry = self.cache.load(path, self.options.load)
        result = entry.result
        self.sink.extend(result.diagnostics)
        if result.source is not None:
            self.sources[result.source.path] = result.source
        return entry

    def _root(self, result: LoadResult) -> LMap | None:
        if result.root is None:
            return None
        if not isinstance(result.root, LMap):
            self.sink.report(c.NOT_A_MAPPING, result.root.span, (), kind=describe(result.root))
            return None
        return result.root

    def parse_template(self, path: str, root: LMap) -> Template | None:
        """Lower a document with the first frontend that claims it."""
        source = self.sources[path]
        context = ParseContext(self.registries.functions, self.sink)
        for frontend in self.registries.frontends:
            if frontend.detect(root):
                return frontend.parse(source, root, context)
        self.sink.report(c.MISSING_VERSION, root.span, ())
        return None

    def load_template(self, path: str) -> Template | None:
        entry = self._file(path)
        lowered = entry.lowered_for(self.registries)
        if lowered is not None:
            self.sink.extend(lowered.diagnostics)
            return lowered.template
        root = self._root(self.cache.tree(entry, self.options.load))
        if root is None:
            return None
        return self._lower(entry, path, root)

    def _lower(self, entry: CachedFile, path: str, root: LMap) -> Template | None:
        """parse_template, with the frontend's diagnostics kept with the entry for a hit."""
        sink = self.sink
        start = len(sink.items)
        template = self.parse_template(path, root)
        diagnostics = tuple(sink.items[start:])
        self.cache.keep_lowered(entry, Lowered(self.registries, template, diagnostics))
        return template


def compile_file(
    path: str,
    registries: Registries,
    options: CompileOptions = CompileOptions(),
    cache: FileCache | None = None,
) -> CompileResult:
    """Compile one root file. Files are read through `cache` (default: the process-wide
    FILES), so the templates many roots include are loaded and lowered once."""
    with gc_paused():
        return _compile(path, registries, options, FILES if cache is None else cache)


def _compile(
    path: str, registries: Registries, options: CompileOptions, cache: FileCache
) -> CompileResult:
    session = Session(registries, options, cache=cache)
    entry = session._file(path)
    lowered = entry.lowered_for(registries)
    if lowered is not None and lowered.template is not None:
        # A frontend claimed this document before: it is a template, not an environment.
        session.sink.extend(lowered.diagnostics)
        template: Template | None = lowered.template
    else:
        root = session._root(session.cache.tree(entry, options.load))
        if root is None:
            return _result(path, "unreadable", None, session)
        if env.is_environment(root) and not any(f.detect(root) for f in registries.frontends):
            env.parse_environment(session.sources[path], root, session.sink)
            return _result(path, "environment", None, session)
        template = session._lower(entry, path, root)
    if template is None:
        return _result(path, "unreadable", None, session)
    environment = _environment(session)
    env.check_parameters(template, environment, options.parameters, session.sink)
    included = includes.resolve(
        template, environment, session.load_template, options.allow_paths, session.sink
    )
    unit = CompilationUnit(
        root=template,
        templates=FrozenMap({path: template, **included.templates}),
        sources=FrozenMap(session.sources),
        files=FrozenMap(included.files),
        environment=environment,
        nested=included.nested,
    )
    unit = run_pipeline(unit, PassContext(registries, session.sink, options.parameters))
    return _result(path, "template", unit, session)


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while compiling. A compilation makes no reference
    cycles: what it drops is freed by reference counting (tests/compiler/test_file_cache.py
    holds it to that). It does allocate a few hundred thousand objects that live until it
    ends, which the collector would traverse again and again: a quarter of the time of
    validating a directory of templates. The outermost compile of any thread pauses it; a
    program that disabled the collector itself keeps it disabled."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _environment(session: Session) -> Environment:
    environments: list[Environment] = []
    for env_path in session.options.environment_files:
        root = session.read(env_path)
        if root is not None:
            environments.append(
                env.parse_environment(session.sources[env_path], root, session.sink)
            )
    return env.merge(environments)


def _result(path: str, kind: Kind, unit: CompilationUnit | None, session: Session) -> CompileResult:
    return CompileResult(
        path=path,
        kind=kind,
        unit=unit,
        diagnostics=tuple(sorted_diagnostics(session.sink)),
        sources=dict(session.sources),
    )


def discover(paths: Iterable[str]) -> Iterator[str]:
    """Files as given; directories walked recursively for template-like files, in sorted
    order, skipping hidden directories."""
    for path in paths:
        if not os.path.isdir(path):
            yield path
            continue
        for directory, subdirectories, files in os.walk(path):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(TEMPLATE_SUFFIXES):
                    yield str(Path(directory) / name)
