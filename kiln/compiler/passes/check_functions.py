"""The check_functions pass (being written)."""

from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def check_functions(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    del context
    return unit
