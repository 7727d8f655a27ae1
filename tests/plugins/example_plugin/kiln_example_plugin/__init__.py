"""A tiny third-party Kiln plugin: one HOT function, one resource type, one diagnostic code.

It proves the plugin contract from outside: it imports only kiln's public plugin surface.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from kiln.compiler.diagnostics.codes import Code, Severity
from kiln.compiler.functions import BadArguments, Call, FunctionSpec
from kiln.compiler.ir import expr as e
from kiln.plugins.hookspecs import hookimpl

EXAMPLE_NOTE = Code(
    "EXA001", "example-note", "A note from the example plugin.", Severity.INFO, "EXA"
)


def build_join_lines(call: Call) -> e.Expr:
    """`join_lines: [a, b, ...]` is list_join with a newline."""
    if not isinstance(call.args, e.ListExpr):
        raise BadArguments("a list of strings")
    return e.Join(
        delimiter=e.Str(value="\n", span=call.span),
        lists=(call.args,),
        spelling=call.spelling,
        span=call.span,
    )


@hookimpl
def kiln_functions() -> Sequence[FunctionSpec]:
    return [FunctionSpec("hot", "join_lines", build_join_lines, "Join lines with newlines.")]


@hookimpl
def kiln_resource_types() -> Mapping[str, Mapping[str, Any]]:
    return {
        "Example::Thing::Widget": {
            "type": "Example::Thing::Widget",
            "heat_version": "example",
            "description": "A widget.",
            "x-support": {
                "status": "SUPPORTED",
                "version": None,
                "message": None,
                "previous": None,
            },
            "properties": {
                "type": "object",
                "properties": {"size": {"type": "integer"}},
                "required": [],
                "additionalProperties": False,
            },
            "attributes": {"size": {"type": "integer", "description": "The size."}},
            "update_policy": None,
        }
    }


@hookimpl
def kiln_diagnostic_codes() -> Sequence[Code]:
    return [EXAMPLE_NOTE]
