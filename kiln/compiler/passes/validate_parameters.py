"""The validate_parameters pass (being written)."""

from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def validate_parameters(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    del context
    return unit
