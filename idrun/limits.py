"""Bounds that bound cost, checked before the work they guard (documented in docs/).

The CLI can raise them (`idrun --max-spec-mb N --max-tensor-elements N --max-nodes N
...`); they are module constants read where the work happens: the spec file's size
before it is read, its `op:` keys before it is parsed and its nodes as they are built,
every tensor's element count when the builder types it.
"""

MAX_SPEC_BYTES = 256 * 2**20       # a spec file larger than this is not read
MAX_TENSOR_ELEMENTS = 2**28        # 1 GiB of float32: constants, variables, random ops, reshapes
MAX_NODES = 200_000               # nodes in a graph: `op:` keys counted before parsing, nodes while building
