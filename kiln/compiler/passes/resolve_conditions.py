"""The resolve_conditions pass (being written)."""

from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def resolve_conditions(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    del context
    return unit
