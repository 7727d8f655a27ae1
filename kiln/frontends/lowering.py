"""Located syntax -> canonical expressions, shared by the dialect frontends.

A single-key mapping whose key is a function spelling of the dialect becomes that function's
node, if the template version and the context have it. Otherwise, as Heat does:
- a function this version does not have yet stays a plain map (reported, kept as UnknownFn so
  evaluation can still treat it as the map Heat sees);
- a function this version removed is an error ("not supported in this version");
- a non-condition function inside a condition is an error (Heat's function.Invalid);
- a condition-only spelling outside a condition is an ordinary map key.
"""

from kiln.compiler.diagnostics import DiagnosticSink, LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.functions import BadArguments, Call, Context, FunctionRegistry
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.frozen import FrozenMap, frozen_dataclass
from kiln.compiler.names import suggest
from kiln.compiler.source import Span
from kiln.frontends.syntax import LMap, LNode, LScalar, LSeq


@frozen_dataclass
class DialectRules:
    """What the lowering needs to know about a dialect."""

    name: str
    version_key: str
    # Keys with this prefix are functions even when unknown (CloudFormation's "Fn::").
    function_prefix: str | None = None


class Lowerer:
    def __init__(
        self,
        rules: DialectRules,
        version: str,
        version_spelling: str,
        functions: FunctionRegistry,
        sink: DiagnosticSink,
    ) -> None:
        self.rules = rules
        self.version = version
        self.version_spelling = version_spelling or "(no version)"
        self.functions = functions
        self.sink = sink

    @property
    def _spellings(self) -> list[str]:
        """The dialect's spellings, for did-you-mean (only an unknown function needs them)."""
        return self.functions.spellings(self.rules.name)

    def lower(self, node: LNode, path: LogicalPath, context: Context = "value") -> e.Expr:
        if isinstance(node, LScalar):
            return scalar(node)
        if isinstance(node, LSeq):
            lower = self.lower
            return e.ListExpr(
                items=tuple(
                    [lower(item, (*path, i), context) for i, item in enumerate(node.items)]
                ),
                span=node.span,
            )
        if len(node.entries) == 1:
            key, value = node.entries[0]
            if isinstance(key.value, str):
                call = self._function(key, value, node.span, path, context)
                if call is not None:
                    return call
        return self.lower_map(node, path, context)

    def lower_condition(self, node: LNode, path: LogicalPath) -> e.Expr:
        """A condition (a conditions entry, a `condition:` key): a plain string there names
        another condition, as Heat's Conditions and If read it."""
        expr = self.lower(node, path, "condition")
        if isinstance(expr, e.Str):
            return e.ConditionRef(name=expr.value, spelling="", span=expr.span)
        return expr

    def lower_map(self, node: LMap, path: LogicalPath, context: Context = "value") -> e.MapExpr:
        items: dict[str, e.Expr] = {}  # two keys with one text: the last wins, as in a dict
        spans: list[Span | None] = []
        lower = self.lower
        for key, value in node.items():
            name = key_text(key)
            items[name] = lower(value, (*path, name), context)
            spans.append(key.span)
        return e.MapExpr(items=FrozenMap.of_dict(items), key_spans=tuple(spans), span=node.span)

    def _arguments(
        self, condition_args: tuple[int, ...], value: LNode, path: LogicalPath, context: Context
    ) -> e.Expr:
        """Arguments, with the positions the function reads as conditions in that context."""
        if not condition_args or not isinstance(value, LSeq):
            return self.lower(value, path, context)
        return e.ListExpr(
            items=tuple(
                self.lower(item, (*path, i), "condition" if i in condition_args else context)
                for i, item in enumerate(value.items)
            ),
            span=value.span,
        )

    def _function(
        self, key: LScalar, value: LNode, span: Span | None, path: LogicalPath, context: Context
    ) -> e.Expr | None:
        spelling = str(key.value)
        found = self.functions.lookup(self.rules.name, spelling, self.version, context)
        fn_path = (*path, spelling)
        if found is None:
            prefix = self.rules.function_prefix
            is_tag = key.tag is not None
            if prefix is None or not (is_tag or spelling.startswith(prefix)):
                return None
            # An unknown Fn:: name, or an unknown YAML tag (already reported by the loader).
            if not is_tag:
                self.sink.report(
                    c.UNKNOWN_FUNCTION,
                    key.span,
                    fn_path,
                    name=spelling,
                    hint=suggest(spelling, self._spellings),
                )
            args = self.lower(value, fn_path, context)
            return e.UnknownFn(name=spelling, args=args, reason="unknown", span=span)
        spec = found.spec
        if found.status == "wrong-context":
            if context == "value":
                return None  # e.g. `equals` in a property: an ordinary map in Heat too
            self.sink.report(c.FUNCTION_NOT_IN_CONDITION, key.span, fn_path, name=spelling)
            args = self.lower(value, fn_path, "value")
            return e.UnknownFn(name=spelling, args=args, reason="bad-arguments", span=span)
        args = self._arguments(spec.condition_args, value, fn_path, context)
        if found.status in ("not-yet", "wrong-format"):
            since = (
                spec.condition_since
                if context == "condition" and spec.condition_since
                else spec.since
            )
            self.sink.report(
                c.FUNCTION_NOT_IN_VERSION,
                key.span,
                fn_path,
                name=spelling,
                key=self.rules.version_key,
                since=since or ", ".join(sorted(spec.formats or ())),
                version=self.version_spelling,
            )
            return e.UnknownFn(name=spelling, args=args, reason="not-yet", span=span)
        if found.status == "removed":
            self.sink.report(
                c.FUNCTION_REMOVED,
                key.span,
                fn_path,
                name=spelling,
                key=self.rules.version_key,
                version=self.version_spelling,
                removed=spec.removed,
                hint=_replacement_hint(spelling),
            )
            return e.UnknownFn(name=spelling, args=args, reason="removed", span=span)
        call = Call(spelling, args, span, self.rules.name, self.version, context)
        try:
            return spec.build(call)
        except BadArguments as bad:
            self.sink.report(
                c.BAD_FUNCTION_ARGUMENTS, key.span, fn_path, name=spelling, expected=bad.expected
            )
            return e.UnknownFn(name=spelling, args=args, reason="bad-arguments", span=span)


_HOT_REPLACEMENTS = {
    "Fn::Join": "list_join",
    "Fn::Select": "a get_attr/get_param path, or yaql",
    "Fn::Split": "str_split",
    "Fn::Replace": "str_replace",
    "Fn::Base64": "the plain string (Heat does not encode)",
    "Ref": "get_resource or get_param",
    "Fn::ResourceFacade": "resource_facade",
}


def _replacement_hint(spelling: str) -> str:
    replacement = _HOT_REPLACEMENTS.get(spelling)
    return f"; use {replacement}" if replacement else ""


def key_text(key: LScalar) -> str:
    """A mapping key as the string Heat would see after a JSON round trip."""
    value = key.value
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def scalar(node: LScalar) -> e.Expr:
    value = node.value
    if type(value) is str:  # nearly every scalar; the checks below decide the others
        return e.Str(value=value, span=node.span)
    if isinstance(value, str):
        return e.Str(value=value, span=node.span)
    if isinstance(value, bool):
        return e.Bool(value=value, span=node.span)
    if isinstance(value, int):
        return e.Int(value=value, span=node.span)
    if isinstance(value, float):
        return e.Float(value=value, span=node.span)
    return e.Null(span=node.span)
