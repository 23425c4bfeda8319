"""`Frozen`: the base of idrun's small frozen records, without `dataclasses` at import.

`@dataclass` writes each class's methods as source and compiles them with
exec when the module is imported: about a millisecond a class, which for
the graph IR and the op registry was a large part of `idrun run`'s start-up.
A record here is a `__slots__` class with a hand-written `__init__` (fields
set through `object.__setattr__`, as a frozen dataclass does); this base adds,
from the order of `__slots__`, what `@dataclass(frozen=True, slots=True)`
would: `repr` as `Name(field=value, ...)`, `==` between records of the same
class field by field, a hash of the fields, `FrozenInstanceError` on
assignment, `__match_args__`, and pickling/copying support.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

setfield = object.__setattr__   # for __init__: `setfield(self, "name", name)`


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


FACTORY: Any = _Factory()   # a default made fresh per instance (a dataclass's default_factory):
                            # `self.nodes = {} if nodes is FACTORY else nodes`


class Frozen:
    __slots__ = ()
    __match_args__: tuple[str, ...] = ()
    _key: Any = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = tuple(cls.__dict__.get("__slots__", ()))
        cls.__match_args__ = fields
        cls._key = attrgetter(*fields) if len(fields) > 1 else (lambda self: (getattr(self, fields[0]),))

    def __repr__(self) -> str:
        return (f"{type(self).__qualname__}("
                + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__) + ")")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key(self) == self._key(other)
        return NotImplemented

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
