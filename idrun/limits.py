"""Bounds that bound cost, checked before the work they guard (documented in docs/).

The CLI can raise them (`idrun --max-spec-mb N --max-tensor-elements N --max-nodes N
...`); they are module constants read where the work happens: the spec file's size
before it is read, its `op:` keys before it is parsed and its nodes as they are built,
every tensor's element count when the builder types it.
"""

MAX_SPEC_BYTES = 256 * 2**20       # a spec file larger than this is not read
MAX_TENSOR_ELEMENTS = 2**28        # 1 GiB of float32: constants, variables, random ops, reshapes
MAX_STEPS = 10**9                  # steps of a run (--steps, run.steps): a run streams, so this bounds time
MAX_NODES = 200_000               # nodes in a graph: `op:` keys counted before parsing, nodes while building
MAX_FILE_BYTES = 2**31              # a GraphDef (protobuf's own limit) or a feed file larger than this is not read


def check_regular_file(path, what: str, limit: int | None = None) -> int:
    """The size of `path`, after refusing what cannot be read to its end at a bounded cost: a
    device (/dev/zero), a FIFO, a directory, or a file past `limit` bytes (ValueError)."""
    import os
    import stat
    info = os.stat(path)   # FileNotFoundError / OSError: the caller's message
    if not stat.S_ISREG(info.st_mode):
        kind = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                else "a socket" if stat.S_ISSOCK(info.st_mode) else "a device")
        raise ValueError(f"{path} is {kind}, not a regular file: idrun reads {what} only from files")
    limit = MAX_FILE_BYTES if limit is None else limit
    if info.st_size > limit:
        raise ValueError(f"{path} is {info.st_size:,} bytes, over the limit of {limit:,} for {what}")
    return info.st_size
