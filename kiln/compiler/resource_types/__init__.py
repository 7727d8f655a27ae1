"""Resource-type schemas: typed views over the data in ``kiln/schemas`` and their registry."""

from kiln.compiler.resource_types.model import ResourceTypeSchema, SupportStatus
from kiln.compiler.resource_types.registry import (
    DuplicateResourceType,
    InvalidResourceTypeSchema,
    SchemaRegistry,
)

__all__ = [
    "DuplicateResourceType",
    "InvalidResourceTypeSchema",
    "ResourceTypeSchema",
    "SchemaRegistry",
    "SupportStatus",
]
