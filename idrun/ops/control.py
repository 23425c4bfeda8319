"""Identity and control: identity, no_op, group, assert_equal, print."""

from __future__ import annotations

import sys

from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, attr
from idrun.ops.shapes import broadcast, same_dtype


def format_tensor(value, summarize: int = 3) -> str:
    """A tensor as TF's Assert and Print show it: `4`, `1 5 3`, `1 -2 3...`."""
    flat = value.reshape(-1).tolist() if hasattr(value, "reshape") else [value]
    shown = " ".join(_format_scalar(v) for v in flat[:summarize])
    return shown + ("..." if len(flat) > summarize else "")


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


def _printable(text: str) -> str:
    """A message from the spec as data: control characters shown escaped (no ESC sequences)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _print_kernel(env: KernelEnv):
    message, summarize = env.attrs["message"], env.attrs["summarize"]

    def print_(x):
        sys.stderr.write(_printable(f"{message}[{format_tensor(x, summarize)}]") + "\n")
        return x
    return print_


OPS = [
    OpDef("identity", "Identity", ("input",), lambda a, t, c: [t[0]], lambda env: (lambda x: x),
          "The same tensor under a new node: a naming, ordering and transfer point.",
          follows_input="identity", tf="tf.identity", tf_op="Identity"),
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
    OpDef("print", "Print", ("input",), lambda a, t, c: [t[0]], _print_kernel,
          "Identity that logs `message[x]` to stderr when it runs.",
          attrs=(attr("message", "", checks.text), attr("summarize", 3, checks.positive)),
          stateful=True, effect="print",
          tf=lambda c: f"tf1.Print({c.args[0]}, [{c.args[0]}], message={c.attrs['message']!r}, "
                       f"summarize={c.attrs['summarize']}{c.kw})"),
]
