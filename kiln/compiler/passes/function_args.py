"""Argument types and values of intrinsic functions, as Heat's functions check them.

The builders check shapes (how many arguments, which keys); this module checks what the
arguments are: literals by their value, references by their static type (static_types.py).
Each check mirrors a `validate()` or `result()` of heat/engine/hot/functions.py or
heat/engine/cfn/functions.py (Heat 27.0.1), and the message quotes the error Heat raises.
Heat raises most of these only when the value is resolved (surprises #5: an output then shows
null with the error beside it); Kiln reports them all at once, as errors.
Versioned behaviour is the tables below: the first version of each Heat implementation.
"""

import json
from collections.abc import Callable, Mapping
from typing import ClassVar, Final

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.nodes import Template
from kiln.compiler.ir.types import ValueType as T
from kiln.compiler.names import suggest
from kiln.compiler.passes.static_types import NUMERIC, StaticTypes, describe, is_empty_literal

# JoinMultiple (items may be lists and maps, JSON-encoded) and ReplaceJson (params may be
# lists and maps) replace Join and Replace from these versions; CloudFormation's Fn::Join and
# Fn::Replace (and HOT 2013-05-23's) keep the old classes (heat/engine/hot/template.py).
JSON_SINCE: Final = {
    ("hot", "list_join"): "2015-10-15",
    ("hot", "str_replace"): "2015-10-15",
    ("hot", "str_replace_strict"): "2017-02-24",
    ("hot", "str_replace_vstrict"): "2017-09-01",
}
STRICT: Final = frozenset({"str_replace_strict", "str_replace_vstrict"})
NOT_EMPTY: Final = frozenset({"str_replace_vstrict"})
REPEAT_MAPS_SINCE: Final = "2016-10-14"  # RepeatWithMap
PERMUTATIONS_SINCE: Final = "2017-09-01"  # RepeatWithNestedLoop
# Digest.validate_usage accepts hashlib.algorithms_available (lower-cased name); these are the
# names of CPython's hashlib with OpenSSL 3 (and older OpenSSL extras). The SHAKE digests are
# available but fail in hexdigest(), which needs a length Heat does not pass.
DIGEST_ALGORITHMS: Final = frozenset(
    {
        "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s",
        "sha3_224", "sha3_256", "sha3_384", "sha3_512", "sha512_224", "sha512_256",
        "md5-sha1", "ripemd160", "sm3", "md4", "mdc2", "whirlpool",
    }
)  # fmt: skip
SHAKE: Final = frozenset({"shake_128", "shake_256"})
MAKE_URL_KEYS: Final = (
    "scheme", "username", "password", "host", "port", "path", "query", "fragment"
)  # fmt: skip
FACADE_KINDS: Final = {
    "resource_facade": ("metadata", "deletion_policy", "update_policy"),
    "Fn::ResourceFacade": ("Metadata", "DeletionPolicy", "UpdatePolicy"),
}
NOT_A_LIST: Final = frozenset({T.STRING, T.MAP, T.INTEGER, T.NUMBER, T.BOOLEAN})
NOT_A_MAP: Final = frozenset({T.STRING, T.LIST, T.INTEGER, T.NUMBER, T.BOOLEAN})
NOT_A_STRING: Final = frozenset({T.INTEGER, T.NUMBER, T.BOOLEAN, T.LIST, T.MAP, T.NULL})


class ArgumentChecker:
    # Expression type -> the method that checks it, unbound: bound methods kept on the
    # instance would be a reference cycle, which keeps the unit alive until the cyclic GC runs.
    checks: ClassVar[Mapping[type, Callable[..., None]]]

    def __init__(self, template: Template, types: StaticTypes, sink: DiagnosticSink) -> None:
        self.template = template
        self.types = types
        self.sink = sink
        self.path: LogicalPath = ()

    def check(self, node: e.Expr, path: LogicalPath) -> None:
        check = self.checks.get(type(node))
        if check is not None:
            self.path = path
            check(self, node)

    # --- helpers -----------------------------------------------------------------------------

    def since(self, version: str | None) -> bool:
        return version is not None and self.template.version >= version

    def type(self, node: e.Expr) -> T:
        return self.types.of(node)

    def bad_type(self, fn: e.Expr, arg: e.Expr, what: str, expected: str, heat: str) -> None:
        self.sink.report(
            c.BAD_ARGUMENT_TYPE,
            arg.span or fn.span,
            self.path,
            name=getattr(fn, "spelling", ""),
            what=what,
            expected=expected,
            actual=describe(arg, self.type(arg)),
            heat=heat,
        )

    def bad_value(self, fn: e.Expr, at: e.Expr, problem: str, heat: str) -> None:
        name = getattr(fn, "spelling", "")
        span = at.span or fn.span
        self.sink.report(
            c.BAD_ARGUMENT_VALUE, span, self.path, name=name, problem=problem, heat=heat
        )

    # --- strings -----------------------------------------------------------------------------

    def join(self, node: e.Join) -> None:
        name = node.spelling
        multiple = self.since(JSON_SINCE.get((self.template.dialect, name)))
        if self.type(node.delimiter) not in (T.STRING, T.ANY):
            heat = f'"{name}" delimiter must be a string'
            self.bad_type(node, node.delimiter, "the delimiter", "a string", heat)
        # JoinMultiple skips empty arguments (`if jl:`); Join reads None as [].
        for items in node.lists:
            skipped = is_empty_literal(items) if multiple else isinstance(items, e.Null)
            if skipped:
                continue
            if self.type(items) in NOT_A_LIST:
                heat = f'"{name}" must operate on a list'
                self.bad_type(node, items, "the list to join", "a list", heat)
            elif isinstance(items, e.ListExpr):
                bad = NUMERIC | {T.BOOLEAN} if multiple else NUMERIC | {T.BOOLEAN, T.LIST, T.MAP}
                expected = "a string, list or map" if multiple else "a string"
                heat = (
                    "Items to join must be string, map or list"
                    if multiple
                    else "Items to join must be strings"
                )
                for item in items.items:
                    if self.type(item) in bad:
                        self.bad_type(node, item, "an item to join", expected, heat)

    def interpolate(self, node: e.Interpolate) -> None:
        name = node.spelling
        if name == "Fn::Sub":
            return  # not in Heat at all: check_functions reports the function itself
        if self.type(node.template) not in (T.STRING, T.ANY):
            heat = f'"{name}" template must be a string'
            self.bad_type(node, node.template, "the template", "a string", heat)
        bindings = node.bindings
        if bindings is None:
            return
        if self.type(bindings) not in (T.MAP, T.ANY):
            heat = f'"{name}" parameters must be a mapping'
            self.bad_type(node, bindings, "the params", "a map", heat)
            return
        if not isinstance(bindings, e.MapExpr):
            return
        json_values = self.since(JSON_SINCE.get((self.template.dialect, name)))
        for key, value in bindings.items.items():
            if not json_values and self.type(value) in (T.LIST, T.MAP):
                heat = f'"{name}" params must be strings or numbers, param {key} is not valid'
                self.bad_type(node, value, f"param {key!r}", "a string or a number", heat)
            empty = isinstance(value, e.Null | e.Str | e.ListExpr | e.MapExpr)  # str(0) is "0"
            if name in NOT_EMPTY and empty and is_empty_literal(value):
                heat = f"{name} has an undefined or empty value for param {key}"
                self.bad_value(node, value, f"param {key!r} has an empty value", heat)
        if name in STRICT and isinstance(node.template, e.Str):
            missing = unreplaced(node.template.value, list(bindings.items))
            if missing:
                listed = ", ".join(missing)
                heat = f"The following params were not found in the template: {listed}"
                self.bad_value(node, bindings, f"params not in the template: {listed}", heat)

    def select(self, node: e.Select) -> None:
        sequence, index = node.sequence, node.index
        kind = self.type(sequence)
        if isinstance(sequence, e.Str) and sequence.value:
            try:  # Select.result reads a string as serialised JSON
                parsed = json.loads(sequence.value)
            except ValueError as error:
                heat = f'"{node.spelling}": {error}'
                self.bad_value(node, sequence, "the list is a string that is not JSON", heat)
                return
            if isinstance(parsed, dict | list):
                kind = T.MAP if isinstance(parsed, dict) else T.LIST
        index_kind = self.type(index)
        heat = f'Index to "{node.spelling}" must be an integer'
        if index_kind in (T.LIST, T.MAP, T.NULL):
            self.bad_type(node, index, "the index", "an integer or a string", heat)
        elif kind == T.MAP and index_kind not in (T.STRING, T.ANY):
            heat = f'Index to "{node.spelling}" must be a string'
            self.bad_type(node, index, "the index into a map", "a string", heat)
        elif kind == T.LIST and isinstance(index, e.Str) and _integer(index.value) is None:
            self.bad_type(node, index, "the index", "an integer or a string of digits", heat)

    def split(self, node: e.Split) -> None:
        name, delimiter, value = node.spelling, node.delimiter, node.value
        if name == "Fn::Split":
            # Split.result checks the delimiter as written, before resolving anything.
            if not isinstance(delimiter, e.Str):
                heat = f"Delimiter for {name} must be string"
                self.bad_type(node, delimiter, "the delimiter", "a literal string", heat)
            if self.type(value) in NOT_A_STRING:
                heat = "String to split must be string"
                self.bad_type(node, value, "the string to split", "a string", heat)
        else:
            if self.type(delimiter) in NOT_A_STRING - {T.NULL}:  # None splits on whitespace
                heat = "must be str or None"
                self.bad_type(node, delimiter, "the delimiter", "a string", heat)
            if self.type(value) in NOT_A_STRING - {T.NULL}:  # None gives None
                heat = "object has no attribute 'split'"
                self.bad_type(node, value, "the string to split", "a string", heat)
            if node.index is not None:
                self.split_index(node, node.index)
        if isinstance(delimiter, e.Str) and not delimiter.value and isinstance(value, e.Str):
            self.bad_value(node, delimiter, "the delimiter is empty", "empty separator")

    def split_index(self, node: e.Split, index: e.Expr) -> None:
        heat = f'Incorrect index to "{node.spelling}"'
        if self.type(index) in (T.LIST, T.MAP, T.NULL):
            self.bad_type(node, index, "the index", "an integer", heat)
            return
        number = _integer(index.value) if isinstance(index, e.Str) else None
        if isinstance(index, e.Str) and number is None:
            self.bad_type(node, index, "the index", "an integer", heat)
            return
        if isinstance(index, e.Int | e.Float):
            number = int(index.value)
        delimiter, value = node.delimiter, node.value
        if number is None or not isinstance(value, e.Str) or not isinstance(delimiter, e.Str):
            return
        if not delimiter.value:
            return
        parts = len(value.value.split(delimiter.value))
        if not -parts <= number < parts:
            problem = f"index {number} is out of range: the string splits into {parts} parts"
            heat = f"{heat} should be between 0 and {parts - 1}"
            self.bad_value(node, index, problem, heat)

    def digest(self, node: e.Digest) -> None:
        heat = f'Argument to function "{node.spelling}" must be a list of strings'
        algorithm = node.algorithm
        if isinstance(algorithm, e.Str):
            lowered = algorithm.value.lower()
            if lowered in SHAKE:
                problem = f"{algorithm.value!r} needs a digest length, which Heat does not pass"
                self.bad_value(node, algorithm, problem, "hexdigest() missing 'length'")
            elif lowered not in DIGEST_ALGORITHMS:
                hint = suggest(lowered, sorted(DIGEST_ALGORITHMS))
                problem = f"unknown algorithm {algorithm.value!r}{hint}"
                self.bad_value(node, algorithm, problem, "Algorithm must be one of ...")
        elif self.type(algorithm) in NOT_A_STRING:
            self.bad_type(node, algorithm, "the algorithm", "a string", heat)
        if self.type(node.value) in NOT_A_STRING:
            self.bad_type(node, node.value, "the value", "a string", heat)

    def yaql(self, node: e.Yaql) -> None:
        if self.type(node.expression) in NOT_A_STRING:
            heat = f'The "expression" argument to {node.spelling} must contain a string.'
            self.bad_type(node, node.expression, "the expression", "a string", heat)

    def base64(self, node: e.Base64) -> None:
        if self.type(node.value) in NOT_A_STRING:
            heat = f'"{node.spelling}" argument must be a string'
            self.bad_type(node, node.value, "the argument", "a string", heat)

    def resource_facade(self, node: e.ResourceFacade) -> None:
        allowed = FACADE_KINDS.get(node.spelling)
        if allowed is None:
            return
        # ResourceFacade.__init__ compares the argument as written: no function resolves.
        if isinstance(node.kind, e.Str) and node.kind.value in allowed:
            return
        given = describe(node.kind, self.type(node.kind))
        hint = suggest(node.kind.value, allowed) if isinstance(node.kind, e.Str) else ""
        problem = f"{given} is not one of {', '.join(allowed)}{hint}"
        heat = f'Incorrect arguments to "{node.spelling}" should be one of: {", ".join(allowed)}'
        self.bad_value(node, node.kind, problem, heat)

    def member_list_to_map(self, node: e.MemberListToMap) -> None:
        for what, name in (("Key", node.key_name), ("Value", node.value_name)):
            if not isinstance(name, e.Str):  # checked as written, in __init__
                heat = f"{node.spelling} {what} Name must be a string"
                self.bad_type(node, name, f"the {what.lower()} name", "a literal string", heat)
        members = node.members
        if self.type(members) in {T.STRING, T.INTEGER, T.NUMBER, T.BOOLEAN, T.NULL}:
            self.bad_type(node, members, "the member list", "a list", "Member list must be a list")
        elif isinstance(members, e.ListExpr):
            for item in members.items:
                if self.type(item) in NOT_A_STRING:
                    heat = "Member list items must be strings"
                    self.bad_type(node, item, "a member", "a string", heat)

    # --- lists and maps ----------------------------------------------------------------------

    def repeat(self, node: e.Repeat) -> None:
        name, for_each = node.spelling, node.for_each
        if self.type(for_each) not in (T.MAP, T.ANY):
            heat = f'The "for_each" argument to "{name}" must contain a map'
            self.bad_type(node, for_each, "for_each", "a map", heat)
            return
        permutations = node.permutations
        nested = True
        if self.since(PERMUTATIONS_SINCE) and permutations is not None:
            # RepeatWithNestedLoop._parse_args checks the value as written.
            if not isinstance(permutations, e.Bool):
                heat = f'"permutations" should be boolean type for {name} function.'
                self.bad_type(node, permutations, "permutations", "a literal boolean", heat)
            else:
                nested = permutations.value
        if not isinstance(for_each, e.MapExpr):
            return
        maps = self.since(REPEAT_MAPS_SINCE) and nested
        allowed = {T.LIST, T.ANY, T.NULL} | ({T.MAP} if maps else set())
        expected = "a list or a map" if maps else "a list"
        lengths: set[int] = set()
        for key, values in for_each.items.items():
            if self.type(values) not in allowed:
                plural = "lists or maps" if maps else "lists"
                heat = f'The values of the "for_each" argument to "{name}" must be {plural}'
                self.bad_type(node, values, f"for_each {key!r}", expected, heat)
            elif isinstance(values, e.ListExpr):
                lengths.add(len(values.items))
                for item in values.items:
                    if self.type(item) in NUMERIC | {T.BOOLEAN}:
                        # Repeat._do_replacement: str.replace(placeholder, item)
                        heat = "replace() argument 2 must be str"
                        self.bad_type(node, item, f"an item of for_each {key!r}", "a string", heat)
        if not nested and len(lengths) > 1:
            problem = "with permutations false, the for_each lists must have equal lengths"
            heat = f"For {name}, the length of for_each values should be equal if no nested loop."
            self.bad_value(node, for_each, problem, heat)

    def map_merge(self, node: e.MapMerge) -> None:
        maps = node.maps
        if isinstance(maps, e.Str) and not maps.value:
            return
        if self.type(maps) not in (T.LIST, T.ANY):
            heat = f'Incorrect arguments to "{node.spelling}"'
            self.bad_type(node, maps, "the argument", "a list of maps", heat)
        elif isinstance(maps, e.ListExpr):
            for item in maps.items:
                if self.type(item) in NOT_A_MAP:
                    heat = "Incorrect arguments: Items to merge must be maps."
                    self.bad_type(node, item, "an item to merge", "a map", heat)

    def map_replace(self, node: e.MapReplace) -> None:
        heat = f'Incorrect arguments: to "{node.spelling}", arguments must be a list of maps.'
        for what, value in (("the map", node.map), ("keys", node.keys), ("values", node.values)):
            if value is not None and self.type(value) in NOT_A_MAP:
                self.bad_type(node, value, what, "a map", heat)

    def list_concat(self, node: e.ListConcat) -> None:
        lists = node.lists
        if self.type(lists) not in (T.LIST, T.ANY):
            heat = f'Incorrect arguments to "{node.spelling}"'
            self.bad_type(node, lists, "the argument", "a list of lists", heat)
        elif isinstance(lists, e.ListExpr):
            for item in lists.items:
                if self.type(item) in NOT_A_LIST:
                    heat = "Incorrect arguments: Items to concat must be lists."
                    self.bad_type(node, item, "an item to concatenate", "a list", heat)

    def filter(self, node: e.Filter) -> None:
        # Filter.result returns an empty sequence as it is, and ignores empty values.
        if is_empty_literal(node.sequence):
            return
        if self.type(node.sequence) in NOT_A_LIST:
            heat = f'"{node.spelling}" only works with lists'
            self.bad_type(node, node.sequence, "the list to filter", "a list", heat)
        if not is_empty_literal(node.remove) and self.type(node.remove) in NOT_A_LIST:
            heat = f'"{node.spelling}" filters a list of values'
            self.bad_type(node, node.remove, "the values to remove", "a list", heat)

    def contains(self, node: e.Contains) -> None:
        kind = self.type(node.sequence)
        if kind in (T.MAP, T.INTEGER, T.NUMBER, T.BOOLEAN, T.NULL):
            heat = f'Second argument to "{node.spelling}" should be a sequence.'
            self.bad_type(node, node.sequence, "the sequence", "a list or a string", heat)
        elif kind == T.STRING and self.type(node.value) in NOT_A_STRING:
            heat = "'in <string>' requires string as left operand"
            what, expected = "the value", "a string when the sequence is a string"
            self.bad_type(node, node.value, what, expected, heat)

    def make_url(self, node: e.MakeUrl) -> None:
        parts, name = node.parts, node.spelling
        if not isinstance(parts, e.MapExpr):
            if self.type(parts) not in (T.MAP, T.ANY):
                heat = f'The arguments to "{name}" must be a map'
                self.bad_type(node, parts, "the arguments", "a map", heat)
            return
        for key, value in parts.items.items():
            if key not in MAKE_URL_KEYS:
                at = e.Str(value=key, span=parts.key_span(key))
                problem = f"unknown argument {key!r}{suggest(key, MAKE_URL_KEYS)}"
                self.bad_value(node, at, problem, f'Invalid arguments to "{name}": {key}')
            elif key == "query":
                if self.type(value) not in (T.MAP, T.ANY):
                    heat = f'The "query" argument to "{name}" must be a map'
                    self.bad_type(node, value, "query", "a map", heat)
            elif key == "port":
                self.url_port(node, value)
            elif self.type(value) in NOT_A_STRING:
                heat = f'The "{key}" argument to "{name}" must be a string'
                self.bad_type(node, value, repr(key), "a string", heat)
            elif key == "scheme" and isinstance(value, e.Str) and ":" in value.value:
                heat = "URL \"scheme\" should not contain ':'"
                self.bad_value(node, value, "the scheme must not contain ':'", heat)

    def url_port(self, node: e.MakeUrl, port: e.Expr) -> None:
        if self.type(port) in (T.LIST, T.MAP, T.NULL):
            heat = f'Invalid URL port for "{node.spelling}"'
            self.bad_type(node, port, "'port'", "an integer", heat)
            return
        number: int | None = None
        if isinstance(port, e.Str):
            number = _integer(port.value)
            if number is None:
                heat = f'Invalid URL port "{port.value}"'
                self.bad_value(node, port, f"port {port.value!r} is not a number", heat)
                return
        elif isinstance(port, e.Int | e.Float | e.Bool):
            number = int(port.value)
        if number is not None and not 0 < number <= 65535:
            heat = f"Invalid URL port {number}, must be in range 1-65535"
            self.bad_value(node, port, f"port {number} is not in 1-65535", heat)


def unreplaced(template: str, keys: list[str]) -> list[str]:
    """Keys a strict str_replace does not find, exactly as Replace.result looks for them:
    longest key first, each searched in the pieces the longer keys left."""
    pieces = [template]
    missing: list[str] = []
    for key in sorted(sorted(keys), key=len, reverse=True):
        if not key:
            continue  # str.split("") raises: Heat fails on its own message there
        split = [part for piece in pieces for part in piece.split(key)]
        if len(split) == len(pieces):
            missing.append(key)
        pieces = split
    return sorted(sorted(missing), key=len, reverse=True)


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


ArgumentChecker.checks = {
    e.Join: ArgumentChecker.join,
    e.Interpolate: ArgumentChecker.interpolate,
    e.Select: ArgumentChecker.select,
    e.Split: ArgumentChecker.split,
    e.Digest: ArgumentChecker.digest,
    e.Repeat: ArgumentChecker.repeat,
    e.MapMerge: ArgumentChecker.map_merge,
    e.MapReplace: ArgumentChecker.map_replace,
    e.ListConcat: ArgumentChecker.list_concat,
    e.Filter: ArgumentChecker.filter,
    e.Contains: ArgumentChecker.contains,
    e.MakeUrl: ArgumentChecker.make_url,
    e.Yaql: ArgumentChecker.yaql,
    e.ResourceFacade: ArgumentChecker.resource_facade,
    e.Base64: ArgumentChecker.base64,
    e.MemberListToMap: ArgumentChecker.member_list_to_map,
}
