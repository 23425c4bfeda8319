"""Identity and control: identity, no_op, group, assert_equal, assert, control_trigger, print."""

from __future__ import annotations

import struct
import sys

from idrun.ops.gradlib import no_gradient, pass_first, pass_through
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shapes import broadcast, format_dims, same_dtype


def format_tensor(value, summarize: int = 3) -> str:
    """A tensor as TF's Assert and Print show it (`Tensor::SummarizeValue`): at most
    `summarize` elements (all if negative), nested in brackets per dimension past the first,
    `...` where some are left out: `4`, `1 5 3...`, `[1 2][3...]...`."""
    shape = tuple(getattr(value, "shape", ()))
    flat = value.reshape(-1).tolist() if hasattr(value, "reshape") else [value]
    limit = len(flat) if summarize < 0 else min(summarize, len(flat))
    fmt = _scalar_format(value)
    more = "..." if len(flat) > limit else ""
    if not shape:
        return " ".join(fmt(v) for v in flat[:limit]) + more
    parts: list[str] = []
    taken = [0]

    def dim(d: int) -> None:  # TF's PrintOneDim
        if taken[0] >= limit:
            return
        if d == len(shape) - 1:
            for i in range(shape[d]):
                if taken[0] >= limit:
                    if d != 0:
                        parts.append("...")
                    return
                parts.append((" " if i else "") + fmt(flat[taken[0]]))
                taken[0] += 1
            return
        for _ in range(shape[d]):
            opened = taken[0] < limit
            if opened:
                parts.append("[")
            dim(d + 1)
            if opened:
                parts.append("]")
    dim(0)
    return "".join(parts) + more


def _scalar_format(value):
    """How TF writes one element: floats in the fewest of 6 or 9 significant digits (15 or 17
    for doubles) that read back as the same value (`strings::StrCat`), bools as 1 and 0."""
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    if kind != "f":
        return _format_scalar
    double = value.dtype.itemsize == 8
    short, full = (15, 17) if double else (6, 9)

    def fmt(v: float) -> str:
        text = format(v, f".{short}g")
        back = float(text) if double else struct.unpack("f", struct.pack("f", float(text)))[0]
        return text if back == v or v != v else format(v, f".{full}g")
    return fmt


def _format_scalar(v) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return format(v, ".6g")
    return str(v)


def _assert_infer(attrs, types, consts):
    same_dtype(types, ("x", "y"), "assert_equal")
    broadcast(types[0].shape, types[1].shape)
    return []


def _assert_message(attrs, x, y, names, summarize: int) -> str:
    parts = [attrs["message"]] if attrs["message"] else []
    parts += ["Condition x == y did not hold element-wise:",
              f"x ({names[0]}) = ", format_tensor(x, summarize),
              f"y ({names[1]}) = ", format_tensor(y, summarize)]
    return "assertion failed: " + " ".join(f"[{p}]" for p in parts)


def _assert_kernel(env: KernelEnv):
    xp, summarize = env.xp, env.attrs["summarize"]

    def assert_equal(x, y):
        if not bool(xp.all(xp.equal(x, y))):
            raise KernelError(_assert_message(env.attrs, x, y, env.in_names, summarize))
    return assert_equal


def _assert_static_check(attrs, values, names):
    import numpy as np  # only when both operands are constants
    x, y = (np.asarray(v) for v in values)
    if not np.all(np.equal(x, y)):
        raise InferError("static check failed: Condition x == y did not hold element-wise: "
                         f"x ({names[0]}) = {format_tensor(x)} y ({names[1]}) = {format_tensor(y)}")


def _assert_data_infer(attrs, types, consts):
    if types[0].dtype != "bool":
        raise InferError(f"Input 'condition' of 'Assert' Op has type {types[0].dtype} that does not "
                         "match expected type of bool.")
    return []


def _assert_data_kernel(env: KernelEnv):
    summarize = env.attrs["summarize"]

    def assert_(condition, *data):
        if condition.ndim != 0:
            raise KernelError(f"In[0] should be a scalar: {format_dims(condition.shape)}")
        if not bool(condition):
            raise KernelError("assertion failed: " + " ".join(f"[{format_tensor(d, summarize)}]" for d in data))
    return assert_


def _gd_assert(name, attrs, ins, outs):
    return {"T": [TFType(t.dtype) for t in ins[1:]], "summarize": attrs["summarize"]}


def _printable(text: str) -> str:
    """A message from the spec as data: control characters shown escaped (no ESC sequences)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _print_kernel(env: KernelEnv):
    message, summarize = env.attrs["message"], env.attrs["summarize"]

    def print_(x, *data):   # TF's Print: the message, then `[...]` per data tensor (x without data)
        sys.stderr.write(_printable(message + "".join(f"[{format_tensor(d, summarize)}]" for d in data or (x,)))
                         + "\n")
        return x
    return print_


def _gd_print(name, attrs, ins, outs):
    return {"T": TFType(ins[0].dtype), "U": [TFType(t.dtype) for t in ins[1:]], "message": attrs["message"],
            "first_n": -1, "summarize": attrs["summarize"]}


OPS = [
    OpDef("identity", "Identity", ("input",), lambda a, t, c: [t[0]], lambda env: (lambda x: x),
          "The same tensor under a new node: a naming, ordering and transfer point.",
          follows_input="identity", tf="tf.identity", tf_op="Identity", grad=pass_through),
    OpDef("no_op", "NoOp", (), lambda a, t, c: [], lambda env: (lambda: None),
          "Does nothing; useful as a target with control inputs.", tf_op="NoOp", tf_attrs=lambda n, a, i, o: {},
          tf=lambda c: f"tf.no_op({c.name!r})" if c.name else "tf.no_op()"),
    OpDef("group", "group_deps", ("inputs",), lambda a, t, c: [], lambda env: (lambda: None),
          "Run several ops: one no_op per device they are on, plus a final one.",
          variadic=True, control_inputs_only=True,
          tf_op="NoOp", tf_attrs=lambda n, a, i, o: {},  # built: its members are control inputs
          tf=lambda c: f"tf.group(*[OP(x) for x in [{', '.join(c.args)}]]{c.kw})"),
    OpDef("assert_equal", "assert_equal", ("x", "y"), _assert_infer, _assert_kernel,
          "Fail the step unless x == y element-wise (TF's message).",
          attrs=(attr("message", "", checks.text), attr("summarize", 3, checks.positive)),
          stateful=True, typed_with=(0, 1), static_check=_assert_static_check, effect="check",
          tf=lambda c: f"tf1.assert_equal({c.args[0]}, {c.args[1]}, message={c.attrs['message']!r}, "
                       f"summarize={c.attrs['summarize']}{c.kw})"),
    OpDef("assert", "Assert", ("condition",), _assert_data_infer, _assert_data_kernel,
          "Fail the step unless condition (a bool scalar) holds: `assertion failed: [data] ...` (TF's Assert).",
          attrs=(attr("summarize", 3, checks.integer),), variadic=True, stateful=True,
          effect="check", tf_op="Assert", tf_attrs=_gd_assert,
          tf_import=lambda a, c: {"summarize": a.get("summarize", 3)},
          tf=lambda c: f"tf.raw_ops.Assert(condition={c.args[0]}, data=[{', '.join(c.args[1:])}], "
                       f"summarize={c.attrs['summarize']}{c.kw})", grad=no_gradient),   # TF: NotDifferentiable
    OpDef("control_trigger", "ControlTrigger", (), lambda a, t, c: [], lambda env: (lambda: None),
          "Does nothing (TF's ControlTrigger: without control flow, a no_op).",
          tf_op="ControlTrigger", tf_attrs=lambda n, a, i, o: {},
          tf=lambda c: f"tf.raw_ops.ControlTrigger({('name=' + repr(c.name)) if c.name else ''})"),
    OpDef("print", "Print", ("input",), lambda a, t, c: [t[0]], _print_kernel,
          "Identity that logs `message[d1][d2]...` to stderr when it runs: the data tensors after "
          "the input (TF's Print), or the input itself when there are none.",
          attrs=(attr("message", "", checks.text), attr("summarize", 3, checks.positive)),
          variadic=True, stateful=True, effect="print", tf_op="Print", tf_attrs=_gd_print,
          tf_import=lambda a, c: {"message": a.get("message", ""), "summarize": max(1, a.get("summarize", 3))},
          tf=lambda c: f"tf1.Print({c.args[0]}, [{', '.join(c.args[1:] or c.args[:1])}], "
                       f"message={c.attrs['message']!r}, summarize={c.attrs['summarize']}{c.kw})",
          grad=pass_first),
]
