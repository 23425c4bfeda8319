"""What a GraphDef imported whole needs beyond the op families: tf_opaque, cond.

`idrun import` keeps every node of a GraphDef. A node whose op type idrun has
no kernel for (or cannot run as written: control flow, a function call, a
variable of the other mode) becomes a `tf_opaque` entry that holds everything
TF wrote for it, so the graph is whole for `show`, `check`, `explain` and
`export --format graphdef` (which writes it back unchanged):

    - {name: zeros, op: tf_opaque, tf_op: Fill,
       attrs: {T: {type: float32}, index_type: {type: int32}},
       outputs: [{dtype: float32, shape: [2, 3]}], inputs: [zeros/shape_as_tensor, zeros/Const]}

`attrs` is TF's NodeDef `attr` map, each value a one-key mapping named after
the AttrValue field it sets (`type`, `shape`, `i`, `f`, `b`, `s`, `tensor` as
TF's text format, `list`, `func`, `placeholder`), so it round-trips exactly.
`outputs` are the types idrun infers with: `{}` (an unknown dtype, shown
`unknown?`) where the GraphDef does not say. `why` says why it is kept
(default: idrun has no op for the type).

A step that needs one fails before it runs, naming every such node at once
(`runtime/session.py`); a step that does not need one (a Saver or a summary
beside the training step) runs.

`cond` is TF's functional `If`/`StatelessIf` whose branches only pass inputs
through: output k is input `then_outputs[k]` when `pred` holds, else input
`else_outputs[k]` (indices after `pred`). TF builds it for
`initialized_value()` and for any initial value that reads another variable
(`cond(is_variable_initialized(w), w.read, w.initial_value)`); a variable it
passes is read only by the branch taken, so an uninitialized one is no
failure on the other. Imported, it keeps TF's `tf_op` and `attrs` (the
branches' function names), and is written back with them.
"""

from __future__ import annotations

from typing import Any

from idrun.dtypes import DTYPES, normalize_dtype
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, attr
from idrun.ops.state import VariableCell

UNKNOWN_DTYPE = "unknown"
# AttrValue fields, as the spec's one-key mappings name them
ATTR_KINDS = ("type", "shape", "i", "f", "b", "s", "s_hex", "tensor", "list", "func", "placeholder")


class _AnyPosition(tuple):
    """`variable_inputs` of an op that takes a variable itself at any position (TF's Saver
    and the ops idrun cannot run take refs and handles as they are)."""

    def __contains__(self, position: object) -> bool:
        return True


def _op_type(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected TF's op type (a non-empty string), got {value!r}")
    return value


def _tf_attrs(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of TF attribute name to {KIND: value}")
    for key, item in value.items():
        if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in ATTR_KINDS:
            raise ValueError(f"attribute '{key}': expected one of {{{', '.join(ATTR_KINDS)}: ...}}, "
                             f"got {item!r}")
    return value


def _outputs(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("expected a list of {dtype, shape} (one per output; {} when unknown)")
    out = []
    for item in value:
        if not isinstance(item, dict) or not set(item) <= {"dtype", "shape"}:
            raise ValueError(f"an output is {{dtype: D, shape: [..]}} (either may be left out), got {item!r}")
        dtype = item.get("dtype")
        out.append({"dtype": UNKNOWN_DTYPE if dtype is None else normalize_dtype(dtype),
                    "shape": checks.shape(item.get("shape"))})
    return out


def _infer(attrs, types, consts):
    return [TensorType(o["dtype"], None if o["shape"] is None else tuple(o["shape"]))
            for o in attrs["outputs"] or ()]


def is_known_dtype(dtype: str) -> bool:
    return dtype in DTYPES


def opaque_error_text(nodes) -> str:
    """`Fill 'zeros', 'ones'; StatelessIf 'cond' (TF control flow)`: the nodes by op type
    and reason, in graph order."""
    groups: dict[tuple[str, str], list[str]] = {}
    for node in nodes:
        groups.setdefault((node.attrs["tf_op"], node.attrs.get("why") or ""), []).append(node.name)
    return "; ".join(f"{op} {', '.join(repr(n) for n in names)}" + (f" ({why})" if why else "")
                     for (op, why), names in groups.items())


def _cond_infer(attrs, types, consts):
    pred, branch = types[0], types[1:]  # `pred`: a bool scalar
    if pred.dtype != "bool" or (pred.shape is not None and len(pred.shape) != 0):
        raise InferError(f"pred must be a bool scalar, got {pred}")
    then, other = attrs["then_outputs"], attrs["else_outputs"]
    if len(then) != len(other):
        raise InferError(f"then_outputs has {len(then)} outputs, else_outputs {len(other)}")
    out = []
    for a, b in zip(then, other):
        if not (0 <= a < len(branch) and 0 <= b < len(branch)):
            raise InferError(f"an output index is past the {len(branch)} inputs after pred")
        x, y = branch[a], branch[b]
        if x.dtype != y.dtype:
            raise InferError(f"the branches return {x.dtype} and {y.dtype}")
        shape = x.shape if x.shape == y.shape else (
            tuple(d if d == e else None for d, e in zip(x.shape, y.shape))
            if x.shape is not None and y.shape is not None and len(x.shape) == len(y.shape) else None)
        out.append(TensorType(x.dtype, shape))
    return out


def _cond_kernel(env: KernelEnv):
    then, other = tuple(env.attrs["then_outputs"]), tuple(env.attrs["else_outputs"])

    def cond(pred, *branch):
        picked = []
        for k in (then if bool(pred) else other):
            value = branch[k]
            if isinstance(value, VariableCell):  # a variable: read by the branch taken only
                if value.value is None:
                    raise KernelError(f"Attempting to use uninitialized value {value.name}")
                value = value.value
            picked.append(value)
        return tuple(picked)
    return cond


def _indices(value: Any) -> list[int]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of input indices, got {value!r}")
    return [checks.integer(v) for v in value]


OPS = [
    OpDef("tf_opaque", "TFOpaque", ("inputs",), _infer, None,
          "A GraphDef node idrun keeps but cannot run (`idrun import`): TF's op type, attributes, "
          "inputs and device, written back unchanged by `export --format graphdef`.",
          attrs=(attr("tf_op", check=_op_type), attr("attrs", None, _tf_attrs),
                 attr("outputs", None, _outputs), attr("why", "", checks.anything)),
          variadic=True, min_inputs=0, variable_inputs=_AnyPosition((0,)), stateful=True,
          tf_unsupported="it is kept from a GraphDef idrun cannot run; export it with --format graphdef"),
    OpDef("cond", "If", ("inputs",), _cond_infer, _cond_kernel,
          "TF's If whose branches pass inputs through: inputs are [pred, x0, x1, ...]; output k is "
          "x[then_outputs[k]] when pred holds, else x[else_outputs[k]]; a variable is read only when taken.",
          attrs=(attr("then_outputs", check=_indices), attr("else_outputs", check=_indices),
                 attr("tf_op", "", checks.anything), attr("attrs", None, _tf_attrs)),
          variadic=True, variable_inputs=_AnyPosition((1,)), multi_output=True, gpu=False,
          tf_import_ops=("StatelessIf", "If"),
          tf_unsupported="TF builds it with tf.cond from Python branches; export it with --format graphdef"),
]

