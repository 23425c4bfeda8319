"""idrun.records behaves as the dataclasses it stands in for (repr, ==, hash, frozen, copy)."""

import copy
import dataclasses
import pickle

import pytest

from idrun.records import FACTORY, Frozen, Record, replace, setfield


@dataclasses.dataclass(frozen=True, slots=True)
class DPoint:
    x: int
    y: int = 0


class Point(Frozen):
    __slots__ = ("x", "y")
    x: int
    y: int

    def __init__(self, x: int, y: int = 0) -> None:
        setfield(self, "x", x)
        setfield(self, "y", y)


@dataclasses.dataclass
class DBox:
    name: str
    items: list = dataclasses.field(default_factory=list)
    note: str = dataclasses.field(repr=False, default="")


class Box(Record):
    _no_repr = ("note",)

    name: str
    items: list
    note: str

    def __init__(self, name: str, items: list = FACTORY, note: str = "") -> None:
        self.name = name
        self.items = [] if items is FACTORY else items
        self.note = note


def _same_name(text: str) -> str:
    return text.replace("DPoint", "Point").replace("DBox", "Box")


def test_frozen_matches_a_frozen_slotted_dataclass():
    p, d = Point(1, 2), DPoint(1, 2)
    assert repr(p) == _same_name(repr(d)) == "Point(x=1, y=2)"
    assert p == Point(1, 2) and p != Point(1, 3) and p != DPoint(1, 2)
    assert hash(p) == hash(d) == hash((1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.y
    assert copy.copy(p) == p and copy.deepcopy(p) == p and pickle.loads(pickle.dumps(p)) == p
    assert Point.__match_args__ == DPoint.__match_args__ == ("x", "y")
    assert replace(p, y=5) == Point(1, 5)


def test_record_matches_a_plain_dataclass():
    b, d = Box("a", [1], note="n"), DBox("a", [1], note="n")
    assert repr(b) == _same_name(repr(d)) == "Box(name='a', items=[1])"
    assert b == Box("a", [1], "n") and b != Box("a", [1], "other")   # repr=False still compares
    with pytest.raises(TypeError):
        hash(b)
    assert Box("x").items == [] and Box("x").items is not Box("x").items
    b.name = "c"
    assert b.name == "c" and vars(b) == {"name": "c", "items": [1], "note": "n"}
    assert replace(b, name="z") == Box("z", [1], "n")
