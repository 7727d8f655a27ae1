"""SchemaRegistry: resource-type schemas from ``index.json`` directories, loaded lazily.

A schema directory holds an ``index.json`` (type name -> file, aliases, custom constraints) and
one JSON file per type. Building a registry reads only the index files; a type's own file is read
the first time :meth:`SchemaRegistry.get` asks for it, then cached. ``jsonschema`` is imported
only if validation against the meta-schema was requested.
"""

import importlib
import importlib.resources
import json
from collections.abc import Iterator, Mapping, Sequence
from importlib.resources.abc import Traversable
from typing import Any, Final

from kiln.compiler.resource_types.model import ResourceTypeSchema

INDEX_FILE: Final = "index.json"
META_SCHEMA_FILE: Final = "resource-type.schema.json"
EXTRA_SOURCE: Final = "<extra>"
"""How in-memory (plugin-supplied) schemas are named in error messages."""

_MAX_ALIAS_HOPS: Final = 32


class DuplicateResourceType(ValueError):
    """Two schema sources define the same resource type."""

    def __init__(self, name: str, first: str, second: str) -> None:
        super().__init__(f"resource type {name} is defined in both {first} and {second}")
        self.name = name
        self.first = first
        self.second = second


class InvalidResourceTypeSchema(ValueError):
    """A schema file or index does not have the expected shape."""


def _read_json(resource: Traversable) -> Any:
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidResourceTypeSchema(f"cannot read {resource}: {error}") from error


class SchemaRegistry:
    """Resource-type schemas from several directories plus optional in-memory schemas.

    ``directories`` are read in order; a later one may add types and aliases (a later alias
    replaces an earlier one) but may not redefine a type: that raises
    :class:`DuplicateResourceType` naming both sources. ``extra`` maps type names to raw schema
    dicts (used by plugins) and may not redefine a type either. With ``validate=True`` every schema
    is checked against the meta-schema when it is first loaded.
    """

    def __init__(
        self,
        directories: Sequence[Traversable],
        extra: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        validate: bool = False,
    ) -> None:
        self._validate = validate
        self._files: dict[str, tuple[Traversable, str]] = {}
        self._sources: dict[str, str] = {}
        self._aliases: dict[str, str] = {}
        self._constraints: set[str] = set()
        self._extra: dict[str, Mapping[str, Any]] = {}
        self._cache: dict[str, ResourceTypeSchema] = {}
        self._validator: Any = None
        for directory in directories:
            self._add_directory(directory)
        for name, raw in (extra or {}).items():
            self._claim(name, EXTRA_SOURCE)
            self._extra[name] = raw

    @classmethod
    def default(
        cls, extra: Mapping[str, Mapping[str, Any]] | None = None, *, validate: bool = False
    ) -> "SchemaRegistry":
        """The built-in Heat schemas, plus ``extra``."""
        return cls((cls.builtin_dir(),), extra, validate=validate)

    @staticmethod
    def builtin_dir() -> Traversable:
        """The schema directory shipped with Kiln (generated from Heat, see the README there)."""
        return importlib.resources.files("kiln.schemas") / "resources"

    @staticmethod
    def meta_schema() -> Mapping[str, Any]:
        """The JSON Schema every resource-type schema must satisfy."""
        meta = importlib.resources.files("kiln.schemas") / "meta" / META_SCHEMA_FILE
        schema: Mapping[str, Any] = _read_json(meta)
        return schema

    # -- queries --------------------------------------------------------------------------------

    def names(self) -> frozenset[str]:
        """Every known resource type name (from the index files; no type file is read)."""
        return frozenset(self._sources)

    def __contains__(self, name: object) -> bool:
        return name in self._sources

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._sources))

    def __len__(self) -> int:
        return len(self._sources)

    def source_of(self, name: str) -> str | None:
        """The directory (or ``<extra>``) that defines ``name``."""
        return self._sources.get(name)

    def get(self, name: str) -> ResourceTypeSchema | None:
        """The schema of the type spelled exactly ``name`` (no alias resolution), or None.

        The type's file is read on first use and cached.
        """
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        raw: Any
        if name in self._extra:
            raw = self._extra[name]
            where = EXTRA_SOURCE
        elif name in self._files:
            directory, file_name = self._files[name]
            raw = _read_json(directory / file_name)
            where = f"{directory}/{file_name}"
        else:
            return None
        if not isinstance(raw, Mapping) or raw.get("type") != name:
            raise InvalidResourceTypeSchema(f"{where} does not describe resource type {name}")
        if self._validate:
            self._check(name, raw)
        schema = ResourceTypeSchema(name, raw)
        self._cache[name] = schema
        return schema

    def loaded_names(self) -> frozenset[str]:
        """Types whose schema has been loaded so far (for tests and diagnostics)."""
        return frozenset(self._cache)

    def resolve_alias(self, name: str) -> str:
        """Follow the alias registry (Heat's ``resource_registry`` mappings) from ``name``.

        Like Heat's ``ResourceRegistry``: the entry for the exact name (a type or an alias) and
        every matching glob (``"OS::Quantum*": "OS::Neutron*"``) are candidates, the one with the
        lowest key wins, and mapped names are resolved again. A name nothing maps is returned
        unchanged; so is a template target such as ``file:///etc/heat/templates/X.yaml``.
        """
        current = name
        seen = [current]
        for _ in range(_MAX_ALIAS_HOPS):
            target = self._alias_step(current)
            if target is None:
                return current
            if target in seen:
                chain = " -> ".join([*seen, target])
                raise InvalidResourceTypeSchema(f"resource type alias cycle: {chain}")
            seen.append(target)
            current = target
        raise InvalidResourceTypeSchema(f"resource type alias chain too long from {name}")

    def aliases(self) -> Mapping[str, str]:
        return dict(self._aliases)

    def custom_constraints(self) -> frozenset[str]:
        """Names of the custom constraints (``x-constraints`` values) the sources declare."""
        return frozenset(self._constraints)

    # -- internals ------------------------------------------------------------------------------

    def _add_directory(self, directory: Traversable) -> None:
        index = _read_json(directory / INDEX_FILE)
        types = index.get("types") if isinstance(index, Mapping) else None
        if not isinstance(types, Mapping):
            raise InvalidResourceTypeSchema(f"{directory}/{INDEX_FILE} has no 'types' mapping")
        source = str(directory)
        for name, entry in types.items():
            if not isinstance(entry, Mapping) or not isinstance(entry.get("file"), str):
                raise InvalidResourceTypeSchema(
                    f"{directory}/{INDEX_FILE}: entry for {name} has no 'file'"
                )
            self._claim(name, source)
            self._files[name] = (directory, entry["file"])
        self._aliases.update(index.get("aliases") or {})
        self._constraints.update(index.get("custom_constraints") or ())

    def _claim(self, name: str, source: str) -> None:
        first = self._sources.get(name)
        if first is not None:
            raise DuplicateResourceType(name, first, source)
        self._sources[name] = source

    def _alias_step(self, name: str) -> str | None:
        """One registry lookup: the mapped name, or None when ``name`` is final."""
        candidates: list[tuple[str, str | None]] = []
        if name in self._aliases:
            candidates.append((name, self._aliases[name]))
        elif name in self._sources:
            candidates.append((name, None))
        for pattern, value in self._aliases.items():
            if not pattern.endswith("*") or value == name:
                continue
            prefix = pattern[:-1]
            if name.startswith(prefix):
                mapped = value[:-1] + name[len(prefix) :] if value.endswith("*") else value
                candidates.append((pattern, mapped))
        if not candidates:
            return None
        return min(candidates, key=lambda candidate: candidate[0])[1]

    def _check(self, name: str, raw: Mapping[str, Any]) -> None:
        if self._validator is None:
            # Imported here so that reading schemas never pays for jsonschema (and by name so
            # that type-checking does not depend on jsonschema's stubs being installed).
            jsonschema = importlib.import_module("jsonschema")
            validator_class = jsonschema.Draft202012Validator
            self._validator = validator_class(
                self.meta_schema(), format_checker=validator_class.FORMAT_CHECKER
            )
        errors = sorted(self._validator.iter_errors(raw), key=lambda error: error.json_path)
        if errors:
            details = "; ".join(f"{error.json_path}: {error.message}" for error in errors[:5])
            raise InvalidResourceTypeSchema(
                f"schema of {name} ({self._sources.get(name)}) is invalid: {details}"
            )
