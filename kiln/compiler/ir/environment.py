"""Environment files in the IR: parameter values and the resource registry.

Source: heat/common/environment_format.py (sections), heat/engine/environment.py (registry,
hooks, restricted actions, child environments), heat/common/environment_util.py (merge
strategies), heatclient/common/template_utils.py (which registry values are files).

The registry keeps every entry in file order, as written; `Environment` folds them into Heat's
effective registry (later paths replace earlier ones, null values delete) once, at construction.
A type the user's registry does not map is looked up in Heat's default environment, as far as it
maps types to templates (builtin_template_entry).
"""

import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Final

from kiln.compiler.ir.expr import Expr, Float, Int, ListExpr, MapExpr, Null, Str
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.source import Span

HOOKS: Final = (
    "pre-create",
    "pre-update",
    "pre-delete",
    "post-create",
    "post-update",
    "post-delete",
)
RESTRICTED_ACTIONS: Final = ("update", "replace")
MERGE_STRATEGIES: Final = ("overwrite", "merge", "deep_merge")
HOOKS_KEY: Final = "hooks"
RESTRICTED_KEY: Final = "restricted_actions"
RegistryPath = tuple[str, ...]


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryEntry:
    """One resource_registry item.

    - A global mapping: `key` is a type name or a glob (`OS::Nova::*`), `resource` is None.
    - A per-resource item (`resources: {name: {...}}`): `resource` is the name or glob; `key` is
      a type name, `hooks` or `restricted_actions`. `scope` holds the enclosing resource names
      when the block addresses a nested stack's resources (`resources: {stack: {res: {...}}}`).
    - `target` is what the file says: a type name, a template path or URL, or None for hooks
      and restricted actions. A template target is resolved against the environment file's
      directory (or `base_url`) into `target_path`; URLs are kept as they are.
    - `removes` marks a null value, which deletes what earlier files registered at that path
      (every matching item when the key is a glob; the whole block when `key` is "").
    """

    key: str
    target: str | None
    target_path: str | None = None
    resource: str | None = None
    scope: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()
    restricted_actions: tuple[str, ...] = ()
    removes: bool = False
    file: str | None = None
    span: Span | None = _span()
    target_span: Span | None = _span()

    @property
    def path(self) -> RegistryPath:
        """The entry's place in Heat's nested registry dict (ResourceRegistry._registry)."""
        if self.resource is None:
            return (self.key,)
        inner = (self.resource, self.key) if self.key else (self.resource,)
        return ("resources", *self.scope, *inner)

    @property
    def is_template(self) -> bool:
        return self.target_path is not None

    @property
    def is_type_mapping(self) -> bool:
        return (
            not self.removes
            and self.target is not None
            and self.key not in (HOOKS_KEY, RESTRICTED_KEY)
        )

    def mapped_type(self, type_name: str) -> str:
        """The type this mapping sends `type_name` to (GlobResourceInfo keeps the suffix)."""
        target = self.target or ""
        if self.key.endswith("*") and target.endswith("*"):
            return target[:-1] + type_name[len(self.key) - 1 :]
        return target


@dataclass(frozen=True, slots=True)
class MergeConflict:
    """A later file naming another merge strategy for a parameter than the one an earlier file
    fixed (Heat raises ConflictingMergeStrategyForParam, for parameters the template declares)."""

    parameter: str
    strategy: str
    fixed: str
    fixed_by: str | None
    file: str | None
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    parameters: FrozenMap[str, Expr] = field(default_factory=FrozenMap)
    parameter_defaults: FrozenMap[str, Expr] = field(default_factory=FrozenMap)
    resource_registry: tuple[RegistryEntry, ...] = ()
    event_sinks: tuple[Expr, ...] = ()
    parameter_merge_strategies: FrozenMap[str, str] = field(default_factory=FrozenMap)
    encrypted_param_names: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    merge_conflicts: tuple[MergeConflict, ...] = ()
    # Where keys were written, in every file, for diagnostics (values merge away).
    parameter_keys: tuple[tuple[str, Span | None], ...] = field(
        default=(), compare=False, repr=False
    )
    strategy_spans: tuple[tuple[str, Span | None], ...] = field(
        default=(), compare=False, repr=False
    )
    _effective: dict[RegistryPath, RegistryEntry] = field(
        init=False, compare=False, repr=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_effective", _fold(self.resource_registry))

    @property
    def effective_registry(self) -> tuple[RegistryEntry, ...]:
        """The registry Heat ends up with after every file: one entry per path."""
        return tuple(self._effective.values())

    def lookup_type(self, resource: str, type_name: str) -> RegistryEntry | None:
        """The entry that finally implements this resource's type, following mappings
        (`OS::A` -> `OS::B` -> `b.yaml`), or None when the registry does not map it."""
        found = self._resolve(resource, type_name, frozenset())
        return found[0] if found else None

    def resolve_type(self, resource: str, type_name: str) -> str:
        """The type name or template the registry maps this resource's type to (itself if
        unmapped): what Heat instantiates."""
        found = self._resolve(resource, type_name, frozenset())
        return found[1] if found else type_name

    def hooks_for(self, resource: str) -> frozenset[str]:
        """Breakpoint hooks set on a resource (ResourceRegistry.matches_hook: fnmatch)."""
        return self._per_resource_values(resource, HOOKS_KEY)

    def restricted_actions_for(self, resource: str) -> frozenset[str]:
        return self._per_resource_values(resource, RESTRICTED_KEY)

    def nested(self, resource: str, used: RegistryEntry | None = None) -> "Environment":
        """The environment a nested stack created by `resource` sees (get_child_environment):
        global entries minus the template mapping that created it (so `OS::Nova::Server ->
        server.yaml` may use OS::Nova::Server inside), and the per-resource blocks nested
        under this resource's block, lifted one level."""
        entries: list[RegistryEntry] = []
        for entry in self._effective.values():
            if used is not None and used.is_template and entry.path == used.path:
                continue
            if entry.resource is None:
                entries.append(entry)
            elif entry.scope and fnmatch.fnmatchcase(resource, entry.scope[0]):
                entries.append(replace(entry, scope=entry.scope[1:]))
        return replace(
            self, parameters=FrozenMap(), parameter_keys=(), resource_registry=tuple(entries)
        )

    # --- Heat's lookup (ResourceRegistry.iterable_by and get_resource_info) ---------------------

    def _resolve(
        self, resource: str, type_name: str, seen: frozenset[str]
    ) -> tuple[RegistryEntry, str] | None:
        if type_name in seen:  # a mapping loop (A -> B -> A); Heat would recurse until it fails
            return None
        candidates = self._candidates(resource, type_name)
        if not candidates:
            # Heat's ResourceRegistry falls back to the global registry, whose default
            # environment maps a few types to templates Heat ships (AWS::RDS::DBInstance).
            builtin = builtin_template_entry(type_name)
            return (builtin, builtin.target_path or "") if builtin is not None else None
        # Heat tries the candidates in order until one resolves; without the plugin registry
        # here, a mapping to a type this registry does not map counts as resolved (the schema
        # pass checks that type exists), so the first candidate wins.
        entry = candidates[0]
        if entry.is_template:
            return entry, entry.target_path or ""
        new_type = entry.mapped_type(type_name)
        return self._resolve(resource, new_type, seen | {type_name}) or (entry, new_type)

    def _candidates(self, resource: str, type_name: str) -> list[RegistryEntry]:
        """Matching entries in Heat's order: longer paths (per-resource) first, then by path
        text, so a matching glob sorts before an exact name ('*' < letters), as in Heat."""
        found: list[RegistryEntry] = []
        per_resource = self._effective.get(("resources", resource, type_name))
        if per_resource is not None and per_resource.is_type_mapping:
            found.append(per_resource)
        for path, entry in self._effective.items():
            if len(path) != 1 or not entry.is_type_mapping:
                continue
            is_glob = entry.key.endswith("*") and not entry.is_template
            exact = entry.key == type_name and not is_glob
            # GlobResourceInfo.matches: the prefix, and never the type it maps to (OS::* -> OS::X).
            glob = is_glob and type_name != entry.target and type_name.startswith(entry.key[:-1])
            if exact or glob:
                found.append(entry)
        return sorted(found, key=lambda entry: (-len(entry.path), entry.path))

    def _per_resource_values(self, resource: str, key: str) -> frozenset[str]:
        values: set[str] = set()
        for entry in self._effective.values():
            if entry.resource is None or entry.scope or entry.key != key or entry.removes:
                continue
            if fnmatch.fnmatchcase(resource, entry.resource):
                values.update(entry.hooks if key == HOOKS_KEY else entry.restricted_actions)
        return frozenset(values)


@cache
def builtin_template_entry(type_name: str) -> RegistryEntry | None:
    """The entry of Heat's default environment (etc/heat/environment.d/default.yaml) mapping
    `type_name` to a template Heat ships, with the copy Kiln ships as its target_path; None for
    every other type. The data is kiln/schemas' (kiln/schemas/default_environment.py)."""
    # Imported here: the IR does not depend on the schema data unless a type is looked up.
    from kiln.schemas.default_environment import HEAT_TEMPLATES_URL, template_types

    path = template_types().get(type_name)
    if path is None:
        return None
    url = HEAT_TEMPLATES_URL + os.path.basename(path)
    return RegistryEntry(key=type_name, target=url, target_path=path)


def _fold(entries: tuple[RegistryEntry, ...]) -> dict[RegistryPath, RegistryEntry]:
    """Heat's ResourceRegistry._register_info over the entries in order."""
    effective: dict[RegistryPath, RegistryEntry] = {}
    for entry in entries:
        path = entry.path
        if not entry.removes:
            effective[path] = entry
            continue
        parent, name = path[:-1], path[-1]
        for existing in list(effective):
            if name.endswith("*"):
                # A null glob deletes the mappings at that level whose name has the prefix.
                doomed = (
                    existing[:-1] == parent
                    and existing[-1].startswith(name[:-1])
                    and effective[existing].is_type_mapping
                )
            else:
                doomed = existing[: len(path)] == path
            if doomed:
                del effective[existing]
    return effective


# --- merging parameters across files (heat/common/environment_util.py) ---------------------------


@dataclass(frozen=True, slots=True)
class Merged:
    parameters: FrozenMap[str, Expr]
    parameter_defaults: FrozenMap[str, Expr]
    strategies: FrozenMap[str, str]
    conflicts: tuple[MergeConflict, ...]


def merge_parameters(environments: Sequence[Environment]) -> Merged:
    """parameters and parameter_defaults as Heat's merge_environments computes them, with the
    strategy each key ended with. Heat picks the merge by the template's parameter type; here
    there is no template yet, so the values' shapes decide: maps merge (deeply for
    deep_merge), lists extend, strings join with commas (comma_delimited_list, the usual
    case), numbers add."""
    merger = _Merger()
    parameters: dict[str, Expr] = {}
    defaults: dict[str, Expr] = {}
    for environment in environments:
        merger.section(parameters, environment.parameters, environment)
        merger.section(defaults, environment.parameter_defaults, environment)
    return Merged(
        FrozenMap(parameters),
        FrozenMap(defaults),
        FrozenMap(merger.chosen),
        tuple(merger.conflicts),
    )


class _Merger:
    def __init__(self) -> None:
        self.chosen: dict[str, str] = {}
        self.chosen_by: dict[str, str | None] = {}
        self.conflicts: list[MergeConflict] = []

    def section(
        self, merged: dict[str, Expr], new: FrozenMap[str, Expr], environment: Environment
    ) -> None:
        strategies = environment.parameter_merge_strategies
        default = strategies.get("default", "overwrite")
        spans = dict(environment.strategy_spans)
        file = environment.files[0] if environment.files else None
        for key, value in new.items():
            if isinstance(value, Null):
                continue
            # get_param_merge_strategy: this file's choice, else the one fixed earlier, else
            # this file's default. The first file to set a key fixes its strategy.
            strategy = strategies.get(key, self.chosen.get(key, default))
            if key not in self.chosen:
                self.chosen[key], self.chosen_by[key] = strategy, file
            elif strategy != self.chosen[key] and not any(
                conflict.parameter == key and conflict.file == file for conflict in self.conflicts
            ):
                fixed = self.chosen[key]
                conflict = MergeConflict(
                    key, strategy, fixed, self.chosen_by[key], file, spans.get(key)
                )
                self.conflicts.append(conflict)
        if not merged:  # Heat takes the first non-empty section as it is
            merged.update(new)
            return
        for key, value in new.items():
            if isinstance(value, Null):  # a null never replaces a value in Heat's merge
                continue
            old = merged.get(key)
            strategy = self.chosen[key]
            if old is None or strategy == "overwrite":
                merged[key] = value
            else:
                merged[key] = _merge_value(old, value, deep=strategy == "deep_merge")


def _merge_value(old: Expr, new: Expr, *, deep: bool) -> Expr:
    """Heat's param_merge for one parameter."""
    if isinstance(old, MapExpr) and isinstance(new, MapExpr):
        return _merge_map(old, new, deep=deep)
    if isinstance(old, ListExpr) and isinstance(new, ListExpr):
        return ListExpr(items=old.items + new.items, span=new.span)
    if isinstance(old, Str) and isinstance(new, Str):
        return Str(value=",".join(part for part in (old.value, new.value) if part), span=new.span)
    if isinstance(old, Int | Float) and isinstance(new, Int | Float):
        total = old.value + new.value
        return (
            Int(value=total, span=new.span)
            if isinstance(total, int)
            else Float(value=total, span=new.span)
        )
    return new


def _merge_map(old: MapExpr, new: MapExpr, *, deep: bool) -> MapExpr:
    """merge_map: new keys win; with deep_merge, nested maps merge, lists extend and strings
    concatenate (no separator, as in Heat)."""
    items = dict(old.items)
    spans = dict(zip(old.items, old.key_spans, strict=False))
    for position, (key, value) in enumerate(new.items.items()):
        if isinstance(value, Null):
            continue
        previous = items.get(key)
        if deep and isinstance(previous, MapExpr) and isinstance(value, MapExpr) and previous.items:
            value = _merge_map(previous, value, deep=True)
        elif (
            deep
            and isinstance(previous, ListExpr)
            and isinstance(value, ListExpr)
            and previous.items
        ):
            value = ListExpr(items=previous.items + value.items, span=value.span)
        elif deep and isinstance(previous, Str) and isinstance(value, Str):
            value = Str(value=previous.value + value.value, span=value.span)
        items[key] = value
        if key not in spans and position < len(new.key_spans):
            spans[key] = new.key_spans[position]
    return MapExpr(
        items=FrozenMap(items), key_spans=tuple(spans.get(key) for key in items), span=new.span
    )
