"""Frozen value types: FrozenMap, the ordered, immutable, hashable mapping IR nodes use for
their containers, and `frozen_dataclass`, the decorator that makes the node classes."""

import copy
import dataclasses
import inspect
import threading
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from operator import attrgetter
from typing import Any, Final, Generic, TypeVar, cast, dataclass_transform, overload

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    __slots__ = ("_data", "_hash")

    def __init__(self, items: Iterable[tuple[K, V]] | Mapping[K, V] = ()) -> None:
        if type(items) is dict:  # the common cases first: no ABC isinstance check
            self._data: dict[K, V] = dict(items)
        elif type(items) is FrozenMap:
            self._data = dict(items._data)
        else:
            pairs = items.items() if isinstance(items, Mapping) else items
            self._data = dict(pairs)
        self._hash: int | None = None

    @classmethod
    def of_dict(cls, data: dict[K, V]) -> "FrozenMap[K, V]":
        """A FrozenMap over `data` itself, not a copy: for a caller that built the dict to
        hand it over and keeps no other reference to it."""
        made = cls.__new__(cls)
        made._data = data
        made._hash = None
        return made

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    # The dict's own views and get(): Mapping's mixins go through __getitem__ per item, and
    # every pass iterates these maps. The data never changes, so a view of it is a snapshot.
    def keys(self) -> KeysView[K]:
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        return self._data.values()

    def items(self) -> ItemsView[K, V]:
        return self._data.items()

    def get(self, key: K, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return list(self._data.items()) == list(other._data.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def set(self, key: K, value: V) -> "FrozenMap[K, V]":
        """A copy with one entry added or replaced."""
        data = dict(self._data)
        data[key] = value
        return FrozenMap(data)


EMPTY: FrozenMap[str, object] = FrozenMap()


# --- frozen dataclasses, cheap to define ---------------------------------------------------

C = TypeVar("C", bound=type)


@overload
def frozen_dataclass(cls: C, /) -> C: ...
@overload
def frozen_dataclass(*, kw_only: bool = False) -> Callable[[C], C]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen_dataclass(cls: C | None = None, /, *, kw_only: bool = False) -> C | Callable[[C], C]:
    """What `@dataclass(frozen=True, slots=True[, kw_only=True])` makes, defined ten times
    faster: the dataclass module writes and compiles six methods per class when the module is
    imported (half a millisecond per class, most of Kiln's start-up); here `__init__` is
    written on its first call, and the others are closures. Fields, `dataclasses.fields`,
    `replace`, `__dataclass_params__`, `__match_args__`, equality, hash, repr, immutability and
    pickling are those of the dataclass. A class that defines its own `__init__`, `__eq__`,
    `__hash__`, `__repr__`, `__setattr__` or `__post_init__`, or has InitVar fields, gets the
    ordinary dataclass."""

    def wrap(cls: C) -> C:
        return _frozen_dataclass(cls, kw_only)

    return wrap if cls is None else wrap(cls)


_OWN_METHODS = frozenset(
    {"__init__", "__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__"}
)
_PARAMS: dict[bool, Any] = {}  # kw_only -> the __dataclass_params__ such a dataclass has
_REPR_RUNNING: set[tuple[int, int]] = set()
_dataclass: Any = dataclasses.dataclass  # typed loosely: it returns the class it is given


def _frozen_dataclass(cls: C, kw_only: bool) -> C:
    annotations = inspect.get_annotations(cls)
    if (
        _OWN_METHODS & cls.__dict__.keys()
        or "self" in annotations
        or any(name.startswith("_kiln_") for name in annotations)  # the names __init__ uses
        or any(_is_init_var(hint) for hint in annotations.values())
    ):
        return cast(C, _dataclass(frozen=True, slots=True, kw_only=kw_only)(cls))
    documented = bool(cls.__dict__.get("__doc__"))
    if not documented:
        cls.__doc__ = "-"  # written below, without the signature lookup dataclass would do
    cls = cast(C, _dataclass(init=False, repr=False, eq=False, slots=True, kw_only=kw_only)(cls))
    params = _PARAMS.get(kw_only)
    if params is None:
        # The parameters the full decorator would have recorded (same slots and kw_only).
        params = copy.copy(cls.__dataclass_params__)  # type: ignore[attr-defined]
        params.init = params.repr = params.eq = params.frozen = True
        _PARAMS[kw_only] = params
    cls.__dataclass_params__ = params  # type: ignore[attr-defined]
    fields = dataclasses.fields(cls)
    init_fields = [f for f in fields if f.init and not f.kw_only]
    _check_default_order(init_fields)
    init_fields += [f for f in fields if f.init and f.kw_only]  # dataclasses' order

    def __setattr__(self: Any, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self: Any, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self: Any) -> list[Any]:  # pickling a frozen class with slots
        return [getattr(self, name) for name in field_names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(field_names, state, strict=False):
            object.__setattr__(self, name, value)

    field_names = tuple(f.name for f in fields)
    compared = _tuple_getter([f.name for f in fields if f.compare])
    hashed = _tuple_getter([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = [f.name for f in fields if f.repr]

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __repr__(self: Any) -> str:
        key = (id(self), threading.get_ident())
        if key in _REPR_RUNNING:
            return "..."
        _REPR_RUNNING.add(key)
        try:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{self.__class__.__qualname__}({inner})"
        finally:
            _REPR_RUNNING.discard(key)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _write_init(cls, fields)
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    methods: dict[str, Callable[..., Any]] = {
        "__init__": __init__,
        "__repr__": __repr__,
        "__eq__": __eq__,
        "__hash__": __hash__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "__getstate__": __getstate__,
        "__setstate__": __setstate__,
    }
    for name, method in methods.items():
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    if not documented:
        cls.__doc__ = cls.__name__ + _signature_text(init_fields)
    return cls


def _tuple_getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple (self.a, self.b, ...) dataclass methods compare and hash."""
    if not names:
        return lambda self: ()
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda self: (get(self),)
    return attrgetter(*names)


def _is_init_var(hint: Any) -> bool:
    if isinstance(hint, str):  # `from __future__ import annotations`
        return "InitVar" in hint
    return isinstance(hint, dataclasses.InitVar) or hint is dataclasses.InitVar


def _check_default_order(init_fields: list[dataclasses.Field[Any]]) -> None:
    seen_default = False
    for f in init_fields:
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError(f"non-default argument {f.name!r} follows default argument")


class _Factory:
    """The default of a field with a default_factory, in the signature (dataclasses shows it
    as <factory>)."""

    def __repr__(self) -> str:
        return "<factory>"


_HAS_FACTORY: Final = _Factory()


def _write_init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """The __init__ dataclasses would write, storing through the slots' descriptors."""
    namespace: dict[str, Any] = {"_kiln_factory": _HAS_FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for index, f in enumerate(fields):
        setter = f"_kiln_set_{index}"
        namespace[setter] = getattr(cls, f.name).__set__
        default = f"_kiln_default_{index}"
        parameters = keyword if f.kw_only else positional
        if f.default_factory is not dataclasses.MISSING:
            namespace[default] = f.default_factory
            if f.init:
                parameters.append(f"{f.name}=_kiln_factory")
                value = f"{default}() if {f.name} is _kiln_factory else {f.name}"
            else:
                value = f"{default}()"
        elif f.init:
            if f.default is not dataclasses.MISSING:
                namespace[default] = f.default
                parameters.append(f"{f.name}={default}")
            else:
                parameters.append(f.name)
            value = f.name
        elif f.default is not dataclasses.MISSING:
            namespace[default] = f.default
            value = default
        else:
            continue  # never set by __init__ (as with dataclasses)
        body.append(f"    {setter}(self, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    signature = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({signature}):\n" + ("\n".join(body) or "    pass")
    exec(source, namespace)  # generated from the field names, as dataclasses does
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {f.name: f.type for f in fields if f.init} | {"return": None}
    return init


def _signature_text(init_fields: list[dataclasses.Field[Any]]) -> str:
    """The text dataclasses puts in the docstring of a class without one."""
    parameters = []
    for f in init_fields:
        if f.default_factory is not dataclasses.MISSING:
            default: Any = _HAS_FACTORY
        elif f.default is not dataclasses.MISSING:
            default = f.default
        else:
            default = inspect.Parameter.empty
        kind = (
            inspect.Parameter.KEYWORD_ONLY if f.kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
        )
        parameters.append(inspect.Parameter(f.name, kind, default=default, annotation=f.type))
    return str(inspect.Signature(parameters))
