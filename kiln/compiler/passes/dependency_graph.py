"""The dependency_graph pass (being written)."""

from kiln.compiler.passes import PassContext
from kiln.compiler.unit import CompilationUnit


def dependency_graph(unit: CompilationUnit, context: PassContext) -> CompilationUnit:
    del context
    return unit
