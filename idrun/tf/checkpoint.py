"""TF's V2 checkpoints (the tensor bundle, `core/util/tensor_bundle/tensor_bundle.cc`), in
pure Python: what `tf.compat.v1.train.Saver` writes and restores.

A checkpoint `PREFIX` is two files and a pointer:

- `PREFIX.data-00000-of-00001`: each tensor's raw little-endian bytes, one after another in
  key order (TF's `BundleWriter::Add` order under `Saver`, which sorts its variables);
- `PREFIX.index`: an SSTable (`sstable.py`) of sorted keys -> `BundleEntryProto` (dtype,
  shape, shard, offset, size, masked CRC32C of the bytes); the empty key holds the
  `BundleHeaderProto` (one shard, little endian, version 1);
- `DIR/checkpoint`: `CheckpointState` in text format (`model_checkpoint_path`,
  `all_model_checkpoint_paths`, oldest first), paths relative to DIR.

The two protos are tiny and encoded here by hand, so no protobuf is needed. A save is atomic:
every file is written under a temporary name, fsynced and renamed, the data before the index
and both before `checkpoint` names them, so a kill at any moment leaves the previous
checkpoint whole and named. Keys are TF's variable names (`conv1/weights`).
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
from typing import Any

from idrun.tf.sstable import TableError, read_table, read_varint, varint, write_table
from idrun.tfrecord import crc32c, mask, unmask

DATA_SUFFIX = ".data-00000-of-00001"
INDEX_SUFFIX = ".index"
STATE_FILE = "checkpoint"
BASENAME = "model.ckpt"
BUNDLE_VERSION = 1
# TF's DataType enum (types.proto) for idrun's dtypes, and the few more a TF checkpoint holds
DTYPE_ENUMS = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
               "string": 7, "complex64": 8, "int64": 9, "bool": 10, "bfloat16": 14,
               "uint16": 17, "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
ENUM_DTYPES = {v: k for k, v in DTYPE_ENUMS.items()}


class CheckpointError(ValueError):
    """A checkpoint that cannot be read or written (message says which file and why)."""


class Entry:
    """One tensor of a bundle, as its BundleEntryProto describes it."""

    __slots__ = ("key", "dtype", "shape", "shard", "offset", "size", "crc")

    def __init__(self, key: str, dtype: str, shape: tuple, shard: int = 0, offset: int = 0,
                 size: int = 0, crc: int = 0) -> None:
        self.key, self.dtype, self.shape = key, dtype, shape
        self.shard, self.offset, self.size, self.crc = shard, offset, size, crc

    def __repr__(self) -> str:
        return f"Entry({self.key!r}, {self.dtype}, {list(self.shape)})"


# --- the protos, by hand -------------------------------------------------------------------

def _field(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def _int(number: int, value: int) -> bytes:
    """A varint field, left out at its default (proto3)."""
    return _field(number, 0) + varint(value & 0xFFFFFFFFFFFFFFFF) if value else b""


def _message(number: int, body: bytes) -> bytes:
    return _field(number, 2) + varint(len(body)) + body


def encode_header(num_shards: int = 1) -> bytes:
    """BundleHeaderProto: num_shards, endianness LITTLE (0, left out), version {producer: 1}."""
    return _int(1, num_shards) + _message(3, _int(1, BUNDLE_VERSION))


def encode_entry(entry: Entry) -> bytes:
    """BundleEntryProto: dtype, shape {dim {size}}..., shard_id, offset, size, crc32c."""
    shape = b"".join(_message(2, _int(1, d)) for d in entry.shape)
    return (_int(1, DTYPE_ENUMS[entry.dtype]) + _message(2, shape) + _int(3, entry.shard)
            + _int(4, entry.offset) + _int(5, entry.size) + _field(6, 5) + struct.pack("<I", entry.crc))


def _fields(data: bytes):
    """(number, value) of each field: an int for varint and fixed32/64, bytes for the rest."""
    pos = 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = struct.unpack_from("<Q", data, pos)[0], pos + 8
        elif wire == 5:
            value, pos = struct.unpack_from("<I", data, pos)[0], pos + 4
        elif wire == 2:
            size, pos = read_varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        else:
            raise TableError(f"unexpected protobuf wire type {wire}")
        if pos > len(data):
            raise TableError("a protobuf field runs past its message")
        yield number, value


def decode_entry(key: str, data: bytes) -> Entry:
    entry = Entry(key, "float32", ())
    dims: list[int] = []
    dtype = 0
    for number, value in _fields(data):
        if number == 1:
            dtype = value
        elif number == 2:
            for n, dim in _fields(value):
                if n == 2:
                    size = dict(_fields(dim)).get(1, 0)
                    dims.append(size - (1 << 64) if size >= 1 << 63 else size)
                elif n == 3 and dim:
                    raise TableError(f"'{key}' has an unknown rank")
        elif number == 3:
            entry.shard = value
        elif number == 4:
            entry.offset = value
        elif number == 5:
            entry.size = value
        elif number == 6:
            entry.crc = value
        elif number == 7:
            raise TableError(f"'{key}' is saved in slices (a partitioned variable); idrun reads "
                             "whole tensors only")
    if dtype not in ENUM_DTYPES:
        raise TableError(f"'{key}' has a dtype idrun does not know (TF DataType {dtype})")
    entry.dtype, entry.shape = ENUM_DTYPES[dtype], tuple(dims)
    return entry


# --- tensors <-> bytes ----------------------------------------------------------------------

def _np_dtype(dtype: str):
    import numpy
    if dtype == "bfloat16":
        raise CheckpointError("bfloat16 tensors are not supported")
    return numpy.dtype(dtype).newbyteorder("<")


def tensor_bytes(value: Any, dtype: str) -> tuple[bytes, int]:
    """A tensor's bytes in the data file and their CRC32C (unmasked). Raw little endian; a
    string tensor as TF writes it: each element's length as a varint, the masked CRC32C of
    the lengths (as uint32s), the bytes; its CRC covers the lengths as uint32s, that
    checksum and the bytes (not the varints)."""
    import numpy
    if dtype != "string":
        raw = numpy.ascontiguousarray(value, dtype=_np_dtype(dtype)).tobytes()
        return raw, crc32c(raw)
    items = [v if isinstance(v, bytes) else str(v).encode() for v in numpy.asarray(value, object).ravel()]
    sizes = b"".join(struct.pack("<I", len(v)) for v in items)
    length_crc = struct.pack("<I", mask(crc32c(sizes)))
    strings = b"".join(items)
    return (b"".join(varint(len(v)) for v in items) + length_crc + strings,
            crc32c(strings, crc32c(length_crc, crc32c(sizes))))


def _string_tensor(data: bytes, count: int) -> tuple[list[bytes], int]:
    """The elements of a string tensor's bytes, and their CRC as `tensor_bytes` computes it."""
    pos, lengths = 0, []
    for _ in range(count):
        n, pos = read_varint(data, pos)
        lengths.append(n)
    out = []
    strings_at = pos + 4
    for n in lengths:
        out.append(data[strings_at:strings_at + n])
        strings_at += n
    sizes = b"".join(struct.pack("<I", n) for n in lengths)
    return out, crc32c(data[pos + 4:strings_at], crc32c(data[pos:pos + 4], crc32c(sizes)))


# --- writing --------------------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0o022)   # reading the umask sets it: set it back at once
    os.umask(mask)
    return mask


def _write_atomic(path: str, data: bytes) -> None:
    """`data` at `path`, or nothing there changed: a temporary file, fsynced, renamed."""
    folder = os.path.dirname(path) or "."
    fd, temp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tempstate", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), 0o666 & ~_umask())   # mkstemp makes it 0600; TF's files follow the umask
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _sync_dir(folder: str) -> None:
    try:
        fd = os.open(folder or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def bundle_files(tensors: dict[str, tuple[str, Any]]) -> tuple[bytes, bytes]:
    """(index, data) bytes of a bundle of `tensors` (key -> (dtype, value)), as TF writes it."""
    import numpy
    data = bytearray()
    entries = [(b"", encode_header())]
    for key in sorted(tensors, key=lambda k: k.encode()):
        dtype, value = tensors[key]
        raw, crc = tensor_bytes(value, dtype)
        shape = tuple(int(d) for d in numpy.shape(value))
        entry = Entry(key, dtype, shape, 0, len(data), len(raw), mask(crc))
        entries.append((key.encode(), encode_entry(entry)))
        data += raw
    return write_table(entries), bytes(data)


def write_bundle(prefix: str, tensors: dict[str, tuple[str, Any]]) -> None:
    """Write `PREFIX.data-00000-of-00001` then `PREFIX.index`, each atomically."""
    index, data = bundle_files(tensors)
    _write_atomic(prefix + DATA_SUFFIX, data)
    _write_atomic(prefix + INDEX_SUFFIX, index)
    _sync_dir(os.path.dirname(prefix))


def state_text(model_path: str, all_paths: list[str]) -> str:
    """CheckpointState in text format, as `tf.train.update_checkpoint_state` writes it."""
    lines = [f"model_checkpoint_path: {_quote(model_path)}"]
    lines += [f"all_model_checkpoint_paths: {_quote(p)}" for p in all_paths]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_state(folder: str) -> tuple[str | None, list[str]]:
    """(model_checkpoint_path, all_model_checkpoint_paths) of DIR/checkpoint, made absolute
    against DIR where relative; (None, []) when there is no such file."""
    path = os.path.join(folder, STATE_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc.strerror}") from None
    model, paths = None, []
    for line in text.splitlines():
        match = re.match(r'\s*(model_checkpoint_path|all_model_checkpoint_paths)\s*:\s*"((?:[^"\\]|\\.)*)"\s*$', line)
        if not match:
            continue
        value = re.sub(r"\\(.)", r"\1", match.group(2))
        value = value if os.path.isabs(value) else os.path.join(folder, value)
        if match.group(1) == "model_checkpoint_path":
            model = value
        else:
            paths.append(value)
    return model, paths


def save(folder: str, step: int, tensors: dict[str, tuple[str, Any]], keep: int = 5) -> str:
    """DIR/model.ckpt-STEP (bundle written, then `checkpoint` naming it); the oldest beyond
    the last `keep` are then deleted, as Saver's max_to_keep. Returns the prefix."""
    os.makedirs(folder, exist_ok=True)
    prefix = os.path.join(folder, f"{BASENAME}-{step}")
    write_bundle(prefix, tensors)
    _, previous = read_state(folder)
    paths = [p for p in previous if os.path.abspath(p) != os.path.abspath(prefix)] + [prefix]
    kept, dropped = paths[-keep:] if keep > 0 else paths, paths[:-keep] if keep > 0 else []
    rel = [os.path.relpath(p, folder) if os.path.dirname(os.path.abspath(p)) == os.path.abspath(folder)
           else p for p in kept]
    _write_atomic(os.path.join(folder, STATE_FILE), state_text(rel[-1], rel).encode())
    _sync_dir(folder)
    for old in dropped:   # after `checkpoint` stops naming them, as Saver does
        for suffix in (INDEX_SUFFIX, DATA_SUFFIX):
            try:
                os.unlink(old + suffix)
            except OSError:
                pass
    return prefix


# --- reading --------------------------------------------------------------------------------

def resolve_prefix(path: str) -> str:
    """A checkpoint prefix from a directory (its `checkpoint` file's latest) or a prefix."""
    if os.path.isdir(path):
        model, _ = read_state(path)
        if model is None:
            raise CheckpointError(f"{path}: no '{STATE_FILE}' file in this directory (give a "
                                  "checkpoint prefix such as DIR/model.ckpt-3 instead)")
        return model
    if path.endswith(INDEX_SUFFIX):
        path = path[:-len(INDEX_SUFFIX)]
    if not os.path.exists(path + INDEX_SUFFIX):
        raise CheckpointError(f"{path}: no checkpoint here (neither a directory with a "
                              f"'{STATE_FILE}' file nor a prefix with a {INDEX_SUFFIX} file)")
    return path


class Bundle:
    """A checkpoint read back: its entries by key, each tensor read (and checked) on demand."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        index_path = prefix + INDEX_SUFFIX
        try:
            with open(index_path, "rb") as f:
                rows = read_table(f.read())
        except OSError as exc:
            raise CheckpointError(f"cannot read {index_path}: {exc.strerror}") from None
        except TableError as exc:
            raise CheckpointError(f"{index_path}: not a TF checkpoint index ({exc})") from None
        self.entries: dict[str, Entry] = {}
        self.num_shards = 1
        try:
            for key, value in rows:
                if key == b"":
                    self.num_shards = dict(_fields(value)).get(1, 0)
                    continue
                name = key.decode("utf-8", "replace")
                self.entries[name] = decode_entry(name, value)
        except TableError as exc:
            raise CheckpointError(f"{index_path}: {exc}") from None
        self._data: dict[int, bytes] = {}

    def shard_path(self, shard: int) -> str:
        return f"{self.prefix}.data-{shard:05d}-of-{self.num_shards:05d}"

    def _shard(self, shard: int) -> bytes:
        if shard not in self._data:
            path = self.shard_path(shard)
            try:
                with open(path, "rb") as f:
                    self._data[shard] = f.read()
            except OSError as exc:
                raise CheckpointError(f"cannot read {path}: {exc.strerror}") from None
        return self._data[shard]

    def tensor(self, key: str):
        """The tensor saved under `key` (a numpy array), its checksum checked."""
        import numpy
        entry = self.entries[key]
        data = self._shard(entry.shard)
        raw = data[entry.offset:entry.offset + entry.size]
        count = 1
        for d in entry.shape:
            count *= d
        strings = None
        try:
            if entry.dtype == "string":
                strings, crc = _string_tensor(raw, count)
            else:
                crc = crc32c(raw)
        except TableError:
            crc = None
        if len(raw) != entry.size or unmask(entry.crc) != crc:
            raise CheckpointError(f"{self.shard_path(entry.shard)}: the bytes of '{key}' are damaged "
                                  "(checksum mismatch)")
        if strings is not None:
            return numpy.array(strings, dtype=object).reshape(entry.shape)
        value = numpy.frombuffer(raw, dtype=_np_dtype(entry.dtype))
        if value.size != count:
            raise CheckpointError(f"{self.shard_path(entry.shard)}: '{key}' holds {value.size} "
                                  f"elements, its shape {list(entry.shape)} needs {count}")
        return value.astype(value.dtype.newbyteorder("="), copy=True).reshape(entry.shape)
