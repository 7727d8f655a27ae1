"""String functions: list_join, str_replace (and its strict forms), str_split, digest,
make_url, Fn::Base64, and the AWS-only Fn::Sub and Fn::ToJsonString."""

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final
from urllib import parse as urlparse

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate.semantics import variant
from kiln.compiler.evaluate.values import (
    Absent,
    Item,
    Unknown,
    Value,
    heat_repr,
    heat_str,
    is_concrete,
)
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.types import ValueType

if TYPE_CHECKING:
    from kiln.compiler.evaluate.evaluator import Evaluator

STRING, LIST = ValueType.STRING, ValueType.LIST


class HeatError(Exception):
    """What a Heat function raises while resolving: its message, and the EVL code for it."""

    def __init__(
        self, message: str, code: c.Code = c.EVALUATION_FAILED, fix: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fix = fix


def _unknown(node: Any, kind: ValueType = STRING) -> Unknown:
    return Unknown(kind, f"{node.spelling}: an argument is known only at deploy time")


def _dumps(value: Value) -> str:
    """oslo jsonutils.dumps(value, default=None, sort_keys=True): json.dumps with the default
    separators."""
    return json.dumps(value, sort_keys=True)


# --- list_join / Fn::Join ----------------------------------------------------------------


def join(ev: "Evaluator", node: e.Join, path: LogicalPath) -> Item:
    """hot Join.result (list_join before 2015-10-15, Fn::Join) and JoinMultiple.result."""
    fn = (*path, node.spelling)
    multiple = variant(node.spelling, ev.version) == "JoinMultiple"
    if multiple:  # JoinMultiple resolves its lists as one list: dropped items vanish
        items = (ev.item(lst, (*fn, i + 1)) for i, lst in enumerate(node.lists))
        lists: list[Value] = [item for item in items if not isinstance(item, Absent)]
    else:
        lists = [ev.value(node.lists[0], (*fn, 1))] if node.lists else [None]
    delimiter = ev.value(node.delimiter, (*fn, 0))
    try:
        strings = _join_lists(node, lists, multiple)
        if isinstance(strings, Unknown):
            return strings
        if isinstance(delimiter, Unknown):
            return _unknown(node)
        if not isinstance(delimiter, str):
            raise HeatError(f'"{node.spelling}" delimiter must be a string')
        parts = [_join_item(node, item, multiple) for item in strings]
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code)
    if any(part is None for part in parts):
        return _unknown(node)
    return delimiter.join(part for part in parts if part is not None)


def _join_lists(node: e.Join, lists: list[Value], multiple: bool) -> list[Value] | Unknown:
    strings: list[Value] = []
    unknown = False
    for joined in lists:
        if isinstance(joined, Unknown):
            unknown = True
            continue
        if joined is None and not multiple:
            joined = []
        if multiple and not joined:  # JoinMultiple skips every empty or false list
            continue
        if not isinstance(joined, list):
            raise HeatError(f'"{node.spelling}" must operate on a list')
        strings.extend(joined)
    return _unknown(node) if unknown else strings


def _join_item(node: e.Join, item: Value, multiple: bool) -> str | None:
    """ensure_string of Join / JoinMultiple; None for an item not known yet."""
    if isinstance(item, Unknown):
        return None
    if item is None:
        return ""
    if isinstance(item, str):
        return item
    if multiple and isinstance(item, dict | list):
        return _dumps(item) if is_concrete(item) else None
    if multiple:
        raise HeatError(f"Items to join must be string, map or list not {heat_repr(item)[:200]}")
    raise HeatError(f"Items to join must be strings not {heat_repr(item)[:200]}")


# --- str_replace, str_replace_strict, str_replace_vstrict, Fn::Replace ----------------------


def interpolate(ev: "Evaluator", node: e.Interpolate, path: LogicalPath) -> Item:
    if node.spelling == "Fn::Sub":
        return sub(ev, node, path)
    fn = (*path, node.spelling)
    positional = node.spelling == "Fn::Replace"  # [{params}, template]
    template_path = (*fn, 1) if positional else (*fn, "template")
    params_path = (*fn, 0) if positional else (*fn, "params")
    if node.bindings is None or isinstance(node.bindings, _NOT_A_MAP):
        # Replace.__init__ rejects literal non-map params while parsing: check_functions'.
        return Unknown(STRING, f"{node.spelling}: params are not a map")
    template = ev.value(node.template, template_path)
    mapping = ev.value(node.bindings, params_path)
    try:
        return Replacer(node.spelling, variant(node.spelling, ev.version)).run(template, mapping)
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code, fix=error.fix)


_NOT_A_MAP: Final = (e.ListExpr, e.Str, e.Int, e.Float, e.Bool, e.Null)


class Replacer:
    """hot Replace.result with ReplaceJson's, ReplaceJsonStrict's and
    ReplaceJsonVeryStrict's _validate_replacement: the longest key first, then the
    lexicographically smaller, each replaced in the pieces the longer ones left."""

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.json = kind.startswith("ReplaceJson")
        self.strict = kind in ("ReplaceJsonStrict", "ReplaceJsonVeryStrict")
        self.allow_empty = kind != "ReplaceJsonVeryStrict"
        self.unknown = False

    def run(self, template: Value, mapping: Value) -> Value:
        unreplaced: set[object] = set()
        if isinstance(template, Unknown) or isinstance(mapping, Unknown):
            return Unknown(STRING, f"{self.name}: an argument is known only at deploy time")
        if self.strict:
            try:
                unreplaced = set(mapping)  # type: ignore[arg-type]
            except TypeError as error:
                raise HeatError(str(error)) from None
        if not isinstance(template, str):
            raise HeatError(f'"{self.name}" template must be a string')
        if not isinstance(mapping, dict):
            raise HeatError(f'"{self.name}" params must be a map')
        keys = sorted(sorted(mapping), key=len, reverse=True)
        result = self._replace([template], keys, mapping, unreplaced)[0]
        if self.strict and unreplaced:
            missing = ",".join(sorted(sorted(str(k) for k in unreplaced), key=len, reverse=True))
            raise HeatError(
                f"The following params were not found in the template: {missing}",
                c.REPLACE_KEY_NOT_FOUND,
                fix="remove them from params, or use str_replace, which allows unused params",
            )
        if self.unknown:
            return Unknown(STRING, f"{self.name}: a replacement is known only at deploy time")
        return result

    def _replace(
        self,
        strings: list[str],
        keys: list[str],
        mapping: dict[str, Value],
        unreplaced: set[object],
    ) -> list[str]:
        if not keys:
            return strings
        placeholder, remaining = keys[0], keys[1:]
        value = self._validate(mapping[placeholder], placeholder)
        result = []
        for text in strings:
            try:
                pieces = text.split(placeholder)
            except ValueError as error:  # an empty key: "empty separator"
                raise HeatError(str(error)) from None
            if self.strict and len(pieces) > 1:
                unreplaced.discard(placeholder)
            if value is None and len(pieces) > 1:
                self.unknown = True
            result.append((value or "").join(self._replace(pieces, remaining, mapping, unreplaced)))
        return result

    def _validate(self, value: Value, param: str) -> str | None:
        """_validate_replacement; None for a value not known yet."""
        if isinstance(value, Unknown):
            return None
        empty = (
            f"{self.name} has an undefined or empty value for param {param}, "
            "must be a defined non-empty value"
        )
        if value is None:
            if self.allow_empty:
                return ""
            raise HeatError(empty, c.REPLACE_EMPTY_VALUE, fix=_NON_EMPTY)
        if not isinstance(value, str | int | float | bool):
            if not self.json:
                raise HeatError(
                    f'"{self.name}" params must be strings or numbers, param {param} is not valid'
                )
            if not self.allow_empty and len(value) == 0:
                raise HeatError(empty, c.REPLACE_EMPTY_VALUE, fix=_NON_EMPTY)
            return _dumps(value) if is_concrete(value) else None
        text = str(value)
        if not self.allow_empty and not text:
            raise HeatError(empty, c.REPLACE_EMPTY_VALUE, fix=_NON_EMPTY)
        return text


_NON_EMPTY: Final = "give it a non-empty value, or use str_replace_strict, which allows empty ones"


# --- Fn::Sub (AWS only) ------------------------------------------------------------------

_SUB_VARIABLE: Final = re.compile(r"\$\{([^}]*)\}")


def sub(ev: "Evaluator", node: e.Interpolate, path: LogicalPath) -> Item:
    """AWS's Fn::Sub (Heat has none; check_functions says so for the Heat target):
    `${Name}` is a binding, a parameter, a pseudo parameter or a resource's reference id,
    `${Resource.Attribute}` an attribute, `${!Text}` the literal `${Text}`."""
    from kiln.compiler.evaluate.references import attr_ref, resource_ref

    fn = (*path, node.spelling)
    template = ev.value(node.template, (*fn, 0) if node.bindings is not None else fn)
    bindings = ev.value(node.bindings, (*fn, 1)) if node.bindings is not None else {}
    if not isinstance(template, str) or not isinstance(bindings, dict):
        return Unknown(STRING, "Fn::Sub: arguments not known or of the wrong type")
    unknown: list[Unknown] = []

    def lookup(name: str) -> Value:
        if name in bindings:
            return bindings[name]
        declared, found = ev.parameter(name)
        if declared:
            return found
        if name in ev.template.resources:
            return resource_ref(ev, e.ResourceRef(name=name, spelling="Fn::Sub"), path)  # type: ignore[return-value]
        resource, dot, attribute = name.partition(".")
        if dot and resource in ev.template.resources:
            value = attr_ref(
                ev,
                e.AttrRef(resource=resource, attribute=e.Str(value=attribute), spelling="Fn::Sub"),
                path,
            )
            return value  # type: ignore[return-value]
        return Unknown(STRING, f"Fn::Sub: ${{{name}}} names nothing")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        value = lookup(name)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        unknown.append(value if isinstance(value, Unknown) else Unknown(STRING, "not a string"))
        return ""

    result = _SUB_VARIABLE.sub(replace, template)
    return Unknown(STRING, f"Fn::Sub: {unknown[0].reason}") if unknown else result


# --- str_split / Fn::Split -----------------------------------------------------------------


def split(ev: "Evaluator", node: e.Split, path: LogicalPath) -> Item:
    """hot StrSplit.result (str_split: an optional index, negative or text, picks one part);
    cfn Split.result for Fn::Split."""
    fn = (*path, node.spelling)
    if node.spelling != "str_split":
        return _cfn_split(ev, node, fn, path)
    # StrSplit.result resolves its arguments as one list: a dropped item shifts the rest.
    fields = [node.delimiter, node.value, *([node.index] if node.index is not None else [])]
    items = (ev.item(field, (*fn, i)) for i, field in enumerate(fields))
    args: list[Value] = [item for item in items if not isinstance(item, Absent)]
    example = f'"{node.spelling}" : [ ",", "apples,pears", <index>]'
    try:
        if len(args) < 2:
            raise HeatError(f'Incorrect arguments to "{node.spelling}" should be: {example}')
        delimiter, text, rest = args[0], args[1], args[2:]
        kind = STRING if rest else LIST
        if text is None:
            return None
        if isinstance(text, Unknown) or isinstance(delimiter, Unknown):
            return _unknown(node, kind)
        parts = _split(text, delimiter)
        if not rest:
            return list(parts)
        index = rest[0]
        if isinstance(index, Unknown):
            return _unknown(node, kind)
        try:
            position = int(index)  # type: ignore[arg-type]
        except ValueError:
            raise HeatError(f'Incorrect index to "{node.spelling}" should be: {example}') from None
        except TypeError as error:
            raise HeatError(str(error)) from None
        try:
            return parts[position]
        except IndexError:
            raise HeatError(
                f'Incorrect index to "{node.spelling}" should be between 0 and {len(parts) - 1}'
            ) from None
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code)


def _split(text: Value, delimiter: Value) -> list[str]:
    """Python's str.split, with the errors it raises for what Heat hands it."""
    if not isinstance(text, str):
        raise HeatError(f"'{type(text).__name__}' object has no attribute 'split'")
    try:
        return text.split(delimiter)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise HeatError(str(error)) from None


def _cfn_split(ev: "Evaluator", node: e.Split, fn: LogicalPath, path: LogicalPath) -> Item:
    """cfn Split.result: the delimiter is taken unresolved and must be a string literal."""
    text = ev.value(node.value, (*fn, 1))
    if not isinstance(node.delimiter, e.Str):
        ev.value(node.delimiter, (*fn, 0))
        return ev.fail(node, path, f"Delimiter for {node.spelling} must be string")
    if isinstance(text, Unknown):
        return _unknown(node, LIST)
    if not isinstance(text, str):
        return ev.fail(node, path, f"String to split must be string; got <class '{_pytype(text)}'>")
    try:
        return list(text.split(node.delimiter.value))
    except ValueError as error:
        return ev.fail(node, path, str(error))


def _pytype(value: Value) -> str:
    return type(value).__name__


# --- Fn::Base64, digest, Fn::ToJsonString ----------------------------------------------------


def base64(ev: "Evaluator", node: e.Base64, path: LogicalPath) -> Item:
    """cfn Base64.result: no encoding at all ("Heat accepts UserData in plain text")."""
    value = ev.value(node.value, (*path, node.spelling))
    if isinstance(value, Unknown):
        return _unknown(node)
    if not isinstance(value, str):
        return ev.fail(node, path, f'"{node.spelling}" argument must be a string')
    return value


def digest(ev: "Evaluator", node: e.Digest, path: LogicalPath) -> Item:
    """hot Digest.result: hashlib over the value encoded as latin-1."""
    fn = (*path, node.spelling)
    items = (ev.item(field, (*fn, i)) for i, field in enumerate((node.algorithm, node.value)))
    args = [item for item in items if not isinstance(item, Absent)]
    if any(isinstance(arg, Unknown) for arg in args):
        return _unknown(node)
    try:
        if not all(isinstance(arg, str) for arg in args):
            raise HeatError(f'Argument to function "{node.spelling}" must be a list of strings')
        if len(args) != 2:
            raise HeatError(f'Function "{node.spelling}" usage: ["<algorithm>", "<value>"]')
        algorithm, text = str(args[0]), str(args[1])
        import hashlib  # here: OpenSSL's start-up cost, paid only by templates that digest

        algorithms = hashlib.algorithms_available
        if algorithm.lower() not in algorithms:
            raise HeatError(f"Algorithm must be one of {algorithms}")
        try:
            hashed = hashlib.new(algorithm)
            hashed.update(text.encode("latin-1"))
            return hashed.hexdigest()
        except (TypeError, ValueError) as error:  # e.g. '€' is not latin-1
            raise HeatError(str(error)) from None
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code)


def to_json_string(ev: "Evaluator", node: e.ToJsonString, path: LogicalPath) -> Item:
    """AWS's Fn::ToJsonString (AWS::LanguageExtensions; Heat has none): compact JSON."""
    value = ev.value(node.value, (*path, node.spelling))
    if not isinstance(value, dict | list) or not is_concrete(value):
        return _unknown(node)
    return json.dumps(value, separators=(",", ":"))


# --- make_url ----------------------------------------------------------------------------

_URL_KEYS: Final = ("scheme", "username", "password", "host", "port", "path", "query", "fragment")


def make_url(ev: "Evaluator", node: e.MakeUrl, path: LogicalPath) -> Item:
    """hot MakeURL.result: _check_args, then each part quoted and urlunsplit."""
    args = ev.value(node.parts, (*path, node.spelling))
    if not isinstance(args, dict):  # a literal non-map fails MakeURL.validate: check_functions'
        return _unknown(node)
    try:
        _check_url_args(node, args)
        if not is_concrete(args):
            return _unknown(node)
        return _url(args)
    except HeatError as error:
        return ev.fail(node, path, error.message, error.code)


def _check_url_args(node: e.MakeUrl, args: dict[str, Value]) -> None:
    for key in _URL_KEYS:
        if key not in args:
            continue
        value = args[key]
        if isinstance(value, Unknown):
            continue
        if key == "query":
            if not isinstance(value, dict):
                raise HeatError(f'The "{key}" argument to "{node.spelling}" must be a map')
            return  # Heat stops checking here: a fragment after a query is not checked
        if key == "port":
            port = value
            if not isinstance(port, int):
                try:
                    port = int(port)  # type: ignore[arg-type]
                except ValueError:
                    raise HeatError(
                        f'Invalid URL port "{heat_str(value)}" for {node.spelling} called with '
                        f"{heat_repr(args)}"
                    ) from None
                except TypeError as error:
                    raise HeatError(str(error)) from None
            if not 0 < port <= 65535:
                raise HeatError(f"Invalid URL port {int(port)}, must be in range 1-65535")
        elif not isinstance(value, str):
            raise HeatError(f'The "{key}" argument to "{node.spelling}" must be a string')


def _url(args: dict[str, Any]) -> str:
    try:
        scheme = args.get("scheme", "")
        if ":" in scheme:
            raise HeatError("URL \"scheme\" should not contain ':'")
        netloc = []
        username = urlparse.quote(args.get("username", ""), safe="")
        password = urlparse.quote(args.get("password", ""), safe="")
        if username or password:
            netloc.append(username)
            if password:
                netloc += [":", password]
            netloc.append("@")
        host = args.get("host", "")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        host = urlparse.quote(host, safe=":")
        if ":" in host:
            host = f"[{host}]"
        netloc.append(host)
        port = args.get("port", "")
        if port:
            netloc += [":", str(port)]
        url_path = urlparse.quote(args.get("path", ""))
        query = urlparse.urlencode(args.get("query", {})).replace("%2F", "/")
        fragment = urlparse.quote(args.get("fragment", ""))
        return str(urlparse.urlunsplit((scheme, "".join(netloc), url_path, query, fragment)))
    except (TypeError, ValueError, AttributeError) as error:
        raise HeatError(str(error)) from None


HANDLERS: Final[dict[type, Callable[["Evaluator", Any, LogicalPath], Item]]] = {
    e.Join: join,
    e.Interpolate: interpolate,
    e.Split: split,
    e.Base64: base64,
    e.Digest: digest,
    e.ToJsonString: to_json_string,
    e.MakeUrl: make_url,
}
