"""The plugin host: loads built-in and installed plugins and freezes what they register.

This is the only module that touches pluggy's hook relay. A plugin that fails to import or
register is a PluginError naming it, never swallowed: a broken plugin must not look like a
missing feature.
"""

import importlib
import importlib.machinery
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources.abc import Traversable
from types import ModuleType
from typing import Any, Final

import pluggy

from kiln.compiler.diagnostics.codes import BUILTIN_CODES, Code
from kiln.compiler.functions import FunctionRegistry, FunctionSpec
from kiln.frontends.base import FrontendSpec
from kiln.plugins import hookspecs

ENTRY_POINT_GROUP: Final = "kiln"

# Built-ins register first and exactly like third-party plugins (pytest's default_plugins).
BUILTIN_PLUGINS: Final[tuple[str, ...]] = (
    "kiln.frontends.hot.plugin",
    "kiln.frontends.cfn.plugin",
    "kiln.schemas.plugin",
    "kiln.compiler.lint.plugin",
)


class PluginError(Exception):
    def __init__(self, plugin: str, problem: str) -> None:
        super().__init__(f"plugin {plugin!r} failed: {problem}")
        self.plugin = plugin
        self.problem = problem


@dataclass(frozen=True)
class Registries:
    """Everything plugins registered, frozen and typed. Passes and frontends use these."""

    frontends: tuple[FrontendSpec, ...]
    functions: FunctionRegistry
    codes: Mapping[str, Code]
    schema_dirs: tuple[Traversable, ...]
    resource_types: Mapping[str, Mapping[str, Any]]
    plugins: tuple[str, ...]
    # The plugin manager, for the hooks called on first use (lint rules).
    manager: pluggy.PluginManager | None = field(default=None, compare=False, repr=False)

    def frontend(self, name: str) -> FrontendSpec | None:
        return next((spec for spec in self.frontends if spec.name == name), None)

    @cached_property
    def schemas(self) -> Any:
        """The resource-type schema registry, built on first use (it reads index files)."""
        from kiln.compiler.resource_types import SchemaRegistry

        return SchemaRegistry(self.schema_dirs, extra=self.resource_types)

    @cached_property
    def lint_rules(self) -> tuple[Any, ...]:
        """Every registered LintRule, built-ins first; their codes join `codes`."""
        if self.manager is None:
            return ()
        return _lint_rules(self.manager, self.codes)


def load(
    *,
    entry_points: bool = True,
    extra: Iterable[tuple[str, object]] = (),
    blocked: Iterable[str] = (),
) -> Registries:
    """Register built-ins, then installed plugins (entry-point group `kiln`), then `extra`
    (name, plugin object) pairs, and freeze what their hooks return."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    for name in blocked:
        manager.set_blocked(name)
    for module_name in BUILTIN_PLUGINS:
        _register(manager, module_name, lambda name=module_name: importlib.import_module(name))
    if entry_points and _may_declare(ENTRY_POINT_GROUP):
        from importlib import metadata  # only then: with its imports, 5% of `kiln validate`

        for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
            _register(manager, entry_point.name, entry_point.load)
    for name, plugin in extra:
        _register(manager, name, lambda plugin=plugin: plugin)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(_plugin_name(manager, error.plugin), str(error)) from error
    return _freeze(manager)


def _may_declare(group: str) -> bool:
    """False when no distribution importlib.metadata could find declares an entry point in
    `group`: its path finder looks for `*.dist-info` and `*.egg-info` directories on sys.path,
    and a `[group]` section of their entry_points.txt is what it reads (Sectioned.read). True
    whenever that cannot be told from here: another finder that knows distributions, a zip
    file or an egg on sys.path, a file that cannot be read."""
    path_finder = importlib.machinery.PathFinder
    for finder in sys.meta_path:
        if finder is not path_finder and getattr(finder, "find_distributions", None):
            return True
    for entry in sys.path:
        root = entry or "."
        if os.path.basename(root).lower().endswith(".egg"):
            return True
        try:
            names = os.listdir(root)
        except OSError:
            if os.path.isfile(root):
                return True  # a zip file may hold distributions
            continue
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(root, name, "entry_points.txt"), encoding="utf-8") as file:
                    text = file.read()
            except (FileNotFoundError, NotADirectoryError):
                continue
            except (OSError, ValueError):
                return True
            for line in text.splitlines():
                line = line.strip()
                if line.startswith("[") and line.endswith("]") and line.strip("[]") == group:
                    return True
    return False


def _register(manager: pluggy.PluginManager, name: str, loader: Any) -> None:
    if manager.is_blocked(name):
        return
    try:
        plugin: ModuleType | object = loader()
        manager.register(plugin, name=name)
    except Exception as error:  # a third party's failure, reported with its name
        raise PluginError(name, f"{type(error).__name__}: {error}") from error


def _plugin_name(manager: pluggy.PluginManager, plugin: object) -> str:
    return manager.get_name(plugin) or repr(plugin)


def _call(manager: pluggy.PluginManager, hook_name: str) -> list[tuple[str, Any]]:
    """Call a registration hook on every plugin, keeping which plugin said what, in
    registration order (pluggy calls last-registered first)."""
    results: list[tuple[str, Any]] = []
    for implementation in getattr(manager.hook, hook_name).get_hookimpls():
        try:
            value = implementation.function()
        except Exception as error:
            raise PluginError(
                implementation.plugin_name, f"{hook_name}: {type(error).__name__}: {error}"
            ) from error
        if value is not None:
            results.append((implementation.plugin_name, value))
    return results


def _freeze(manager: pluggy.PluginManager) -> Registries:
    frontends: list[FrontendSpec] = []
    for plugin, specs in _call(manager, "kiln_frontends"):
        for spec in specs:
            if not isinstance(spec, FrontendSpec):
                raise PluginError(plugin, f"kiln_frontends returned {spec!r}, not a FrontendSpec")
            if any(existing.name == spec.name for existing in frontends):
                raise PluginError(plugin, f"frontend {spec.name!r} is already registered")
            frontends.append(spec)

    function_specs: list[FunctionSpec] = []
    for plugin, specs in _call(manager, "kiln_functions"):
        try:
            FunctionRegistry.of([*function_specs, *specs])
        except ValueError as error:
            raise PluginError(plugin, str(error)) from error
        function_specs.extend(specs)

    codes: dict[str, Code] = {code.id: code for code in BUILTIN_CODES}
    names = {code.name: code.id for code in BUILTIN_CODES}
    for plugin, plugin_codes in _call(manager, "kiln_diagnostic_codes"):
        for code in plugin_codes:
            if code.id in codes or code.name in names:
                raise PluginError(
                    plugin, f"diagnostic code {code.id} ({code.name}) is already registered"
                )
            codes[code.id] = code
            names[code.name] = code.id

    schema_dirs: list[Traversable] = []
    for _plugin, dirs in _call(manager, "kiln_resource_schema_dirs"):
        schema_dirs.extend(dirs)
    resource_types: dict[str, Mapping[str, Any]] = {}
    for plugin, types in _call(manager, "kiln_resource_types"):
        for type_name, schema in types.items():
            if type_name in resource_types:
                raise PluginError(plugin, f"resource type {type_name!r} is already registered")
            resource_types[type_name] = schema

    return Registries(
        frontends=tuple(frontends),
        functions=FunctionRegistry.of(function_specs),
        codes=codes,
        schema_dirs=tuple(schema_dirs),
        resource_types=resource_types,
        plugins=tuple(name for name, _ in manager.list_name_plugin()),
        manager=manager,
    )


def _lint_rules(manager: pluggy.PluginManager, codes: Mapping[str, Code]) -> tuple[Any, ...]:
    from kiln.compiler.lint.rule import LintRule

    rules: list[LintRule] = []
    ids = dict(codes)
    names = {code.name: code.id for code in codes.values()}
    for plugin, plugin_rules in _call(manager, "kiln_lint_rules"):
        for lint_rule in plugin_rules:
            if not isinstance(lint_rule, LintRule):
                raise PluginError(plugin, f"kiln_lint_rules returned {lint_rule!r}, not a LintRule")
            code = lint_rule.code
            if code.id in ids or code.name in names:
                raise PluginError(
                    plugin, f"lint rule {code.id} ({code.name}) is already registered"
                )
            ids[code.id] = code
            names[code.name] = code.id
            rules.append(lint_rule)
    if isinstance(codes, dict):  # lint codes become known codes (suppression, --select)
        codes.update({rule.code.id: rule.code for rule in rules})
    return tuple(rules)
