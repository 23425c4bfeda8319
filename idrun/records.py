"""`Frozen` and `Record`: idrun's small records, without `dataclasses` at import.

`@dataclass` writes each class's methods as source and compiles them with
exec when the module is imported: about a millisecond a class on a slow
machine, which for the ~40 records of `idrun run` was a large part of its
start-up. A record here is a plain class with a hand-written `__init__`; these
bases add, from its fields, the rest of what `@dataclass` would:

- `Frozen` (for `@dataclass(frozen=True[, slots=True])`): `repr` as
  `Name(field=value, ...)`, `==` between records of the same class field by
  field, a hash of the fields, `FrozenInstanceError` on assignment (so
  `__init__` sets fields with `setfield(self, "name", name)`, as a frozen
  dataclass does), `__match_args__`, and copy/pickle support;
- `Record` (for a plain `@dataclass`): the same `repr` and `==`, mutable, and
  unhashable.

The fields are `__slots__` when the class defines it, else its annotations, in
order. `_no_repr` names fields left out of the repr (`field(repr=False)`).
A default made fresh per instance (`default_factory`) is `FACTORY`:
`self.nodes = {} if nodes is FACTORY else nodes`. `replace` is `dataclasses.replace`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

setfield = object.__setattr__


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


FACTORY: Any = _Factory()


def _setup(cls: type) -> None:
    own = cls.__dict__
    fields = tuple(own["__slots__"]) if "__slots__" in own else tuple(own.get("__annotations__", ()))
    if not fields:
        return
    cls.__match_args__ = fields
    cls._repr_fields = tuple(f for f in fields if f not in cls._no_repr)
    cls._key = attrgetter(*fields) if len(fields) > 1 else (lambda self, name=fields[0]: (getattr(self, name),))


class _Base:
    __slots__ = ()
    __match_args__: tuple[str, ...] = ()
    _repr_fields: tuple[str, ...] = ()
    _no_repr: tuple[str, ...] = ()
    _key: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _setup(cls)

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}("
                + ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_fields) + ")")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key(self) == self._key(other)
        return NotImplemented


class Frozen(_Base):
    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list:
        return [getattr(self, name) for name in self.__match_args__]

    def __setstate__(self, state: list) -> None:
        for name, value in zip(self.__match_args__, state):
            setfield(self, name, value)


class Record(_Base):
    __slots__ = ()
    __hash__ = None   # type: ignore[assignment]  # mutable, as a dataclass with eq


def replace(record: Any, **changes: Any) -> Any:
    """A new record with `changes` over `record`'s fields (`dataclasses.replace`)."""
    fields = {name: getattr(record, name) for name in record.__match_args__}
    fields.update(changes)
    return type(record)(**fields)
