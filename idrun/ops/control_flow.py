"""TF 1.x control flow: switch, merge, enter, exit, next_iteration, loop_cond, and the
region a cond or while loop is raised to.

These are the nodes `tf.cond` and `tf.while_loop` build (control flow v1), kept as nodes so
that `show`, `check`, `explain` and `export` see TF's graph. They never run one by one: a
step raises each cond and each loop to one region (`compile/regions.py`) whose kernel runs
the branch taken, or the loop's iterations, as Python `if` and `while`
(`runtime/flow.py`). A dead tensor then needs no value: a node of the branch not taken is
never reached. `merge`'s input from a `next_iteration` is a loop's back edge, the one
edge a graph may close a cycle with.
"""

from __future__ import annotations

from typing import Any

from idrun.graph import TensorRef, TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.nn import raw_op
from idrun.ops.opaque import _AnyPosition
from idrun.ops.gradlib import IndexedSlices, pass_each

INT32_SCALAR = TensorType("int32", ())
# may pass a variable on (its ref, or its resource handle): output k forwards input k (merge,
# switch: input 0)
FORWARDING_OPS = frozenset({"switch", "switch_n", "merge", "enter", "exit", "next_iteration", "identity_n",
                            "resource_identity"})
BOOL_SCALAR = TensorType("bool", ())


def _not_alone(env: KernelEnv):
    node = env.node

    def kernel(*args):
        raise KernelError(f"'{node}' is control flow outside a region idrun could raise (it runs "
                          "only as part of its cond or while loop)")
    return kernel


def _pred_type(t: TensorType, op: str) -> None:
    if t.dtype != "bool":
        raise InferError(f"{op}'s predicate must be bool, got {t.dtype}")
    if t.shape is not None and len(t.shape) != 0:
        raise InferError(f"{op}'s predicate must be a scalar, got shape {list(t.shape)}")


def _switch_infer(attrs, types, consts):
    _pred_type(types[1], "Switch")
    return [types[0], types[0]]


def _switch_n_infer(attrs, types, consts):
    index = types[1]
    if index.dtype != "int32":
        raise InferError(f"_SwitchN's output_index must be int32, got {index.dtype}")
    if index.shape is not None and len(index.shape) != 0:
        raise InferError(f"_SwitchN's output_index must be a scalar, got shape {list(index.shape)}")
    return [types[0]] * attrs["num_outs"]


def _merge_infer(attrs, types, consts):
    known = [t for t in types if t is not None]   # a loop's back edge is typed after it
    if not known:
        raise InferError("merge needs at least one typed input")
    dtype = known[0].dtype
    for t in known[1:]:
        if t.dtype != dtype:
            raise InferError(f"merge's inputs must have one dtype, got {dtype} and {t.dtype}")
    shapes = {t.shape for t in known}
    shape = known[0].shape if len(shapes) == 1 else _relaxed(list(shapes))
    return [TensorType(dtype, shape), INT32_SCALAR]


def _relaxed(shapes: list) -> tuple | None:
    """The most specific shape every one of `shapes` has (TF's merge shape function)."""
    if any(s is None for s in shapes) or len({len(s) for s in shapes}) != 1:
        return None
    return tuple(dims[0] if len(set(dims)) == 1 else None for dims in zip(*shapes))


def _loop_cond_infer(attrs, types, consts):
    _pred_type(types[0], "LoopCond")
    return [BOOL_SCALAR]


def _frame(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a frame name (a non-empty string), got {value!r}")
    return value


def _enter_import(t, c) -> dict:
    return {"frame_name": _frame(t.get("frame_name", "")), "is_constant": bool(t.get("is_constant", False)),
            "parallel_iterations": int(t.get("parallel_iterations", 10))}


def _enter_attrs(n, a, i, o) -> dict:
    return {"T": _tf_type(o[0]), "frame_name": a["frame_name"], "is_constant": a["is_constant"],
            "parallel_iterations": a["parallel_iterations"]}


def _tf_type(t: TensorType) -> TFType:
    return TFType(t.dtype)


def _region_infer(attrs, types, consts):
    raise InferError("a control-flow region is made by idrun when it runs a cond or while loop; "
                     "write `switch`/`merge` (or `enter`...`exit`) nodes instead")


def _switch_grad(g, op, grads):
    """TF's `_SwitchGrad` for a switch of a cond: the branch's gradient and the other side's
    zeros merged (`Switch_grad/cond_grad`); nothing for the predicate. A loop's switch: the
    gradient's merge (`b_switch`), its back edge closed on the second visit."""
    if g.in_loop(op):
        _no_loop_slices(g, op, grads)
        return g.loop_grad("switch", op, grads)
    ctx = g.cond_context(op)
    if ctx is None:
        g.unsupported(op, "TF's gradient of a switch needs the cond it belongs to (a `cond` entry's)")
    if grads[1 - ctx.branch] is None:
        if g.dtype(op.inputs[0]) == "resource":
            return [_merge_grads(g, op, "cond_resource_grad", [grads[ctx.branch]] * 2), None]
        return [None, None]
    return [_merge_grads(g, op, "cond_grad", list(grads)), None]


def _no_loop_slices(g, op, grads, what: str = "switch or merge") -> None:
    if any(type(x) is IndexedSlices for x in grads):
        g.unsupported(op, f"a gather's sparse gradient (IndexedSlices) reaches a while loop's {what}, "
                          "whose TF gradient keeps it sparse in the loop: not built yet")


def _merge_grads(g, op, name: str, grads: list):
    """`control_flow_ops.merge(grads, name)`: one Merge of tensors; with an IndexedSlices among
    them, a tensor becomes IndexedSlices(x, range(shape(x)[0]), shape(x)) (`_as_indexed_slices`,
    a Shape op: optimize=False) and each component is merged (`<name>/Merge`, `Merge_1`, `Merge_2`)."""
    if not any(type(x) is IndexedSlices for x in grads):
        return g.make("merge", name, grads)
    slices = []
    for x in grads:
        if type(x) is not IndexedSlices:
            shape = g.make("shape", f"{name}/Shape", [x], {"out_type": "int32"})
            rows = g.make("strided_slice", f"{name}/strided_slice",
                          [shape] + [g.const(f"{name}/strided_slice/{n}", [v], "int32")
                                     for n, v in (("stack", 0), ("stack_1", 1), ("stack_2", 1))],
                          {"shrink_axis_mask": 1})
            x = IndexedSlices(x, g.make("range", f"{name}/range", [g.const(f"{name}/range/start", 0, "int32"), rows,
                                                                  g.const(f"{name}/range/delta", 1, "int32")]), shape)
        slices.append(x)
    if len({g.dtype(x.indices) for x in slices}) > 1:
        g.unsupported(op, "int32 and int64 indices merged (TF casts the int32 ones: not built here)")
    parts = [g.make("merge", f"{name}/Merge", [getattr(x, part) for x in slices])
             for part in ("values", "indices", "dense_shape")]
    return IndexedSlices(*parts)


def _merge_grad(g, op, grads):
    """TF's `_MergeGrad` for a cond's merge: the gradient switched on the cond's predicate
    (`Merge_grad/cond_grad`), output 0 to the false branch's result, 1 to the true one's. A
    loop's merge: a switch on the backprop loop's predicate (`Merge_grad/Switch`)."""
    if g.in_loop(op):
        _no_loop_slices(g, op, grads)
        return g.loop_grad("merge", op, grads)
    ctx = g.cond_context(op)
    if ctx is None:
        g.unsupported(op, "TF's gradient of a merge needs the cond it belongs to (a `cond` entry's)")
    pred = TensorRef(ctx.pred_id, 0)
    if type(grads[0]) is IndexedSlices:   # TF's switch of a composite: one Switch per component
        parts = [g.make("switch", "cond_grad/Switch", [getattr(grads[0], part), pred])
                 for part in ("values", "indices", "dense_shape")]
        return [IndexedSlices(*(g.output(sw, k) for sw in parts)) for k in (0, 1)]
    sw = g.make("switch", "cond_grad", [grads[0], pred])
    return [g.output(sw, 0), g.output(sw, 1)]


def _exit_grad(g, op, grads):
    """TF's `_ExitGrad`: the gradient enters the backprop loop (`Exit_grad/b_exit`)."""
    _no_loop_slices(g, op, grads, "exit")
    return g.loop_grad("exit", op, grads)


def _enter_grad(g, op, grads):
    """TF's `_EnterGrad`: a loop variable's gradient leaves the backprop loop (`Enter_grad/Exit`);
    a loop invariant's is summed over the iterations (`Enter_grad/b_acc`...)."""
    return g.loop_grad("enter", op, grads)


def _next_iteration_grad(g, op, grads):
    """TF's `_NextIterationGrad`: the gradient as it is (the switch's gradient adds the back edge)."""
    return [grads[0]]


def _loop_cond_grad(g, op, grads):
    """TF's `_LoopCondGrad`: no gradient for the predicate."""
    return [None]


_RAW_DATA = ("data",)
OPS = [
    OpDef("switch", "Switch", ("data", "pred"), _switch_infer, _not_alone,
          "Forward `data` to output 1 when `pred` holds, else to output 0; the other output is dead "
          "(tf.cond's branches read these).", multi_output=True, variable_inputs=(0,), gpu=False,
          grad=_switch_grad,
          tf_op="Switch", tf_import_ops=("RefSwitch",), tf=raw_op("Switch", ("data", "pred"))),
    OpDef("switch_n", "_SwitchN", ("data", "output_index"), _switch_n_infer, _not_alone,
          "Forward `data` to output `output_index` (the last output when it is out of range); the "
          "others are dead (TF's lowering of a Case, as tf.switch_case builds it).", multi_output=True,
          variable_inputs=(0,), gpu=False, attrs=(attr("num_outs", check=checks.positive),),
          tf_op="_SwitchN", tf_import=lambda a, c: {"num_outs": int(a.get("num_outs", 0))},
          tf_attrs=lambda n, a, i, o: {"T": _tf_type(o[0]), "num_outs": a["num_outs"]},
          tf_unsupported="TF's internal op of a lowered Case: tf.switch_case builds the Case"),
    OpDef("merge", "Merge", ("inputs",), _merge_infer, _not_alone,
          "Forward whichever input is alive, and its index (tf.cond's results; a while loop's "
          "variables, from `enter` first, then `next_iteration`).", variadic=True, multi_output=True,
          variable_inputs=(0,), gpu=False, grad=_merge_grad, tf_op="Merge", tf_import_ops=("RefMerge",),
          tf_attrs=lambda n, a, i, o: {"T": _tf_type(o[0]), "N": len(i)},
          tf=lambda c: f"tf.raw_ops.Merge(inputs=[{', '.join(c.args)}]{c.kw})"),
    OpDef("enter", "Enter", _RAW_DATA, lambda a, t, c: [t[0]], _not_alone,
          "Bring `data` into the while loop `frame_name` (each iteration reads it when "
          "`is_constant`, else it starts a loop variable).", variable_inputs=(0,), gpu=False, grad=_enter_grad,
          attrs=(attr("frame_name", check=_frame), attr("is_constant", False, checks.boolean),
                 attr("parallel_iterations", 10, checks.positive)),
          tf_op="Enter", tf_import_ops=("RefEnter",), tf_import=_enter_import, tf_attrs=_enter_attrs,
          tf=raw_op("Enter", _RAW_DATA, lambda a: {"frame_name": a["frame_name"],
                                                   "is_constant": a["is_constant"],
                                                   "parallel_iterations": a["parallel_iterations"]})),
    OpDef("exit", "Exit", _RAW_DATA, lambda a, t, c: [t[0]], _not_alone,
          "A loop variable's value when its while loop ends.", variable_inputs=(0,), gpu=False, grad=_exit_grad,
          tf_op="Exit", tf_import_ops=("RefExit",), tf=raw_op("Exit", _RAW_DATA)),
    OpDef("next_iteration", "NextIteration", _RAW_DATA, lambda a, t, c: [t[0]], _not_alone,
          "A loop variable's value for the next iteration (the loop's back edge into `merge`).",
          variable_inputs=(0,), gpu=False, grad=_next_iteration_grad, tf_op="NextIteration", tf_import_ops=("RefNextIteration",),
          tf=raw_op("NextIteration", _RAW_DATA)),
    OpDef("loop_cond", "LoopCond", ("input",), _loop_cond_infer, _not_alone,
          "A while loop's predicate: the loop goes on while it holds.", gpu=False, grad=_loop_cond_grad,
          tf_op="LoopCond", tf_attrs=lambda n, a, i, o: {}, tf=raw_op("LoopCond", ("input",))),
    OpDef("identity_n", "IdentityN", ("inputs",), lambda a, t, c: list(t), lambda env: (lambda *xs: xs),
          "Each input as the same output (tf.identity_n); TF 2's function calls return through one.",
          variadic=True, multi_output=True, variable_inputs=_AnyPosition((0,)), gpu=False, tf_op="IdentityN",
          tf_attrs=lambda n, a, i, o: {"T": [_tf_type(t) for t in i]},
          tf=lambda c: f"tf.identity_n([{', '.join(c.args)}]{c.kw})", grad=pass_each),
    OpDef("resource_identity", "Identity", _RAW_DATA, lambda a, t, c: [t[0]], lambda env: (lambda x: x),
          "A resource variable's handle under a new name (TF's Identity of a DT_RESOURCE: TF 2 "
          "passes a variable into a function body so); never written, made by `idrun import`.",
          variable_inputs=(0,), gpu=False, tf_op="Identity", tf_import_ops=("ResourceIdentity",),
          tf_unsupported="TF makes it itself (a variable passed into a function)"),
    OpDef("control_flow_region", "Region", ("inputs",), _region_infer, _not_alone,
          "Made by idrun, never written: one cond or while loop raised for running "
          "(`idrun show --format plan` shows its calls).", variadic=True, min_inputs=0,
          multi_output=True, stateful=True, gpu=False,
          tf_unsupported="it is idrun's own running form of a cond or loop, never in a graph"),
]


def is_back_edge(consumer_op: str, producer_op: str) -> bool:
    """A while loop's edge from `next_iteration` into `merge`: the only edge of a cycle."""
    return consumer_op == "merge" and producer_op == "next_iteration"


_KEPT_FLOW = {"Merge": "merge", "RefMerge": "merge", "NextIteration": "next_iteration",
              "RefNextIteration": "next_iteration"}


def flow_op(op: str, attrs) -> str:
    """`op`, or for a node kept opaque (a loop of values idrun cannot type, as TF 2's
    TensorList) the control-flow op its TF type is: its back edge is one too."""
    return _KEPT_FLOW.get(attrs.get("tf_op"), op) if op == "tf_opaque" else op
