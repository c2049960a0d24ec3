"""Typed property values: the facts constraints are evaluated against.

An Open Horizon property is ``{"name", "value", "type"?}``; the type is one of string, int, float, boolean,
version, "list of strings", and is inferred from the JSON value when omitted (a JSON string stays an
*untyped* string, which ``==`` and ``in`` treat as a comma-separated list, as OH does). Values are checked
against their declared type here, once, so evaluation never has to. Called by ``matching``, ``explain`` and
the placement engine. Left out: custom or complex property types (OH has none either).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from edgeplane.policy import errors, versions

Kind = Literal["string", "int", "float", "boolean", "version", "list of strings"]
KINDS: tuple[Kind, ...] = ("string", "int", "float", "boolean", "version", "list of strings")


@dataclasses.dataclass(frozen=True, slots=True)
class Value:
    """One typed property value. Hashable, so the placement engine can index nodes by it."""

    kind: Kind
    text: str
    untyped: bool = False
    number: float | None = None
    boolean: bool | None = None
    version: versions.Version | None = None
    items: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


Properties = Mapping[str, Value]


def split_list(text: str) -> tuple[str, ...]:
    """``"a, 'b c',d"`` -> ``("a", "b c", "d")``: trimmed, single quotes removed, empties dropped."""
    out = []
    for raw in text.split(","):
        item = raw.strip()
        if len(item) >= 2 and item[0] == item[-1] == "'":
            item = item[1:-1].strip()
        if item:
            out.append(item)
    return tuple(out)


def _bad(name: str, value: object, kind: str, expected: str) -> errors.PolicyError:
    return errors.PolicyError(
        f"property {name!r}: value {value!r} does not fit type {kind!r}", text=repr(value), expected=expected
    )


def _number(name: str, value: object, kind: Kind) -> Value:
    num: float | None = None
    if isinstance(value, bool):
        num = None
    elif isinstance(value, int | float):
        num = float(value)
    elif isinstance(value, str):
        try:
            num = float(int(value.strip())) if kind == "int" else float(value.strip())
        except ValueError:
            num = None
    if num is None or not math.isfinite(num) or (kind == "int" and not num.is_integer()):
        raise _bad(name, value, kind, "an integer" if kind == "int" else "a finite number")
    text = str(int(num)) if kind == "int" else repr(num)
    return Value(kind=kind, text=text, number=num)


def _boolean(name: str, value: object) -> Value:
    if isinstance(value, bool):
        return Value(kind="boolean", text="true" if value else "false", boolean=value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        b = value.strip().lower() == "true"
        return Value(kind="boolean", text="true" if b else "false", boolean=b)
    raise _bad(name, value, "boolean", "true or false")


def _version(name: str, value: object) -> Value:
    v = versions.parse_version(str(value)) if isinstance(value, str | int | float) else None
    if v is None or isinstance(value, bool):
        raise _bad(name, value, "version", "a version like 1.2.3")
    return Value(kind="version", text=versions.format_version(v), version=v)


def _string_list(name: str, value: object) -> Value:
    if isinstance(value, str):
        items = split_list(value)
    elif isinstance(value, list) and all(isinstance(x, str) for x in value):
        items = tuple(x.strip() for x in value if x.strip())
    else:
        raise _bad(name, value, "list of strings", "a comma-separated string")
    return Value(kind="list of strings", text=",".join(items), items=items)


def _string(name: str, value: object, *, untyped: bool) -> Value:
    if not isinstance(value, str):
        raise _bad(name, value, "string", "a JSON string")
    text = value.strip()
    return Value(
        kind="string", text=text, untyped=untyped, items=split_list(text) if untyped else (text,),
        version=versions.parse_version(text) if untyped else None,
    )


def make(name: str, value: object, kind: str | None = None) -> Value:
    """Type-check one property value; raises :class:`errors.PolicyError` when it does not fit.

    Fleets repeat the same few values endlessly, so hashable inputs are memoised (pure function)."""
    if isinstance(value, list | dict):
        return _make(name, value, kind)
    return _make_cached(name, value, kind)


@functools.lru_cache(maxsize=65_536, typed=True)
def _make_cached(name: str, value: object, kind: str | None) -> Value:
    return _make(name, value, kind)


def _make(name: str, value: object, kind: str | None) -> Value:
    if kind is None:
        return _infer(name, value)
    if kind in ("int", "float"):
        return _number(name, value, "int" if kind == "int" else "float")
    if kind == "boolean":
        return _boolean(name, value)
    if kind == "version":
        return _version(name, value)
    if kind == "list of strings":
        return _string_list(name, value)
    if kind == "string":
        return _string(name, value, untyped=False)
    raise errors.PolicyError(
        f"property {name!r}: unknown type {kind!r}", text=str(kind), expected=", ".join(KINDS)
    )


def _infer(name: str, value: object) -> Value:
    if isinstance(value, bool):
        return _boolean(name, value)
    if isinstance(value, int):
        return _number(name, value, "int")
    if isinstance(value, float):
        return _number(name, value, "int" if value.is_integer() and abs(value) < 2**53 else "float")
    if isinstance(value, str):
        return _string(name, value, untyped=True)
    raise _bad(name, value, "string, number or boolean", "a JSON string, number or boolean")


def _fields(item: object) -> tuple[object, object, object]:
    if type(item) is dict:
        return item.get("name"), item.get("value"), item.get("type")
    if hasattr(item, "name"):
        return getattr(item, "name", None), getattr(item, "value", None), getattr(item, "type", None)
    if isinstance(item, Mapping):
        return item.get("name"), item.get("value"), item.get("type")
    return None, None, None


def parse(items: Iterable[Any], *, field: str = "properties") -> dict[str, Value]:
    """Properties as OH JSON dicts (or ``schemas.policy.Property``) -> ``{name: Value}``.

    A duplicate name is an error, as in OH.
    """
    out: dict[str, Value] = {}
    for i, item in enumerate(items):
        name, value, kind = _fields(item)
        if type(name) is str and name in out:
            raise errors.PolicyError(f"property {name!r} is given twice", expected="unique names").at_field(
                f"{field}[{i}]"
            )
        if type(name) is str and (kind is None or type(kind) is str) and name.strip():
            try:
                out[name] = make(name, value, kind)
            except errors.PolicyError as e:
                raise e.at_field(f"{field}[{i}]") from None
            continue
        where = f"{field}[{i}]"
        if not isinstance(name, str) or not name.strip():
            raise errors.PolicyError("a property needs a non-empty string name", expected="a name").at_field(where)
        if kind is not None and not isinstance(kind, str):
            raise errors.PolicyError(f"property {name!r}: type must be a string", expected="a type name").at_field(
                where
            )
        if name in out:
            raise errors.PolicyError(f"property {name!r} is given twice", expected="unique names").at_field(where)
        try:
            out[name] = make(name, value, kind)
        except errors.PolicyError as e:
            raise e.at_field(where) from None
    return out


def from_values(values: Mapping[str, object]) -> dict[str, Value]:
    """``{"gpu": true, "site": "a"}`` -> typed values, each type inferred (the CLI and tests use this)."""
    return parse([{"name": k, "value": v} for k, v in values.items()])
