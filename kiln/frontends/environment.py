"""Environment files: parse, merge several, and check their parameters against a template.

Sources: heat/common/environment_format.py (sections; a null section is an error there),
heat/engine/environment.py (resource_registry, hooks, restricted actions),
heat/common/environment_util.py (merge strategies), heatclient/common/template_utils.py
(registry values without '::' are files, read relative to the environment file or `base_url`).
Values are data, never functions: parameters are literal IR expressions.
"""

import os
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.environment import (
    HOOKS,
    HOOKS_KEY,
    MERGE_STRATEGIES,
    RESTRICTED_ACTIONS,
    RESTRICTED_KEY,
    Environment,
    RegistryEntry,
    merge_parameters,
)
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.ir.nodes import Template
from kiln.compiler.names import suggest
from kiln.compiler.source import SourceFile, Span
from kiln.frontends import sections as s
from kiln.frontends.hot.parse import literal
from kiln.frontends.includes import join_reference
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq, describe

SECTIONS: Final = (
    "parameters", "resource_registry", "parameter_defaults", "encrypted_param_names",
    "event_sinks", "parameter_merge_strategies",
)  # fmt: skip
_LIST_SECTIONS: Final = ("encrypted_param_names", "event_sinks")
# Keys that only a template has: a document with one of them is a template missing its
# version, not an environment with a wrong section. (Not `description`: an environment with
# one is more likely than a template with only a description and parameters.)
_TEMPLATE_KEYS: Final = frozenset({
    "heat_template_version", "parameter_groups", "resources", "outputs", "conditions",
    "AWSTemplateFormatVersion", "HeatTemplateFormatVersion", "Parameters", "Mappings",
    "Resources", "Outputs", "Conditions", "Metadata", "Transform", "Rules",
})  # fmt: skip
REGISTRY: Final = "resource_registry"
BASE_URL: Final = "base_url"
RESOURCES: Final = "resources"


def is_environment(root: LMap) -> bool:
    """An environment: no template-only key, and at least one environment section (or a
    near miss of one, so `parameter_default:` gets ENV001 with a suggestion, not SYN011)."""
    keys = [str(key) for key in root.keys()]  # noqa: SIM118 - LMap.keys, not a dict
    if not keys or any(key in _TEMPLATE_KEYS for key in keys):
        return False
    return any(key in SECTIONS or suggest(key, SECTIONS) for key in keys)


def parse_environment(
    source: SourceFile, root: LMap, sink: DiagnosticSink, *, base_dir: str | None = None
) -> Environment:
    """One environment file. Registry paths resolve against `base_dir`, by default the file's
    own directory (heatclient's rule); a test can point it elsewhere, as the corpus needs."""
    reader = _Reader(
        source.path, sink, os.path.dirname(source.path) if base_dir is None else base_dir
    )
    for name, key, value in s.entries(root):
        if name not in SECTIONS:
            sink.report(
                c.UNKNOWN_ENV_SECTION, key.span, (name,), section=name, hint=suggest(name, SECTIONS)
            )
        elif isinstance(value, LScalar) and value.value is None:
            expected = "a list" if name in _LIST_SECTIONS else "a mapping"
            sink.report(
                c.WRONG_SHAPE, key.span, (name,), what=f"environment section {name!r}",
                expected=expected, kind="null", fix="remove the empty section or give it entries",
            )  # fmt: skip
    parameters, parameter_keys = reader.parameters(root.get("parameters"), "parameters")
    defaults, _ = reader.parameters(root.get("parameter_defaults"), "parameter_defaults")
    strategies, strategy_spans = reader.merge_strategies(root.get("parameter_merge_strategies"))
    return Environment(
        parameters=parameters,
        parameter_defaults=defaults,
        resource_registry=reader.registry(root.get(REGISTRY)),
        event_sinks=reader.event_sinks(root.get("event_sinks")),
        parameter_merge_strategies=strategies,
        encrypted_param_names=reader.names(
            root.get("encrypted_param_names"), "encrypted_param_names"
        ),
        files=(source.path,),
        parameter_keys=parameter_keys,
        strategy_spans=strategy_spans,
    )


def merge(environments: Sequence[Environment]) -> Environment:
    """Several -e files, in order: parameters and parameter_defaults merge as Heat's
    merge_environments does (per-key strategies, overwrite by default); registry entries and
    event sinks accumulate, so later registry paths replace earlier ones."""
    if len(environments) <= 1:
        return environments[0] if environments else Environment()
    merged = merge_parameters(environments)
    encrypted: dict[str, None] = {}
    for environment in environments:
        encrypted.update(dict.fromkeys(environment.encrypted_param_names))
    return Environment(
        parameters=merged.parameters,
        parameter_defaults=merged.parameter_defaults,
        resource_registry=tuple(entry for env in environments for entry in env.resource_registry),
        event_sinks=tuple(sink for env in environments for sink in env.event_sinks),
        parameter_merge_strategies=merged.strategies,
        encrypted_param_names=tuple(encrypted),
        files=tuple(path for env in environments for path in env.files),
        merge_conflicts=merged.conflicts,
        parameter_keys=tuple(key for env in environments for key in env.parameter_keys),
    )


def check_parameters(
    template: Template,
    environment: Environment,
    parameters: Sequence[tuple[str, str]],
    sink: DiagnosticSink,
) -> None:
    """Heat's UnknownUserParameter: a value (-P or an environment's `parameters`) for a
    parameter the template does not declare. parameter_defaults may name anything: Heat
    applies them only where they match, which is how one file serves many templates."""
    declared = list(template.parameters)
    reported: set[str] = set()
    for name, _value in parameters:
        if name not in template.parameters and name not in reported:
            reported.add(name)
            sink.report(
                c.UNDECLARED_PARAMETER,
                None,
                ("parameters", name),
                parameter=name,
                hint=suggest(name, declared),
            )
    for name, span in environment.parameter_keys:
        if name not in template.parameters:
            sink.report(
                c.UNDECLARED_PARAMETER,
                span,
                ("parameters", name),
                parameter=name,
                hint=suggest(name, declared),
            )
    # Heat merges (and so checks the strategies of) declared parameters only.
    for conflict in environment.merge_conflicts:
        if conflict.parameter in template.parameters:
            sink.report(
                c.CONFLICTING_MERGE_STRATEGY, conflict.span,
                ("parameter_merge_strategies", conflict.parameter),
                strategy=conflict.strategy, parameter=conflict.parameter, fixed=conflict.fixed,
                file=repr(conflict.fixed_by) if conflict.fixed_by else "an earlier file",
            )  # fmt: skip


class _Reader:
    def __init__(self, path: str, sink: DiagnosticSink, base_dir: str) -> None:
        self.path = path
        self.sink = sink
        self.base_dir = base_dir

    # --- plain sections ----------------------------------------------------------------------

    def parameters(
        self, node: LNode | None, section: str
    ) -> tuple[FrozenMap[str, e.Expr], tuple[tuple[str, Span | None], ...]]:
        body = s.mapping(node, f"environment section {section!r}", (section,), self.sink)
        values = {name: literal(value) for name, _key, value in s.entries(body)}
        keys = tuple((name, key.span) for name, key, _value in s.entries(body))
        return FrozenMap(values), keys

    def merge_strategies(
        self, node: LNode | None
    ) -> tuple[FrozenMap[str, str], tuple[tuple[str, Span | None], ...]]:
        """Valid strategies and where each was written; an invalid one is dropped, so the
        file's default applies, as in Heat's get_param_merge_strategy."""
        section = "parameter_merge_strategies"
        body = s.mapping(node, f"environment section {section!r}", (section,), self.sink)
        strategies: dict[str, str] = {}
        spans: list[tuple[str, Span | None]] = []
        for name, _key, value in s.entries(body):
            strategy = value.value if isinstance(value, LScalar) else None
            if isinstance(strategy, str) and strategy in MERGE_STRATEGIES:
                strategies[name] = strategy
                spans.append((name, value.span))
                continue
            # Heat silently falls back to the file's default; a typo here is worth saying.
            self.sink.report(
                c.INVALID_MERGE_STRATEGY, value.span, (section, name),
                strategy=strategy if isinstance(strategy, str) else describe(value),
                parameter=name, allowed=", ".join(MERGE_STRATEGIES),
            )  # fmt: skip
        return FrozenMap(strategies), tuple(spans)

    def names(self, node: LNode | None, section: str) -> tuple[str, ...]:
        if node is None or (isinstance(node, LScalar) and node.value is None):
            return ()
        items = node.items if isinstance(node, LSeq) else ()
        if not isinstance(node, LSeq) or not all(_is_text(item) for item in items):
            self.sink.report(
                c.WRONG_SHAPE, node.span, (section,), what=f"environment section {section!r}",
                expected="a list of parameter names", kind=describe(node),
            )  # fmt: skip
            return ()
        return tuple(str(item.value) for item in items if isinstance(item, LScalar))

    def event_sinks(self, node: LNode | None) -> tuple[e.Expr, ...]:
        section = "event_sinks"
        if node is None or (isinstance(node, LScalar) and node.value is None):
            return ()
        if not isinstance(node, LSeq):
            self.sink.report(
                c.WRONG_SHAPE, node.span, (section,), what=f"environment section {section!r}",
                expected="a list", kind=describe(node),
            )  # fmt: skip
            return ()
        sinks: list[e.Expr] = []
        for index, item in enumerate(node.items):
            # Environment._update_event_sinks pops 'type' from each sink: a mapping with a type.
            if isinstance(item, LMap) and _is_text(item.get("type")):
                sinks.append(literal(item))
                continue
            self.sink.report(
                c.WRONG_SHAPE, item.span, (section, index), what="an event sink",
                expected="a mapping with a 'type'", kind=describe(item),
            )  # fmt: skip
        return tuple(sinks)

    # --- resource_registry -------------------------------------------------------------------

    def registry(self, node: LNode | None) -> tuple[RegistryEntry, ...]:
        body = s.mapping(node, f"environment section {REGISTRY!r}", (REGISTRY,), self.sink)
        if body is None:
            return ()
        entries: list[RegistryEntry] = []
        base = self.base_url(body.get(BASE_URL), self.base_dir, (REGISTRY, BASE_URL))
        for name, key, value in s.entries(body):
            path: LogicalPath = (REGISTRY, name)
            if name == BASE_URL:
                continue
            if name == RESOURCES:
                entries.extend(self.resource_blocks(value, base, path))
            elif name in (HOOKS_KEY, RESTRICTED_KEY):
                # Heat accepts these here but only ever reads them per resource.
                self.invalid(
                    key.span, path, name, f"{name} only take effect per resource, under 'resources'"
                )
            else:
                entries.extend(self.mapping(name, key, value, base, path, resource=None, scope=()))
        return tuple(entries)

    def resource_blocks(self, node: LNode, base: str, path: LogicalPath) -> list[RegistryEntry]:
        if isinstance(node, LScalar) and node.value is None:
            return []
        if not isinstance(node, LMap):
            self.invalid(
                node.span,
                path,
                RESOURCES,
                f"must map resource names to blocks, not {describe(node)}",
            )
            return []
        entries: list[RegistryEntry] = []
        for name, key, value in s.entries(node):
            entries.extend(self.block(name, key, value, base, (*path, name), scope=()))
        return entries

    def block(
        self,
        resource: str,
        key: LScalar,
        node: LNode,
        base: str,
        path: LogicalPath,
        scope: tuple[str, ...],
    ) -> list[RegistryEntry]:
        """One `resources:` block: type mappings, hooks, restricted_actions, and blocks for the
        resources of the nested stack this resource creates (any mapping value)."""
        if isinstance(node, LScalar) and node.value is None:
            return [self.entry("", None, None, resource, scope, key, node, removes=True)]
        if not isinstance(node, LMap):
            self.invalid(
                node.span,
                path,
                resource,
                f"a resource block must be a mapping, not {describe(node)}",
            )
            return []
        base = self.base_url(node.get(BASE_URL), base, (*path, BASE_URL))
        entries: list[RegistryEntry] = []
        for name, item_key, value in s.entries(node):
            where = (*path, name)
            if name == BASE_URL:
                continue
            if name in (HOOKS_KEY, RESTRICTED_KEY):
                entries.extend(self.actions(name, item_key, value, resource, scope, where))
            elif isinstance(value, LMap):
                entries.extend(self.block(name, item_key, value, base, where, (*scope, resource)))
            else:
                entries.extend(
                    self.mapping(name, item_key, value, base, where, resource=resource, scope=scope)
                )
        return entries

    def mapping(
        self, name: str, key: LScalar, node: LNode, base: str, path: LogicalPath,
        *, resource: str | None, scope: tuple[str, ...],
    ) -> list[RegistryEntry]:  # fmt: skip
        if isinstance(node, LScalar) and node.value is None:
            return [self.entry(name, None, None, resource, scope, key, node, removes=True)]
        if not isinstance(node, LScalar) or not isinstance(node.value, str) or not node.value:
            self.invalid(
                node.span,
                path,
                name,
                f"must be a type name or a template path, not {describe(node)}",
            )
            return []
        target = node.value
        if target == name:
            self.invalid(node.span, path, name, "maps the type to itself")
            return []
        # heatclient's rule: a value with '::' is a type name; anything else is a file to read.
        target_path = None if "::" in target else join_reference(base, target)
        return [self.entry(name, target, target_path, resource, scope, key, node)]

    def actions(
        self,
        name: str,
        key: LScalar,
        node: LNode,
        resource: str,
        scope: tuple[str, ...],
        path: LogicalPath,
    ) -> list[RegistryEntry]:
        """hooks / restricted_actions: one name or a list of names (is_hook_definition)."""
        if isinstance(node, LScalar) and node.value is None:
            return [self.entry(name, None, None, resource, scope, key, node, removes=True)]
        items = node.items if isinstance(node, LSeq) else (node,)
        allowed = HOOKS if name == HOOKS_KEY else RESTRICTED_ACTIONS
        what = "hook" if name == HOOKS_KEY else "restricted action"
        values: list[str] = []
        for item in items:
            if not isinstance(item, LScalar) or not isinstance(item.value, str):
                self.invalid(
                    item.span,
                    path,
                    name,
                    f"must be a {what} name or a list of them, not {describe(item)}",
                )
            elif item.value not in allowed:
                self.sink.report(
                    c.UNKNOWN_HOOK,
                    item.span,
                    path,
                    what=what,
                    name=item.value,
                    allowed=", ".join(allowed),
                )
            else:
                values.append(item.value)
        entry = self.entry(name, None, None, resource, scope, key, node)
        if name == HOOKS_KEY:
            return [replace(entry, hooks=tuple(values))]
        return [replace(entry, restricted_actions=tuple(values))]

    def base_url(self, node: LNode | None, default: str, path: LogicalPath) -> str:
        """heatclient's base_url: where relative registry values are read from. A relative
        base_url is taken from the environment file's directory (heatclient would fail)."""
        if node is None:
            return default
        if not isinstance(node, LScalar) or not isinstance(node.value, str):
            self.invalid(
                node.span, path, BASE_URL, f"must be a directory or URL, not {describe(node)}"
            )
            return default
        return join_reference(self.base_dir, node.value)

    # --- helpers -----------------------------------------------------------------------------

    def entry(
        self, key: str, target: str | None, target_path: str | None, resource: str | None,
        scope: tuple[str, ...], key_node: LScalar, value: LNode, *, removes: bool = False,
    ) -> RegistryEntry:  # fmt: skip
        return RegistryEntry(
            key=key, target=target, target_path=target_path, resource=resource, scope=scope,
            removes=removes, file=self.path, span=key_node.span, target_span=value.span,
        )  # fmt: skip

    def invalid(self, span: Span | None, path: LogicalPath, key: str, problem: str) -> None:
        self.sink.report(c.INVALID_REGISTRY_ENTRY, span, path, key=key, problem=problem)


def _is_text(node: LNode | None) -> bool:
    return isinstance(node, LScalar) and isinstance(node.value, str)
