"""Environment files in the IR: parameter values and the resource registry.

Source: heat/common/environment_format.py (sections), heat/engine/environment.py (registry,
hooks, restricted actions, merge strategies).
"""

from dataclasses import dataclass, field

from kiln.compiler.ir.expr import Expr
from kiln.compiler.ir.frozen import FrozenMap
from kiln.compiler.source import Span


def _span() -> Span | None:
    return field(default=None, compare=False, repr=False)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryEntry:
    """One resource_registry mapping. `resource` is set for per-resource entries
    (`resources: {name: {...}}`); `target` is a type name, a template path (resolved against
    the environment file's directory in `target_path`), or None when only hooks are set."""

    key: str
    target: str | None
    target_path: str | None = None
    resource: str | None = None
    hooks: tuple[str, ...] = ()
    restricted_actions: tuple[str, ...] = ()
    file: str | None = None
    span: Span | None = _span()


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    parameters: FrozenMap[str, Expr] = field(default_factory=FrozenMap)
    parameter_defaults: FrozenMap[str, Expr] = field(default_factory=FrozenMap)
    resource_registry: tuple[RegistryEntry, ...] = ()
    event_sinks: tuple[Expr, ...] = ()
    parameter_merge_strategies: FrozenMap[str, str] = field(default_factory=FrozenMap)
    encrypted_param_names: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def lookup_type(self, resource: str, type_name: str) -> RegistryEntry | None:
        """The registry entry that maps this resource's type, as Heat picks it: a
        per-resource entry first, then the latest matching global entry (exact or glob)."""
        import fnmatch

        chosen: RegistryEntry | None = None
        for entry in self.resource_registry:
            if entry.target is None:
                continue
            if entry.resource is not None:
                if fnmatch.fnmatchcase(resource, entry.resource) and entry.key == type_name:
                    return entry
                continue
            if entry.key == type_name or ("*" in entry.key and fnmatch.fnmatchcase(type_name, entry.key)):
                chosen = entry
        return chosen
