"""What every handler shares: the context of one operation, the base class with Heat's
defaults, and AWS types as data over the OpenStack handlers (`TypeMapping`).

A handler is small: it says how to create, update and delete one type and how to read its
attributes; the engine does the rest (ordering, intent records, retries, polling, events).
Update-in-place or replace comes from the schema's flags (`x-update-allowed`,
`x-immutable`), as Heat decides it in Resource._needs_update and
update_template_diff_properties; a handler only adds what Heat keeps in code
(`needs_replace`, Heat's needs_replace_with_prop_diff).
"""

import base64
from collections.abc import Callable, Collection, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

from kiln.compiler.resource_types.model import ResourceTypeSchema
from kiln.compiler.resource_types.property_schema import ObjectSchema, compile_object
from kiln.runtime.errors import HandlerFailure

if TYPE_CHECKING:
    from kiln.runtime.cloud import Cloud

Props = Mapping[str, Any]
Replacement = Literal["create-first", "delete-first"]
CREATE_FIRST: Final = "create-first"
DELETE_FIRST: Final = "delete-first"


@dataclass(slots=True)
class HandlerContext:
    """One resource operation: who the resource is, its recorded data, the cloud.

    `data` is Heat's resource data: a handler writes what it must keep (a generated value,
    a started-at time) with `save_data`, which reaches the state store before it returns;
    the keys its handler declares in `secret_data` are stored encrypted, and read back in
    clear here (kiln/runtime/state/sealed.py).
    `request_token` is recorded before the create call; handlers tag what they create with
    it (`tags`), so `find_existing` recognises a resource an interrupted run created.
    """

    stack_name: str
    stack_id: str
    logical_name: str
    resource_type: str
    request_token: str
    data: MutableMapping[str, Any]
    save: Callable[[str, Any], None]
    cloud_provider: Callable[[], "Cloud"]
    # The properties the resource has or is being given (for attributes computed from them).
    props: Props = field(default_factory=dict)
    # A ResourceGroup's members, in index order: (member name, reference id).
    members: tuple[tuple[str, str | None], ...] = ()

    def save_data(self, key: str, value: Any) -> None:
        self.save(key, value)
        self.data[key] = value

    @property
    def cloud(self) -> "Cloud":
        """The cloud connection (opened on first use; NoCloud when none was named)."""
        return self.cloud_provider()

    @property
    def physical_resource_name(self) -> str:
        """Heat's physical_resource_name: `<stack>-<resource>-<short id>`, the short id
        derived from the request token so a resumed create names the same resource."""
        return physical_name(self.stack_name, self.logical_name, self.request_token)

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags that mark what this operation creates as Kiln's (Neutron, Nova)."""
        from kiln.runtime.cloud import resource_tags

        return resource_tags(self.stack_id, self.logical_name, self.request_token)

    @property
    def metadata(self) -> dict[str, str]:
        """The same marks as key/value metadata, for services without tags (Cinder, Swift)."""
        from kiln.runtime.cloud import resource_metadata

        return resource_metadata(self.stack_id, self.logical_name, self.request_token)


def short_id(token: str) -> str:
    """Heat's short_id.get_id: 12 lower-case base32 characters."""
    raw = bytes.fromhex(token.replace("-", "")[:16].ljust(16, "0"))
    return base64.b32encode(raw).decode("ascii").lower().rstrip("=")[:12]


def physical_name(stack_name: str, logical_name: str, token: str, limit: int = 255) -> str:
    name = f"{stack_name}-{logical_name.replace('.', '-')}-{short_id(token)}"
    if len(name) <= limit:
        return name
    # Resource.reduce_physical_resource_name: keep both ends, the short id whole.
    keep = limit - len(short_id(token)) - 2
    head = f"{stack_name}-{logical_name}"
    return f"{head[: keep // 2]}-{head[-(keep - keep // 2) :]}-{short_id(token)}"


class BaseHandler:
    """Heat's defaults for a resource type; subclasses override what their type does.

    Every method gets the operation's context first. `props` are the resolved properties
    with the schema's defaults and Heat's coercion applied (what Heat's `self.properties`
    returns), `physical_id` what `create` returned."""

    type_name: ClassVar[str] = ""
    # False for types that live only in the state store (OS::Heat::RandomString, ...).
    needs_cloud: ClassVar[bool] = True
    # Heat creates the replacement first, then deletes the old resource; a type whose name
    # must be unique (a key pair) says delete-first.
    replacement: ClassVar[Replacement] = CREATE_FIRST
    # Attributes whose values are secrets (OS::Nova::KeyPair's private_key): hidden like a
    # hidden parameter wherever they are stored or shown (kiln/runtime/hidden.py).
    hidden_attributes: ClassVar[frozenset[str]] = frozenset()
    # Keys of the resource data whose values are secrets (the private key itself): stored
    # encrypted, as Heat's data_set(..., redact=True) (kiln/runtime/state/sealed.py).
    secret_data: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, schema: ResourceTypeSchema | None) -> None:
        self.schema = schema

    # --- planning ----------------------------------------------------------------------

    @cached_property
    def property_schema(self) -> ObjectSchema:
        return compile_object(self.schema.properties) if self.schema is not None else ObjectSchema()

    def update_allowed(self, prop: str) -> bool:
        """Heat's update_allowed for a top-level property (x-update-allowed)."""
        found = self.schema.property_schema(prop) if self.schema is not None else None
        return bool(found and found.get("x-update-allowed"))

    def immutable(self, prop: str) -> bool:
        found = self.schema.property_schema(prop) if self.schema is not None else None
        return bool(found and found.get("x-immutable"))

    def attribute_names(self) -> tuple[str, ...]:
        """Every attribute but `show` (what get_attr without a name returns)."""
        names = self.schema.attribute_names if self.schema is not None else ()
        return tuple(name for name in names if name != "show")

    def needs_update(self, old: Props, new: Props, changed: frozenset[str]) -> bool:
        """Whether a change of these properties touches the resource at all."""
        del old, new
        return bool(changed)

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        """Heat's needs_replace_with_prop_diff: a reason to replace although every changed
        property is updatable, or None."""
        del old, new, changed
        return None

    def validate(self, props: Props) -> str | None:
        """A problem with concrete properties that Heat's plugin validate() finds, or None."""
        del props
        return None

    def offline_attributes(self, props: Props) -> dict[str, Any] | None:
        """Attributes that are a function of the properties alone (OS::Heat::Value), so a
        plan can know them without asking anything; None when they must be read."""
        del props
        return None

    def translate(self, props: Props) -> Props:
        """Heat's translation_rules: the properties as written, rewritten before the
        schema's defaults apply (a deprecated name moved to its successor)."""
        return props

    # --- lifecycle -------------------------------------------------------------------------

    def create(self, ctx: HandlerContext, props: Props) -> str:
        raise HandlerFailure(f"{self.type_name}: create is not implemented")

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        del ctx, physical_id
        return True

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        raise HandlerFailure(f"{self.type_name}: update in place is not implemented")

    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        del ctx, physical_id
        return True

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        """Delete; a resource that is already gone is not an error."""
        raise HandlerFailure(f"{self.type_name}: delete is not implemented")

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        del ctx, physical_id
        return True

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        """Heat's attribute values by name (those asked for; more is allowed)."""
        del ctx, physical_id, names
        return {}

    def reference_id(self, ctx: HandlerContext, physical_id: str) -> str:
        """What get_resource / Ref returns (Heat's get_reference_id): the physical id."""
        del ctx
        return physical_id

    def find_existing(self, ctx: HandlerContext) -> str | None:
        """The physical id of a resource this operation's request token already created
        (found by its tags or metadata), or None. Used when resuming an interrupted create
        and before retrying a create whose answer was lost."""
        del ctx
        return None


@dataclass(frozen=True, slots=True)
class Renamed:
    """A property of the source type, as the target's property (converted by `convert`)."""

    target: str
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True, slots=True)
class Derived:
    """A target property computed from several source properties together (AWS::EC2::
    SecurityGroup's SecurityGroupIngress and SecurityGroupEgress make one `rules`)."""

    sources: tuple[str, ...]
    compute: Callable[[Props], Any]


@dataclass(frozen=True, slots=True)
class TypeMapping:
    """A type deployed by another type's handler (AWS::EC2::* over OS::Neutron/Nova): its
    properties renamed (and converted), its attributes read as the target's. Update flags
    come from the source type's own schema: that is what the template's author wrote.

    The target's handler gets the target type's properties as its own type's would be
    (schema defaults and coercion applied). What the source type does beyond the target's
    handler (Heat's AWS::EC2::VPC also makes a router) is an `adapter`: a subclass of the
    target's handler ("module:Class"), built with the target's schema. `check` is the
    source type's own validate()."""

    source: str
    target: str
    properties: Mapping[str, str | Renamed]
    attributes: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    reference_attribute: str | None = None  # Ref returns this attribute instead of the id
    derived: Mapping[str, Derived] = field(default_factory=dict)  # target property -> rule
    adapter: str | None = None
    check: Callable[[Props], str | None] | None = None


class MappedHandler(BaseHandler):
    """The handler of a TypeMapping: the target's handler, spoken to in its own terms."""

    def __init__(
        self, mapping: TypeMapping, schema: ResourceTypeSchema | None, target: BaseHandler
    ) -> None:
        super().__init__(schema)
        self.mapping = mapping
        if mapping.adapter is not None:
            target = _load(mapping.adapter)(target.schema)
        self.target = target
        self.type_name = mapping.source  # type: ignore[misc]  # per instance, by design
        self.needs_cloud = target.needs_cloud  # type: ignore[misc]
        self.replacement = target.replacement  # type: ignore[misc]
        self.hidden_attributes = frozenset(  # type: ignore[misc]
            name
            for name in (*mapping.attributes, *target.hidden_attributes)
            if mapping.attributes.get(name, name) in target.hidden_attributes
        )
        self.secret_data = target.secret_data  # type: ignore[misc]  # the target's data

    def to_target(self, props: Props) -> dict[str, Any]:
        """The target type's properties, as its own type's would reach its handler."""
        from kiln.compiler.resource_types.validator import heat_properties

        result: dict[str, Any] = dict(self.mapping.fixed)
        for name, value in props.items():
            rule = self.mapping.properties.get(name)
            if rule is None or value is None:
                continue
            renamed = Renamed(rule) if isinstance(rule, str) else rule
            result[renamed.target] = renamed.convert(value) if renamed.convert else value
        for name, derived in self.mapping.derived.items():
            value = derived.compute(props)
            if value is not None:
                result[name] = value
        return heat_properties(self.target.property_schema, self.target.translate(result))

    def _changed(self, changed: frozenset[str]) -> frozenset[str]:
        found = set()
        for name in changed:
            rule = self.mapping.properties.get(name)
            if rule is not None:
                found.add(rule if isinstance(rule, str) else rule.target)
        for target, derived in self.mapping.derived.items():
            if changed & set(derived.sources):
                found.add(target)
        return frozenset(found)

    def _own(self, ctx: HandlerContext) -> HandlerContext:
        """The context as the target's handler reads it: its own type's properties."""
        return replace(ctx, props=self.to_target(ctx.props))

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        return self.target.needs_replace(
            self.to_target(old), self.to_target(new), self._changed(changed)
        )

    def validate(self, props: Props) -> str | None:
        problem = self.mapping.check(props) if self.mapping.check is not None else None
        return problem or self.target.validate(self.to_target(props))

    def create(self, ctx: HandlerContext, props: Props) -> str:
        return self.target.create(self._own(ctx), self.to_target(props))

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self.target.check_create_complete(self._own(ctx), physical_id)

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        self.target.update(
            self._own(ctx),
            physical_id,
            self.to_target(old),
            self.to_target(new),
            self._changed(changed),
        )

    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self.target.check_update_complete(self._own(ctx), physical_id)

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        self.target.delete(self._own(ctx), physical_id)

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self.target.check_delete_complete(self._own(ctx), physical_id)

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        wanted: dict[str, list[str]] = {}  # target attribute -> the source names reading it
        for name in names:
            wanted.setdefault(self.mapping.attributes.get(name, name), []).append(name)
        if self.mapping.reference_attribute:
            wanted.setdefault(self.mapping.reference_attribute, [self.mapping.reference_attribute])
        found = self.target.attributes(self._own(ctx), physical_id, tuple(wanted))
        return {source: value for name, value in found.items() for source in wanted.get(name, ())}

    def reference_id(self, ctx: HandlerContext, physical_id: str) -> str:
        attribute = self.mapping.reference_attribute
        if attribute is None:
            return self.target.reference_id(self._own(ctx), physical_id)
        value = self.target.attributes(self._own(ctx), physical_id, (attribute,)).get(attribute)
        return str(value) if value is not None else physical_id

    def find_existing(self, ctx: HandlerContext) -> str | None:
        return self.target.find_existing(self._own(ctx))


def _load(path: str) -> type[BaseHandler]:
    """A handler class by "module:Class" (imported on first use, like the handler table)."""
    import importlib

    module_name, _, class_name = path.partition(":")
    found: type[BaseHandler] = getattr(importlib.import_module(module_name), class_name)
    return found
