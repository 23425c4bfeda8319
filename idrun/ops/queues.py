"""Input pipelines as TF1 builds them: queues, queue runners, readers, DecodeRaw, count_up_to.

A queue (`fifo_queue`, `random_shuffle_queue`: TF's FIFOQueueV2 and
RandomShuffleQueueV2) is state the session keeps: its node's kernel creates it
the first time it runs, as TF's resource op does, names it as TF does
(`_<k>_<node>`, k counting the queues and readers the session has created, or
its `shared_name`), and returns a handle, a scalar string naming the node. Its
handle's static type carries the queue's component types and shapes
(`QueueHandleType`), as TF's handle shape data does, so a dequeue knows its
outputs' shapes. Enqueue, dequeue, size, close and reader_read look the queue
up by its handle in the session's table (`Shared`, given to each of these
nodes' kernel state by `attach`, which the session calls).

Queue runners. idrun has no threads. A dequeue that needs more elements than
the queue holds (a RandomShuffleQueue: more than `min_after_dequeue` beyond
them, until it is closed) runs the queue's runner synchronously, one enqueue op
at a time (a step of the session whose target is that op), until the queue
holds enough. The runner's enqueue ops are those of the QUEUE_RUNNERS
collection's queues (a MetaGraphDef imported from a .meta), else every enqueue
op of the graph whose queue input is this queue, in graph order (TF's
QueueRunner runs its ops in threads: this is one order TF can produce). When
an enqueue op fails with OutOfRange (its own input is exhausted: a closed
queue, a count_up_to limit) the runner is done and closes the queue, as TF's
QueueRunner does; the dequeue then fails with TF's OutOfRange message
("FIFOQueue '_0_fifo_queue' is closed and has insufficient elements (requested
2, current size 1)"). An enqueue past `capacity` is TF's blocked enqueue: its
elements enter the queue as dequeues make room, and are dropped if the queue is
closed first (idrun's enqueue op itself returns at once, where TF's would wait). A reader pulls the
next filename from its queue (running that queue's runner when needed) when it
has finished a file: `string_input_producer`'s filename queue is a FIFO queue
with a runner like any other.

RandomShuffleQueue draws as TF's kernel does (random_shuffle_queue_op.cc): a
PhiloxRandom(seed, seed2) read one 32-bit word at a time (SingleSampleAdapter);
each element dequeued is the one at `word % size`, and the last element takes
its place. With no seed (TF: a random one) the key is the CRC-32 of the node's
name, as for idrun's random ops. Since a dequeue first fills the queue to what
it needs and then draws, the order is TF's when TF's runner has enqueued those
elements before the dequeue ran (one order TF can produce; TF's own varies
from run to run with its threads).
"""

from __future__ import annotations

from typing import Any

from idrun.dtypes import DTYPES, tf_name
from idrun.graph import TensorType, node_of
from idrun.ops import checks
from idrun.ops.gradlib import no_gradient
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFShape, TFType, attr
from idrun.ops.random import _import_seeds, tf_seeds
from idrun.records import setfield


class OutOfRangeError(KernelError):
    """TF's OutOfRange: a closed queue without enough elements, a count_up_to limit."""


class CancelledError(KernelError):
    """TF's Cancelled: an enqueue to a closed queue."""


class QueueHandleType(TensorType):
    """The static type of a queue's handle: a scalar string that also carries the queue's
    component types and shapes (TF's handle shape data); `shapes` () when unspecified."""

    __slots__ = ("components", "shapes")
    components: tuple[str, ...]
    shapes: tuple

    def __init__(self, components: tuple[str, ...], shapes: tuple) -> None:
        super().__init__("string", ())
        setfield(self, "components", components)
        setfield(self, "shapes", shapes)


QueueHandleType._key = lambda self: (self.dtype, self.shape, self.components, self.shapes)
QueueHandleType._repr_fields = ("dtype", "shape", "components", "shapes")


# ---- the session's table of queues and readers, and the runners ------------------------------

class Shared:
    """What the queue ops of one session share: resources by handle, TF's resource counter,
    each queue's runner (its enqueue ops), and `run(targets)`, a step of the session."""

    def __init__(self, run, runner_ops: dict[str, list[str]], first: list[str]) -> None:
        self.run = run
        self.resources: dict[str, Any] = {}
        self.created = 0
        self.runners = {queue: Runner(self, ops) for queue, ops in runner_ops.items()}
        self.first = first          # queues named before any other resource (see resource_name)
        self.reserved: dict[str, str] = {}

    def resource_name(self, node: str, shared_name: str) -> str:
        """TF's ContainerInfo name: the shared_name, else `_<k>_<node>`, k counting the session's
        resources in the order they are made. TF's runner threads start in the collection's
        order, and each first makes its own queue: the queues with runners take the first
        numbers, in that order (TF's usual order; its threads may race otherwise)."""
        if shared_name:
            return shared_name
        if self.first:
            for queue in self.first:
                self.reserved[queue] = f"_{self.created}_{queue}"
                self.created += 1
            self.first = []
        if node in self.reserved:
            return self.reserved.pop(node)
        name = f"_{self.created}_{node}"
        self.created += 1
        return name

    def lookup(self, handle: Any, what: str = "queue"):
        key = _handle_key(handle)
        if key not in self.resources:
            raise KernelError(f"Resource {key} of type {what} does not exist (its op has not run)")
        return self.resources[key]


class Runner:
    """A queue runner, run by the dequeue that needs it: one enqueue op a call, in turn."""

    def __init__(self, shared: Shared, ops: list[str]) -> None:
        self.shared = shared
        self.ops = list(ops)
        self.turn = 0
        self.running = False

    def step(self) -> bool:
        """Run the next enqueue op once; False when every op has run out (OutOfRange)."""
        if not self.ops:
            return False
        if self.running:
            raise KernelError(f"the queue runner of {self.ops[0]} needs its own queue to run: it would "
                              "wait on itself forever")
        op = self.ops[self.turn % len(self.ops)]
        self.running = True
        try:
            self.shared.run([op])
        except OutOfRangeError:
            self.ops.remove(op)
            return bool(self.ops)
        finally:
            self.running = False
        self.turn += 1
        return True


QUEUE_OPS = ("fifo_queue", "random_shuffle_queue")
ENQUEUE_OPS = ("queue_enqueue", "queue_enqueue_many")


def attach(graph, states: dict, run, queue_runners: list[str] | None = None) -> Shared | None:
    """Give every queue-family node of `graph` the session's `Shared` in its kernel state
    (`states[node]["shared"]`), and return it (None: the graph has no queue); `run(targets)`
    runs a step of the session. `queue_runners`: the QUEUE_RUNNERS collection's queue names,
    when the graph came with one."""
    family = [n for n in graph.nodes.values() if n.op in FAMILY]
    if not family:
        return None
    listed = None if queue_runners is None else [node_of(q) for q in queue_runners]
    runner_ops: dict[str, list[str]] = {}
    for node in family:
        if node.op in ENQUEUE_OPS and node.inputs:
            queue = node.inputs[0].node
            if graph.nodes[queue].op in QUEUE_OPS and (listed is None or queue in listed):
                runner_ops.setdefault(queue, []).append(node.name)
    order = [q for q in listed if q in runner_ops] if listed is not None else list(runner_ops)
    shared = Shared(run, runner_ops, [q for q in order if not graph.nodes[q].attrs.get("shared_name")])
    for node in family:
        states.setdefault(node.name, {})["shared"] = shared
    return shared


def runner_closure(shared: Shared | None, needed, closure) -> list[str]:
    """The nodes the runners of the queues in `needed` may run (through readers' filename
    queues too); `closure(targets)` is what a step of those targets runs."""
    if shared is None:
        return []
    out: list[str] = []
    seen: set[str] = set()
    todo = [n for n in needed if n in shared.runners]
    while todo:
        queue = todo.pop()
        if queue in seen:
            continue
        seen.add(queue)
        for name in closure(list(dict.fromkeys(shared.runners[queue].ops))):
            out.append(name)
            if name in shared.runners and name not in seen:
                todo.append(name)
    return out


def _shared(env: KernelEnv) -> Shared:
    shared = env.state.get("shared") if env.state is not None else None
    if shared is None:
        raise KernelError(f"{env.node}: queue ops run in an idrun session (it keeps the queues)")
    return shared


def _handle_key(handle: Any) -> str:
    value = handle.item() if hasattr(handle, "item") else handle
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _handle_value(node: str):
    import numpy
    out = numpy.empty((), dtype=object)
    out[()] = node.encode("utf-8")
    return out


# ---- the queues ---------------------------------------------------------------------------------

class Queue:
    """One queue's elements (tuples of arrays), TF's name, capacity, and whether it is closed."""

    kind = "FIFOQueue"

    def __init__(self, name: str, types: tuple[str, ...], shapes: tuple, capacity: int,
                 runner: Runner | None) -> None:
        self.name, self.types, self.shapes, self.capacity = name, types, shapes, capacity
        self.runner = runner
        self.elements: list[tuple] = []
        self.waiting: list[tuple] = []   # a blocked enqueue's elements, in order (past capacity)
        self.closed = False

    def size(self) -> int:
        return len(self.elements)

    def enqueue(self, items: list[tuple]) -> None:
        if self.closed:
            raise CancelledError(f"{self.kind} '{self.name}' is closed.")
        self.waiting.extend(items)
        self._admit()

    def _admit(self) -> None:
        while self.waiting and (self.capacity < 0 or len(self.elements) < self.capacity):
            self.elements.append(self.waiting.pop(0))

    def available(self) -> int:
        """How many elements a dequeue may take now."""
        return len(self.elements)

    def dequeue(self, n: int, up_to: bool = False) -> list[tuple]:
        """n elements, running the queue's runner until it holds them (see the module doc);
        `up_to` (DequeueUpTo): what is left, when the queue is closed with fewer."""
        idle = 0
        while self.available() < n:
            if self.closed and up_to and self.elements:
                n = len(self.elements)
                break
            if self.closed:
                raise OutOfRangeError(f"{self.kind} '{self.name}' is closed and has insufficient elements "
                                      f"(requested {n}, current size {len(self.elements)})")
            before = (len(self.elements), len(self.waiting))
            if self.runner is None:
                raise KernelError(f"{self.kind} '{self.name}' has {len(self.elements)} elements and no queue "
                                  f"runner enqueues to it: TF's dequeue of {n} would wait forever")
            if not self.runner.step():
                self.close(False)
                continue
            idle = idle + 1 if (len(self.elements), len(self.waiting)) == before else 0
            if idle > 1000:
                raise KernelError(f"the queue runner of {self.kind} '{self.name}' ran 1000 times without "
                                  "enqueueing anything: TF's dequeue would wait forever")
        out = [self._take() for _ in range(n)]
        self._admit()
        return out

    def _take(self) -> tuple:
        return self.elements.pop(0)

    def close(self, cancel_pending: bool) -> None:
        """Closed: a blocked enqueue fails as TF's then does (Cancelled), its elements dropped,
        with or without cancel_pending_enqueues."""
        self.closed = True
        self.waiting.clear()


class ShuffleQueue(Queue):
    """RandomShuffleQueue: elements drawn with TF's PhiloxRandom, one 32-bit word each."""

    kind = "RandomShuffleQueue"

    def __init__(self, name, types, shapes, capacity, runner, min_after_dequeue: int, seed: int,
                 seed2: int) -> None:
        super().__init__(name, types, shapes, capacity, runner)
        self.min_after_dequeue = min_after_dequeue
        self.key = seed & ((1 << 64) - 1)
        self.counter = (seed2 & ((1 << 64) - 1)) << 64
        self.words: list[int] = []

    def available(self) -> int:
        return len(self.elements) - (0 if self.closed else self.min_after_dequeue)

    def _word(self) -> int:
        if not self.words:   # SingleSampleAdapter: the next Philox call's four words
            from idrun.ops import philox
            self.words = philox.philox(self.key, self.counter, 1).reshape(-1).tolist()
            self.counter = (self.counter + 1) & philox.MASK128
        return self.words.pop(0)

    def _take(self) -> tuple:
        index = self._word() % len(self.elements)
        item = self.elements[index]
        self.elements[index] = self.elements[-1]
        self.elements.pop()
        return item


# ---- shape rules -------------------------------------------------------------------------------

def _component_types(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError("expected a non-empty list of dtypes (TF's component_types)")
    return [checks.dtype(v) for v in value]


def _shapes(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("expected a list of shapes, one per component (or [] for unspecified)")
    return [checks.shape(v) for v in value]


def _queue_infer(attrs, types, consts):
    comps, shapes = attrs["component_types"], attrs["shapes"]
    if shapes and len(shapes) != len(comps):
        raise InferError(f"shapes ({len(shapes)}) and component_types ({len(comps)}) must list the same "
                         "number of components")
    if "min_after_dequeue" in attrs:
        if attrs["min_after_dequeue"] < 0:
            raise InferError(f"min_after_dequeue {attrs['min_after_dequeue']} must be >= 0")
        if attrs["capacity"] >= 0 and attrs["min_after_dequeue"] >= attrs["capacity"]:
            raise InferError(f"min_after_dequeue {attrs['min_after_dequeue']} must be < capacity "
                             f"{attrs['capacity']}")
        tf_seeds(attrs["seed"], attrs["graph_seed"])
    return [QueueHandleType(tuple(comps), tuple(tuple(s) for s in shapes))]


def _handle(types, op: str) -> QueueHandleType | None:
    if not types:
        raise InferError(f"{op} takes the queue's handle first")
    handle = types[0]
    if isinstance(handle, QueueHandleType):
        return handle
    if handle.dtype != "string" or handle.shape not in ((), None):
        raise InferError(f"{op}: input 0 must be a queue's handle, got {handle}")
    return None


def _enqueue_infer(many: bool):
    def infer(attrs, types, consts):
        op = "QueueEnqueueManyV2" if many else "QueueEnqueueV2"
        handle = _handle(types, op)
        comps = types[1:]
        if handle is None:
            return []
        if len(comps) != len(handle.components):
            raise InferError(f"{op}: the queue has {len(handle.components)} components, got {len(comps)} "
                             "tensors")
        for k, (t, dtype) in enumerate(zip(comps, handle.components)):
            if t.dtype != dtype:
                raise InferError(f"Type mismatch in tuple component {k}. Expected {tf_name(dtype)}, got "
                                 f"{tf_name(t.dtype)}")
            if handle.shapes and t.shape is not None:
                shape = tuple(t.shape[1:]) if many else tuple(t.shape)
                if many and not t.shape:
                    raise InferError(f"{op}: component {k} must have a leading (batch) dimension")
                if not _compatible(shape, handle.shapes[k]):
                    raise InferError(f"Shape mismatch in tuple component {k}. Expected "
                                     f"{list(handle.shapes[k])}, got {list(shape)}")
        return []
    return infer


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _dequeue_infer(op: str):
    many = op != "QueueDequeueV2"

    def infer(attrs, types, consts):
        handle = _handle(types, op)
        comps = attrs["component_types"]
        if handle is not None and tuple(comps) != handle.components:
            raise InferError(f"{op}: component_types {comps} are not the queue's {list(handle.components)}")
        lead: tuple = ()
        if many:
            if len(types) < 2 or types[1].dtype != "int32" or types[1].shape not in ((), None):
                raise InferError(f"{op} takes the handle and n, a scalar int32")
            n = consts[1]
            lead = (None if n is None or op == "QueueDequeueUpToV2" else int(n),)
            if n is not None and int(n) < 0:
                raise InferError(f"{op}: n must be >= 0, got {int(n)}")
        shapes = handle.shapes if handle is not None and handle.shapes else None
        return [TensorType(dtype, None if shapes is None else lead + tuple(shapes[k]))
                for k, dtype in enumerate(comps)]
    return infer


def _size_infer(attrs, types, consts):
    _handle(types, "QueueSizeV2")
    return [TensorType("int32", ())]


def _close_infer(attrs, types, consts):
    _handle(types, "QueueCloseV2")
    return []


def _reader_infer(attrs, types, consts):
    if attrs.get("encoding", "") not in ("", None):
        raise InferError(f"FixedLengthRecordReader: idrun reads uncompressed files, not {attrs['encoding']!r}")
    if attrs.get("compression_type", "") not in ("", None):
        raise InferError(f"TFRecordReader: idrun reads uncompressed files, not {attrs['compression_type']!r}")
    return [TensorType("string", ())]


def _read_infer(attrs, types, consts):
    if len(types) != 2 or any(t.dtype != "string" for t in types):
        raise InferError("ReaderReadV2 takes a reader's handle and a queue's handle")
    queue = types[1]
    if isinstance(queue, QueueHandleType) and queue.components != ("string",):
        raise InferError(f"ReaderReadV2: the queue must hold filenames (one string component), it holds "
                         f"{list(queue.components)}")
    return [TensorType("string", ()), TensorType("string", ())]


DECODE_TYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")


def _decode_raw_infer(attrs, types, consts):
    (t,) = types
    if t.dtype != "string":
        raise InferError(f"Input 'bytes' of 'DecodeRaw' Op has type {t.dtype} that does not match "
                         "expected type of string.")
    if attrs["out_type"] not in DECODE_TYPES:
        raise InferError(f"DecodeRaw: out_type {attrs['out_type']} is not one of {', '.join(DECODE_TYPES)}")
    return [TensorType(attrs["out_type"], None if t.shape is None else tuple(t.shape) + (None,))]


def _count_up_to_infer(attrs, types, consts):
    (var,) = types
    if var.dtype not in ("int32", "int64"):
        raise InferError(f"count_up_to: the variable must be int32 or int64, got {var.dtype}")
    if var.shape is not None and tuple(var.shape) != ():
        raise InferError(f"Shape must be rank 0 but is rank {len(var.shape)}")
    return [TensorType(var.dtype, ())]


# ---- kernels ------------------------------------------------------------------------------------

def _queue_kernel(env: KernelEnv):
    shared, a, node = _shared(env), env.attrs, env.node
    handle = _handle_value(node)
    shapes = tuple(tuple(s) for s in a["shapes"])

    def queue():
        if node not in shared.resources:
            name = shared.resource_name(node, a["shared_name"])
            runner = shared.runners.get(node)
            if "min_after_dequeue" in a:
                seed, seed2 = tf_seeds(a["seed"], a["graph_seed"])
                if (seed, seed2) == (0, 0):   # TF: random seeds; idrun: one from the name
                    import zlib
                    seed = zlib.crc32(node.encode("utf-8"))
                shared.resources[node] = ShuffleQueue(name, tuple(a["component_types"]), shapes, a["capacity"],
                                                      runner, a["min_after_dequeue"], seed, seed2)
            else:
                shared.resources[node] = Queue(name, tuple(a["component_types"]), shapes, a["capacity"], runner)
        return handle
    return queue


def _check_tuple(q: Queue, comps: tuple, many: bool) -> None:
    if len(comps) != len(q.types):
        raise KernelError(f"{q.kind} '{q.name}' expects {len(q.types)} components, got {len(comps)}")
    for k, (value, dtype) in enumerate(zip(comps, q.types)):
        shape = tuple(value.shape[1:]) if many else tuple(value.shape)
        if q.shapes and not _compatible(shape, q.shapes[k]):
            raise KernelError(f"Shape mismatch in tuple component {k}. Expected {list(q.shapes[k])}, got "
                              f"{list(shape)}")


def _enqueue_kernel(many: bool):
    def make(env: KernelEnv):
        shared, xp = _shared(env), env.xp

        def enqueue(handle, *comps):
            q = shared.lookup(handle)
            _check_tuple(q, comps, many)
            if not many:
                q.enqueue([tuple(xp.array(c, copy=True) for c in comps)])
                return None
            count = {int(c.shape[0]) for c in comps}
            if len(count) != 1:
                raise KernelError(f"QueueEnqueueManyV2: every component needs the same first dimension, got "
                                  f"{sorted(count)}")
            n = count.pop()
            q.enqueue([tuple(xp.array(c[i], copy=True) for c in comps) for i in range(n)])
            return None
        return enqueue
    return make


def _dequeue_kernel(op: str):
    many, up_to = op != "QueueDequeueV2", op == "QueueDequeueUpToV2"

    def make(env: KernelEnv):
        shared, xp = _shared(env), env.xp

        def dequeue(handle, n=None):
            q = shared.lookup(handle)
            if not many:
                (item,) = q.dequeue(1)
                return item
            n = int(n)
            if n < 0:
                raise KernelError(f"Dequeue: n must be >= 0, got {n}")
            items = q.dequeue(n, up_to)
            if not items:
                if not q.shapes:
                    raise KernelError(f"{q.kind}'s DequeueMany and DequeueUpTo require the components to "
                                      "have specified shapes.")
                out = tuple(xp.zeros((0,) + tuple(s), dtype=_np_dtype(t)) for s, t in zip(q.shapes, q.types))
            else:
                out = tuple(xp.stack([it[k] for it in items]) for k in range(len(q.types)))
            return out
        return dequeue
    return make


def _np_dtype(dtype: str):
    return object if dtype == "string" else dtype


def _size_kernel(env: KernelEnv):
    shared, xp = _shared(env), env.xp

    def size(handle):
        return xp.asarray(shared.lookup(handle).size(), dtype="int32")
    return size


def _close_kernel(env: KernelEnv):
    shared, cancel = _shared(env), env.attrs["cancel_pending_enqueues"]

    def close(handle):
        shared.lookup(handle).close(cancel)
        return None
    return close


# ---- readers -----------------------------------------------------------------------------------

class Reader:
    """A reader's place: the file it reads (its bytes) and where the next record starts."""

    kind = "ReaderBase"

    def __init__(self, name: str) -> None:
        self.name = name
        self.work: str | None = None
        self.data = b""
        self.offset = 0
        self.index = 0

    def read(self, queue: Queue) -> tuple[bytes, bytes]:
        while True:
            if self.work is None:
                (item,) = queue.dequeue(1)
                self._start(_text(item[0]))
            record = self._next()
            if record is not None:
                return record
            self.work = None

    def _start(self, filename: str) -> None:
        try:
            with open(filename, "rb") as f:
                self.data = f.read()
        except FileNotFoundError:
            raise KernelError(f"{filename}; No such file or directory") from None
        except OSError as exc:
            raise KernelError(f"{filename}; {exc.strerror or exc}") from None
        self.work, self.offset, self.index = filename, 0, 0
        self.begin()

    def begin(self) -> None:
        pass

    def _next(self) -> tuple[bytes, bytes] | None:
        raise NotImplementedError


class FixedLengthReader(Reader):
    """FixedLengthRecordReader: skip `header_bytes`, then records of `record_bytes` each
    (`hop_bytes` apart when set) while one fits before the `footer_bytes`; key `file:k`."""

    def __init__(self, name: str, header: int, record: int, footer: int, hop: int) -> None:
        super().__init__(name)
        self.header, self.record, self.footer, self.hop = header, record, footer, hop

    def begin(self) -> None:
        self.offset = self.header

    def _next(self):
        end = len(self.data) - self.footer
        if self.offset + self.record > end:
            return None
        value = self.data[self.offset:self.offset + self.record]
        key = f"{self.work}:{self.index}".encode("utf-8")
        self.offset += self.hop if self.hop > 0 else self.record
        self.index += 1
        return key, value


class TFRecordReader(Reader):
    """TFRecordReader: records framed as length (uint64), its masked CRC-32C, data, the data's;
    key `file:offset` (where the record starts); TF's DataLoss messages (record_reader.cc)."""

    def _next(self):
        start = self.offset
        if start >= len(self.data):
            return None
        (length,) = _checksummed(self.data, start, 8)
        value = _checksummed(self.data, start + 12, None, length)
        self.offset = start + 12 + length + 4
        return f"{self.work}:{start}".encode("utf-8"), value


def _checksummed(data: bytes, offset: int, size: int | None, length: int = 0):
    """`size` 8: the uint64 length at offset; else `length` bytes; each followed by its masked
    CRC-32C, checked as TF's RecordReader::ReadChecksummed does."""
    import struct
    from idrun.tfrecord import masked_crc
    n = size or length
    if offset + n + 4 > len(data):
        raise KernelError(f"truncated record at {offset}")
    body = data[offset:offset + n]
    if struct.unpack_from("<I", data, offset + n)[0] != masked_crc(body):
        raise KernelError(f"corrupted record at {offset}")
    return struct.unpack("<Q", body) if size else body


def _text(value: Any) -> str:
    value = value.item() if hasattr(value, "item") else value
    return value.decode("utf-8", "surrogateescape") if isinstance(value, bytes) else str(value)


def _reader_kernel(make_reader):
    def make(env: KernelEnv):
        shared, node, a = _shared(env), env.node, env.attrs
        handle = _handle_value(node)

        def reader():
            if node not in shared.resources:
                shared.resources[node] = make_reader(shared.resource_name(node, a["shared_name"]), a)
            return handle
        return reader
    return make


def _read_kernel(env: KernelEnv):
    import numpy
    shared = _shared(env)

    def read(reader, queue):
        key, value = shared.lookup(reader, "reader").read(shared.lookup(queue))
        out = numpy.empty((), dtype=object), numpy.empty((), dtype=object)
        out[0][()], out[1][()] = key, value
        return out
    return read


def _decode_raw_kernel(env: KernelEnv):
    import numpy
    xp, out_type, little = env.xp, env.attrs["out_type"], env.attrs["little_endian"]
    dtype = numpy.dtype(out_type).newbyteorder("<" if little else ">") if out_type != "bool" else numpy.dtype(bool)
    size = dtype.itemsize

    def decode_raw(data):
        data = numpy.asarray(data, dtype=object)
        flat = [bytes(b) for b in data.reshape(-1)]
        width = len(flat[0]) if flat else 0
        for k, b in enumerate(flat):
            if len(b) != width:
                raise KernelError(f"DecodeRaw requires input strings to all be the same size, but element "
                                  f"{k} has size {len(b)} != {width}")
        if width % size:
            raise KernelError(f"Input to DecodeRaw has length {width} that is not a multiple of {size}, the "
                              f"size of {tf_name(out_type)}")
        values = numpy.frombuffer(b"".join(flat), dtype=dtype).astype(numpy.dtype(out_type) if out_type != "bool"
                                                                       else bool)
        return xp.asarray(values.reshape(data.shape + (width // size,)))
    return decode_raw


def _count_up_to_kernel(env: KernelEnv):
    from idrun.ops.state import _uninitialized
    xp, limit = env.xp, env.attrs["limit"]

    def count_up_to(cell):
        if cell.value is None:
            raise _uninitialized(env, cell)
        before = xp.array(cell.value, copy=True)
        if int(before) >= limit:
            raise OutOfRangeError(f"Reached limit of {limit}")
        if env.variables == "ref":
            cell.value += 1
        else:
            cell.value = cell.value + 1
        return before
    return count_up_to


# ---- import, export ------------------------------------------------------------------------------

def _tf_types(value) -> list:
    return [TFType(t) for t in value]


def _queue_attrs(name, a, ins, outs) -> dict:
    out = {"component_types": _tf_types(a["component_types"]),
           "shapes": [TFShape(s) for s in a["shapes"]], "capacity": a["capacity"],
           "container": a["container"], "shared_name": a["shared_name"]}
    if "min_after_dequeue" in a:
        seed, seed2 = tf_seeds(a["seed"], a["graph_seed"])
        out.update(min_after_dequeue=a["min_after_dequeue"], seed=seed, seed2=seed2)
    return out


def _queue_import(t, consts) -> dict:
    out = {"component_types": list(t["component_types"]), "shapes": list(t.get("shapes") or []),
           "capacity": int(t.get("capacity", -1)), "container": t.get("container", ""),
           "shared_name": t.get("shared_name", "")}
    if "min_after_dequeue" in t:
        out.update(min_after_dequeue=int(t["min_after_dequeue"]), **_import_seeds(t))
    return out


def _raw(op: str, args: str, c, extra: str = "") -> str:
    return f"tf.raw_ops.{op}({args}{extra}{', name=' + repr(c.name) if c.name else ''})"


def _queue_tf(op: str):
    def write(c) -> str:
        a = c.attrs
        types = "[" + ", ".join(f"tf.{t}" for t in a["component_types"] or []) + "]"
        extra = f", min_after_dequeue={a['min_after_dequeue']!r}" if "min_after_dequeue" in a else ""
        if "min_after_dequeue" in a:
            seed, seed2 = tf_seeds(a["seed"], a["graph_seed"])
            extra += f", seed={seed}, seed2={seed2}"
        return _raw(op, f"component_types={types}, shapes={a['shapes']!r}, capacity={a['capacity']!r}", c,
                    extra)
    return write


_QUEUE_ATTRS = (attr("component_types", check=_component_types, doc="the dtype of each component"),
                attr("shapes", [], _shapes, "the shape of each component ([]: unspecified)"),
                attr("capacity", -1, checks.integer, "the most elements it holds (-1: no limit)"),
                attr("container", "", checks.text), attr("shared_name", "", checks.text))
_READER_ATTRS = (attr("container", "", checks.text), attr("shared_name", "", checks.text))
_QUEUE_FACTS = dict(stateful=True, gpu=False)


def _enqueue_op(name: str, tf_op: str, many: bool, doc: str) -> OpDef:
    return OpDef(name, tf_op, ("components",), _enqueue_infer(many), _enqueue_kernel(many), doc,
                 attrs=(attr("timeout_ms", -1, checks.integer),), variadic=True, **_QUEUE_FACTS,
                 tf=lambda c: _raw(tf_op, f"handle={c.args[0]}, components=[{', '.join(c.args[1:])}]", c),
                 tf_op=tf_op, tf_attrs=lambda n, a, i, o: {"Tcomponents": [TFType(t.dtype) for t in i[1:]],
                                                           "timeout_ms": a["timeout_ms"]},
                 tf_import=lambda t, c: {"timeout_ms": int(t.get("timeout_ms", -1))})


def _dequeue_op(name: str, tf_op: str, doc: str) -> OpDef:
    many = tf_op != "QueueDequeueV2"
    inputs = ("handle", "n") if many else ("handle",)
    return OpDef(name, tf_op, inputs, _dequeue_infer(tf_op), _dequeue_kernel(tf_op), doc,
                 attrs=(attr("component_types", check=_component_types), attr("timeout_ms", -1, checks.integer)),
                 multi_output=True, effect="dequeue", **_QUEUE_FACTS,
                 tf=lambda c: _raw(tf_op, ", ".join([f"handle={c.args[0]}"] + ([f"n={c.args[1]}"] if many else [])
                                                    + ["component_types=["
                                                       + ", ".join(f"tf.{t}" for t in
                                                                   c.attrs["component_types"] or []) + "]"]), c),
                 tf_op=tf_op, tf_attrs=lambda n, a, i, o: {"component_types": _tf_types(a["component_types"]),
                                                           "timeout_ms": a["timeout_ms"]},
                 tf_import=lambda t, c: {"component_types": list(t["component_types"]),
                                         "timeout_ms": int(t.get("timeout_ms", -1))})


OPS = [
    OpDef("fifo_queue", "fifo_queue", (), _queue_infer, _queue_kernel,
          "TF's FIFOQueue: made by its first run, kept by the session; yields its handle.",
          attrs=_QUEUE_ATTRS, **_QUEUE_FACTS, tf=_queue_tf("FIFOQueueV2"), tf_op="FIFOQueueV2",
          tf_attrs=_queue_attrs, tf_import=_queue_import),
    OpDef("random_shuffle_queue", "random_shuffle_queue", (), _queue_infer, _queue_kernel,
          "TF's RandomShuffleQueue: dequeues in TF's seeded random order, keeping min_after_dequeue.",
          attrs=_QUEUE_ATTRS + (attr("min_after_dequeue", 0, checks.integer),
                                attr("seed", None, checks.integer, "TF's op seed"),
                                attr("graph_seed", None, checks.integer, "the graph's seed")),
          **_QUEUE_FACTS, tf=_queue_tf("RandomShuffleQueueV2"), tf_op="RandomShuffleQueueV2",
          tf_attrs=_queue_attrs, tf_import=_queue_import),
    _enqueue_op("queue_enqueue", "QueueEnqueueV2", False,
                "Enqueue one element (the handle, then one tensor per component)."),
    _enqueue_op("queue_enqueue_many", "QueueEnqueueManyV2", True,
                "Enqueue the rows of each component (the handle, then one tensor per component)."),
    _dequeue_op("queue_dequeue", "QueueDequeueV2",
                "Dequeue one element; runs the queue's runner when the queue holds too few."),
    _dequeue_op("queue_dequeue_many", "QueueDequeueManyV2",
                "Dequeue n elements, stacked; runs the queue's runner when the queue holds too few."),
    _dequeue_op("queue_dequeue_up_to", "QueueDequeueUpToV2",
                "Dequeue n elements, or what is left of a closed queue (allow_smaller_final_batch)."),
    OpDef("queue_close", "QueueCloseV2", ("handle",), _close_infer, _close_kernel,
          "Close a queue: enqueues fail, dequeues take what is left.",
          attrs=(attr("cancel_pending_enqueues", False, checks.boolean),), **_QUEUE_FACTS,
          tf=lambda c: _raw("QueueCloseV2", f"handle={c.args[0]}", c,
                            f", cancel_pending_enqueues={c.attrs['cancel_pending_enqueues']!r}"),
          tf_op="QueueCloseV2", tf_attrs=lambda n, a, i, o: {"cancel_pending_enqueues":
                                                             a["cancel_pending_enqueues"]},
          tf_import=lambda t, c: {"cancel_pending_enqueues": bool(t.get("cancel_pending_enqueues", False))}),
    OpDef("queue_size", "QueueSizeV2", ("handle",), _size_infer, _size_kernel,
          "The number of elements in a queue now (int32).", **_QUEUE_FACTS,
          tf=lambda c: _raw("QueueSizeV2", f"handle={c.args[0]}", c), tf_op="QueueSizeV2",
          tf_attrs=lambda n, a, i, o: {}, tf_import=lambda t, c: {}),
    OpDef("fixed_length_record_reader", "FixedLengthRecordReaderV2", (), _reader_infer,
          _reader_kernel(lambda name, a: FixedLengthReader(name, a["header_bytes"], a["record_bytes"],
                                                           a["footer_bytes"], a["hop_bytes"])),
          "TF's FixedLengthRecordReader: records of record_bytes after header_bytes; yields its handle.",
          attrs=(attr("record_bytes", check=checks.positive), attr("header_bytes", 0, checks.integer),
                 attr("footer_bytes", 0, checks.integer), attr("hop_bytes", 0, checks.integer),
                 attr("encoding", "", checks.text)) + _READER_ATTRS, **_QUEUE_FACTS,
          tf=lambda c: _raw("FixedLengthRecordReaderV2", ", ".join(
              f"{k}={c.attrs[k]!r}" for k in ("record_bytes", "header_bytes", "footer_bytes", "hop_bytes")), c),
          tf_op="FixedLengthRecordReaderV2",
          tf_attrs=lambda n, a, i, o: {k: a[k] for k in ("header_bytes", "record_bytes", "footer_bytes",
                                                         "hop_bytes", "container", "shared_name", "encoding")},
          tf_import=lambda t, c: {k: t.get(k, d) for k, d in (("record_bytes", None), ("header_bytes", 0),
                                                             ("footer_bytes", 0), ("hop_bytes", 0),
                                                             ("encoding", ""), ("container", ""),
                                                             ("shared_name", ""))}),
    OpDef("tf_record_reader", "TFRecordReaderV2", (), _reader_infer,
          _reader_kernel(lambda name, a: TFRecordReader(name)),
          "TF's TFRecordReader: the records of TFRecord files, uncompressed; yields its handle.",
          attrs=(attr("compression_type", "", checks.text),) + _READER_ATTRS, **_QUEUE_FACTS,
          tf=lambda c: _raw("TFRecordReaderV2", "", c).replace("(, ", "("), tf_op="TFRecordReaderV2",
          tf_attrs=lambda n, a, i, o: {k: a[k] for k in ("container", "shared_name", "compression_type")},
          tf_import=lambda t, c: {k: t.get(k, "") for k in ("compression_type", "container", "shared_name")}),
    OpDef("reader_read", "ReaderReadV2", ("reader_handle", "queue_handle"), _read_infer, _read_kernel,
          "The reader's next (key, value) record; takes the next filename from the queue when a file ends.",
          multi_output=True, effect="dequeue", **_QUEUE_FACTS,
          tf=lambda c: _raw("ReaderReadV2", f"reader_handle={c.args[0]}, queue_handle={c.args[1]}", c),
          tf_op="ReaderReadV2", tf_attrs=lambda n, a, i, o: {}, tf_import=lambda t, c: {}),
    OpDef("decode_raw", "DecodeRaw", ("bytes",), _decode_raw_infer, _decode_raw_kernel,
          "Each string's bytes as numbers of out_type (a new last dimension).",
          attrs=(attr("out_type", check=checks.dtype), attr("little_endian", True, checks.boolean)), gpu=False,
          tf=lambda c: f"tf.io.decode_raw({c.args[0]}, tf.{c.attrs['out_type']}, "
                       f"little_endian={c.attrs['little_endian']!r}{c.kw})",
          tf_op="DecodeRaw", tf_attrs=lambda n, a, i, o: {"out_type": TFType(a["out_type"]),
                                                          "little_endian": a["little_endian"]},
          tf_import=lambda t, c: {"out_type": t["out_type"], "little_endian": bool(t.get("little_endian", True))},
          grad=no_gradient),   # TF: NotDifferentiable
    OpDef("count_up_to", "ResourceCountUpTo", ("ref",), _count_up_to_infer, _count_up_to_kernel,
          "Increment an int variable until limit (then OutOfRange); yields its value before.",
          attrs=(attr("limit", check=checks.integer),), ref_inputs=(0,), stateful=True, gpu=False,
          ref_colocated=True, variable_group=True, effect="write",
          tf=lambda c: f"tf1.count_up_to({c.args[0]}, {c.attrs['limit']!r}{c.kw})",
          tf_op="ResourceCountUpTo", tf_ref_op="CountUpTo",
          tf_attrs=lambda n, a, i, o: {"limit": a["limit"], "T": TFType(i[0].dtype)},
          tf_import=lambda t, c: {"limit": int(t["limit"])}),
]

FAMILY = frozenset(op.name for op in OPS if op.name not in ("decode_raw", "count_up_to"))
assert all(t in DTYPES for t in DECODE_TYPES)
