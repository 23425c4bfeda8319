"""TensorArrays, stacks and TensorLists: the state `dynamic_rnn`, `tf.map_fn`, `tf.scan` and
their gradients keep across a while loop's iterations.

Control flow v1 (TensorArrayV3..., StackV2...): a TensorArray or a stack is a stateful
object. Its creating op returns a handle, here the Python object itself (`TensorArray`,
`Stack`), which flows through `enter`/`switch`/`merge` as any value does, and the ops that
take it mutate it. A TensorArray op also takes and returns a float scalar, the *flow*, that
only orders the ops on one array (TF's `flow_in` -> `flow_out`). Each run of the creating
op makes a new object: a step's arrays never leak into the next step.

Control flow v2 (TensorListReserve...): a TensorList is an immutable value (TF's DT_VARIANT);
here a Python tuple of arrays (None for an element not set yet) plus its element dtype and
shape (`TensorList`); an op that "changes" it returns a new one.

Semantics follow TF's CPU kernels (tensor_array.h/.cc, tensor_array_ops.cc, stack.cc,
list_kernels.h): a gradient array (TensorArrayGradV3) has the forward array's size and adds
repeated writes; an element not yet written reads as zeros when the element shape is fully
known; `clear_after_read` arrays forget an element once read.
"""

from __future__ import annotations

from typing import Any


from idrun.dtypes import RESOURCE, VARIANT
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFShape, TFType, attr
from idrun.ops.nn import raw_op
from idrun.records import setfield

FLOW = TensorType("float32", ())
INT32_SCALAR = TensorType("int32", ())


class HandleType(TensorType):
    """A TensorArray's handle: a scalar resource that also carries the element dtype and
    shape (TF's handle shape data), so that a read knows its output's shape."""

    __slots__ = ("element_dtype", "element_shape")
    element_dtype: str
    element_shape: tuple | None

    def __init__(self, element_dtype: str, element_shape: tuple | None, dtype: str = RESOURCE) -> None:
        super().__init__(dtype, ())
        setfield(self, "element_dtype", element_dtype)
        setfield(self, "element_shape", element_shape)


HandleType._key = lambda self: (self.dtype, self.shape, self.element_dtype, self.element_shape)
HandleType._repr_fields = ("dtype", "shape", "element_dtype", "element_shape")


def _shape(value) -> tuple | None:
    return None if value is None else tuple(value)


def _known(shape) -> bool:
    return shape is not None and all(d is not None and d >= 0 for d in shape)


def _compatible(a, b) -> bool:
    if a is None or b is None:
        return True
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _merged(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return tuple(x if x is not None else y for x, y in zip(a, b))


def _tf_shape(shape) -> TFShape | None:
    return None if shape is None else TFShape(shape)


# ---- TensorArray (v1) ------------------------------------------------------------------------

class TensorArray:
    """One TensorArrayV3's state for one step."""

    def __init__(self, name: str, dtype: str, size: int, dynamic_size: bool, clear_after_read: bool,
                 element_shape, identical: bool, aggregate: bool = False) -> None:
        self.name, self.dtype, self.dynamic_size = name, dtype, dynamic_size
        self.clear_after_read, self.identical, self.aggregate = clear_after_read, identical, aggregate
        self.element_shape = _shape(element_shape)
        self.elements: list = [None] * size
        self.cleared = [False] * size
        self.closed = False
        self.grads: dict[str, TensorArray] = {}

    def _check(self, op: str) -> None:
        if self.closed:
            raise KernelError(f"TensorArray {self.name} has already been closed.")

    def write(self, index: int, value) -> None:
        import numpy
        self._check("write")
        value = numpy.asarray(value)
        if index < 0:
            raise KernelError(f"Tried to write to index {index} but array is not resizeable and size is: "
                              f"{len(self.elements)}")
        if index >= len(self.elements):
            if not self.dynamic_size:
                raise KernelError(f"Tried to write to index {index} but array is not resizeable and "
                                  f"size is: {len(self.elements)}")
            grow = index + 1 - len(self.elements)
            self.elements += [None] * grow
            self.cleared += [False] * grow
        if not _compatible(self.element_shape, value.shape):
            raise KernelError(f"Could not write to TensorArray index {index} because the value shape is "
                              f"{list(value.shape)} which is incompatible with the TensorArray's inferred "
                              f"element shape: {list(self.element_shape)} (consider setting "
                              "infer_shape=False).")
        if self.identical:
            self.element_shape = _merged(self.element_shape, value.shape) if self.element_shape is not None \
                else value.shape
        old = self.elements[index]
        if old is not None or self.cleared[index]:
            if not self.aggregate:
                raise KernelError(f"TensorArray {self.name}: Could not write to TensorArray index {index} "
                                  "because it has already been written to.")
            if old is not None:
                if old.shape != value.shape:
                    raise KernelError(f"Could not aggregate to TensorArray index {index} because the existing "
                                      f"shape is {list(old.shape)} but the new input shape is "
                                      f"{list(value.shape)}.")
                value = (old + value).astype(old.dtype, copy=False)
        self.elements[index] = numpy.array(value, copy=True)
        self.cleared[index] = False

    def read(self, index: int):
        import numpy
        self._check("read")
        if index < 0 or index >= len(self.elements):
            raise KernelError(f"Tried to read from index {index} but array size is: {len(self.elements)}")
        value = self.elements[index]
        if value is None:
            if self.cleared[index]:
                raise KernelError(f"TensorArray {self.name}: Could not read index {index} twice because it "
                                  "was cleared after a previous read (perhaps try setting clear_after_read = "
                                  "false?).")
            if not _known(self.element_shape):
                raise KernelError(f"TensorArray {self.name}: Could not read from TensorArray index {index}. "
                                  "Furthermore, the element shape is not fully defined: "
                                  f"{_shape_text(self.element_shape)}.  It is possible you are working "
                                  "with a resizeable TensorArray and stop_gradients is not allowing the "
                                  "gradients to be written.  If you set the full element_shape property "
                                  "on the forward TensorArray, the proper all-zeros tensor will be "
                                  "returned instead of incurring this error.")
            return numpy.zeros(self.element_shape, dtype=self.dtype)
        if self.clear_after_read:
            self.elements[index] = None
            self.cleared[index] = True
        return value

    def grad(self, source: str) -> "TensorArray":
        if source not in self.grads:
            self.grads[source] = TensorArray(f"{self.name}@{source}", self.dtype, len(self.elements), False,
                                             True, self.element_shape, self.identical, aggregate=True)
        return self.grads[source]


def _shape_text(shape) -> str:
    if shape is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _stacked(values: list, dtype: str, element_shape, what: str):
    import numpy
    if not values:
        if not _known(element_shape):
            raise KernelError(f"TensorArray has size zero, but element shape {_shape_text(element_shape)} is "
                              f"not fully defined. Currently only static shapes are supported when {what} "
                              "zero-size TensorArrays.")
        return numpy.zeros((0,) + tuple(element_shape), dtype=dtype)
    first = values[0].shape
    for k, v in enumerate(values[1:], 1):
        if v.shape != first:
            raise KernelError(f"TensorArray has inconsistent shapes.  Index 0 has shape: {list(first)} but "
                              f"index {k} has shape: {list(v.shape)}")
    return numpy.stack(values).astype(dtype, copy=False)


def _ta(handle: Any, node: str) -> TensorArray:
    if not isinstance(handle, TensorArray):
        raise KernelError(f"'{node}' needs a TensorArray handle, got {type(handle).__name__}")
    return handle


def _elem_type(types, pos: int = 0):
    t = types[pos]
    return t if isinstance(t, HandleType) else None


def _resource_input(types, pos: int, op: str) -> None:
    t = types[pos]
    if t is not None and t.dtype not in (RESOURCE, VARIANT):
        raise InferError(f"{op}'s handle must be a resource, got {t.dtype}")


def _index_scalar(t, op: str, what: str = "index") -> None:
    if t is not None and t.dtype != "int32":
        raise InferError(f"{op}'s {what} must be int32, got {t.dtype}")
    if t is not None and t.shape is not None and len(t.shape) != 0:
        raise InferError(f"Shape must be rank 0 but is rank {len(t.shape)} for {op}'s {what}")


def _flow_input(t, op: str) -> None:
    if t is not None and t.dtype != "float32":
        raise InferError(f"{op}'s flow_in must be float32, got {t.dtype}")


def _ta_infer(attrs, types, consts):
    _index_scalar(types[0], "TensorArrayV3", "size")
    return [HandleType(attrs["dtype"], _shape(attrs.get("element_shape"))), FLOW]


def _write_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayWriteV3")
    _index_scalar(types[1], "TensorArrayWriteV3")
    _flow_input(types[3], "TensorArrayWriteV3")
    h = _elem_type(types)
    if h is not None and types[2] is not None and types[2].dtype != h.element_dtype:
        raise InferError(f"TensorArray dtype is {h.element_dtype} but Op is trying to write dtype "
                         f"{types[2].dtype}")
    return [FLOW]


def _read_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayReadV3")
    _index_scalar(types[1], "TensorArrayReadV3")
    h = _elem_type(types)
    return [TensorType(attrs["dtype"], h.element_shape if h is not None else None)]


def _gather_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayGatherV3")
    idx = types[1]
    if idx is not None and idx.shape is not None and len(idx.shape) != 1:
        raise InferError(f"Shape must be rank 1 but is rank {len(idx.shape)} for TensorArrayGatherV3's indices")
    n = idx.shape[0] if idx is not None and idx.shape else None
    shape = _shape(attrs.get("element_shape"))
    h = _elem_type(types)
    if shape is None and h is not None:
        shape = h.element_shape
    return [TensorType(attrs["dtype"], None if shape is None else (n,) + shape)]


def _scatter_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayScatterV3")
    idx = types[1]
    if idx is not None and idx.shape is not None and len(idx.shape) != 1:
        raise InferError(f"Shape must be rank 1 but is rank {len(idx.shape)} for TensorArrayScatterV3's indices")
    _flow_input(types[3], "TensorArrayScatterV3")
    return [FLOW]


def _size_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArraySizeV3")
    return [INT32_SCALAR]


def _concat_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayConcatV3")
    rest = _shape(attrs.get("element_shape_except0"))
    return [TensorType(attrs["dtype"], None if rest is None else (None,) + rest), TensorType("int64", (None,))]


def _split_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArraySplitV3")
    return [FLOW]


def _close_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayCloseV3")
    return []


def _grad_infer(attrs, types, consts):
    _resource_input(types, 0, "TensorArrayGradV3")
    h = _elem_type(types)
    return [h if h is not None else TensorType(RESOURCE, ()), FLOW]


def _flow_out():
    import numpy
    return numpy.float32(0.0)


def _ta_kernel(env: KernelEnv):
    a, node = env.attrs, env.node

    def create(size):
        n = int(size)
        if n < 0:
            raise KernelError(f"Size should be >= 0, got {n}")
        return (TensorArray(a.get("tensor_array_name") or node, a["dtype"], n, bool(a["dynamic_size"]),
                            bool(a["clear_after_read"]), a.get("element_shape"),
                            bool(a["identical_element_shapes"])), _flow_out())
    return create


def _write_kernel(env: KernelEnv):
    node = env.node

    def write(handle, index, value, flow):
        _ta(handle, node).write(int(index), value)
        return _flow_out()
    return write


def _read_kernel(env: KernelEnv):
    node = env.node

    def read(handle, index, flow):
        return _ta(handle, node).read(int(index))
    return read


def _gather_kernel(env: KernelEnv):
    import numpy
    node, a = env.node, env.attrs

    def gather(handle, indices, flow):
        ta = _ta(handle, node)
        values = [ta.read(int(i)) for i in numpy.asarray(indices).reshape(-1)]
        shape = _shape(a.get("element_shape"))
        return _stacked(values, a["dtype"], shape if _known(shape) else ta.element_shape, "packing")
    return gather


def _scatter_kernel(env: KernelEnv):
    import numpy
    node = env.node

    def scatter(handle, indices, value, flow):
        ta = _ta(handle, node)
        value = numpy.asarray(value)
        indices = numpy.asarray(indices).reshape(-1)
        if value.ndim == 0 or value.shape[0] != len(indices):
            raise KernelError(f"Expected len(indices) == values.shape[0], but saw: {len(indices)} vs. "
                              f"{value.shape[0] if value.ndim else 0}")
        for k, i in enumerate(indices):
            ta.write(int(i), value[k])
        return _flow_out()
    return scatter


def _size_kernel(env: KernelEnv):
    import numpy
    node = env.node
    return lambda handle, flow: numpy.int32(len(_ta(handle, node).elements))


def _concat_kernel(env: KernelEnv):
    import numpy
    node, a = env.node, env.attrs

    def concat(handle, flow):
        ta = _ta(handle, node)
        values = [ta.read(i) for i in range(len(ta.elements))]
        lengths = numpy.array([v.shape[0] if v.ndim else 0 for v in values], dtype=numpy.int64)
        for k, v in enumerate(values):
            if v.ndim == 0:
                raise KernelError(f"Concat saw a scalar shape at index {k} but requires at least vectors.")
        if not values:
            rest = _shape(a.get("element_shape_except0"))
            if not _known(rest):
                raise KernelError("TensorArray has size zero, but element_shape_except0 "
                                  f"{_shape_text(rest)} is not fully defined. Currently only static shapes "
                                  "are supported when concatenating zero-size TensorArrays.")
            return numpy.zeros((0,) + rest, dtype=a["dtype"]), lengths
        return numpy.concatenate(values).astype(a["dtype"], copy=False), lengths
    return concat


def _split_kernel(env: KernelEnv):
    import numpy
    node = env.node

    def split(handle, value, lengths, flow):
        ta = _ta(handle, node)
        value = numpy.asarray(value)
        lengths = [int(n) for n in numpy.asarray(lengths).reshape(-1)]
        if value.ndim == 0:
            raise KernelError("Expected value to be at least a vector, but received shape: []")
        if sum(lengths) != value.shape[0]:
            raise KernelError(f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths "
                              f"is {sum(lengths)} and value's shape is: {list(value.shape)}")
        start = 0
        for k, n in enumerate(lengths):
            ta.write(k, value[start:start + n])
            start += n
        return _flow_out()
    return split


def _closer(lookup):
    """A close kernel: later ops on the array or stack `lookup` finds fail."""
    def make(env: KernelEnv):
        node = env.node

        def close(handle):
            lookup(handle, node).closed = True
            return None
        return close
    return make


def _grad_kernel(env: KernelEnv):
    node, source = env.node, env.attrs["source"]

    def grad(handle, flow):
        return _ta(handle, node).grad(source), _flow_out()
    return grad


# ---- stacks (v1 gradients' accumulators) -------------------------------------------------------

class Stack:
    def __init__(self, name: str, dtype: str, max_size: int) -> None:
        self.name, self.dtype, self.max_size = name, dtype, max_size
        self.values: list = []
        self.closed = False


def _stack(handle: Any, node: str) -> Stack:
    if not isinstance(handle, Stack):
        raise KernelError(f"'{node}' needs a stack handle, got {type(handle).__name__}")
    if handle.closed:
        raise KernelError(f"Stack[{handle.name}] has already been closed.")
    return handle


def _stack_infer(attrs, types, consts):
    _index_scalar(types[0], "StackV2", "max_size")
    return [HandleType(attrs["elem_type"], None)]


def _push_infer(attrs, types, consts):
    _resource_input(types, 0, "StackPushV2")
    return [types[1]]


def _pop_infer(attrs, types, consts):
    _resource_input(types, 0, "StackPopV2")
    return [TensorType(attrs["elem_type"], None)]


def _stack_kernel(env: KernelEnv):
    a, node = env.attrs, env.node
    return lambda max_size: Stack(a.get("stack_name") or node, a["elem_type"], int(max_size))


def _push_kernel(env: KernelEnv):
    import numpy
    node = env.node

    def push(handle, elem):
        stack = _stack(handle, node)
        if 0 <= stack.max_size <= len(stack.values):
            raise KernelError(f"Stack[{stack.name}] overflowed its max_size ({stack.max_size})")
        value = numpy.array(elem, copy=True)
        stack.values.append(value)
        return value
    return push


def _pop_kernel(env: KernelEnv):
    node = env.node

    def pop(handle):
        stack = _stack(handle, node)
        if not stack.values:
            raise KernelError(f"Stack[{stack.name}] is empty when calling Pop().")
        return stack.values.pop()
    return pop


# ---- TensorList (v2) --------------------------------------------------------------------------

class TensorList:
    """An immutable list of tensors (TF's TensorList variant): `items` (None where unset)."""

    __slots__ = ("items", "dtype", "element_shape", "max_size")

    def __init__(self, items: tuple, dtype: str, element_shape, max_size: int = -1) -> None:
        self.items, self.dtype, self.element_shape, self.max_size = tuple(items), dtype, element_shape, max_size

    def replace(self, items) -> "TensorList":
        return TensorList(tuple(items), self.dtype, self.element_shape, self.max_size)


def _list(value: Any, node: str) -> TensorList:
    if not isinstance(value, TensorList):
        raise KernelError(f"'{node}' needs a TensorList, got {type(value).__name__}")
    return value


def _shape_arg(value) -> tuple | None:
    """A TensorList op's element_shape input: -1 (scalar) for unknown rank, -1 dims unknown."""
    import numpy
    arr = numpy.asarray(value)
    if arr.ndim == 0:
        return None if int(arr) == -1 else ()
    return tuple(None if int(d) < 0 else int(d) for d in arr.reshape(-1))


def _const_shape(consts, pos: int):
    value = consts[pos] if pos < len(consts) else None
    return None if value is None else _shape_arg(value)


def _list_type(dtype: str, shape) -> HandleType:
    return HandleType(dtype, shape, VARIANT)


def _elem_of(types, pos: int = 0):
    t = types[pos] if pos < len(types) else None
    return t.element_shape if isinstance(t, HandleType) else None


def _zeros_for(lst: TensorList, shape_hint, index: int):
    import numpy
    shape = _merged(lst.element_shape, shape_hint) if lst.element_shape is not None else shape_hint
    if not _known(shape):
        raise KernelError(f"Trying to read an uninitialized tensor but element_shape is not fully defined: "
                          f"{_shape_text(shape)} and no list element is set.")
    return numpy.zeros(shape, dtype=lst.dtype)


def _reserve_infer(attrs, types, consts):
    return [_list_type(attrs["element_dtype"], _const_shape(consts, 0))]


def _reserve_kernel(env: KernelEnv):
    dtype = env.attrs["element_dtype"]

    def reserve(element_shape, num_elements):
        n = int(num_elements)
        if n < 0:
            raise KernelError(f"The num_elements to reserve must be a non negative number, but got {n}")
        return TensorList((None,) * n, dtype, _shape_arg(element_shape))
    return reserve


def _empty_infer(attrs, types, consts):
    return [_list_type(attrs["element_dtype"], _const_shape(consts, 0))]


def _empty_kernel(env: KernelEnv):
    dtype = env.attrs["element_dtype"]
    return lambda element_shape, max_num_elements: TensorList((), dtype, _shape_arg(element_shape),
                                                              int(max_num_elements))


def _from_tensor_infer(attrs, types, consts):
    t = types[0]
    shape = None if t is None or t.shape is None else tuple(t.shape[1:])
    return [_list_type(attrs["element_dtype"], _merged(shape, _const_shape(consts, 1)))]


def _from_tensor_kernel(env: KernelEnv):
    import numpy
    dtype = env.attrs["element_dtype"]

    def from_tensor(tensor, element_shape):
        arr = numpy.asarray(tensor)
        if arr.ndim == 0:
            raise KernelError("Tensor must be at least a vector, but saw shape: []")
        shape = _shape_arg(element_shape)   # the list keeps the shape given (TF: [-1] stays [-1])
        if not _compatible(shape, arr.shape[1:]):
            raise KernelError(f"Specified a list with shape {_shape_text(shape)} from a tensor with shape "
                              f"{_shape_text(arr.shape)}")
        return TensorList(tuple(numpy.array(r, copy=True) for r in arr), dtype, shape)
    return from_tensor


def _set_item_infer(attrs, types, consts):
    return [types[0]]


def _set_item_kernel(env: KernelEnv):
    import numpy
    node, resize = env.node, env.attrs.get("resize_if_index_out_of_bounds", False)

    def set_item(handle, index, item):
        lst = _list(handle, node)
        i = int(index)
        if resize and i >= len(lst.items):   # a dynamic_size TensorArray in TF 2
            lst = lst.replace(lst.items + (None,) * (i + 1 - len(lst.items)))
        if i < 0 or i >= len(lst.items):
            raise KernelError(f"Trying to modify element {i} in a list with {len(lst.items)} elements.")
        item = numpy.asarray(item)
        if lst.element_shape is not None and not _compatible(lst.element_shape, item.shape):
            raise KernelError(f"Incompatible shapes in SetItem: list {_shape_text(lst.element_shape)} vs. "
                              f"item {_shape_text(item.shape)}")
        items = list(lst.items)
        items[i] = numpy.array(item, copy=True)
        return lst.replace(items)
    return set_item


def _get_item_infer(attrs, types, consts):
    shape = _merged(_elem_of(types), _const_shape(consts, 2))
    return [TensorType(attrs["element_dtype"], shape)]


def _get_item_kernel(env: KernelEnv):
    node = env.node

    def get_item(handle, index, element_shape):
        lst = _list(handle, node)
        i = int(index)
        if i < 0 or i >= len(lst.items):
            raise KernelError(f"Trying to access element {i} in a list with {len(lst.items)} elements.")
        value = lst.items[i]
        return value if value is not None else _zeros_for(lst, _shape_arg(element_shape), i)
    return get_item


def _stack_list_infer(attrs, types, consts):
    shape = _merged(_elem_of(types), _const_shape(consts, 1))
    n = attrs.get("num_elements", -1)
    return [TensorType(attrs["element_dtype"], None if shape is None else (None if n < 0 else n,) + shape)]


def _stack_list_kernel(env: KernelEnv):
    import numpy
    node, dtype = env.node, env.attrs["element_dtype"]

    def stack(handle, element_shape):
        lst = _list(handle, node)
        hint = _shape_arg(element_shape)
        values = [v if v is not None else _zeros_for(lst, hint, k) for k, v in enumerate(lst.items)]
        if not values:
            shape = _merged(lst.element_shape, hint) if lst.element_shape is not None else hint
            if not _known(shape):
                raise KernelError("Tried to stack elements of an empty list with non-fully-defined "
                                  f"element_shape: {_shape_text(shape)}")
            return numpy.zeros((0,) + tuple(shape), dtype=dtype)
        return _stacked(values, dtype, None, "stacking")
    return stack


def _concat_list_infer(attrs, types, consts):
    shape = _merged(_elem_of(types), _const_shape(consts, 1))
    return [TensorType(attrs["element_dtype"], None if shape is None else (None,) + tuple(shape[1:])),
            TensorType("int64", (None,))]


def _concat_list_kernel(env: KernelEnv):
    node, dtype = env.node, env.attrs["element_dtype"]

    def concat(handle, element_shape, leading_dims):
        import numpy
        lst = _list(handle, node)
        shape = _shape_arg(element_shape)
        leading = [int(d) for d in numpy.asarray(leading_dims).reshape(-1)]
        values = []
        for k, v in enumerate(lst.items):
            if v is None:   # unset: zeros of the element shape, else its first dim from leading_dims
                known = _merged(lst.element_shape, shape)
                dims = known if _known(known) or not known or k >= len(leading) else \
                    (leading[k],) + tuple(known[1:])
                v = _zeros_for(lst, dims, k)
            if v.ndim == 0:
                raise KernelError("Concat requires elements to be at least vectors, found scalars instead.")
            values.append(v)
        lengths = numpy.array([v.shape[0] for v in values], dtype=numpy.int64)
        if not values:
            if shape is None or not _known(shape[1:]):
                raise KernelError("All except the first dimension must be fully defined when concating an "
                                  f"empty tensor list. element_shape: {_shape_text(shape)}")
            return numpy.zeros((0,) + tuple(shape[1:]), dtype=dtype), lengths
        return numpy.concatenate(values).astype(dtype, copy=False), lengths
    return concat


def _split_list_infer(attrs, types, consts):
    return [_list_type(attrs["element_dtype"], _const_shape(consts, 1))]


def _split_list_kernel(env: KernelEnv):
    dtype = env.attrs["element_dtype"]

    def split(tensor, element_shape, lengths):
        import numpy
        arr = numpy.asarray(tensor)
        lengths = [int(n) for n in numpy.asarray(lengths).reshape(-1)]
        if arr.ndim == 0:
            raise KernelError("Tensor must be at least a vector, but saw shape: []")
        if sum(lengths) != arr.shape[0]:
            raise KernelError(f"Unused values in tensor. Length of tensor: {arr.shape[0]} Values used: "
                              f"{sum(lengths)}")
        starts = numpy.cumsum([0] + lengths[:-1])
        return TensorList(tuple(numpy.array(arr[a:a + n], copy=True) for a, n in zip(starts, lengths)), dtype,
                          _shape_arg(element_shape))
    return split


def _push_back_kernel(env: KernelEnv):
    import numpy
    node = env.node

    def push_back(handle, tensor):
        lst = _list(handle, node)
        if 0 <= lst.max_size <= len(lst.items):
            raise KernelError(f"Tried to push item into a full list list size: {len(lst.items)}, max "
                              f"number of elements: {lst.max_size}")
        return lst.replace(lst.items + (numpy.array(tensor, copy=True),))
    return push_back


def _pop_back_infer(attrs, types, consts):
    shape = _merged(_elem_of(types), _const_shape(consts, 1))
    return [types[0], TensorType(attrs["element_dtype"], shape)]


def _pop_back_kernel(env: KernelEnv):
    node = env.node

    def pop_back(handle, element_shape):
        lst = _list(handle, node)
        if not lst.items:
            raise KernelError("Trying to pop from an empty list.")
        value = lst.items[-1]
        if value is None:
            value = _zeros_for(lst, _shape_arg(element_shape), len(lst.items) - 1)
        return lst.replace(lst.items[:-1]), value
    return pop_back


def _length_kernel(env: KernelEnv):
    import numpy
    node = env.node
    return lambda handle: numpy.int32(len(_list(handle, node).items))


def _element_shape_infer(attrs, types, consts):
    shape = _elem_of(types)
    return [TensorType(attrs["shape_type"], None if shape is None else (len(shape),))]


def _element_shape_kernel(env: KernelEnv):
    import numpy
    node, dtype = env.node, env.attrs["shape_type"]

    def element_shape(handle):
        shape = _list(handle, node).element_shape
        if shape is None:
            return numpy.array(-1, dtype=dtype)
        return numpy.array([-1 if d is None else d for d in shape], dtype=dtype)
    return element_shape


def _lists_infer(attrs, types, consts):
    known = [t for t in types if isinstance(t, HandleType)]
    if any(t is not None and t.dtype != VARIANT for t in types):
        raise InferError("expected TensorLists (variants), got " + ", ".join(t.dtype for t in types if t is not None))
    return [known[0] if known else TensorType(VARIANT, ())]


def _list_zeros_like_kernel(env: KernelEnv):
    import numpy
    node = env.node

    def zeros_like(handle):
        lst = _list(handle, node)
        return lst.replace(None if v is None else numpy.zeros_like(v) for v in lst.items)
    return zeros_like


def _list_add_n_kernel(env: KernelEnv):
    node = env.node

    def add(a: TensorList, b: TensorList) -> TensorList:
        if a.dtype != b.dtype:
            raise KernelError(f"Trying to add two lists of tensors of different dtypes. One is {a.dtype} and "
                              f"the other is {b.dtype}")
        if len(a.items) != len(b.items):
            raise KernelError(f"Trying to add two lists of tensors with different lengths. One is "
                              f"{len(a.items)} and the other is {len(b.items)}")
        items = []
        for x, y in zip(a.items, b.items):   # an unset element takes the other's (TensorListBinaryAdd)
            if x is None or y is None:
                items.append(y if x is None else x)
            elif x.shape != y.shape:
                raise KernelError(f"Trying to add two tensors with incompatible element shapes. One is "
                                  f"{list(x.shape)} and the other is {list(y.shape)}")
            else:
                items.append(x + y)
        return a.replace(items)

    def add_n(*lists):
        out = _list(lists[0], node)
        for other in lists[1:]:
            out = add(out, _list(other, node))
        return out
    return add_n


def _variant_t(n, a, i, o) -> dict:
    return {"T": TFType("DT_VARIANT")}


# ---- the registry's entries -------------------------------------------------------------------

def _t(key: str, pos: int):
    """TF's attribute `key`: the dtype of input `pos`."""
    return lambda n, a, i, o: {key: TFType(i[pos].dtype)}


def _dtype_attr(n, a, i, o) -> dict:
    return {"dtype": TFType(a["dtype"])}


def _import_dtype(t, c) -> dict:
    return {"dtype": t["dtype"]}


def _ta_import(t, c) -> dict:
    return {"dtype": t["dtype"], "element_shape": t.get("element_shape"),
            "dynamic_size": bool(t.get("dynamic_size", False)), "clear_after_read": bool(t.get("clear_after_read", True)),
            "identical_element_shapes": bool(t.get("identical_element_shapes", False)),
            "tensor_array_name": t.get("tensor_array_name", "")}


def _ta_attrs(n, a, i, o) -> dict:
    return {"dtype": TFType(a["dtype"]), "element_shape": _tf_shape(a["element_shape"]),
            "dynamic_size": a["dynamic_size"], "clear_after_read": a["clear_after_read"],
            "identical_element_shapes": a["identical_element_shapes"],
            "tensor_array_name": a["tensor_array_name"]}


def _gather_import(t, c) -> dict:
    return {"dtype": t["dtype"], "element_shape": t.get("element_shape")}


def _gather_attrs(n, a, i, o) -> dict:
    return {"dtype": TFType(a["dtype"]), "element_shape": _tf_shape(a["element_shape"])}


_ELEMENT_DTYPE = (attr("element_dtype", check=checks.dtype),)
_LIST_FACTS = dict(gpu=False, tf_import=lambda t, c: {"element_dtype": t["element_dtype"]},
                   tf_attrs=lambda n, a, i, o: {"element_dtype": TFType(a["element_dtype"])})
_STATE = dict(stateful=True, gpu=False)
_DTYPE = (attr("dtype", check=checks.dtype),)
# ---- gradients (TF's tensor_array_grad.py) ----------------------------------------------------

def _grad_source(g, op, ref) -> str:
    """TF's `_GetGradSource`: the gradients scope that made `ref` (its name up to the last part
    starting with `gradients`), which names the gradient TensorArray of that tf.gradients call."""
    tokens = ref.node.split("/")
    at = [i for i, t in enumerate(tokens) if t.startswith("gradients")]
    if not at:   # TF: ValueError "Expected op/tensor name to start with gradients"
        g.unsupported(op, f"a TensorArray's gradient needs a gradients scope whose name starts with "
                          f"'gradients', got '{ref.node}'")
    return "/".join(tokens[:at[-1] + 1])


def _grad_array(g, handle, flow, source):
    """`TensorArray(handle=handle, flow=flow).grad(source, flow)`: `TensorArrayGrad/TensorArrayGradV3`
    and its `gradient_flow` (an identity of the flow after it)."""
    grad = g.make("tensor_array_grad_v3", "TensorArrayGrad/TensorArrayGradV3", [handle, flow], {"source": source})
    return grad, g.make("identity", "TensorArrayGrad/gradient_flow", [flow], controls=[grad.node])


def _barrier(g, op, flow):
    """A write's and a scatter's gradient: `flow_out` (the forward flow) and the `write_barrier`
    after it, so that the gradient array is made after the last forward write."""
    flow_out = g.make("identity", "flow_out", [op.outputs[0]])
    return g.make("identity", "write_barrier", [flow], controls=[flow_out.node])


def _into_grad_array(op_name: str, short: str, what: str):
    """TF's `_TensorArrayReadGrad` (a write) and `_TensorArrayGatherGrad` (a scatter): the
    gradient put into the gradient array at the forward op's index or indices."""
    def grad(g, op, grads):
        handle, where, flow = op.inputs[:3]
        array, gflow = _grad_array(g, handle, flow, _grad_source(g, op, grads[0]))
        return [None, None, g.make(op_name, short, [array, where, grads[0], gflow])]
    grad.__doc__ = f"TF's gradient of a TensorArray {what}."
    return grad


def _from_grad_array(op_name: str, short: str, what: str):
    """TF's `_TensorArrayWriteGrad` (a read) and `_TensorArrayScatterGrad` (a gather): the value's
    gradient taken from the gradient array, after the forward flow (`write_barrier`)."""
    def grad(g, op, grads):
        handle, where, value = op.inputs[:3]
        flow = _barrier(g, op, grads[0])
        array, gflow = _grad_array(g, handle, flow, _grad_source(g, op, grads[0]))
        attrs = {"dtype": g.dtype(value)}
        if op_name == "tensor_array_gather_v3":   # TF: element_shape unknown
            attrs["element_shape"] = None
        return [None, None, g.make(op_name, short, [array, where, gflow], attrs), flow]
    grad.__doc__ = f"TF's gradient of a TensorArray {what}."
    return grad


_read_grad = _into_grad_array("tensor_array_write_v3", "TensorArrayWrite/TensorArrayWriteV3", "read")
_gather_grad = _into_grad_array("tensor_array_scatter_v3", "TensorArrayScatter/TensorArrayScatterV3", "gather")
_write_grad = _from_grad_array("tensor_array_read_v3", "TensorArrayReadV3", "write")
_scatter_grad = _from_grad_array("tensor_array_gather_v3", "TensorArrayGatherV3", "scatter")


_SHAPE_TYPE = lambda n, a, i, o: {"shape_type": TFType(i[0].dtype)}   # noqa: E731

OPS = [
    OpDef("tensor_array_v3", "TensorArrayV3", ("size",), _ta_infer, _ta_kernel,
          "A new TensorArray of `size` elements (each run makes a new one): its handle and flow "
          "(tf.TensorArray).", multi_output=True,
          attrs=(attr("dtype", check=checks.dtype), attr("element_shape", None, checks.shape),
                 attr("dynamic_size", False, checks.boolean), attr("clear_after_read", True, checks.boolean),
                 attr("identical_element_shapes", False, checks.boolean),
                 attr("tensor_array_name", "", checks.text)),
          tf_op="TensorArrayV3", tf_import=_ta_import, tf_attrs=_ta_attrs, **_STATE,
          tf=raw_op("TensorArrayV3", ("size",), lambda a: {k: a[k] for k in (
              "dtype", "element_shape", "dynamic_size", "clear_after_read", "identical_element_shapes",
              "tensor_array_name")})),
    OpDef("tensor_array_write_v3", "TensorArrayWriteV3", ("handle", "index", "value", "flow_in"),
          _write_infer, _write_kernel, "Write `value` at `index` of a TensorArray; returns the flow "
          "(TensorArray.write).", tf_op="TensorArrayWriteV3", tf_attrs=_t("T", 2),
          tf_import=lambda t, c: {}, grad=_write_grad, **_STATE,
          tf=raw_op("TensorArrayWriteV3", ("handle", "index", "value", "flow_in"))),
    OpDef("tensor_array_read_v3", "TensorArrayReadV3", ("handle", "index", "flow_in"), _read_infer,
          _read_kernel, "The element at `index` of a TensorArray (TensorArray.read); a "
          "clear_after_read array forgets it.", attrs=_DTYPE, tf_op="TensorArrayReadV3",
          tf_import=_import_dtype, tf_attrs=_dtype_attr, grad=_read_grad, **_STATE,
          tf=raw_op("TensorArrayReadV3", ("handle", "index", "flow_in"), lambda a: {"dtype": a["dtype"]})),
    OpDef("tensor_array_gather_v3", "TensorArrayGatherV3", ("handle", "indices", "flow_in"), _gather_infer,
          _gather_kernel, "The elements at `indices`, stacked (TensorArray.gather, .stack).",
          attrs=_DTYPE + (attr("element_shape", None, checks.shape),), tf_op="TensorArrayGatherV3",
          tf_import=_gather_import, tf_attrs=_gather_attrs, grad=_gather_grad, **_STATE,
          tf=raw_op("TensorArrayGatherV3", ("handle", "indices", "flow_in"),
                    lambda a: {"dtype": a["dtype"], "element_shape": a["element_shape"]})),
    OpDef("tensor_array_scatter_v3", "TensorArrayScatterV3", ("handle", "indices", "value", "flow_in"),
          _scatter_infer, _scatter_kernel, "Write row k of `value` at `indices[k]` (TensorArray.scatter, "
          ".unstack).", tf_op="TensorArrayScatterV3", tf_attrs=_t("T", 2), tf_import=lambda t, c: {},
          grad=_scatter_grad, **_STATE, tf=raw_op("TensorArrayScatterV3", ("handle", "indices", "value", "flow_in"))),
    OpDef("tensor_array_size_v3", "TensorArraySizeV3", ("handle", "flow_in"), _size_infer, _size_kernel,
          "A TensorArray's number of elements (TensorArray.size).", tf_op="TensorArraySizeV3",
          tf_attrs=lambda n, a, i, o: {}, tf_import=lambda t, c: {}, **_STATE,
          tf=raw_op("TensorArraySizeV3", ("handle", "flow_in"))),
    OpDef("tensor_array_concat_v3", "TensorArrayConcatV3", ("handle", "flow_in"), _concat_infer,
          _concat_kernel, "Every element concatenated along axis 0, and their lengths "
          "(TensorArray.concat).", multi_output=True,
          attrs=_DTYPE + (attr("element_shape_except0", None, checks.shape),), tf_op="TensorArrayConcatV3",
          tf_import=lambda t, c: {"dtype": t["dtype"], "element_shape_except0": t.get("element_shape_except0")},
          tf_attrs=lambda n, a, i, o: {"dtype": TFType(a["dtype"]),
                                       "element_shape_except0": _tf_shape(a["element_shape_except0"])},
          **_STATE, tf=raw_op("TensorArrayConcatV3", ("handle", "flow_in"),
                              lambda a: {"dtype": a["dtype"], "element_shape_except0": a["element_shape_except0"]})),
    OpDef("tensor_array_split_v3", "TensorArraySplitV3", ("handle", "value", "lengths", "flow_in"),
          _split_infer, _split_kernel, "Split `value` along axis 0 into elements of `lengths` rows "
          "(TensorArray.split).", tf_op="TensorArraySplitV3", tf_attrs=_t("T", 1),
          tf_import=lambda t, c: {}, **_STATE,
          tf=raw_op("TensorArraySplitV3", ("handle", "value", "lengths", "flow_in"))),
    OpDef("tensor_array_close_v3", "TensorArrayCloseV3", ("handle",), _close_infer, _closer(_ta),
          "Close a TensorArray: later ops on it fail (TensorArray.close).", tf_op="TensorArrayCloseV3",
          tf_attrs=lambda n, a, i, o: {}, tf_import=lambda t, c: {}, **_STATE,
          tf=raw_op("TensorArrayCloseV3", ("handle",))),
    OpDef("tensor_array_grad_v3", "TensorArrayGradV3", ("handle", "flow_in"), _grad_infer, _grad_kernel,
          "The gradient TensorArray of `handle` for `source` (made on first use: the same size, "
          "repeated writes add), and a flow (tf.gradients of TensorArray ops).", multi_output=True,
          attrs=(attr("source", check=checks.text),), tf_op="TensorArrayGradV3",
          tf_import=lambda t, c: {"source": t.get("source", "")},
          tf_attrs=lambda n, a, i, o: {"source": a["source"]}, **_STATE,
          tf=raw_op("TensorArrayGradV3", ("handle", "flow_in"), lambda a: {"source": a["source"]})),
    OpDef("stack_v2", "StackV2", ("max_size",), _stack_infer, _stack_kernel,
          "A new stack of `elem_type` values (each run makes a new one); max_size < 0: unbounded "
          "(v1 gradients keep a loop's forward values in one).",
          attrs=(attr("elem_type", check=checks.dtype), attr("stack_name", "", checks.text)),
          tf_op="StackV2", tf_import=lambda t, c: {"elem_type": t["elem_type"], "stack_name": t.get("stack_name", "")},
          tf_attrs=lambda n, a, i, o: {"elem_type": TFType(a["elem_type"]), "stack_name": a["stack_name"]},
          **_STATE, tf=raw_op("StackV2", ("max_size",), lambda a: {"elem_type": a["elem_type"],
                                                                  "stack_name": a["stack_name"]})),
    OpDef("stack_push_v2", "StackPushV2", ("handle", "elem"), _push_infer, _push_kernel,
          "Push `elem` on a stack; returns it.", attrs=(attr("swap_memory", False, checks.boolean),),
          tf_op="StackPushV2", tf_import=lambda t, c: {"swap_memory": bool(t.get("swap_memory", False))},
          tf_attrs=lambda n, a, i, o: {"T": TFType(i[1].dtype), "swap_memory": a["swap_memory"]}, **_STATE,
          tf=raw_op("StackPushV2", ("handle", "elem"), lambda a: {"swap_memory": a["swap_memory"]})),
    OpDef("stack_pop_v2", "StackPopV2", ("handle",), _pop_infer, _pop_kernel,
          "Pop the value last pushed on a stack.", attrs=(attr("elem_type", check=checks.dtype),),
          tf_op="StackPopV2", tf_import=lambda t, c: {"elem_type": t["elem_type"]},
          tf_attrs=lambda n, a, i, o: {"elem_type": TFType(a["elem_type"])}, **_STATE,
          tf=raw_op("StackPopV2", ("handle",), lambda a: {"elem_type": a["elem_type"]})),
    OpDef("stack_close_v2", "StackCloseV2", ("handle",), lambda a, t, c: [], _closer(_stack),
          "Close a stack.", tf_op="StackCloseV2", tf_attrs=lambda n, a, i, o: {},
          tf_import=lambda t, c: {}, **_STATE, tf=raw_op("StackCloseV2", ("handle",))),
    OpDef("tensor_list_reserve", "TensorListReserve", ("element_shape", "num_elements"), _reserve_infer,
          _reserve_kernel, "A TensorList of `num_elements` unset elements (TF 2's TensorArray in a "
          "while loop).", attrs=_ELEMENT_DTYPE,
          tf=raw_op("TensorListReserve", ("element_shape", "num_elements"),
                    lambda a: {"element_dtype": a["element_dtype"]}),
          tf_op="TensorListReserve", **{**_LIST_FACTS, "tf_attrs": lambda n, a, i, o: {
              "element_dtype": TFType(a["element_dtype"]), "shape_type": TFType(i[0].dtype)}}),
    OpDef("empty_tensor_list", "EmptyTensorList", ("element_shape", "max_num_elements"), _empty_infer,
          _empty_kernel, "An empty TensorList (max_num_elements < 0: unbounded).", attrs=_ELEMENT_DTYPE,
          tf=raw_op("EmptyTensorList", ("element_shape", "max_num_elements"),
                    lambda a: {"element_dtype": a["element_dtype"]}),
          tf_op="EmptyTensorList", **{**_LIST_FACTS, "tf_attrs": lambda n, a, i, o: {
              "element_dtype": TFType(a["element_dtype"]), "shape_type": TFType(i[0].dtype)}}),
    OpDef("tensor_list_from_tensor", "TensorListFromTensor", ("tensor", "element_shape"), _from_tensor_infer,
          _from_tensor_kernel, "A TensorList of the rows of `tensor` (TensorArray.unstack in TF 2).",
          attrs=_ELEMENT_DTYPE, tf=raw_op("TensorListFromTensor", ("tensor", "element_shape")),
          tf_op="TensorListFromTensor", **{**_LIST_FACTS, "tf_attrs": lambda n, a, i, o: {
              "element_dtype": TFType(a["element_dtype"]), "shape_type": TFType(i[1].dtype)}}),
    OpDef("tensor_list_set_item", "TensorListSetItem", ("input_handle", "index", "item"), _set_item_infer,
          _set_item_kernel, "The list with element `index` set to `item` (a new list; grown to hold it "
          "when `resize_if_index_out_of_bounds`).",
          attrs=_ELEMENT_DTYPE + (attr("resize_if_index_out_of_bounds", False, checks.boolean),),
          tf=raw_op("TensorListSetItem", ("input_handle", "index", "item"),
                    lambda a: {"resize_if_index_out_of_bounds": a["resize_if_index_out_of_bounds"]}),
          tf_op="TensorListSetItem", gpu=False,
          tf_import=lambda t, c: {"element_dtype": t["element_dtype"], "resize_if_index_out_of_bounds":
                                  bool(t.get("resize_if_index_out_of_bounds", False))},
          tf_attrs=lambda n, a, i, o: {"element_dtype": TFType(a["element_dtype"]),
                                       "resize_if_index_out_of_bounds": a["resize_if_index_out_of_bounds"]}),
    OpDef("tensor_list_concat_v2", "TensorListConcatV2", ("input_handle", "element_shape", "leading_dims"),
          _concat_list_infer, _concat_list_kernel, "A list's elements concatenated along axis 0, and "
          "their lengths (TensorArray.concat in TF 2).", attrs=_ELEMENT_DTYPE, multi_output=True,
          tf=raw_op("TensorListConcatV2", ("input_handle", "element_shape", "leading_dims"),
                    lambda a: {"element_dtype": a["element_dtype"]}),
          tf_op="TensorListConcatV2", **{**_LIST_FACTS, "tf_attrs": lambda n, a, i, o: {
              "element_dtype": TFType(a["element_dtype"]), "shape_type": TFType(i[1].dtype)}}),
    OpDef("tensor_list_split", "TensorListSplit", ("tensor", "element_shape", "lengths"), _split_list_infer,
          _split_list_kernel, "A list of pieces of `tensor` along axis 0, of `lengths` rows "
          "(TensorArray.split in TF 2).", attrs=_ELEMENT_DTYPE,
          tf=raw_op("TensorListSplit", ("tensor", "element_shape", "lengths")),
          tf_op="TensorListSplit", **{**_LIST_FACTS, "tf_attrs": lambda n, a, i, o: {
              "element_dtype": TFType(a["element_dtype"]), "shape_type": TFType(i[1].dtype)}}),
    OpDef("tensor_list_get_item", "TensorListGetItem", ("input_handle", "index", "element_shape"),
          _get_item_infer, _get_item_kernel, "Element `index` of a list (zeros if unset and its shape is "
          "known).", attrs=_ELEMENT_DTYPE,
          tf=raw_op("TensorListGetItem", ("input_handle", "index", "element_shape"),
                    lambda a: {"element_dtype": a["element_dtype"]}),
          tf_op="TensorListGetItem", **_LIST_FACTS),
    OpDef("tensor_list_stack", "TensorListStack", ("input_handle", "element_shape"), _stack_list_infer,
          _stack_list_kernel, "A list's elements, stacked (TensorArray.stack in TF 2).",
          attrs=_ELEMENT_DTYPE + (attr("num_elements", -1, checks.integer),),
          tf=raw_op("TensorListStack", ("input_handle", "element_shape"),
                    lambda a: {"element_dtype": a["element_dtype"], "num_elements": a["num_elements"]}),
          tf_op="TensorListStack", gpu=False,
          tf_import=lambda t, c: {"element_dtype": t["element_dtype"], "num_elements": int(t.get("num_elements", -1))},
          tf_attrs=lambda n, a, i, o: {"element_dtype": TFType(a["element_dtype"]),
                                       "num_elements": a["num_elements"]}),
    OpDef("tensor_list_push_back", "TensorListPushBack", ("input_handle", "tensor"), _set_item_infer,
          _push_back_kernel, "The list with `tensor` appended (a new list).", attrs=_ELEMENT_DTYPE,
          tf=raw_op("TensorListPushBack", ("input_handle", "tensor")), tf_op="TensorListPushBack",
          **_LIST_FACTS),
    OpDef("tensor_list_pop_back", "TensorListPopBack", ("input_handle", "element_shape"), _pop_back_infer,
          _pop_back_kernel, "The list without its last element, and that element.", attrs=_ELEMENT_DTYPE,
          multi_output=True, tf=raw_op("TensorListPopBack", ("input_handle", "element_shape"),
                                       lambda a: {"element_dtype": a["element_dtype"]}),
          tf_op="TensorListPopBack", **_LIST_FACTS),
    OpDef("tensor_list_zeros_like", "ZerosLike", ("input",), _lists_infer, _list_zeros_like_kernel,
          "A TensorList of zeros like each set element of `input` (TF's ZerosLike of a DT_VARIANT; "
          "TF 2's gradients of a While make one).", gpu=False, tf_op="ZerosLike", tf_attrs=_variant_t,
          tf="tf.zeros_like"),
    OpDef("tensor_list_add_n", "AddN", ("inputs",), _lists_infer, _list_add_n_kernel,
          "TensorLists of one length added element by element; an unset element takes the other's "
          "(TF's AddN of DT_VARIANTs).", variadic=True, gpu=False, tf_op="AddN",
          tf_attrs=lambda n, a, i, o: {"N": len(i), "T": TFType("DT_VARIANT")},
          tf=lambda c: f"tf.math.add_n([{', '.join(c.args)}]{c.kw})"),
    OpDef("tensor_list_length", "TensorListLength", ("input_handle",), lambda a, t, c: [INT32_SCALAR],
          _length_kernel, "A list's number of elements (int32).", gpu=False, tf_op="TensorListLength",
          tf_attrs=lambda n, a, i, o: {}, tf_import=lambda t, c: {},
          tf=raw_op("TensorListLength", ("input_handle",))),
    OpDef("tensor_list_element_shape", "TensorListElementShape", ("input_handle",), _element_shape_infer,
          _element_shape_kernel, "A list's element shape (-1 for an unknown dimension, scalar -1 for "
          "an unknown rank).", attrs=(attr("shape_type", "int32", checks.dtype),), gpu=False,
          tf_op="TensorListElementShape", tf_import=lambda t, c: {"shape_type": t.get("shape_type", "int32")},
          tf_attrs=lambda n, a, i, o: {"shape_type": TFType(a["shape_type"])},
          tf=raw_op("TensorListElementShape", ("input_handle",), lambda a: {"shape_type": a["shape_type"]})),
]
