"""Training helpers: exponential_moving_average (B5) and shuffle_batch.

`exponential_moving_average` is expanded by the builder as TF's
`ExponentialMovingAverage.apply` builds it: per input a shadow variable
`<input>/<name>` colocated with the input (initialized from the variable's
initial value, or zeros for a tensor), an `ema_update` node
`<name>/AssignMovingAvg[_k]`, and the EMA node itself, a no_op with control
inputs on the updates. Update: shadow -= (1 - decay) * (shadow - value), in
float32 as TF computes it; with `num_updates` n, decay = min(decay, (1+n)/(10+n)).

`shuffle_batch` keeps a queue per node: each step it refills from its inputs
until it holds `min_after_dequeue + batch_size` (at most `capacity`), then
dequeues `batch_size` examples drawn uniformly by its seeded generator, as
RandomShuffleQueue does. As `tf.train.shuffle_batch`'s default
`enqueue_many=False`, the inputs are one example (each output gains a leading
`batch_size` dimension: an image [3] gives [batch_size, 3]); with
`enqueue_many: true` the leading dimension lists examples, enqueued in turn
(cycling) and kept out of the output shape.
"""

from __future__ import annotations

from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, OpDef, attr


def _ema_infer(attrs, types, consts):
    return []


def _ema_update_infer(attrs, types, consts):
    shadow, value = types
    if shadow.dtype != value.dtype:
        raise InferError(f"shadow is {shadow.dtype} but the averaged value is {value.dtype}")
    return [shadow]


def _ema_update_kernel(env: KernelEnv):
    xp, a = env.xp, env.attrs
    dtype = env.in_types[0].dtype
    decay = xp.asarray(a["decay"], dtype)
    if a["num_updates"] is not None:
        n = xp.asarray(a["num_updates"], dtype)
        decay = xp.minimum(decay, (xp.asarray(1, dtype) + n) / (xp.asarray(10, dtype) + n))
    one_minus = xp.asarray(1, dtype) - decay
    in_place = env.variables == "ref"

    def update(cell, value):
        delta = (cell.value - value) * one_minus
        if in_place:
            xp.subtract(cell.value, delta, out=cell.value)
        else:
            cell.value = cell.value - delta
        return cell.value
    return update


def _batch_infer(attrs, types, consts):
    out = []
    for t in types:
        if t.shape is None:
            raise InferError("shuffle_batch inputs need a known shape")
        if not attrs["enqueue_many"]:
            out.append(TensorType(t.dtype, (attrs["batch_size"],) + tuple(t.shape)))
            continue
        if not t.shape or not t.shape[0]:
            raise InferError("with enqueue_many, shuffle_batch inputs need a non-empty leading "
                             "(example) dimension")
        out.append(TensorType(t.dtype, (attrs["batch_size"],) + tuple(t.shape[1:])))
    if attrs["min_after_dequeue"] + attrs["batch_size"] > attrs["capacity"]:
        raise InferError("capacity must be at least min_after_dequeue + batch_size")
    return out


def _batch_kernel(env: KernelEnv):
    a, xp = env.attrs, env.xp
    batch, need = a["batch_size"], a["min_after_dequeue"] + a["batch_size"]
    many = a["enqueue_many"]
    state = env.state
    if "rng" not in state:
        import zlib   # when the kernel is made, not when the registry loads
        seed = a["seed"] if a["seed"] is not None else zlib.crc32(env.node.encode())
        state.update(rng=xp.random.default_rng(seed), queue=[], cursor=0)

    def shuffle_batch(*tensors):
        queue = state["queue"]
        count = int(tensors[0].shape[0]) if many else 1
        while len(queue) < need and count:
            queue.append(tuple(t[state["cursor"] % count] for t in tensors) if many else tensors)
            state["cursor"] += 1
        picks = sorted((int(i) for i in state["rng"].choice(len(queue), batch, replace=False)),
                       reverse=True)
        rows = [queue.pop(i) for i in picks]
        return tuple(xp.stack([r[k] for r in rows]) for k in range(len(tensors)))
    return shuffle_batch


OPS = [
    OpDef("exponential_moving_average", "ExponentialMovingAverage", ("values",), _ema_infer,
          lambda env: (lambda: None),
          "Update a shadow <input>/<name> per input when run (CIFAR-10's loss averages).",
          attrs=(attr("decay", check=checks.number), attr("num_updates", None, checks.integer)),
          variadic=True, stateful=True, variable_inputs=(), expansion="moving_average", effect="average",
          tf=lambda c: f"F_ema([{', '.join(c.args)}], {c.attrs['decay']!r}, "
                       f"num_updates={c.attrs['num_updates']!r}, name={c.name!r}, shadows={list(c.shadows)!r})"),
    OpDef("ema_update", "AssignMovingAvg", ("shadow", "value"), _ema_update_infer,
          _ema_update_kernel, "One EMA step of a shadow variable (made by exponential_moving_average).",
          attrs=(attr("decay", check=checks.number), attr("num_updates", None, checks.integer)),
          ref_inputs=(0,), stateful=True, ref_colocated=True, variable_group=True, effect="write",
          tf_unsupported="an internal op (its exponential_moving_average exports it)"),
    OpDef("shuffle_batch", "shuffle_batch", ("tensors",), _batch_infer, _batch_kernel,
          "Random batches from a seeded shuffling queue; outputs name:K per input.",
          attrs=(attr("batch_size", check=checks.positive), attr("capacity", check=checks.positive),
                 attr("min_after_dequeue", 0, checks.integer), attr("seed", None, checks.integer),
                 attr("enqueue_many", False, checks.boolean)),
          variadic=True, stateful=True, multi_output=True, effect="dequeue",
          tf_unsupported="TF runs it with queue runners and threads"),
]
