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


# ---- TFRecord files: idrun.tfrecord (CRC-32C, framing, the checked reader) ----------------------

import os  # noqa: E402
import random  # noqa: E402
from pathlib import Path  # noqa: E402

from idrun.tfrecord import DataLossError, _register, crc32c, read_records, tfrecord  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "graphs" / "data" / "examples.tfrecord"


def _flip(data: bytes, at: int) -> bytes:
    out = bytearray(data)
    out[at] ^= 0x01
    return bytes(out)


def test_crc32c_vectorised_equals_the_byte_loop():
    rng = random.Random(5)
    for size in (16384, 16385, 16384 + 63, 16384 * 3 + 5, 100_001):
        data = rng.randbytes(size)
        for start in (0, 0x1234):
            assert crc32c(data, start) == _register(data, start ^ 0xFFFFFFFF) ^ 0xFFFFFFFF, size


def test_a_file_tf_wrote_reads_back():
    data = EXAMPLES.read_bytes()   # 3 tf.train.Example records, tf.io.TFRecordWriter
    records = read_records(data, "ex")
    assert [len(r) for r in records] == [68, 68, 68] and records[0].startswith(b"\n")


# What TF 2.21 raised reading EXAMPLES damaged as named (`tf.compat.v1.io.tf_record_iterator` and
# `tf.data.TFRecordDataset`, both DataLossError with these messages), or the records it gave.
TF_DAMAGED = [
    (lambda d: _flip(d, len(d) - 20), "corrupted record at 180"),   # record 2's data (at 168 + 12)
    (lambda d: _flip(d, 3), "corrupted record at 0 (Is this even a TFRecord file?)"),    # a length
    (lambda d: _flip(d, 9), "corrupted record at 0 (Is this even a TFRecord file?)"),    # its CRC
    (lambda d: _flip(d, 15), "corrupted record at 12"),             # record 0's data
    (lambda d: d[:-3], "truncated record at 168"),
    (lambda d: d[:96], "truncated record at 84"),                   # record 1: header, no data
    (lambda d: d[:90], [68]),                                      # 6 bytes of a header: the end
    (lambda d: d[:5], []),
]


@pytest.mark.parametrize("damage,tf_says", TF_DAMAGED)
def test_damaged_files_give_tfs_data_loss(damage, tf_says):
    data = damage(EXAMPLES.read_bytes())
    if isinstance(tf_says, list):
        assert [len(r) for r in read_records(data, "ex")] == tf_says
        return
    with pytest.raises(DataLossError) as info:
        read_records(data, "ex")
    assert str(info.value) == f"ex: {tf_says}"


def test_every_flipped_byte_is_found_at_its_record():
    rng = random.Random(11)
    records = [rng.randbytes(rng.choice([0, 1, 3, 4, 5, 100, 1000, 3000, 20000])) for _ in range(60)]
    data = b"".join(tfrecord(r) for r in records)
    assert read_records(data, "f") == records
    starts, at = [], 0
    for r in records:
        starts.append(at)
        at += 16 + len(r)
    for _ in range(40):
        i = rng.randrange(len(data))
        start = max(s for s in starts if s <= i)
        where = start + 12 if i >= start + 12 else start   # the data, or the length and its CRC
        with pytest.raises(DataLossError, match=f"^f: corrupted record at {where}( |$)"):
            read_records(_flip(data, i), "f")


def test_a_flipped_tfrecord_feed_is_an_error_naming_file_and_offset(cli, tmp_path):
    bad = tmp_path / "bad.tfrecord"
    bad.write_bytes(_flip(EXAMPLES.read_bytes(), len(EXAMPLES.read_bytes()) - 20))
    res = cli("run", str(EXAMPLES.parent.parent / "parse_example_named.yaml"), "--feed", f"tf_example=@{bad}")
    assert res.exit_code == 2
    assert f"cannot feed 'tf_example:0': {bad}: corrupted record at 180" in res.stderr


def test_checking_many_small_records_is_vectorised():
    """Not a benchmark: 20,000 records of 100 bytes checked in well under the byte loop's time."""
    import time
    records = [os.urandom(100) for _ in range(20000)]
    data = b"".join(tfrecord(r) for r in records)
    began = time.perf_counter()
    assert read_records(data, "f") == records
    checked = time.perf_counter() - began
    began = time.perf_counter()
    for r in records[:2000]:
        crc32c(r)
    assert checked < 10 * (time.perf_counter() - began) * 1.5   # the byte loop, all of it: ~10x this
