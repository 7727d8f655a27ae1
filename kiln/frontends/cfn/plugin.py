"""Registers the CloudFormation frontend and its functions, through the same hooks as any plugin."""

from collections.abc import Sequence

from kiln.compiler.functions import FunctionSpec
from kiln.frontends.base import FrontendSpec
from kiln.frontends.cfn import parse
from kiln.frontends.cfn.functions import CFN_FUNCTIONS
from kiln.plugins.hookspecs import hookimpl


@hookimpl
def kiln_frontends() -> Sequence[FrontendSpec]:
    return [
        FrontendSpec(
            name="cfn",
            summary=(
                "AWS CloudFormation (AWSTemplateFormatVersion, Heat's HeatTemplateFormatVersion, "
                "or no version key)"
            ),
            detect=parse.detect,
            parse=parse.parse,
        )
    ]


@hookimpl
def kiln_functions() -> Sequence[FunctionSpec]:
    return CFN_FUNCTIONS
