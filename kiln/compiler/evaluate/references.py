"""References: parameters, resources, attributes, pseudo parameters, files, stack facts."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.evaluate.semantics import variant
from kiln.compiler.evaluate.values import Item, Unknown, Value
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.types import ValueType

if TYPE_CHECKING:
    from kiln.compiler.evaluate.evaluator import Evaluator

ANY, STRING = ValueType.ANY, ValueType.STRING


class _Miss(Exception):
    """A path component that does not lead anywhere."""


def param_ref(ev: "Evaluator", node: e.ParamRef, path: LogicalPath) -> Item:
    """heat/engine/hot/functions.py GetParam.result (and cfn ParamRef, which has no path): a
    path that misses (missing key, index out of range, walking into a scalar) yields ""."""
    declared, value = ev.parameter(node.name)
    if not declared:  # reported by the reference checks
        return Unknown(ANY, f"{node.spelling} {node.name!r}: no such parameter")
    if not node.path:
        return value
    fn = (*path, node.spelling)
    components = [ev.value(item, (*fn, i + 1)) for i, item in enumerate(node.path)]
    try:
        for key in components:
            value = _param_component(value, key)
        return value
    except _Miss:
        return ""
    except _Unknown as unknown:
        return Unknown(ANY, f"{node.spelling} {node.name!r}: {unknown.reason}")


class _Unknown(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _param_component(collection: Value, key: Value) -> Value:
    """GetParam's get_path_component; every TypeError/KeyError/IndexError is a miss. A string
    is a sequence (its characters), and a string key on a sequence is read as an index."""
    if isinstance(collection, Unknown):
        raise _Unknown(collection.reason)
    if isinstance(key, Unknown):
        raise _Unknown(key.reason)
    if not isinstance(collection, dict | list | str):
        raise _Miss
    if not isinstance(key, str | int):
        raise _Miss
    if isinstance(collection, list | str) and isinstance(key, str):
        try:
            key = int(key)
        except ValueError:
            raise _Miss from None
    return _index(collection, key)


def _index(collection: dict[str, Value] | list[Value] | str, key: str | int) -> Value:
    try:
        if isinstance(collection, dict):
            if not isinstance(key, str):
                raise _Miss
            return collection[key]
        if not isinstance(key, int):
            raise _Miss
        return collection[key]
    except (KeyError, IndexError):
        raise _Miss from None


def select_from_attribute(value: Value, components: list[Value]) -> Value:
    """heat/engine/attributes.py select_from_attribute: None when the path misses; unlike
    get_param, a string key does not index a list."""
    try:
        for key in components:
            if isinstance(value, Unknown):
                raise _Unknown(value.reason)
            if isinstance(key, Unknown):
                raise _Unknown(key.reason)
            if not isinstance(value, dict | list | str) or not isinstance(key, str | int):
                raise _Miss
            value = _index(value, key)
    except _Miss:
        return None
    except _Unknown as unknown:
        return Unknown(ANY, unknown.reason)
    return value


def resource_ref(ev: "Evaluator", node: e.ResourceRef, path: LogicalPath) -> Item:
    """GetResource.result: the resource's reference id (ResourceProxy.FnGetRefId), known only
    once the resource exists."""
    del path
    if node.name not in ev.template.resources:
        return Unknown(STRING, f"{node.spelling} {node.name!r}: no such resource")
    data = ev.resource_data.get(node.name)
    if data is not None and "reference_id" in data:
        reference: Value = data["reference_id"]
        return reference
    return Unknown(STRING, f"{node.spelling} {node.name}: known after create")


def attr_ref(ev: "Evaluator", node: e.AttrRef, path: LogicalPath) -> Item:
    """GetAttThenSelect / GetAtt / GetAttAllAttributes.result (cfn GetAtt is
    GetAttThenSelect without a path). All three walk the path like
    attributes.select_from_attribute; before the resource exists the value is Unknown."""
    resource = ev.template.resources.get(node.resource)
    if resource is None:
        return Unknown(ANY, f"{node.spelling} {node.resource!r}: no such resource")
    data = ev.resource_data.get(node.resource)
    attrs = data.get("attrs") if data is not None else None
    fn = (*path, node.spelling)
    if node.attribute is None:  # GetAttAllAttributes: every attribute but `show`
        if isinstance(attrs, dict):
            return {key: value for key, value in attrs.items() if key != "show"}
        return Unknown(ValueType.MAP, f"{node.spelling} {node.resource}: known after create")
    attribute = ev.value(node.attribute, (*fn, 1))
    components = [ev.value(item, (*fn, i + 2)) for i, item in enumerate(node.path)]
    if isinstance(attribute, str) and isinstance(attrs, dict) and attribute in attrs:
        value: Value = attrs[attribute]
        if value is None and variant(node.spelling, ev.version) == "GetAttThenSelect":
            return None
        return select_from_attribute(value, components)
    kind = ANY
    if isinstance(attribute, str) and not components and ev.attribute_type is not None:
        kind = ev.attribute_type(resource.type, attribute)
    return Unknown(kind, f"{node.spelling} {node.resource}.{attribute}: known after create")


def pseudo_ref(ev: "Evaluator", node: e.PseudoRef, path: LogicalPath) -> Item:
    """HOTParameters / CfnParameters pseudo parameters (pseudo.py)."""
    del path
    value = ev.pseudo.lookup(ev.dialect, node.name)
    if value is None:
        return Unknown(STRING, f"{node.name}: not a pseudo parameter of this dialect in Heat")
    return value


def unresolved_ref(ev: "Evaluator", node: e.UnresolvedRef, path: LogicalPath) -> Item:
    """A Ref that names nothing (reported by resolve_references)."""
    del ev, path
    return Unknown(ANY, f"{node.spelling} {node.name!r}: names nothing")


def get_file(ev: "Evaluator", node: e.GetFile, path: LogicalPath) -> Item:
    """GetFile.result: the content the client put in the files map (the includes step reads
    it into the unit's file table, keyed as kiln.frontends.includes.resolve_file keys it)."""
    del path
    from kiln.frontends.includes import is_remote, resolve_file

    if node.path in ev.files:
        return ev.files[node.path]
    if not is_remote(node.path):
        key = resolve_file(ev.template.file, node.path)
        if key in ev.files:
            return ev.files[key]
    return Unknown(STRING, f"{node.spelling} {node.path}: content not read")


def _unknown(kind: ValueType, reason: str) -> Callable[["Evaluator", Any, LogicalPath], Item]:
    def handler(ev: "Evaluator", node: Any, path: LogicalPath) -> Item:
        # Arguments are still resolved: Heat does, so their errors surface.
        for field in ("region", "kind", "name", "arguments"):
            argument = getattr(node, field, None)
            if argument is not None:
                ev.value(argument, (*path, node.spelling))
        return Unknown(kind, f"{node.spelling}: {reason}")

    return handler


HANDLERS: Final[dict[type, Callable[["Evaluator", Any, LogicalPath], Item]]] = {
    e.ParamRef: param_ref,
    e.ResourceRef: resource_ref,
    e.AttrRef: attr_ref,
    e.PseudoRef: pseudo_ref,
    e.UnresolvedRef: unresolved_ref,
    e.GetFile: get_file,
    # cfn GetAZs.result asks nova (Stack.get_availability_zones).
    e.GetAZs: _unknown(ValueType.LIST, "availability zones are known at deploy time"),
    # hot ResourceFacade.result reads the parent resource of a provider template.
    e.ResourceFacade: _unknown(ANY, "known from the parent resource at deploy time"),
    e.ImportValue: _unknown(ANY, "another stack's export (AWS only; Heat has none)"),
    e.StackOutput: _unknown(ANY, "another stack's output (AWS only; Heat has none)"),
    e.Transform: _unknown(ANY, "a macro (AWS only; Heat has none)"),
}

__all__ = ["HANDLERS", "select_from_attribute"]
