"""yaql, with the yaql library and Heat's options (heat/engine/hot/functions.py Yaql).

yaql is pure Python and a dependency; if it cannot be imported anyway, a yaql expression is
Unknown with that reason rather than an error. Its results are made plain values: tuples and
iterables become lists, sets become sorted lists (Heat keeps Python's set, whose order is not
fixed), yaql's frozen dicts become dicts.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from kiln.compiler.diagnostics import LogicalPath
from kiln.compiler.diagnostics import codes as c
from kiln.compiler.evaluate.semantics import YAQL_OPTIONS
from kiln.compiler.evaluate.values import Item, Unknown, Value, is_concrete
from kiln.compiler.ir import expr as e
from kiln.compiler.ir.types import ValueType

if TYPE_CHECKING:
    from kiln.compiler.evaluate.evaluator import Evaluator

ANY = ValueType.ANY


class _Engine:
    """Yaql.get_yaql_parser: one parser and root context, made on first use (importing yaql
    costs about 0.1 s, which commands that never meet yaql should not pay)."""

    parser: Any = None
    context: Any = None
    exceptions: Any = None
    missing: str | None = None

    @classmethod
    def load(cls) -> bool:
        if cls.parser is None and cls.missing is None:
            try:
                import collections.abc  # noqa: F401  yaql 3.2 uses it without importing it

                import yaql
                from yaql.language import exceptions
            except ImportError as error:  # pragma: no cover - yaql is a dependency
                cls.missing = f"yaql is not installed ({error})"
                return False
            cls.parser = yaql.YaqlFactory().create(dict(YAQL_OPTIONS))
            cls.context = yaql.create_context()
            cls.exceptions = exceptions
        return cls.parser is not None


def yaql_(ev: "Evaluator", node: e.Yaql, path: LogicalPath) -> Item:
    """hot Yaql.result: parse the expression, evaluate it on {'data': data}."""
    fn = (*path, node.spelling)
    expression = ev.value(node.expression, (*fn, "expression"))
    data = ev.value(node.data, (*fn, "data"))
    if isinstance(expression, Unknown):
        return Unknown(ANY, f"{node.spelling}: the expression is known only at deploy time")
    if not isinstance(expression, str):
        # Yaql.validate rejects a literal non-string: check_functions'; a computed one fails here.
        message = f'The "expression" argument to {node.spelling} must contain a string.'
        if isinstance(node.expression, e.Str | e.Int | e.Float | e.Bool | e.Null | e.ListExpr):
            return Unknown(ANY, message)
        return ev.fail(node, path, message, c.YAQL_FAILED)
    if not _Engine.load():
        return Unknown(ANY, f"{node.spelling}: {_Engine.missing}")
    try:
        statement = _Engine.parser(expression)
    except _Engine.exceptions.YaqlException as error:
        return ev.fail(node, path, f"Bad expression {error}.", c.YAQL_FAILED)
    if not is_concrete(data):
        return Unknown(ANY, f"{node.spelling}: its data is known only at deploy time")
    try:
        result = statement.evaluate({"data": data}, _Engine.context.create_child_context())
    except Exception as error:  # any runtime error of an expression is reported, as by Heat
        return ev.fail(node, path, str(error), c.YAQL_FAILED)
    return plain(result)


def plain(value: Any) -> Value:
    """A yaql result as a plain value."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        items = [plain(item) for item in value]
        try:
            return sorted(items)  # type: ignore[type-var]
        except TypeError:
            return sorted(items, key=repr)
    if isinstance(value, Iterable):
        return [plain(item) for item in value]
    return Unknown(ANY, f"yaql returned a {type(value).__name__}")


HANDLERS: Final[dict[type, Callable[["Evaluator", Any, LogicalPath], Item]]] = {e.Yaql: yaql_}
