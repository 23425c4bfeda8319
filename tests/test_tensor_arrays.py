"""TensorArrays, stacks and TensorLists (idrun/ops/tensor_arrays.py): the kernels against
TF 2.21's values, and the real programs that use them (dynamic_rnn, map_fn, scan and a
dynamic_rnn training step) imported and run against TF's records.

Kernel values come from TF's CPU kernels, called as `tf.raw_ops.<Op>` (quoted at each test:
graph mode, control flow v1, for TensorArray/stack ops; eager for TensorList ops). The
fixtures are written by scripts/graphdef_cases/rnn_loops.py (control flow v1:
tests/fixtures/graphdefs/rnn1_*) and rnn_loops_v2.py (TF 2's While + TensorList:
tests/fixtures/graphdefs_v2/rnn2_*)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from idrun.graph import TensorType
from idrun.ops import REGISTRY
from idrun.ops.opdef import InferError, KernelEnv, KernelError
from idrun.ops.tensor_arrays import HandleType, Stack, TensorArray, TensorList
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions
from idrun.tf.graphdef_import import import_graphdef
from idrun.views.jsondoc import result_document

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "tests" / "fixtures" / "graphdefs"
V2 = ROOT / "tests" / "fixtures" / "graphdefs_v2"


def kernel(op: str, node: str = "n", **attrs):
    opdef = REGISTRY[op]
    values = {a.name: a.default for a in opdef.attrs}
    values.update(attrs)
    return opdef.kernel(KernelEnv(np, values, (), (), (), node, "resource"))


def _array(size=3, **attrs):
    facts = dict(dtype="float32", element_shape=[2], clear_after_read=False, identical_element_shapes=True)
    facts.update(attrs)
    handle, flow = kernel("tensor_array_v3", "ta", **facts)(np.int32(size))
    assert isinstance(handle, TensorArray) and flow.dtype == np.float32
    return handle, flow


# ---- TensorArray (v1) ------------------------------------------------------------------------

def test_tensor_array_write_scatter_read_gather_size_concat():
    """TF: h, f = TensorArrayV3(size=3, float32, element_shape=[2], clear_after_read=False);
    f = TensorArrayWriteV3(h, 0, [1.5, -2.0], f); f = TensorArrayScatterV3(h, [2, 1],
    [[3, 4], [5, 6.25]], f); then ReadV3(h, 1) = [5, 6.25], GatherV3(h, [2, 0, 2]) =
    [[3, 4], [1.5, -2], [3, 4]], SizeV3 = 3, ConcatV3 = [1.5, -2, 5, 6.25, 3, 4], lengths [2, 2, 2]."""
    h, f = _array()
    f = kernel("tensor_array_write_v3")(h, np.int32(0), np.array([1.5, -2.0], np.float32), f)
    f = kernel("tensor_array_scatter_v3")(h, np.array([2, 1], np.int32),
                                          np.array([[3.0, 4.0], [5.0, 6.25]], np.float32), f)
    np.testing.assert_array_equal(kernel("tensor_array_read_v3", dtype="float32")(h, np.int32(1), f), [5.0, 6.25])
    got = kernel("tensor_array_gather_v3", dtype="float32", element_shape=[2])(h, np.array([2, 0, 2], np.int32), f)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [[3.0, 4.0], [1.5, -2.0], [3.0, 4.0]])
    assert kernel("tensor_array_size_v3")(h, f) == 3
    value, lengths = kernel("tensor_array_concat_v3", dtype="float32")(h, f)
    np.testing.assert_array_equal(value, [1.5, -2.0, 5.0, 6.25, 3.0, 4.0])
    assert lengths.dtype == np.int64 and lengths.tolist() == [2, 2, 2]


def test_a_gradient_array_adds_writes_and_reads_unwritten_elements_as_zeros():
    """TF: gh, gf = TensorArrayGradV3(h, f, source="g") of the array above; two writes at 1
    ([1, 2] then [0.5, 0.25]); GatherV3(gh, [0, 1]) = [[0, 0], [1.5, 2.25]]. The same source
    gives the same array again."""
    h, f = _array()
    grad = kernel("tensor_array_grad_v3", source="g")
    gh, gf = grad(h, f)
    write = kernel("tensor_array_write_v3")
    gf = write(gh, np.int32(1), np.array([1.0, 2.0], np.float32), gf)
    gf = write(gh, np.int32(1), np.array([0.5, 0.25], np.float32), gf)
    got = kernel("tensor_array_gather_v3", dtype="float32", element_shape=[2])(gh, np.array([0, 1], np.int32), gf)
    np.testing.assert_array_equal(got, [[0.0, 0.0], [1.5, 2.25]])
    assert grad(h, f)[0] is gh
    assert kernel("tensor_array_grad_v3", source="other")(h, f)[0] is not gh


def test_tensor_array_split_and_its_errors():
    """TF: h2 = TensorArrayV3(size=2, int32); SplitV3(h2, [1, 2, 3, 4, 5], lengths=[2, 3]);
    ReadV3(h2, 1) = [3, 4, 5]. A second write to an index: "TensorArray TensorArrayV3_3: Could
    not write to TensorArray index 0 because it has already been written to."; a second read
    of a clear_after_read array: "... Could not read index 0 twice because it was cleared
    after a previous read (perhaps try setting clear_after_read = false?)."."""
    h, f = kernel("tensor_array_v3", "ta", dtype="int32")(np.int32(2))
    f = kernel("tensor_array_split_v3")(h, np.array([1, 2, 3, 4, 5], np.int32), np.array([2, 3], np.int64), f)
    read = kernel("tensor_array_read_v3", dtype="int32")
    np.testing.assert_array_equal(read(h, np.int32(1), f), [3, 4, 5])
    with pytest.raises(KernelError, match="Could not write to TensorArray index 0 because it has already been"):
        kernel("tensor_array_write_v3")(h, np.int32(0), np.array([9], np.int32), f)
    read(h, np.int32(0), f)
    with pytest.raises(KernelError, match="Could not read index 0 twice because it was cleared"):
        read(h, np.int32(0), f)
    with pytest.raises(KernelError, match="not resizeable and size is: 2"):
        kernel("tensor_array_write_v3")(h, np.int32(5), np.array([9], np.int32), f)
    kernel("tensor_array_close_v3")(h)
    with pytest.raises(KernelError, match="has already been closed"):
        read(h, np.int32(1), f)


def test_each_run_of_tensor_array_v3_makes_a_new_array():
    create = kernel("tensor_array_v3", "ta", dtype="float32")
    assert create(np.int32(1))[0] is not create(np.int32(1))[0]


def test_tensor_array_shape_rules():
    handle = REGISTRY["tensor_array_v3"].infer({"dtype": "float32", "element_shape": [2, 5]},
                                                [TensorType("int32", ())], [None])[0]
    assert isinstance(handle, HandleType) and handle.element_shape == (2, 5)
    read = REGISTRY["tensor_array_read_v3"].infer({"dtype": "float32"}, [handle, TensorType("int32", ()),
                                                                         TensorType("float32", ())], [])
    assert read[0].shape == (2, 5)
    gather = REGISTRY["tensor_array_gather_v3"].infer({"dtype": "float32", "element_shape": None},
                                                      [handle, TensorType("int32", (4,)),
                                                       TensorType("float32", ())], [])
    assert gather[0].shape == (4, 2, 5)
    with pytest.raises(InferError, match="TensorArray dtype is float32 but Op is trying to write dtype int32"):
        REGISTRY["tensor_array_write_v3"].infer({}, [handle, TensorType("int32", ()), TensorType("int32", (2, 5)),
                                                     TensorType("float32", ())], [])
    with pytest.raises(InferError, match="Shape must be rank 0 but is rank 1"):
        REGISTRY["tensor_array_read_v3"].infer({"dtype": "float32"}, [handle, TensorType("int32", (3,)),
                                                                     TensorType("float32", ())], [])


# ---- stacks -----------------------------------------------------------------------------------

def test_stack_pushes_and_pops_last_in_first_out():
    """TF: st = StackV2(max_size=-1, float32); push [1, 2] then [3, 4]; pops give [3, 4] then
    [1, 2]; a pop of an empty stack: "Stack[s_1] is empty when calling Pop()."."""
    st = kernel("stack_v2", "s", elem_type="float32")(np.int32(-1))
    assert isinstance(st, Stack)
    push, pop = kernel("stack_push_v2"), kernel("stack_pop_v2", elem_type="float32")
    np.testing.assert_array_equal(push(st, np.array([1.0, 2.0], np.float32)), [1.0, 2.0])
    push(st, np.array([3.0, 4.0], np.float32))
    np.testing.assert_array_equal(pop(st), [3.0, 4.0])
    np.testing.assert_array_equal(pop(st), [1.0, 2.0])
    with pytest.raises(KernelError, match=r"Stack\[s\] is empty when calling Pop\(\)"):
        pop(st)
    kernel("stack_close_v2")(st)
    with pytest.raises(KernelError, match="has already been closed"):
        push(st, np.float32(1.0))


# ---- TensorList (v2) ----------------------------------------------------------------------------

def test_tensor_list_reserve_set_get_stack_length_element_shape():
    """TF (eager): l = TensorListReserve([2], 3, float32); l = TensorListSetItem(l, 1, [1.5, -2]);
    GetItem(l, 0, [2]) = [0, 0] (unset, shape known); Stack(l, [2]) = [[0, 0], [1.5, -2], [0, 0]];
    Length = 3; ElementShape = [2]. The list set is a new one: the reserved one stays unset."""
    reserved = kernel("tensor_list_reserve", element_dtype="float32")(np.array([2], np.int32), np.int32(3))
    lst = kernel("tensor_list_set_item", element_dtype="float32")(reserved, np.int32(1),
                                                                 np.array([1.5, -2.0], np.float32))
    assert isinstance(lst, TensorList) and reserved.items == (None, None, None)
    get = kernel("tensor_list_get_item", element_dtype="float32")
    np.testing.assert_array_equal(get(lst, np.int32(0), np.array([2], np.int32)), [0.0, 0.0])
    stacked = kernel("tensor_list_stack", element_dtype="float32")(lst, np.array([2], np.int32))
    assert stacked.dtype == np.float32
    np.testing.assert_array_equal(stacked, [[0.0, 0.0], [1.5, -2.0], [0.0, 0.0]])
    assert kernel("tensor_list_length")(lst) == 3
    np.testing.assert_array_equal(kernel("tensor_list_element_shape")(lst), [2])
    with pytest.raises(KernelError, match="Trying to access element 5 in a list with 3 elements."):
        get(lst, np.int32(5), np.array([2], np.int32))


def test_tensor_list_from_tensor_push_back_pop_back_empty():
    """TF (eager): f = TensorListFromTensor([[1, 2], [3, 4], [5, 6]], element_shape=[-1]):
    ElementShape = [-1]; PushBack [7, 8]; PopBack gives [7, 8] and a list of length 3 that
    stacks to [[1, 2], [3, 4], [5, 6]]. EmptyTensorList(element_shape=-1): ElementShape = -1;
    PopBack of it: "Trying to pop from an empty list."."""
    f = kernel("tensor_list_from_tensor", element_dtype="int32")(np.array([[1, 2], [3, 4], [5, 6]], np.int32),
                                                                 np.array([-1], np.int32))
    np.testing.assert_array_equal(kernel("tensor_list_element_shape")(f), [-1])
    f = kernel("tensor_list_push_back", element_dtype="int32")(f, np.array([7, 8], np.int32))
    rest, last = kernel("tensor_list_pop_back", element_dtype="int32")(f, np.array([2], np.int32))
    np.testing.assert_array_equal(last, [7, 8])
    assert kernel("tensor_list_length")(rest) == 3 and kernel("tensor_list_length")(f) == 4
    np.testing.assert_array_equal(kernel("tensor_list_stack", element_dtype="int32")(rest, np.array([2], np.int32)),
                                  [[1, 2], [3, 4], [5, 6]])
    empty = kernel("empty_tensor_list", element_dtype="float32")(np.int32(-1), np.int32(-1))
    assert kernel("tensor_list_element_shape")(empty) == -1
    with pytest.raises(KernelError, match="Trying to pop from an empty list."):
        kernel("tensor_list_pop_back", element_dtype="float32")(empty, np.int32(-1))


def test_zeros_like_and_add_n_of_tensor_lists():
    """TF (eager): e = two PushBacks [2, 3], [4, 5] on an EmptyTensorList; AddN([e, e,
    ZerosLike(e)]) stacks to [[4, 6], [8, 10]]. AddN of two reserved lists of 2, one with
    element 0 set to [1, 1], the other element 1 to [2, 2]: [[1, 1], [2, 2]] (an unset element
    takes the other's)."""
    push = kernel("tensor_list_push_back", element_dtype="float32")
    e = kernel("empty_tensor_list", element_dtype="float32")(np.int32(-1), np.int32(-1))
    e = push(push(e, np.array([2.0, 3.0], np.float32)), np.array([4.0, 5.0], np.float32))
    z = kernel("tensor_list_zeros_like")(e)
    total = kernel("tensor_list_add_n")(e, e, z)
    stack = kernel("tensor_list_stack", element_dtype="float32")
    np.testing.assert_array_equal(stack(total, np.int32(-1)), [[4.0, 6.0], [8.0, 10.0]])
    r = kernel("tensor_list_reserve", element_dtype="float32")(np.array([2], np.int32), np.int32(2))
    set_item = kernel("tensor_list_set_item", element_dtype="float32")
    r1 = set_item(r, np.int32(0), np.array([1.0, 1.0], np.float32))
    r2 = set_item(r, np.int32(1), np.array([2.0, 2.0], np.float32))
    np.testing.assert_array_equal(stack(kernel("tensor_list_add_n")(r1, r2), np.array([2], np.int32)),
                                  [[1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(KernelError, match="different lengths. One is 2 and the other is 3"):
        kernel("tensor_list_add_n")(r1, push(r1, np.array([1.0, 1.0], np.float32)))


def test_variable_shape_is_the_variables_shape():
    """TF: VariableShape of a [2, 3] resource variable = [2, 3] (int32)."""
    from idrun.ops.state import VariableCell
    cell = VariableCell("v")
    cell.value = np.zeros((2, 3), np.float32)
    got = kernel("variable_shape", out_type="int32")(cell)
    assert got.dtype == np.int32 and got.tolist() == [2, 3]


# ---- real programs --------------------------------------------------------------------------------

PROGRAMS = ("basic", "lstm", "gru_lengths", "map_fn", "scan", "scan_grad", "train", "dynamic_array")
CASES = [(V1, f"rnn1_{c}") for c in PROGRAMS] + [(V2, f"rnn2_{c}") for c in PROGRAMS]


@pytest.mark.parametrize("folder,case", CASES, ids=[c for _, c in CASES])
def test_dynamic_rnn_map_fn_scan_and_training_give_tfs_values(tmp_path, folder, case):
    """Imported as TF 2.21 wrote them (v1: TensorArrayV3 + StackV2 gradients; v2: While +
    TensorList), run for TF's steps: TF's values at each (rtol 1e-5: TF's matmul and tanh
    round differently from numpy's in the last bits)."""
    rec = json.loads((folder / f"{case}.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(folder / rec["graph"]), str(spec))
    doc = result_document(Pipeline(str(spec), RunOptions(fetch=rec["fetch"], targets=rec["targets"] or None,
                                                         feeds=rec["feeds"], steps=len(rec["steps"]))).run())
    assert doc["error"] is None, doc["error"]
    assert len(rec["steps"]) >= 3
    for ours, theirs in zip(doc["steps"], rec["steps"]):
        for name, value in theirs["values"].items():
            np.testing.assert_allclose(ours["values"][name], value, rtol=1e-5, err_msg=name)


def test_the_training_step_changes_the_loss_from_step_to_step():
    """rnn1_train fetches the loss before each GradientDescent step: TF's three losses differ
    (the update ran), so the fixture test above checks the gradients through the loop."""
    steps = json.loads((V1 / "rnn1_train.json").read_text())["steps"]
    losses = [s["values"]["loss_before_step:0"] for s in steps]
    assert len(set(losses)) == 3


KERNEL_TESTS = {
    **{op: test_tensor_array_write_scatter_read_gather_size_concat for op in (
        "tensor_array_v3", "tensor_array_write_v3", "tensor_array_read_v3", "tensor_array_gather_v3",
        "tensor_array_scatter_v3", "tensor_array_size_v3", "tensor_array_concat_v3")},
    "tensor_array_split_v3": test_tensor_array_split_and_its_errors,
    "tensor_array_close_v3": test_tensor_array_split_and_its_errors,
    "tensor_array_grad_v3": test_a_gradient_array_adds_writes_and_reads_unwritten_elements_as_zeros,
    **{op: test_stack_pushes_and_pops_last_in_first_out for op in (
        "stack_v2", "stack_push_v2", "stack_pop_v2", "stack_close_v2")},
    **{op: test_tensor_list_reserve_set_get_stack_length_element_shape for op in (
        "tensor_list_reserve", "tensor_list_set_item", "tensor_list_get_item", "tensor_list_stack",
        "tensor_list_length", "tensor_list_element_shape")},
    **{op: test_tensor_list_from_tensor_push_back_pop_back_empty for op in (
        "tensor_list_from_tensor", "tensor_list_push_back", "tensor_list_pop_back", "empty_tensor_list")},
    "tensor_list_zeros_like": test_zeros_like_and_add_n_of_tensor_lists,
    "tensor_list_add_n": test_zeros_like_and_add_n_of_tensor_lists,
    "variable_shape": test_variable_shape_is_the_variables_shape,
}


def test_an_imported_rnn_exports_its_handles_as_tf_types(tmp_path):
    """`export --format graphdef` of imported rnn1_train writes a TensorArray's or stack's
    handle through Enter as DT_RESOURCE, and TF's attributes of each op (TF 2.21 runs that
    GraphDef with the fixture's values: checked by hand with tf.import_graph_def)."""
    from tensorboard.compat.proto import types_pb2
    from idrun.tf.graphdef import export_graphdef
    rec = json.loads((V1 / "rnn1_train.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(V1 / rec["graph"]), str(spec))
    gd = export_graphdef(Pipeline(str(spec)))
    nodes = {n.name: n for n in gd.node}
    enter = nodes["rnn_vars/rnn/while/TensorArrayReadV3/Enter"]
    assert enter.op == "Enter" and enter.attr["T"].type == types_pb2.DT_RESOURCE
    ta = nodes["rnn_vars/rnn/TensorArray"]
    assert ta.op == "TensorArrayV3" and [d.size for d in ta.attr["element_shape"].shape.dim] == [2, 5]
    assert ta.attr["identical_element_shapes"].b and ta.attr["dtype"].type == types_pb2.DT_FLOAT
    assert {n.op for n in gd.node} >= {"StackV2", "StackPushV2", "StackPopV2", "TensorArrayGradV3"}


def test_a_handle_or_a_list_cannot_be_fetched(tmp_path):
    """TF's session fails on a DT_VARIANT fetch (InternalError) and gives a handle's opaque
    bytes for a DT_RESOURCE one: idrun says what the tensor is, at the name."""
    from idrun.errors import IdrunError
    rec = json.loads((V2 / "rnn2_scan.json").read_text())
    spec = tmp_path / "g.yaml"
    import_graphdef(str(V2 / rec["graph"]), str(spec))
    with pytest.raises(IdrunError, match=r"'cumsum/TensorArrayV2_1:0' is a TensorList \(DT_VARIANT\)"):
        Pipeline(str(spec), RunOptions(fetch=["cumsum/TensorArrayV2_1:0"], feeds=rec["feeds"], steps=1)).run()


def test_tensor_list_split_concat_and_a_growing_set_item():
    """TF (eager): TensorListSplit([1, 2, 3, 4, 5, 6.5], element_shape=[-1], lengths=[1, 2, 3]):
    3 elements, element 2 = [4, 5, 6.5]; ConcatV2 of it = [1, 2, 3, 4, 5, 6.5], lengths
    [1, 2, 3]. TensorListSetItem(Reserve([2], 0), 2, [1, 2], resize_if_index_out_of_bounds=True):
    length 3; ConcatV2(element_shape=[2], leading_dims=[2, 2, 2]) = [0, 0, 0, 0, 1, 2],
    lengths [2, 2, 2] (unset elements: zeros of the element shape)."""
    split = kernel("tensor_list_split", element_dtype="float32")(
        np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.5], np.float32), np.array([-1], np.int32),
        np.array([1, 2, 3], np.int64))
    assert kernel("tensor_list_length")(split) == 3
    np.testing.assert_array_equal(kernel("tensor_list_get_item", element_dtype="float32")(
        split, np.int32(2), np.array([-1], np.int32)), [4.0, 5.0, 6.5])
    concat = kernel("tensor_list_concat_v2", element_dtype="float32")
    value, lengths = concat(split, np.array([-1], np.int32), np.array([], np.int64))
    np.testing.assert_array_equal(value, [1.0, 2.0, 3.0, 4.0, 5.0, 6.5])
    assert lengths.dtype == np.int64 and lengths.tolist() == [1, 2, 3]
    r = kernel("tensor_list_reserve", element_dtype="float32")(np.array([2], np.int32), np.int32(0))
    r = kernel("tensor_list_set_item", element_dtype="float32", resize_if_index_out_of_bounds=True)(
        r, np.int32(2), np.array([1.0, 2.0], np.float32))
    assert kernel("tensor_list_length")(r) == 3
    value, lengths = concat(r, np.array([2], np.int32), np.array([2, 2, 2], np.int64))
    np.testing.assert_array_equal(value, [0.0, 0.0, 0.0, 0.0, 1.0, 2.0])
    assert lengths.tolist() == [2, 2, 2]
    with pytest.raises(KernelError, match="Trying to modify element 3 in a list with 3 elements."):
        kernel("tensor_list_set_item", element_dtype="float32")(r, np.int32(3), np.array([1.0, 2.0], np.float32))


KERNEL_TESTS.update({op: test_tensor_list_split_concat_and_a_growing_set_item
                     for op in ("tensor_list_split", "tensor_list_concat_v2")})
