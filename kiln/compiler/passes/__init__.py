"""The pass pipeline: small verb-named modules run in one visible order.

Each pass takes the unit and a context and returns a (possibly new) unit; user mistakes go to
the sink, never raise. Order matters and is written down here, with the reason for each place
(sqlglot's RULES, mypy's semantic_analysis_for_scc).
"""

from collections.abc import Callable
from typing import Any

from kiln.compiler.diagnostics import DiagnosticSink
from kiln.compiler.ir.frozen import frozen_dataclass
from kiln.compiler.unit import CompilationUnit


@frozen_dataclass
class PassContext:
    registries: Any  # kiln.plugins.host.Registries; typed loosely to keep passes import-light
    sink: DiagnosticSink
    # -P values from the command line, as given (environment values are on the unit).
    parameters: tuple[tuple[str, str], ...] = ()


@frozen_dataclass
class PassSpec:
    name: str
    run: Callable[[CompilationUnit, PassContext], CompilationUnit]
    requires: tuple[str, ...] = ()


def _pipeline() -> tuple[PassSpec, ...]:
    from kiln.compiler.passes.check_functions import check_functions
    from kiln.compiler.passes.dependency_graph import dependency_graph
    from kiln.compiler.passes.resolve_conditions import resolve_conditions
    from kiln.compiler.passes.resolve_references import resolve_references
    from kiln.compiler.passes.validate_definitions import validate_definitions
    from kiln.compiler.passes.validate_parameters import validate_parameters
    from kiln.compiler.passes.validate_schema import validate_schema

    return (
        # Binds CloudFormation Refs and reports names that name nothing; every later pass sees
        # only bound references.
        PassSpec("resolve_references", resolve_references),
        # Argument shapes and types, and what the Heat target lacks; needs bound references to
        # know what a reference yields.
        PassSpec("check_functions", check_functions, requires=("resolve_references",)),
        # Parameter values (defaults, environment, -P) against types and constraints; fills
        # facts.parameters, which conditions and schema checks evaluate against.
        PassSpec("validate_parameters", validate_parameters, requires=("resolve_references",)),
        # Condition definitions and their values under the known parameters.
        PassSpec(
            "resolve_conditions",
            resolve_conditions,
            requires=("check_functions", "validate_parameters"),
        ),
        # Resources against their types' schemas, with values resolved as far as known and
        # resources whose condition is false skipped.
        PassSpec("validate_schema", validate_schema, requires=("resolve_conditions",)),
        # Resource definitions as Heat reads them besides the properties: field types,
        # deletion policies (Snapshot needs a class that can take one), update policies; needs
        # the conditions (Heat validates only the resources it keeps) and parameter values.
        PassSpec("validate_definitions", validate_definitions, requires=("resolve_conditions",)),
        # Explicit, referenced and Heat's implicit dependencies; cycles; waves.
        PassSpec("dependency_graph", dependency_graph, requires=("validate_schema",)),
    )


PIPELINE: tuple[PassSpec, ...] = _pipeline()


def check_order(pipeline: tuple[PassSpec, ...]) -> None:
    """Every pass's requirements run before it; a wrong order is a bug, caught at import."""
    seen: set[str] = set()
    for spec in pipeline:
        missing = [name for name in spec.requires if name not in seen]
        if missing:
            raise RuntimeError(f"pass {spec.name!r} requires {missing} to run before it")
        seen.add(spec.name)


check_order(PIPELINE)


def run_pipeline(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    for spec in PIPELINE:
        unit = spec.run(unit, context)
    return unit
