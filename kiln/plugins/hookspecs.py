"""The whole plugin contract of Kiln.

A plugin is a module or object with functions named like the specs below, marked with
`kiln.plugins.hookspecs.hookimpl`, and published under the entry-point group `kiln`:

    [project.entry-points.kiln]
    my_plugin = "my_package.kiln_plugin"

Kiln's own frontends register through these same hooks (see host.BUILTIN_PLUGINS). The host
calls each registration hook once at start-up and freezes the results into typed registries;
nothing calls a hook per template or per node.
"""

from collections.abc import Mapping, Sequence
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import pluggy

from kiln.compiler.diagnostics.codes import Code
from kiln.compiler.functions import FunctionSpec
from kiln.frontends.base import FrontendSpec

if TYPE_CHECKING:  # rules import the compiler; only `kiln lint` needs them
    from kiln.compiler.lint.rule import LintRule

PROJECT = "kiln"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- registration hooks: called once at start-up ---------------------------------------------


@hookspec
def kiln_frontends() -> Sequence[FrontendSpec]:  # type: ignore[empty-body]
    """Template dialects this plugin reads. The first frontend, in registration order, whose
    `detect` claims a document parses it; built-ins register first."""


@hookspec
def kiln_functions() -> Sequence[FunctionSpec]:  # type: ignore[empty-body]
    """Intrinsic functions: one row per (dialect, spelling, version window). Two rows for the
    same spelling with overlapping windows are a start-up error naming the spelling."""


@hookspec
def kiln_diagnostic_codes() -> Sequence[Code]:  # type: ignore[empty-body]
    """Diagnostic codes this plugin reports. Use a prefix of your own; a code id or name that
    is already registered is a start-up error."""


@hookspec
def kiln_resource_schema_dirs() -> Sequence[Traversable]:  # type: ignore[empty-body]
    """Directories of resource-type schemas (an index.json plus one JSON file per type, the
    format of kiln/schemas/resources), e.g. `importlib.resources.files(pkg) / "schemas"`."""


@hookspec
def kiln_resource_types() -> Mapping[str, Mapping[str, Any]]:  # type: ignore[empty-body]
    """Resource types given in memory: type name -> schema in the same format as the files."""


@hookspec
def kiln_lint_rules() -> "Sequence[LintRule]":  # type: ignore[empty-body]
    """Lint rules (kiln.compiler.lint.rule.LintRule, most easily made with its `rule`
    decorator). Each rule's code joins the code registry, so suppressions, --select and
    --ignore name it like any other code; an id or name that is already registered is an
    error naming the plugin. Called once, the first time something lints (not at start-up),
    so that `kiln validate` never imports rules."""
