"""Typed read-only views over resource-type schema data (``kiln/schemas/resources/*.json``).

The data format is described in ``kiln/schemas/README.md``; its contract is
``kiln/schemas/meta/resource-type.schema.json``. These classes only read it: they never
import Heat and never validate (the registry does that on request).
"""

from collections.abc import Mapping
from dataclasses import field
from typing import Any, Final

from kiln.compiler.ir.frozen import frozen_dataclass

SUPPORTED: Final = "SUPPORTED"
DEPRECATED: Final = "DEPRECATED"
HIDDEN: Final = "HIDDEN"
UNSUPPORTED: Final = "UNSUPPORTED"
UNKNOWN: Final = "UNKNOWN"
SUPPORT_STATUSES: Final = frozenset({SUPPORTED, DEPRECATED, HIDDEN, UNSUPPORTED, UNKNOWN})

SHOW_ATTRIBUTE: Final = "show"
"""Heat's base attribute, present on every resource (``Resource.base_attributes_schema``)."""

_SHOW_SCHEMA: Final[Mapping[str, Any]] = {
    "type": "map",
    "description": "Detailed information about resource.",
    "x-support": {"status": SUPPORTED, "version": None, "message": None, "previous": None},
    "x-cache-mode": "cache_none",
}


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@frozen_dataclass
class SupportStatus:
    """Heat's ``SupportStatus``: how supported a resource type, property or attribute is.

    ``previous`` is the status it had before this one (e.g. DEPRECATED before HIDDEN);
    ``substitute`` names the type that replaces a retired one, when Heat records it.
    """

    status: str
    version: str | None = None
    message: str | None = None
    previous: "SupportStatus | None" = None
    substitute: str | None = None

    @property
    def is_hidden(self) -> bool:
        return self.status == HIDDEN

    @property
    def is_deprecated(self) -> bool:
        return self.status == DEPRECATED

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "SupportStatus":
        """Build from an ``x-support`` object; a missing one means plain SUPPORTED."""
        if data is None:
            return cls(SUPPORTED)
        status = data.get("status", SUPPORTED)
        previous = data.get("previous")
        return cls(
            status=status if status in SUPPORT_STATUSES else UNKNOWN,
            version=_optional_str(data.get("version")),
            message=_optional_str(data.get("message")),
            previous=cls.from_json(previous) if isinstance(previous, Mapping) else None,
            substitute=_optional_str(data.get("substitute")),
        )


@frozen_dataclass
class ResourceTypeSchema:
    """One resource type's schema: ``raw`` is the parsed JSON file (treat it as read-only)."""

    name: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @property
    def support(self) -> SupportStatus:
        return SupportStatus.from_json(self.raw.get("x-support"))

    @property
    def description(self) -> str | None:
        return _optional_str(self.raw.get("description"))

    @property
    def source_file(self) -> str | None:
        """Heat source file defining the plugin, e.g. ``heat/engine/resources/.../server.py``."""
        return _optional_str(self.raw.get("x-source"))

    @property
    def client(self) -> str | None:
        """Heat client plugin (service) name, e.g. ``nova``; None for pure-Heat resources."""
        return _optional_str(self.raw.get("x-client"))

    @property
    def properties(self) -> Mapping[str, Any]:
        """The properties as a JSON Schema object (``type``, ``properties``, ``required``...)."""
        schema = self.raw.get("properties")
        return schema if isinstance(schema, Mapping) else {}

    @property
    def property_names(self) -> tuple[str, ...]:
        return tuple(self._property_schemas())

    def property_schema(self, name: str) -> Mapping[str, Any] | None:
        schema = self._property_schemas().get(name)
        return schema if isinstance(schema, Mapping) else None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self.properties.get("required", ()))

    @property
    def attribute_names(self) -> tuple[str, ...]:
        """Attribute names, always including Heat's base attribute ``show``."""
        names = tuple(self._attributes())
        return names if SHOW_ATTRIBUTE in names else (*names, SHOW_ATTRIBUTE)

    def attribute(self, name: str) -> Mapping[str, Any] | None:
        schema = self._attributes().get(name)
        if isinstance(schema, Mapping):
            return schema
        return _SHOW_SCHEMA if name == SHOW_ATTRIBUTE else None

    @property
    def update_policy(self) -> Mapping[str, Any] | None:
        """The ``update_policy`` section's JSON Schema, or None when the type has none."""
        schema = self.raw.get("update_policy")
        return schema if isinstance(schema, Mapping) else None

    def _property_schemas(self) -> Mapping[str, Any]:
        schemas = self.properties.get("properties")
        return schemas if isinstance(schemas, Mapping) else {}

    def _attributes(self) -> Mapping[str, Any]:
        attributes = self.raw.get("attributes")
        return attributes if isinstance(attributes, Mapping) else {}
