"""Registers the built-in resource-type schemas (generated from Heat 27.0.1)."""

from collections.abc import Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable

from kiln.plugins.hookspecs import hookimpl


@hookimpl
def kiln_resource_schema_dirs() -> Sequence[Traversable]:
    return [files("kiln.schemas") / "resources"]
