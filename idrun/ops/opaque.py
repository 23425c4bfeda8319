"""Nodes idrun keeps but cannot run: tf_opaque.

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
"""

from __future__ import annotations

from typing import Any

from idrun.dtypes import DTYPES, normalize_dtype
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import OpDef, attr

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


OPS = [
    OpDef("tf_opaque", "TFOpaque", ("inputs",), _infer, None,
          "A GraphDef node idrun keeps but cannot run (`idrun import`): TF's op type, attributes, "
          "inputs and device, written back unchanged by `export --format graphdef`.",
          attrs=(attr("tf_op", check=_op_type), attr("attrs", None, _tf_attrs),
                 attr("outputs", None, _outputs), attr("why", "", checks.anything)),
          variadic=True, min_inputs=0, variable_inputs=_AnyPosition((0,)), stateful=True,
          tf_unsupported="it is kept from a GraphDef idrun cannot run; export it with --format graphdef"),
]

