"""Entities to and from the JSON of the read models, exactly.

Writing walks the frozen dataclass by the values it holds (Decimals as strings, times and
dates as ISO 8601 with their offsets, enums as values, tuples as lists). Reading is on the path of
every ``ops report`` and ``ops jobs`` (every entity of the store), so it is a decoder built
once per class from the dataclass's type hints: one small function per field, the entity
assembled without running ``__init__`` (its values come from an entity that was valid).
A field type the decoder does not know makes that class fall back to pydantic's reader,
so a new field can never be read wrong, only slower.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._events import normalize_time

__all__ = ["decode", "encode"]

Decoder = Callable[[Any], Any]


class _Unsupported(TypeError):
    pass


_ADAPTERS: dict[type[Any], Any] = {}
_CLASS_DECODERS: dict[type[Any], Decoder] = {}
_READERS: dict[type[Any], Decoder] = {}


def _adapter(cls: type[Any]) -> Any:
    if cls not in _ADAPTERS:
        from pydantic import TypeAdapter

        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


def _plain(value: Any) -> Any:
    if value is None or (
        isinstance(value, bool | int | float) and not isinstance(value, enum.Enum)
    ):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=repr)
    raise TypeError(f"a read model cannot hold a {type(value).__name__}")


def encode(entity: Any) -> str:
    """The entity as JSON text."""
    return json.dumps(_plain(entity), ensure_ascii=False, separators=(",", ":"))


def _time(value: Any) -> datetime:
    return normalize_time(datetime.fromisoformat(value))


def _identity(value: Any) -> Any:
    return value


def _optional(inner: Decoder) -> Decoder:
    def decode(value: Any) -> Any:
        return None if value is None else inner(value)

    return decode


def _tuple_of(inner: Decoder) -> Decoder:
    if inner is _identity:
        return tuple

    def decode(value: Any) -> tuple[Any, ...]:
        return tuple(inner(v) for v in value)

    return decode


def _fixed_tuple(inners: tuple[Decoder, ...]) -> Decoder:
    def decode(value: Any) -> tuple[Any, ...]:
        return tuple(f(v) for f, v in zip(inners, value, strict=True))

    return decode


def _decoder(tp: Any) -> Decoder:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp in (str, int, bool) or origin is typing.Literal:
        return _identity
    if tp is float:
        return float
    if tp is datetime:
        return _time
    if tp is date:
        return date.fromisoformat
    if tp is Decimal:
        return lambda v: Decimal(str(v))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1:
            raise _Unsupported(tp)
        return _optional(_decoder(rest[0]))
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _tuple_of(_decoder(args[0]))
        return _fixed_tuple(tuple(_decoder(a) for a in args))
    if origin in (frozenset, set):
        inner = _decoder(args[0]) if args else _identity
        kind = origin

        def decode_set(value: Any) -> Any:
            return kind(inner(v) for v in value)

        return decode_set
    if origin in (Mapping, dict) or tp in (dict, Mapping):
        if args and args[1] is not Any:
            raise _Unsupported(tp)
        return _identity
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _class_decoder(tp)
    raise _Unsupported(tp)


def _class_decoder(cls: type[Any]) -> Decoder:
    if cls not in _CLASS_DECODERS:
        _CLASS_DECODERS[cls] = _build(cls)
    return _CLASS_DECODERS[cls]


def _build(cls: type[Any]) -> Decoder:
    module = sys.modules[cls.__module__]
    try:
        # The module's names only: in a slotted class a field named like its type
        # (``date: date | None``) would resolve to the slot, not the type.
        hints = typing.get_type_hints(cls, globalns=vars(module), localns={})
    except (NameError, TypeError) as error:
        raise _Unsupported(cls) from error
    if any(not f.init for f in dataclasses.fields(cls)):
        raise _Unsupported(cls)
    fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls)]
    slotted = "__slots__" in cls.__dict__

    def decode(value: Mapping[str, Any]) -> Any:
        values = {name: f(value[name]) for name, f in fields if name in value}
        if slotted or len(values) != len(fields):
            return cls(**values)
        entity = object.__new__(cls)
        entity.__dict__.update(values)
        return entity

    return decode


def _reader(cls: type[Any]) -> Decoder:
    if cls not in _READERS:
        try:
            fast = _class_decoder(cls)
        except _Unsupported:
            adapter = _adapter(cls)
            _READERS[cls] = adapter.validate_json
        else:
            _READERS[cls] = lambda text: fast(json.loads(text))
    return _READERS[cls]


def decode(cls: type[Any], text: str) -> Any:
    """The entity of class ``cls`` from its JSON text."""
    return _reader(cls)(text)
