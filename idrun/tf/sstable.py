"""LevelDB's table format as TF writes it (`core/lib/io/table_builder.cc`, `block_builder.cc`,
`format.cc`), in pure Python, and CRC32C with TF's masking (`core/lib/hash/crc32c.h`).

A table is data blocks, an (empty) metaindex block, an index block and a 48-byte footer.
A block holds prefix-compressed entries (varint shared, varint unshared, varint value size,
key suffix, value), a restart point every 16 entries (a fixed32 offset each, then their
count), and a 5-byte trailer: the compression type (0: none, as the tensor bundle writes)
and the masked CRC32C of the contents and that byte. The index block maps a key at or after
each data block's last key (TF's shortest separator) to the block's handle (varint offset,
varint size). The footer: the metaindex and index handles, zero-padded to 40 bytes, then
the magic number 0xdb4775248b80fb57 (fixed64). Keys are compared bytewise.

`write_table` gives the bytes TF's TableBuilder writes for the same sorted entries (with
TF's defaults: 256 KiB blocks, restarts every 16 keys); `read_table` reads any such table
(each block's checksum checked) and raises TableError on a damaged one.
"""

from __future__ import annotations

import struct

from idrun.tfrecord import crc32c, mask, unmask

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48               # two handles of at most 20 bytes each, padded, and the magic
BLOCK_SIZE = 262144            # TF's table::Options::block_size
RESTART_INTERVAL = 16          # TF's table::Options::block_restart_interval
NO_COMPRESSION = 0
SNAPPY = 1


class TableError(ValueError):
    """A table that is not one (bad magic, checksum, truncated block)."""


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it); TableError past the end."""
    result, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise TableError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


class _Block:
    """block_builder.cc: entries with shared key prefixes, restart points every 16."""

    def __init__(self, interval: int = RESTART_INTERVAL) -> None:
        self.interval = interval
        self.buffer = bytearray()
        self.restarts = [0]
        self.counter = 0
        self.last_key = b""

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.counter < self.interval:
            limit = min(len(self.last_key), len(key))
            while shared < limit and self.last_key[shared] == key[shared]:
                shared += 1
        else:
            self.restarts.append(len(self.buffer))
            self.counter = 0
        self.buffer += varint(shared) + varint(len(key) - shared) + varint(len(value))
        self.buffer += key[shared:] + value
        self.last_key = key
        self.counter += 1

    def size_estimate(self) -> int:
        return len(self.buffer) + 4 * len(self.restarts) + 4

    def empty(self) -> bool:
        return not self.buffer

    def finish(self) -> bytes:
        return bytes(self.buffer) + b"".join(struct.pack("<I", r) for r in self.restarts) + \
            struct.pack("<I", len(self.restarts))


def _separator(start: bytes, limit: bytes) -> bytes:
    """BytewiseComparator::FindShortestSeparator: a short key in [start, limit)."""
    n = min(len(start), len(limit))
    i = 0
    while i < n and start[i] == limit[i]:
        i += 1
    if i < n and start[i] < 0xFF and start[i] + 1 < limit[i]:
        return start[:i] + bytes([start[i] + 1])
    return start


def _successor(key: bytes) -> bytes:
    """BytewiseComparator::FindShortSuccessor: a short key >= `key`."""
    for i, byte in enumerate(key):
        if byte != 0xFF:
            return key[:i] + bytes([byte + 1])
    return key


def _handle(offset: int, size: int) -> bytes:
    return varint(offset) + varint(size)


def write_table(entries, block_size: int = BLOCK_SIZE) -> bytes:
    """The table of `entries` ((key, value) bytes pairs, keys strictly increasing)."""
    out = bytearray()
    index = _Block(1)   # TF's index block restarts at every entry
    block = _Block()
    pending: tuple[int, int] | None = None   # the last data block's handle, not yet indexed
    last = None

    def write_block(b: _Block) -> tuple[int, int]:
        contents = b.finish()
        offset = len(out)
        trailer = bytes([NO_COMPRESSION])
        out.extend(contents + trailer + struct.pack("<I", mask(crc32c(contents + trailer))))
        return offset, len(contents)

    for key, value in entries:
        if last is not None and key <= last:
            raise ValueError(f"table keys must increase: {key!r} after {last!r}")
        if pending is not None:
            index.add(_separator(last, key), _handle(*pending))
            pending = None
        block.add(key, value)
        last = key
        if block.size_estimate() >= block_size:
            pending = write_block(block)
            block = _Block()
    if not block.empty():
        pending = write_block(block)
    if pending is not None:
        index.add(_successor(last), _handle(*pending))
    meta = write_block(_Block())
    index_handle = write_block(index)
    footer = _handle(*meta) + _handle(*index_handle)
    out.extend(footer + bytes(40 - len(footer)) + struct.pack("<Q", MAGIC))
    return bytes(out)


def _read_block(data: bytes, offset: int, size: int) -> bytes:
    end = offset + size
    if end + 5 > len(data):
        raise TableError(f"a block at {offset} runs past the end of the table")
    contents, kind = data[offset:end], data[end]
    stored = struct.unpack_from("<I", data, end + 1)[0]
    if unmask(stored) != crc32c(data[offset:end + 1]):
        raise TableError(f"block checksum mismatch at offset {offset}")
    if kind != NO_COMPRESSION:
        raise TableError(f"the block at {offset} is compressed (type {kind}); only uncompressed "
                         "tables are read (TF writes tensor bundles uncompressed)")
    return contents


def _block_entries(contents: bytes):
    if len(contents) < 4:
        raise TableError("a block too short for its restart count")
    restarts = struct.unpack_from("<I", contents, len(contents) - 4)[0]
    limit = len(contents) - 4 - 4 * restarts
    if limit < 0:
        raise TableError("a block's restart array runs past its start")
    pos, key = 0, b""
    while pos < limit:
        shared, pos = read_varint(contents, pos)
        unshared, pos = read_varint(contents, pos)
        size, pos = read_varint(contents, pos)
        if shared > len(key) or pos + unshared + size > limit:
            raise TableError("a block entry runs past its block")
        key = key[:shared] + contents[pos:pos + unshared]
        pos += unshared
        yield bytes(key), bytes(contents[pos:pos + size])
        pos += size


def read_table(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (key, value) of the table, in key order; TableError when it is not one."""
    if len(data) < FOOTER_SIZE or struct.unpack_from("<Q", data, len(data) - 8)[0] != MAGIC:
        raise TableError("not an SSTable (bad magic number)")
    footer = data[len(data) - FOOTER_SIZE:]
    _, pos = read_varint(footer, 0)
    _, pos = read_varint(footer, pos)
    index_offset, pos = read_varint(footer, pos)
    index_size, pos = read_varint(footer, pos)
    out = []
    for _, handle in _block_entries(_read_block(data, index_offset, index_size)):
        offset, p = read_varint(handle, 0)
        size, _ = read_varint(handle, p)
        out.extend(_block_entries(_read_block(data, offset, size)))
    return out
