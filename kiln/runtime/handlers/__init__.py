"""Resource handlers: the protocol every type's handler follows, and the table of them.

The protocol (implemented with Heat's defaults by `base.BaseHandler`):

    create(ctx, props) -> physical_id           the cloud call; tag with ctx.tags
    check_create_complete(ctx, physical_id) -> bool       polled with backoff
    update(ctx, physical_id, old, new, changed) -> None   only updatable properties changed
    check_update_complete(ctx, physical_id) -> bool
    delete(ctx, physical_id) -> None            a resource already gone is not an error
    check_delete_complete(ctx, physical_id) -> bool
    attributes(ctx, physical_id, names) -> {name: value}  Heat's attribute names
    reference_id(ctx, physical_id) -> str       what get_resource returns
    offline_attributes(props) -> dict | None    attributes known from properties alone
    find_existing(ctx) -> physical_id | None    by ctx.request_token's tag, on resume
    update_allowed(prop) / immutable(prop)      from the schema's x- flags
    translate / needs_update / needs_replace / validate   Heat's plugin code, where a type has it

`props` are resolved, with schema defaults and Heat's coercion. Errors: raise
`errors.CloudError` (kiln.runtime.cloud classifies openstacksdk's exceptions into it:
transient ones are retried) or `errors.HandlerFailure` (permanent, the message is the user's).

The table maps a type to a handler class by import path (imported on first use), or to a
`TypeMapping` (an AWS type as data over an OpenStack type's handler). A type in neither is a
plan-time error (RUN001), never a silent skip.
"""

import importlib
from collections.abc import Collection, Mapping
from typing import Any, Final, Protocol

from kiln.runtime.handlers.aws import MAPPINGS as AWS_MAPPINGS
from kiln.runtime.handlers.base import (
    BaseHandler,
    HandlerContext,
    MappedHandler,
    Props,
    Replacement,
    TypeMapping,
)

__all__ = [
    "HANDLERS",
    "MAPPINGS",
    "BaseHandler",
    "Handler",
    "HandlerContext",
    "HandlerTable",
    "MappedHandler",
    "TypeMapping",
]


class Handler(Protocol):
    @property
    def type_name(self) -> str: ...
    @property
    def needs_cloud(self) -> bool: ...
    @property
    def replacement(self) -> Replacement: ...

    def update_allowed(self, prop: str) -> bool: ...
    def immutable(self, prop: str) -> bool: ...
    def attribute_names(self) -> tuple[str, ...]: ...
    def needs_update(self, old: Props, new: Props, changed: frozenset[str]) -> bool: ...
    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None: ...
    def validate(self, props: Props) -> str | None: ...
    def translate(self, props: Props) -> Props: ...
    def offline_attributes(self, props: Props) -> dict[str, Any] | None: ...
    def create(self, ctx: HandlerContext, props: Props) -> str: ...
    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool: ...
    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None: ...
    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool: ...
    def delete(self, ctx: HandlerContext, physical_id: str) -> None: ...
    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool: ...
    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]: ...
    def reference_id(self, ctx: HandlerContext, physical_id: str) -> str: ...
    def find_existing(self, ctx: HandlerContext) -> str | None: ...


def as_handler(handler: BaseHandler) -> Handler:
    """BaseHandler follows the protocol (mypy checks this assignment)."""
    return handler


# Type -> "module:Class". The cloud types' handlers join here, one module per service
# (neutron.py, nova.py, cinder.py, swift.py).
HANDLERS: Final[Mapping[str, str]] = {
    "OS::Heat::RandomString": "kiln.runtime.handlers.heat_local:RandomStringHandler",
    "OS::Heat::Value": "kiln.runtime.handlers.heat_local:ValueHandler",
    "OS::Heat::None": "kiln.runtime.handlers.heat_local:NoneHandler",
    "OS::Heat::TestResource": "kiln.runtime.handlers.heat_local:TestResourceHandler",
    "OS::Heat::ResourceGroup": "kiln.runtime.handlers.resource_group:ResourceGroupHandler",
    # Neutron (handlers/neutron.py, neutron_router.py, neutron_security.py)
    "OS::Neutron::Net": "kiln.runtime.handlers.neutron:NetHandler",
    "OS::Neutron::Subnet": "kiln.runtime.handlers.neutron:SubnetHandler",
    "OS::Neutron::Port": "kiln.runtime.handlers.neutron:PortHandler",
    "OS::Neutron::Router": "kiln.runtime.handlers.neutron_router:RouterHandler",
    "OS::Neutron::RouterInterface": "kiln.runtime.handlers.neutron_router:RouterInterfaceHandler",
    "OS::Neutron::SecurityGroup": "kiln.runtime.handlers.neutron_security:SecurityGroupHandler",
    "OS::Neutron::SecurityGroupRule": (
        "kiln.runtime.handlers.neutron_security:SecurityGroupRuleHandler"
    ),
    "OS::Neutron::FloatingIP": "kiln.runtime.handlers.neutron_router:FloatingIPHandler",
    "OS::Neutron::FloatingIPAssociation": (
        "kiln.runtime.handlers.neutron_router:FloatingIPAssociationHandler"
    ),
    # Nova (handlers/nova.py)
    "OS::Nova::Server": "kiln.runtime.handlers.nova:ServerHandler",
    "OS::Nova::KeyPair": "kiln.runtime.handlers.nova:KeyPairHandler",
    "OS::Nova::ServerGroup": "kiln.runtime.handlers.nova:ServerGroupHandler",
    "OS::Nova::Flavor": "kiln.runtime.handlers.nova:FlavorHandler",
    # Cinder (handlers/cinder.py) and Swift (handlers/swift.py)
    "OS::Cinder::Volume": "kiln.runtime.handlers.cinder:VolumeHandler",
    "OS::Cinder::VolumeAttachment": "kiln.runtime.handlers.cinder:VolumeAttachmentHandler",
    "OS::Swift::Container": "kiln.runtime.handlers.swift:ContainerHandler",
}

# AWS types as data over the OpenStack handlers (AWS::EC2::Subnet -> OS::Neutron::Subnet, ...):
# the table is handlers/aws.py.
MAPPINGS: Final[Mapping[str, TypeMapping]] = AWS_MAPPINGS


class HandlerTable:
    """Handlers by type for one run: each built once, with its type's schema."""

    def __init__(
        self,
        schemas: Any,
        handlers: Mapping[str, "str | type[BaseHandler]"] = HANDLERS,
        mappings: Mapping[str, TypeMapping] = MAPPINGS,
    ) -> None:
        self.schemas = schemas
        self.handlers = handlers
        self.mappings = mappings
        self._built: dict[str, BaseHandler | None] = {}

    def known(self, type_name: str) -> bool:
        return type_name in self.handlers or type_name in self.mappings

    def get(self, type_name: str) -> BaseHandler | None:
        if type_name not in self._built:
            self._built[type_name] = self._build(type_name)
        return self._built[type_name]

    def _build(self, type_name: str) -> BaseHandler | None:
        mapping = self.mappings.get(type_name)
        if mapping is not None:
            target = self.get(mapping.target)
            if target is None:
                return None
            return MappedHandler(mapping, self.schemas.get(type_name), target)
        found = self.handlers.get(type_name)
        if found is None:
            return None
        if isinstance(found, str):
            module_name, _, class_name = found.partition(":")
            found = getattr(importlib.import_module(module_name), class_name)
        handler: BaseHandler = found(self.schemas.get(type_name))
        return handler

    def supported(self) -> tuple[str, ...]:
        return tuple(sorted({*self.handlers, *self.mappings}))
