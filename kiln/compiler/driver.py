"""The driver: load -> frontend -> includes and environment -> passes, for one input file.

Every stage returns values plus diagnostics; nothing here raises on a user's mistake. What is
an exception here is a bug in Kiln, and the CLI says so.
"""

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kiln.compiler.diagnostics import Diagnostic, DiagnosticSink, sorted_diagnostics
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.passes import PassContext, run_pipeline
from kiln.compiler.source import SourceFile
from kiln.compiler.unit import CompilationUnit
from kiln.frontends import environment as env
from kiln.frontends import includes
from kiln.frontends.base import ParseContext
from kiln.frontends.loader import LoadOptions, load_file
from kiln.frontends.syntax import LMap, describe
from kiln.plugins.host import Registries

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
Kind = Literal["template", "environment", "unreadable"]


@dataclass(frozen=True, slots=True)
class CompileOptions:
    environment_files: tuple[str, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    allow_paths: tuple[str, ...] = ()
    load: LoadOptions = field(default_factory=LoadOptions)


@dataclass(frozen=True, slots=True)
class CompileResult:
    path: str
    kind: Kind
    unit: CompilationUnit | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, SourceFile]

    @property
    def has_errors(self) -> bool:
        return any(d.severity >= c.Severity.ERROR for d in self.diagnostics)


@dataclass(slots=True)
class Session:
    """State shared while compiling one root file: registries, options, the sink, and every
    source read so far (so diagnostics in nested files can show excerpts)."""

    registries: Registries
    options: CompileOptions
    sink: DiagnosticSink = field(default_factory=DiagnosticSink)
    sources: dict[str, SourceFile] = field(default_factory=dict)

    def read(self, path: str) -> LMap | None:
        """Load a file: its root mapping, or None when it is unreadable or not a mapping
        (reported either way)."""
        result = load_file(path, self.options.load)
        self.sink.extend(result.diagnostics)
        if result.source is not None:
            self.sources[result.source.path] = result.source
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
        root = self.read(path)
        if root is None:
            return None
        return self.parse_template(path, root)


def compile_file(
    path: str, registries: Registries, options: CompileOptions = CompileOptions()
) -> CompileResult:
    session = Session(registries, options)
    root = session.read(path)
    if root is None:
        return _result(path, "unreadable", None, session)
    if env.is_environment(root) and not any(f.detect(root) for f in registries.frontends):
        env.parse_environment(session.sources[path], root, session.sink)
        return _result(path, "environment", None, session)
    template = session.parse_template(path, root)
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
