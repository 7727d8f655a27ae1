"""The one evaluator: intrinsic functions resolved with Heat's semantics (being written)."""

from kiln.compiler.evaluate.values import Unknown, Value

__all__ = ["Unknown", "Value"]
