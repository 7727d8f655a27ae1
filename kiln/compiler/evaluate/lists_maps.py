"""List and map functions: Fn::Select, list_concat(_unique), filter, contains, repeat,
map_merge, map_replace, Fn::FindInMap, Fn::MemberListToMap, and the AWS-only Fn::Length and
Fn::Cidr."""

import contextlib
import ipaddress
import itertools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.evaluate.semantics import variant
from kiln.compiler.evaluate.strings import HeatError
from kiln.compiler.evaluate.values import Item, Unknown, Value, heat_repr, is_concrete
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.types import ValueType

if TYPE_CHECKING:
    from kiln.compiler.evaluate.evaluator import Evaluator

ANY, LIST, MAP = ValueType.ANY, ValueType.LIST, ValueType.MAP


def _unknown(node: Any, kind: ValueType) -> Unknown:
    return Unknown(kind, f"{node.spelling}: an argument is known only at deploy time")


def _type_name(value: Value) -> str:
    return type(value).__name__


def _json(value: Value) -> str:
    """oslo jsonutils.dumps for a message (an Unknown shows as null)."""
    return json.dumps(value, default=lambda _: None)


# --- Fn::Select --------------------------------------------------------------------------


def select(ev: "Evaluator", node: e.Select, path: LogicalPath) -> Item:
    """cfn Select.result: "" when the index misses, a JSON string is parsed first."""
    fn = (*path, node.spelling)
    index = ev.value(node.index, (*fn, 0))
    strings = ev.value(node.sequence, (*fn, 1))
    if strings == "":  # "a common response from other functions when not available"
        return ""
    if isinstance(strings, Unknown) or isinstance(index, Unknown):
        return _unknown(node, ANY)
    try:
        if isinstance(strings, str):
            try:
                strings = json.loads(strings)
            except ValueError as error:
                raise HeatError(f'"{node.spelling}": {error}') from None
        if isinstance(strings, dict):
            if not isinstance(index, str):
                raise HeatError(f'Index to "{node.spelling}" must be a string')
            return strings.get(index, "")
        with contextlib.suppress(ValueError, TypeError):
            index = int(index)  # type: ignore[arg-type]
        if isinstance(strings, list):
            if not isinstance(index, int):
                raise HeatError(f'Index to "{node.spelling}" must be an integer')
            try:
                return strings[index]
            except IndexError:
                return ""
        if strings is None:
            return ""
        raise HeatError(f"Arguments to {node.spelling} not fully resolved")
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code)


# --- list_concat, filter, contains, Fn::Length -------------------------------------------


def list_concat(ev: "Evaluator", node: e.ListConcat, path: LogicalPath) -> Item:
    """hot ListConcat.result / ListConcatUnique (repeats dropped, Python equality)."""
    args = ev.value(node.lists, (*path, node.spelling))
    if isinstance(args, Unknown):
        return _unknown(node, LIST)
    example = f'"{node.spelling}" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]'
    if not isinstance(args, list):
        return ev.fail(node, path, f'Incorrect arguments to "{node.spelling}" should be: {example}')
    result: list[Value] = []
    unknown = False
    for item in args:
        if isinstance(item, Unknown):
            unknown = True
        elif item is None:
            continue
        elif isinstance(item, list):
            result.extend(item)
        else:
            return ev.fail(
                node,
                path,
                "Incorrect arguments: Items to concat must be lists. "
                f"{_json(args)} contains an item that is not a list: {_json(item)}",
            )
    if unknown or (node.unique and not is_concrete(result)):
        return _unknown(node, LIST)
    if not node.unique:
        return result
    unique: list[Value] = []
    for value in result:
        if value not in unique:
            unique.append(value)
    return unique


def filter_(ev: "Evaluator", node: e.Filter, path: LogicalPath) -> Item:
    """hot Filter.result; the values to remove are resolved only when the list is not empty."""
    fn = (*path, node.spelling)
    sequence = ev.value(node.sequence, (*fn, 1))
    if isinstance(sequence, Unknown):
        return _unknown(node, LIST)
    if not sequence:
        return sequence
    if not isinstance(sequence, list):
        return ev.fail(node, path, f'"{node.spelling}" only works with lists')
    values = ev.value(node.remove, (*fn, 0))
    if isinstance(values, Unknown):
        return _unknown(node, LIST)
    if not values:
        return sequence
    if not isinstance(values, list):
        return ev.fail(node, path, f'"{node.spelling}" filters a list of values')
    if not (is_concrete(values) and is_concrete(sequence)):
        return _unknown(node, LIST)
    return [item for item in sequence if item not in values]


def contains(ev: "Evaluator", node: e.Contains, path: LogicalPath) -> Item:
    """hot Contains.result: `value in sequence`; on a string that is a substring test."""
    fn = (*path, node.spelling)
    value = ev.value(node.value, (*fn, 0))
    sequence = ev.value(node.sequence, (*fn, 1))
    if isinstance(sequence, Unknown):
        return _unknown(node, ValueType.BOOLEAN)
    if not isinstance(sequence, list | str):
        return ev.fail(node, path, f'Second argument to "{node.spelling}" should be a sequence.')
    if not is_concrete(value):
        return _unknown(node, ValueType.BOOLEAN)
    if isinstance(sequence, str):
        if not isinstance(value, str):
            return ev.fail(
                node,
                path,
                f"'in <string>' requires string as left operand, not {_type_name(value)}",
            )
        return value in sequence
    unknown = False
    for item in sequence:
        if not is_concrete(item):
            unknown = True
        elif item == value:
            return True
    return _unknown(node, ValueType.BOOLEAN) if unknown else False


def length(ev: "Evaluator", node: e.Length, path: LogicalPath) -> Item:
    """AWS's Fn::Length (AWS::LanguageExtensions; Heat has none): the length of a list."""
    value = ev.value(node.value, (*path, node.spelling))
    if isinstance(value, list):
        return len(value)
    return _unknown(node, ValueType.INTEGER)


def cidr(ev: "Evaluator", node: e.Cidr, path: LogicalPath) -> Item:
    """AWS's Fn::Cidr (Heat has none): `count` blocks of `bits` host bits from `block`."""
    fn = (*path, node.spelling)
    block = ev.value(node.block, (*fn, 0))
    count = ev.value(node.count, (*fn, 1))
    bits = ev.value(node.bits, (*fn, 2))
    try:
        network = ipaddress.ip_network(str(block), strict=False)
        wanted, host_bits = int(count), int(bits)  # type: ignore[arg-type]
        prefix = network.max_prefixlen - host_bits
        if not isinstance(block, str) or wanted < 1 or prefix < network.prefixlen:
            raise ValueError
        chosen = itertools.islice(network.subnets(new_prefix=prefix), wanted)
        subnets: list[Value] = [str(subnet) for subnet in chosen]
    except (TypeError, ValueError):
        return _unknown(node, LIST)
    return subnets if len(subnets) == wanted else _unknown(node, LIST)


# --- map_merge, map_replace ------------------------------------------------------------------


def map_merge(ev: "Evaluator", node: e.MapMerge, path: LogicalPath) -> Item:
    """hot MapMerge.result: later maps win; None merges as {}."""
    args = ev.value(node.maps, (*path, node.spelling))
    if isinstance(args, Unknown):
        return _unknown(node, MAP)
    if not isinstance(args, list | str):
        example = f'"{node.spelling}" : [ {{ "key1": "val1" }}, {{ "key2": "val2" }} ]'
        return ev.fail(node, path, f'Incorrect arguments to "{node.spelling}" should be: {example}')
    result: dict[str, Value] = {}
    unknown = False
    for item in args:
        if isinstance(item, Unknown):
            unknown = True
        elif item is None:
            continue
        elif isinstance(item, dict):
            result.update(item)
        else:
            return ev.fail(
                node,
                path,
                "Incorrect arguments: Items to merge must be maps. "
                f"{heat_repr(item)[:200]} is type <class '{_type_name(item)}'> instead of a dict",
            )
    return _unknown(node, MAP) if unknown else result


def map_replace(ev: "Evaluator", node: e.MapReplace, path: LogicalPath) -> Item:
    """hot MapReplace.result: keys renamed (collisions are errors), values swapped."""
    fn = (*path, node.spelling)
    source = ev.value(node.map, (*fn, 0))
    keys = ev.value(node.keys, (*fn, 1, "keys")) if node.keys is not None else {}
    values = ev.value(node.values, (*fn, 1, "values")) if node.values is not None else {}
    example = (
        f'"{node.spelling}" : [ {{ "key1": "val1" }}, '
        '{"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]'
    )
    maps: list[Value] = [source, keys, values]
    for i, item in enumerate(maps):
        if isinstance(item, Unknown):
            return _unknown(node, MAP)
        if item is None:
            maps[i] = {}
        elif not isinstance(item, dict):
            return ev.fail(
                node,
                path,
                f'Incorrect arguments: to "{node.spelling}", arguments must be a list of maps. '
                f"Example:  {example}",
            )
    source, keys, values = maps
    assert isinstance(source, dict) and isinstance(keys, dict) and isinstance(values, dict)
    if not is_concrete(keys):
        return _unknown(node, MAP)
    try:
        result = _replace_map(source, keys, values)
    except HeatError as error:
        return ev.fail(node, path, error.message)
    except TypeError as error:  # an unhashable replacement key
        return ev.fail(node, path, str(error))
    return {_key_text(key): value for key, value in result.items()}


def _replace_map(
    source: dict[str, Value], keys: dict[str, Value], values: dict[str, Value]
) -> dict[Any, Value]:
    result: dict[Any, Value] = {}
    for key, value in source.items():
        new_key: Any = keys.get(key)
        if new_key is None:
            new_key = key
        elif new_key in source and new_key != key:
            raise HeatError(f"key replacement {new_key} collides with a key in the input map")
        elif new_key in result:
            raise HeatError(f"key replacement {new_key} collides with a key in the output map")
        # repl_values.get(v, v): the replacement map's keys are text, so only a text value
        # can match (an unhashable value is kept as it is, as Heat's TypeError branch does).
        result[new_key] = values.get(value, value) if isinstance(value, str) else value
    return result


def _key_text(key: object) -> str:
    """A map key as Kiln's maps hold keys (a JSON round trip's text)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


# --- Fn::FindInMap, Fn::MemberListToMap ------------------------------------------------------


def find_in_map(ev: "Evaluator", node: e.FindInMap, path: LogicalPath) -> Item:
    """cfn FindInMap.result: maps[name][top][second], Python's KeyError on a miss. The
    DefaultValue form is AWS's (Heat rejects four arguments)."""
    fn = (*path, node.spelling)
    name = ev.value(node.map_name, (*fn, 0))
    top = ev.value(node.top_key, (*fn, 1))
    second = ev.value(node.second_key, (*fn, 2))
    if not (is_concrete(name) and is_concrete(top) and is_concrete(second)):
        return _unknown(node, ANY)
    mapping = ev.template.mappings.get(name) if isinstance(name, str) else None
    try:
        if mapping is None:
            raise KeyError(name)
        entries = ev.value(mapping.entries, ("Mappings", mapping.name))
        found = _subscript(_subscript(entries, top), second)
    except _Stop as stop:
        return Unknown(ANY, f"{node.spelling}: {stop.unknown.reason}")
    except (KeyError, TypeError, IndexError) as error:
        if node.default is not None:
            return ev.item(node.default, (*fn, 3, "DefaultValue"))
        where = f"no entry [{top!r}][{second!r}] in mapping {name!r}"
        hint = None
        if any(_is_region(key) for key in (node.top_key, node.second_key)):
            hint = (
                f"Heat's AWS::Region is {ev.pseudo.region!r} unless the environment's "
                "parameter_defaults set AWS::Region"
            )
        return ev.fail(node, path, f"{where} ({type(error).__name__}: {error})", fix=hint)
    return found


def _is_region(key: e.Expr) -> bool:
    return isinstance(key, e.PseudoRef) and key.name == "AWS::Region"


def _subscript(collection: Value, key: Value) -> Value:
    """collection[key] as Python does it for Heat; the template's keys are text here, so a
    number or boolean key is looked up by its text."""
    if isinstance(collection, Unknown):
        raise _Stop(collection)
    if isinstance(collection, dict) and not isinstance(key, str | list | dict):
        key = _key_text(key)
    return collection[key]  # type: ignore[index]


class _Stop(Exception):
    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.unknown = unknown


_MEMBER: Final = re.compile(r"\.member\.([0-9]+)\.(.*)")


def member_list_to_map(ev: "Evaluator", node: e.MemberListToMap, path: LogicalPath) -> Item:
    """cfn MemberListToMap.result with heat/api/aws/utils.py extract_param_pairs."""
    fn = (*path, node.spelling)
    if not (isinstance(node.key_name, e.Str) and isinstance(node.value_name, e.Str)):
        return _unknown(node, MAP)  # MemberListToMap.__init__ rejects these: check_functions'
    key_name, value_name = node.key_name.value, node.value_name.value
    members = ev.value(node.members, (*fn, 2))
    if not is_concrete(members):
        return _unknown(node, MAP)
    if not isinstance(members, list | str | dict):
        return ev.fail(node, path, "Member list must be a list")
    pairs: list[list[str]] = []
    for item in members:
        if not isinstance(item, str):
            return ev.fail(node, path, "Member list items must be strings")
        pairs.append(item.split("=", 1))
    try:
        partials = dict(pairs)
    except ValueError as error:
        return ev.fail(node, path, str(error))
    indexed = []
    for name, value in partials.items():
        match = _MEMBER.match(name)
        if match:
            indexed.append((int(match.group(1)), (match.group(2), value)))
    indexed.sort(key=lambda pair: pair[0])
    members_list = [
        dict(kv for _, kv in group)
        for _, group in itertools.groupby(indexed, key=lambda pair: pair[0])
    ]
    return {
        member[key_name]: member[value_name]
        for member in members_list
        if key_name in member and value_name in member
    }


# --- repeat ----------------------------------------------------------------------------------


def repeat(ev: "Evaluator", node: e.Repeat, path: LogicalPath) -> Item:
    """hot Repeat / RepeatWithMap / RepeatWithNestedLoop.result: the template is resolved
    once, then every placeholder is replaced in its strings (keys included), for each
    combination of the for_each values (all combinations unless permutations is false)."""
    fn = (*path, node.spelling)
    kind = variant(node.spelling, ev.version)
    if isinstance(node.for_each, _NOT_A_MAP):
        return _unknown(node, LIST)  # Repeat.validate rejects it: check_functions'
    nested = True
    if kind == "RepeatWithNestedLoop" and node.permutations is not None:
        if not isinstance(node.permutations, e.Bool):
            return _unknown(node, LIST)  # RepeatWithNestedLoop._parse_args: check_functions'
        nested = node.permutations.value
    for_each = ev.value(node.for_each, (*fn, "for_each"))
    if isinstance(for_each, Unknown):
        return _unknown(node, LIST)
    try:
        placeholders, lists = _for_each(node, for_each, kind, nested)
        template = ev.value(node.template, (*fn, "template"))
        if lists is None:
            return _unknown(node, LIST)
        combinations = itertools.product(*lists) if nested else zip(*lists, strict=False)
        return [_substitute(placeholders, combo, template) for combo in combinations]
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code)


_NOT_A_MAP: Final = (e.ListExpr, e.Str, e.Int, e.Float, e.Bool, e.Null)


def _for_each(
    node: e.Repeat, for_each: Value, kind: str, nested: bool
) -> tuple[list[str], list[Any] | None]:
    if not isinstance(for_each, dict):
        raise HeatError(f"'{_type_name(for_each)}' object has no attribute 'items'")
    if not for_each:
        raise HeatError("not enough values to unpack (expected 2, got 0)")
    maps_allowed = kind == "RepeatWithMap" or (kind == "RepeatWithNestedLoop" and nested)
    lists: list[Any] = []
    lengths: list[int] = []
    unknown = False
    for value in for_each.values():
        if value is None:
            lists.append([])
            continue
        if isinstance(value, Unknown):
            unknown = True
            continue
        if not isinstance(value, list) and not (maps_allowed and isinstance(value, dict)):
            what = "lists or maps" if maps_allowed else "lists"
            raise HeatError(
                f'The values of the "for_each" argument to "{node.spelling}" must be {what}'
            )
        lists.append(value)
        lengths.append(len(value))
    if not nested and lengths and len(set(lengths)) != 1:
        raise HeatError(
            f"For {node.spelling}, the length of for_each values should be equal if no nested loop."
        )
    return list(for_each), (None if unknown else lists)


def _substitute(keys: list[str], values: tuple[Value, ...], template: Value) -> Value:
    """Repeat._do_replacement: str.replace in every string, map keys included."""
    if isinstance(template, str):
        for key, value in zip(keys, values, strict=False):
            if isinstance(value, Unknown):
                if key in template:
                    return Unknown(ANY, f"repeat: {value.reason}")
                continue
            if not isinstance(value, str):
                raise HeatError(f"replace() argument 2 must be str, not {_type_name(value)}")
            template = template.replace(key, value)
        return template
    if isinstance(template, list):
        return [_substitute(keys, values, item) for item in template]
    if isinstance(template, dict):
        result: dict[str, Value] = {}
        for key, item in template.items():
            new_key = _substitute(keys, values, key)
            if isinstance(new_key, Unknown):
                return Unknown(MAP, new_key.reason)
            result[str(new_key)] = _substitute(keys, values, item)
        return result
    return template


HANDLERS: Final[dict[type, Callable[["Evaluator", Any, LogicalPath], Item]]] = {
    e.Select: select,
    e.ListConcat: list_concat,
    e.Filter: filter_,
    e.Contains: contains,
    e.Length: length,
    e.Cidr: cidr,
    e.MapMerge: map_merge,
    e.MapReplace: map_replace,
    e.FindInMap: find_in_map,
    e.MemberListToMap: member_list_to_map,
    e.Repeat: repeat,
}
