"""Registers the HOT frontend and its functions, through the same hooks as any plugin."""

from collections.abc import Sequence

from kiln.compiler.functions import FunctionSpec
from kiln.frontends.base import FrontendSpec
from kiln.frontends.hot import parse
from kiln.frontends.hot.functions import HOT_FUNCTIONS
from kiln.plugins.hookspecs import hookimpl


@hookimpl
def kiln_frontends() -> Sequence[FrontendSpec]:
    return [
        FrontendSpec(
            name="hot",
            summary="OpenStack Heat Orchestration Templates (heat_template_version)",
            detect=parse.detect,
            parse=parse.parse,
        )
    ]


@hookimpl
def kiln_functions() -> Sequence[FunctionSpec]:
    return HOT_FUNCTIONS
