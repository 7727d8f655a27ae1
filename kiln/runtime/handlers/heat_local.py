"""Handlers of the Heat types that need no cloud: their "physical" resource is the row in
the state store (Heat keeps them in its own database the same way).

- OS::Heat::RandomString (heat/engine/resources/openstack/heat/random_string.py, with
  heat/common/password_gen.py): character classes and sequences with minimums, generated
  once and kept in the resource's data, so a redeploy keeps it; every property forces a
  replacement (none is update_allowed), which is how `salt` asks for a new string.
- OS::Heat::Value (value.py): `value`, typed by `type` like a parameter.
- OS::Heat::None (none_resource.py): accepts anything, never updates, attributes are None.
- OS::Heat::TestResource (test_resource.py): waits, fails and replaces on request; what the
  engine's tests drive failures and slow resources with.
"""

import random
import string
import time
import uuid
from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Final

from kiln.compiler.resource_types import property_schema as ps
from kiln.runtime.errors import HandlerFailure
from kiln.runtime.handlers.base import BaseHandler, HandlerContext, Props

# password_gen._char_class_members
CHARACTER_CLASSES: Final[Mapping[str, str]] = {
    "lettersdigits": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "lowercase": string.ascii_lowercase,
    "uppercase": string.ascii_uppercase,
    "digits": string.digits,
    "hexdigits": string.digits + "ABCDEF",
    "octdigits": string.octdigits,
}

_random = random.SystemRandom()


def generate_password(length: int, classes: list[tuple[str, int]]) -> str:
    """password_gen.generate_password: each class's minimum first, the rest from all of
    them together, shuffled; (allowed characters, minimum count) per class."""
    chosen: list[str] = []
    allowed: set[str] = set()
    for characters, minimum in classes:
        members = frozenset(characters)
        allowed |= members
        pool = tuple(members)
        chosen.extend(_random.choice(pool) for _ in range(minimum))
    combined = tuple(allowed)
    if not combined:
        raise HandlerFailure("no characters to build the random string from")
    chosen.extend(_random.choice(combined) for _ in range(max(0, length - len(chosen))))
    return "".join(_random.sample(chosen, length))


class LocalHandler(BaseHandler):
    """A type whose resource lives in the state store: nothing to delete, nothing to find
    outside it."""

    needs_cloud: ClassVar[bool] = False

    def create(self, ctx: HandlerContext, props: Props) -> str:
        return ctx.physical_resource_name

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        del ctx, physical_id

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        del ctx, physical_id, old, new, changed

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        values = self.values(ctx)
        values["show"] = {"id": physical_id, "name": ctx.logical_name, **values}
        return values

    def values(self, ctx: HandlerContext) -> dict[str, Any]:
        del ctx
        return {}


class RandomStringHandler(LocalHandler):
    type_name: ClassVar[str] = "OS::Heat::RandomString"

    def translate(self, props: Props) -> Props:
        """`sequence` (hidden since Heat 5.0) becomes one more character class."""
        sequence = props.get("sequence")
        if not sequence:
            return props
        translated = {key: value for key, value in props.items() if key != "sequence"}
        classes = translated.get("character_classes")
        extra = [{"class": sequence, "min": 1}]
        translated["character_classes"] = [*classes, *extra] if isinstance(classes, list) else extra
        return translated

    def validate(self, props: Props) -> str | None:
        """RandomString.validate: the minimums must fit in the length."""
        minimum = sum(_min(item) for item in props.get("character_sequences") or ()) + sum(
            _min(item) for item in props.get("character_classes") or ()
        )
        if minimum > int(props.get("length") or 0):
            return (
                "Length property cannot be smaller than combined character class and "
                "character sequence minimums"
            )
        return None

    def create(self, ctx: HandlerContext, props: Props) -> str:
        if "value" not in ctx.data:
            problem = self.validate(props)
            if problem is not None:
                raise HandlerFailure(problem)
            classes = [
                (str(item["sequence"]), _min(item))
                for item in props.get("character_sequences") or ()
            ] + [
                (CHARACTER_CLASSES[str(item["class"])], _min(item))
                for item in props.get("character_classes") or ()
            ]
            ctx.save_data("value", generate_password(int(props["length"]), classes))
        return ctx.physical_resource_name

    def find_existing(self, ctx: HandlerContext) -> str | None:
        return ctx.physical_resource_name if "value" in ctx.data else None

    def values(self, ctx: HandlerContext) -> dict[str, Any]:
        return {"value": ctx.data.get("value")}

    def reference_id(self, ctx: HandlerContext, physical_id: str) -> str:
        """RandomString.get_reference_id: the string itself."""
        value = ctx.data.get("value")
        return str(value) if value is not None else physical_id


def _min(item: Any) -> int:
    found = item.get("min") if isinstance(item, Mapping) else None
    return int(found) if found is not None else 1


# Value's `type` (a parameter type) as the property type of `value` (Value.reparse).
_VALUE_TYPES: Final[Mapping[str, str]] = {
    "string": ps.STRING,
    "number": ps.NUMBER,
    "comma_delimited_list": ps.LIST,
    "json": ps.MAP,
    "boolean": ps.BOOLEAN,
}


class ValueHandler(LocalHandler):
    type_name: ClassVar[str] = "OS::Heat::Value"

    @staticmethod
    def typed(props: Props) -> Any:
        kind = _VALUE_TYPES.get(str(props.get("type")))
        value = props.get("value")
        if kind is None:
            return value
        try:
            return ps.coerce(ps.PropSchema(kind, required=True), value)
        except ps.PropertyError as error:
            raise HandlerFailure(f"Property error: value: {error}") from None

    def validate(self, props: Props) -> str | None:
        try:
            self.typed(props)
        except HandlerFailure as error:
            return str(error)
        return None

    def values(self, ctx: HandlerContext) -> dict[str, Any]:
        return {"value": self.typed(ctx.props)}

    def offline_attributes(self, props: Props) -> dict[str, Any] | None:
        try:
            return {"value": self.typed(props)}
        except HandlerFailure:
            return None


class NoneHandler(LocalHandler):
    """NoneResource: any properties, never updated or replaced, every attribute None."""

    type_name: ClassVar[str] = "OS::Heat::None"

    def needs_update(self, old: Props, new: Props, changed: frozenset[str]) -> bool:
        del old, new, changed
        return False

    def create(self, ctx: HandlerContext, props: Props) -> str:
        return str(uuid.UUID(hex=ctx.request_token.replace("-", "")[:32].ljust(32, "0")))

    def attributes(
        self, ctx: HandlerContext, physical_id: str, names: Collection[str]
    ) -> dict[str, Any]:
        return dict.fromkeys(names)


class TestResourceHandler(LocalHandler):
    """TestResource: `wait_secs` (or `action_wait_secs`) before an action completes, `fail`
    to fail it then ("Test Resource failed <name>"), `update_replace` to replace on a change
    of `value`; `output` is the stored value."""

    type_name: ClassVar[str] = "OS::Heat::TestResource"

    def needs_replace(self, old: Props, new: Props, changed: frozenset[str]) -> str | None:
        if "value" in changed and new.get("update_replace"):
            return "update_replace is true and value changed"
        return None

    def _start(self, ctx: HandlerContext, props: Props, action: str) -> None:
        waits = props.get("action_wait_secs") or {}
        wait = waits.get(action) if isinstance(waits, Mapping) else None
        ctx.save_data("wait", float(props.get("wait_secs") or 0) if wait is None else float(wait))
        ctx.save_data("fail", bool(props.get("fail")) and action != "delete")
        ctx.save_data("started_at", time.time())

    def _done(self, ctx: HandlerContext) -> bool:
        wait = float(ctx.data.get("wait") or 0)
        if wait < 0 or time.time() - float(ctx.data.get("started_at") or 0) <= wait:
            return False
        if ctx.data.get("fail"):
            raise HandlerFailure(f"Test Resource failed {ctx.logical_name}")
        return True

    def create(self, ctx: HandlerContext, props: Props) -> str:
        if not props.get("fail"):
            ctx.save_data("value", props.get("value"))
        self._start(ctx, props, "create")
        return ctx.physical_resource_name

    def find_existing(self, ctx: HandlerContext) -> str | None:
        return ctx.physical_resource_name if "started_at" in ctx.data else None

    def check_create_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self._done(ctx)

    def update(
        self,
        ctx: HandlerContext,
        physical_id: str,
        old: Props,
        new: Props,
        changed: frozenset[str],
    ) -> None:
        value = new.get("value") if "value" in changed else None
        if value and not new.get("fail"):
            ctx.save_data("value", value)
        self._start(ctx, new, "update")
        if not value:  # TestResource.handle_update: no wait without a new value
            ctx.save_data("wait", 0.0)

    def check_update_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self._done(ctx)

    def delete(self, ctx: HandlerContext, physical_id: str) -> None:
        self._start(ctx, ctx.props, "delete")

    def check_delete_complete(self, ctx: HandlerContext, physical_id: str) -> bool:
        return self._done(ctx)

    def values(self, ctx: HandlerContext) -> dict[str, Any]:
        return {"output": ctx.data.get("value")}
