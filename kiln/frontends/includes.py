"""Files a template includes (placeholder: being written)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.nodes import Template
from kiln.compiler.unit import NestedRef


@dataclass(slots=True)
class Included:
    templates: dict[str, Template] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    nested: tuple[NestedRef, ...] = ()


def resolve(
    template: Template,
    environment: Environment,
    load_template: Callable[[str], Template | None],
    allow_paths: Sequence[str],
    sink: DiagnosticSink,
) -> Included:
    del template, environment, load_template, allow_paths, sink
    return Included()
