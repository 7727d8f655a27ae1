"""The intrinsic-function table: one row per (dialect, spelling, version window).

A row says which canonical node a spelling builds, in which template versions and contexts it
exists, and whether Heat implements it. Versions are data (since/removed), not subclasses: Heat's
eleven HOTemplate classes re-list their function dicts; here one row carries the window.
Rows come from plugins (the built-in frontends are plugins too) and are frozen into a
FunctionRegistry at start-up; frontends look spellings up, they never call hooks.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kiln.compiler.ir.expr import Expr
from kiln.compiler.source import Span

Context = Literal["value", "condition"]
Status = Literal["ok", "not-yet", "removed", "wrong-context", "wrong-format"]


class BadArguments(Exception):
    """Raised by a builder when the arguments do not have the shape the function takes.
    `expected` completes the sentence "'get_attr' takes ..."."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


@dataclass(frozen=True, slots=True)
class Call:
    """What a builder gets: the spelling, its already-lowered arguments, and where it stands."""

    spelling: str
    args: Expr
    span: Span | None
    dialect: str
    version: str
    context: Context


Builder = Callable[[Call], Expr]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One spelling of one function in one dialect.

    since/removed: HOT version dates (inclusive/exclusive); None means unbounded.
    formats: for dialects whose versions are not ordered dates (CloudFormation's
        `2010-09-09`, Heat's `2012-12-12`, "" for none), the set that has the function.
    contexts: where the spelling is a function; elsewhere it is an ordinary map key.
    condition_since: in HOT, the first version whose conditions accept it.
    condition_args: positions of a list argument lowered as conditions (Heat's If parses its
        first argument with parse_condition, so `if: [{equals: ...}, a, b]` works).
    in_heat: False for CloudFormation functions Heat does not implement.
    """

    dialect: str
    spelling: str
    build: Builder
    summary: str
    since: str | None = None
    removed: str | None = None
    formats: frozenset[str] | None = None
    contexts: frozenset[Context] = frozenset({"value", "condition"})
    condition_since: str | None = None
    # Positions of list arguments read as conditions (`if`'s first argument).
    condition_args: tuple[int, ...] = ()
    in_heat: bool = True


@dataclass(frozen=True, slots=True)
class Lookup:
    status: Status
    spec: FunctionSpec


class DuplicateFunction(ValueError):
    pass


@dataclass(frozen=True)
class FunctionRegistry:
    specs: tuple[FunctionSpec, ...]
    _by_key: dict[tuple[str, str], tuple[FunctionSpec, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_key: dict[tuple[str, str], list[FunctionSpec]] = {}
        for spec in self.specs:
            rows = by_key.setdefault((spec.dialect, spec.spelling), [])
            for other in rows:
                if _windows_overlap(spec, other):
                    raise DuplicateFunction(
                        f"function {spec.spelling!r} of dialect {spec.dialect!r} is registered "
                        "twice for overlapping versions"
                    )
            rows.append(spec)
        object.__setattr__(self, "_by_key", {key: tuple(rows) for key, rows in by_key.items()})

    @classmethod
    def of(cls, specs: Iterable[FunctionSpec]) -> "FunctionRegistry":
        return cls(tuple(specs))

    def spellings(self, dialect: str) -> list[str]:
        return sorted({spelling for (d, spelling) in self._by_key if d == dialect})

    def rows(self, dialect: str, spelling: str) -> Sequence[FunctionSpec]:
        return self._by_key.get((dialect, spelling), ())

    def lookup(self, dialect: str, spelling: str, version: str, context: Context) -> Lookup | None:
        """None when the spelling is no function of the dialect at all."""
        rows = self._by_key.get((dialect, spelling))
        if not rows:
            return None
        best: Lookup | None = None
        for spec in rows:
            status = _status(spec, version, context)
            if status == "ok":
                return Lookup("ok", spec)
            if best is None or _PREFERENCE[status] < _PREFERENCE[best.status]:
                best = Lookup(status, spec)
        return best


_PREFERENCE: dict[Status, int] = {
    "ok": 0,
    "removed": 1,
    "not-yet": 2,
    "wrong-format": 3,
    "wrong-context": 4,
}


def _status(spec: FunctionSpec, version: str, context: Context) -> Status:
    if context not in spec.contexts:
        return "wrong-context"
    if spec.formats is not None and version not in spec.formats:
        return "wrong-format"
    if spec.since is not None and version < spec.since:
        return "not-yet"
    if spec.removed is not None and version >= spec.removed:
        return "removed"
    if (
        context == "condition"
        and spec.condition_since is not None
        and version < spec.condition_since
    ):
        return "not-yet"
    return "ok"


def _windows_overlap(a: FunctionSpec, b: FunctionSpec) -> bool:
    if a.formats is not None and b.formats is not None and not (a.formats & b.formats):
        return False
    if not (a.contexts & b.contexts):
        return False
    a_start, b_start = a.since or "", b.since or ""
    a_end, b_end = a.removed or "\uffff", b.removed or "\uffff"
    return a_start < b_end and b_start < a_end


__all__ = [
    "BadArguments",
    "Builder",
    "Call",
    "Context",
    "DuplicateFunction",
    "FunctionRegistry",
    "FunctionSpec",
    "Lookup",
]
