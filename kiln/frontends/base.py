"""What a frontend is: a dialect that can recognise a document and lower it to the IR."""

from collections.abc import Callable
from dataclasses import dataclass

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.functions import FunctionRegistry
from kiln.compiler.ir.nodes import Template
from kiln.compiler.source import SourceFile
from kiln.frontends.syntax import LMap


@dataclass(frozen=True, slots=True)
class ParseContext:
    functions: FunctionRegistry
    sink: DiagnosticSink


Detect = Callable[[LMap], bool]
Parse = Callable[[SourceFile, LMap, ParseContext], Template]


@dataclass(frozen=True, slots=True)
class FrontendSpec:
    """A template dialect. `detect` looks at the document's top-level keys only and must be
    cheap; the first frontend (in registration order) that claims a document parses it."""

    name: str
    summary: str
    detect: Detect
    parse: Parse
