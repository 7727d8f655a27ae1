"""Environment files (placeholder: being written)."""

from collections.abc import Sequence

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.ir.environment import Environment
from kiln.compiler.ir.nodes import Template
from kiln.compiler.source import SourceFile
from kiln.frontends.syntax import LMap

SECTIONS = (
    "parameters", "resource_registry", "parameter_defaults", "encrypted_param_names",
    "event_sinks", "parameter_merge_strategies",
)  # fmt: skip


def is_environment(root: LMap) -> bool:
    return bool(root.keys()) and all(key in SECTIONS for key in root.keys())


def parse_environment(source: SourceFile, root: LMap, sink: DiagnosticSink) -> Environment:
    del source, root, sink
    return Environment()


def merge(environments: Sequence[Environment]) -> Environment:
    return environments[-1] if environments else Environment()


def check_parameters(
    template: Template, environment: Environment, parameters: Sequence[tuple[str, str]], sink: DiagnosticSink
) -> None:
    del template, environment, parameters, sink
