"""Typed dialogue data: a dataclass per dialogue, stored as JSON and validated when loaded.

A conversation row can be old (written by an earlier version), half-written by a crash, or
edited by hand; loading checks every field against the dataclass's types, so a step works with
the types it declares instead of casting what it finds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

D = TypeVar("D")


class BadData(ValueError):
    """Stored dialogue data that does not fit the dialogue's dataclass."""


def dump(data: object) -> dict[str, Any]:
    """The JSON form of a dialogue's dataclass (dates as ISO text, enums as their value)."""
    assert dataclasses.is_dataclass(data) and not isinstance(data, type)
    return {field.name: _to_json(getattr(data, field.name)) for field in dataclasses.fields(data)}


def load(cls: type[D], raw: object) -> D:
    """cls built from its JSON form; BadData when a field is missing or of the wrong type.
    Keys the dataclass does not know are ignored (an older version may have written them)."""
    if not isinstance(raw, dict):
        raise BadData(f"{cls.__name__}: not an object")
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name not in raw:
            has_default = (
                field.default is not dataclasses.MISSING
                or field.default_factory is not dataclasses.MISSING
            )
            if not has_default:
                raise BadData(f"{cls.__name__}.{field.name}: missing")
            continue
        values[field.name] = _from_json(hints[field.name], raw[field.name], field.name)
    return cls(**values)


def _to_json(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_to_json(v) for v in value]
    return value


def _from_json(hint: Any, value: object, where: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _from_json(option, value, where)
            except BadData:
                continue
        raise BadData(f"{where}: {value!r} fits none of {hint}")
    if origin is list:
        if not isinstance(value, list):
            raise BadData(f"{where}: not a list")
        (item,) = get_args(hint)
        return [_from_json(item, v, where) for v in value]
    if origin is tuple:
        items = get_args(hint)
        if not isinstance(value, list) or len(value) != len(items):
            raise BadData(f"{where}: not a list of {len(items)}")
        return tuple(_from_json(h, v, where) for h, v in zip(items, value, strict=True))
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            raise BadData(f"{where}: {value!r} is no {hint.__name__}") from None
    if hint is dt.datetime:
        moment = _parse(dt.datetime.fromisoformat, value, where)
        if moment.tzinfo is None:
            raise BadData(f"{where}: a moment without a time zone")
        return moment
    if hint is dt.date:
        return _parse(dt.date.fromisoformat, value, where)
    if hint is bool:
        if not isinstance(value, bool):
            raise BadData(f"{where}: not true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadData(f"{where}: not a whole number")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise BadData(f"{where}: not text")
        return value
    raise TypeError(f"{where}: dialogue data cannot hold {hint}")  # a programming error


def _parse(parser: Any, value: object, where: str) -> Any:
    if not isinstance(value, str):
        raise BadData(f"{where}: not a date")
    try:
        return parser(value)
    except ValueError:
        raise BadData(f"{where}: {value!r} is no date") from None
