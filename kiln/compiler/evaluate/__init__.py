"""The one evaluator: intrinsic functions resolved with Heat 27's semantics, per template
version and spelling (see evaluator.py)."""

from kiln.compiler.evaluate.evaluator import Evaluator
from kiln.compiler.evaluate.values import ABSENT, Absent, Unknown, Value, is_concrete

__all__ = ["ABSENT", "Absent", "Evaluator", "Unknown", "Value", "is_concrete"]
