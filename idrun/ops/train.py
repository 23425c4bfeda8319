"""Training helpers: exponential_moving_average (B5), shuffle_batch, and the optimizers'
update kernels (apply_gradient_descent, apply_momentum, apply_adam, apply_rms_prop,
apply_adagrad, apply_adagrad_v2) and their sparse forms for a gather's IndexedSlices gradient
(sparse_apply_momentum, sparse_apply_adagrad, sparse_apply_rms_prop: TF's SparseApply* ops,
ResourceSparseApply* on resource variables).

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

The `apply_*` ops are TF's training kernels (`ApplyAdam`, `ResourceApplyAdam`, ...),
which `tf.compat.v1.train.*Optimizer.apply_gradients` builds: they take the variable and
its slots themselves (ref inputs), the hyperparameters as scalar tensors and the gradient,
and update them as an assign does (in place in ref mode, a new value rebound in resource
mode). Each computes its float operations in the order of TF's Eigen functor
(core/kernels/training_ops.cc), in the variable's dtype, so the values are TF's bit for
bit, except apply_adagrad on CPU where TF's vectorized `rsqrt` is an approximation (a
hardware estimate refined by one Newton step) for whole SIMD packets: there it can differ
from 1/sqrt by an ulp or two.

The `sparse_apply_*` ops take `grad` rows and `indices` (a vector, int32 or int64) and update only
the rows `var[indices[i]]` (and the slots' same rows) with TF's CPU loop body for one row, which
is not always the dense functor's order (Nesterov momentum: lr * g + (lr * momentum) * accum;
RMSProp: ms * rho + g * g * (1 - rho)). Distinct indices update all their rows at once (the same
bits: elementwise); a repeated index is applied row by row in order, as TF's loop does (the
optimizers sum repeated rows first, `_deduplicate_indexed_slices`, so only a raw op sees them).
"""

from __future__ import annotations

import math

from idrun.dtypes import FLOATS
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFType, attr
from idrun.ops.shapes import format_dims, same_dtype
from idrun.ops.state import _uninitialized, merge_shapes


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
        if cell.value is None:   # its variable had no `value:` (run.init sets it): TF's error
            raise _uninitialized(env, cell)
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
    if attrs["enqueue_many"]:   # TF's enqueue_many: one example per index of the leading dim
        firsts = [t.shape[0] for t in types if t.shape[0] is not None]
        if len(set(firsts)) > 1:
            raise InferError(f"Dimension 0 in both shapes must be equal, but are {firsts[0]} and "
                             f"{next(d for d in firsts if d != firsts[0])} (enqueue_many: every input "
                             "holds as many examples)")
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


# ---- the optimizers' update kernels ------------------------------------------------------
# Each update takes (xp, attrs, one, *inputs in TF's order) and returns the new values of the
# variable and its slots, computed as TF's functor writes them (`one` is T(1)).

def _gradient_descent(xp, a, one, var, alpha, delta):
    return [var - delta * alpha]


def _momentum(xp, a, one, var, accum, lr, grad, momentum):
    accum = accum * momentum + grad
    if a["use_nesterov"]:
        return [var - (grad * lr + accum * momentum * lr), accum]
    return [var - accum * lr, accum]


def _adam(xp, a, one, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
    alpha = lr * xp.sqrt(one - beta2_power) / (one - beta1_power)
    m = m + (grad - m) * (one - beta1)
    v = v + (grad * grad - v) * (one - beta2)
    if a["use_nesterov"]:
        return [var - ((grad * (one - beta1) + beta1 * m) * alpha) / (xp.sqrt(v) + epsilon), m, v]
    return [var - (m * alpha) / (xp.sqrt(v) + epsilon), m, v]


def _rms_prop(xp, a, one, var, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = ms + (grad * grad - ms) * (one - rho)
    mom = mom * momentum + (grad * lr) / xp.sqrt(ms + epsilon)
    return [var - mom, ms, mom]


def _adagrad(xp, a, one, var, accum, lr, grad):
    if a["update_slots"]:
        accum = accum + grad * grad
    return [var - grad * lr * (one / xp.sqrt(accum)), accum]


def _adagrad_v2(xp, a, one, var, accum, lr, epsilon, grad):
    if a["update_slots"]:
        accum = accum + grad * grad
    return [var - grad * lr / (xp.sqrt(accum) + epsilon), accum]


def _apply_infer(tf_name: str, inputs: tuple[str, ...], shaped: tuple[str, ...]):
    """TF's shape function of the Apply* ops: one dtype (a float type: TF has CPU kernels for
    those only), the slots and the gradient the variable's shape (Merge), the rest scalars."""
    def infer(attrs, types, consts):
        dtype = same_dtype(types, inputs, tf_name)
        if dtype not in FLOATS:
            raise InferError(f"{tf_name} has no kernel for {dtype} variables (TF's are float types)")
        shape = types[0].shape
        for name, t in zip(inputs[1:], types[1:]):
            if name in shaped:
                shape = merge_shapes(shape, t.shape)
            elif t.shape is not None and len(t.shape) != 0:
                raise InferError(f"Shape must be rank 0 but is rank {len(t.shape)} for '{name}'")
        return [TensorType(dtype, shape)]
    return infer


def _cell_values(env: KernelEnv, args: tuple, refs: int) -> list:
    """The inputs with the first `refs` (the variable and its slots) read from their cells, TF's
    error for one never initialized."""
    values = list(args)
    for k, cell in enumerate(args[:refs]):
        if cell.value is None:
            if env.variables == "ref":
                raise KernelError(f"Attempting to use uninitialized variables: {cell.name}")
            raise _uninitialized(env, cell)
        values[k] = cell.value
    return values


def _apply_kernel(update, inputs: tuple[str, ...], refs: int, shaped: tuple[str, ...]):
    def make(env: KernelEnv):
        xp, attrs = env.xp, env.attrs
        one = xp.asarray(1, env.in_types[0].dtype)
        in_place = env.variables == "ref"

        def apply(*args):
            cells, values = args[:refs], _cell_values(env, args, refs)
            var = values[0]
            for name, value in zip(inputs[1:], values[1:]):
                if name not in shaped and value.ndim != 0:
                    raise KernelError(f"{name} is not a scalar: {format_dims(value.shape)}")
                if name in shaped and value.shape != var.shape:
                    raise KernelError(f"var and {name} do not have the same shape"
                                      f"{format_dims(var.shape)} {format_dims(value.shape)}")
            for cell, new in zip(cells, update(xp, attrs, one, *values)):
                if in_place:
                    xp.copyto(cell.value, new)
                else:
                    cell.value = new
            return cells[0].value
        return apply
    return make


def _apply_tf(ref_op: str, inputs: tuple[str, ...], refs: int, flags: tuple[str, ...]):
    """The export: TF's raw op on the variable (ref) or on its handle (resource)."""
    def write(c):
        tail = "".join(f", {k}={c.attrs[k]!r}" for k in ("use_locking",) + flags) + c.kw
        ref = ", ".join(f"{n}={x}" for n, x in zip(inputs, c.args))
        res = ", ".join(f"{n}={x}.handle" if k < refs else f"{n}={x}"
                        for k, (n, x) in enumerate(zip(inputs, c.args)))
        return (f"(tf.raw_ops.Resource{ref_op}({res}{tail}) if IS_RES({c.args[0]}) "
                f"else tf.raw_ops.{ref_op}({ref}{tail}))")
    return write


def _apply_op(name: str, ref_op: str, inputs: tuple[str, ...], refs: int, update, doc: str,
              flags: tuple[tuple[str, bool], ...] = ()) -> OpDef:
    """One TF training op: `inputs` in TF's order, the first `refs` of them variables (the
    variable, then its slots), one the gradient (`grad`, `delta`); boolean attributes `flags`."""
    shaped = inputs[1:refs] + tuple(n for n in inputs if n in ("grad", "delta"))
    names = tuple(f for f, _ in flags)
    return OpDef(name, ref_op, inputs, _apply_infer(ref_op, inputs, shaped),
                 _apply_kernel(update, inputs, refs, shaped), doc,
                 attrs=(attr("use_locking", False, checks.boolean),)
                 + tuple(attr(f, default, checks.boolean) for f, default in flags),
                 ref_inputs=tuple(range(refs)), stateful=True, typed_with=tuple(range(len(inputs))),
                 assigns=True, ref_colocated=True, variable_group=True, effect="write",
                 tf=_apply_tf(ref_op, inputs, refs, names), tf_op="Resource" + ref_op, tf_ref_op=ref_op,
                 tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "use_locking": a["use_locking"],
                                              **{f: a[f] for f in names}},
                 tf_import=lambda a, c: {k: bool(a[k]) for k in ("use_locking",) + names if k in a})


# ---- the sparse updates (an IndexedSlices gradient: rows `grad[i]` for `var[indices[i]]`) -------
# Each takes the rows of the variable and its slots at the indices, and computes them as TF's
# CPU kernel's loop body does for one row (core/kernels/training_ops.cc, SparseApply*).

def _sparse_momentum(xp, a, one, var, accum, lr, grad, momentum):
    accum = accum * momentum + grad
    if a["use_nesterov"]:   # TF's sparse loop: lr * g + (lr * momentum) * a
        return [var - (lr * grad + (lr * momentum) * accum), accum]
    return [var - lr * accum, accum]


def _sparse_adagrad(xp, a, one, var, accum, lr, grad):
    if a["update_slots"]:
        accum = accum + grad * grad
    if math.prod(var.shape[1:]) > 1:   # TF's inner_dim > 1: Eigen rows, lr * g * rsqrt(a)
        return [var - (lr * grad) * (one / xp.sqrt(accum)), accum]
    return [var - (lr * grad) / xp.sqrt(accum), accum]          # one element a row: scalar code


def _sparse_rms_prop(xp, a, one, var, ms, mom, lr, rho, momentum, epsilon, grad):
    ms = ms * rho + grad * grad * (one - rho)
    mom = mom * momentum + (one / xp.sqrt(ms + epsilon)) * lr * grad
    return [var - mom, ms, mom]


def _sparse_infer(tf_name: str, inputs: tuple[str, ...], refs: int):
    """TF's SparseApply* shape function: the slots the variable's shape, grad [N] + var.shape[1:],
    indices a vector of N (int32 or int64), the rest scalars; one float dtype."""
    def infer(attrs, types, consts):
        named = dict(zip(inputs, types))
        dtype = same_dtype([t for n, t in named.items() if n != "indices"],
                           tuple(n for n in inputs if n != "indices"), tf_name)
        if dtype not in FLOATS:
            raise InferError(f"{tf_name} has no kernel for {dtype} variables (TF's are float types)")
        shape = types[0].shape
        for name, t in zip(inputs[1:refs], types[1:refs]):
            shape = merge_shapes(shape, t.shape)
        if shape is not None and len(shape) == 0:
            raise InferError("var must be at least 1 dimensional")
        indices, grad = named["indices"], named["grad"]
        if indices.dtype not in ("int32", "int64"):
            raise InferError(f"indices must be int32 or int64, got {indices.dtype}")
        if indices.shape is not None and len(indices.shape) != 1:
            raise InferError(f"Shape must be rank 1 but is rank {len(indices.shape)} for 'indices'")
        if grad.shape is not None and shape is not None:
            if len(grad.shape) != len(shape):
                raise InferError(f"Shapes must be equal rank, but are {len(grad.shape)} and {len(shape)}")
            merge_shapes(grad.shape[1:], shape[1:])
            if None not in (grad.shape[0], (indices.shape or (None,))[0]) and grad.shape[0] != indices.shape[0]:
                raise InferError(f"Dimensions must be equal, but are {grad.shape[0]} and {indices.shape[0]}")
        for name, t in named.items():
            if name not in inputs[:refs] + ("grad", "indices") and t.shape is not None and len(t.shape) != 0:
                raise InferError(f"Shape must be rank 0 but is rank {len(t.shape)} for '{name}'")
        return [TensorType(dtype, shape)]
    return infer


def _sparse_kernel(update, inputs: tuple[str, ...], refs: int):
    at = inputs.index("indices")
    grad_at = inputs.index("grad") - (inputs.index("grad") > at)   # its place once indices is taken out

    def make(env: KernelEnv):
        xp, attrs = env.xp, env.attrs
        one = xp.asarray(1, env.in_types[0].dtype)
        in_place = env.variables == "ref"

        def apply(*args):
            cells, values = args[:refs], _cell_values(env, args, refs)
            indices = values.pop(at)
            var, grad = values[0], values[grad_at]
            if indices.ndim != 1:
                raise KernelError("indices must be one-dimensional")
            if grad.shape[:1] != indices.shape or grad.shape[1:] != var.shape[1:]:
                raise KernelError("grad must be the same size as indices in the first dimension, and match "
                                  f"var in the others: grad {format_dims(grad.shape)}, var {format_dims(var.shape)}")
            bad = (indices < 0) | (indices >= var.shape[0])
            if bool(bad.any()):
                k = int(bad.argmax())
                raise KernelError(f"Index {int(indices[k])} at offset {k} in indices is out of range")
            bufs = [v if in_place else v.copy() for v in values[:refs]]
            rows = [int(i) for i in indices]
            if len(set(rows)) == len(rows):   # one row each: the rows at once (elementwise, same bits)
                groups = [(indices, slice(None))]
            else:                            # a repeated index: row by row, in order, as TF's loop
                groups = [([i], [k]) for k, i in enumerate(rows)]
            for where, k in groups:
                row_args = [b[where] for b in bufs] + [grad[k] if j == grad_at else v
                                                       for j, v in enumerate(values[refs:], refs)]
                for b, new in zip(bufs, update(xp, attrs, one, *row_args)):
                    b[where] = new
            for cell, b in zip(cells, bufs):
                cell.value = b
            return cells[0].value
        return apply
    return make


def _sparse_op(name: str, ref_op: str, inputs: tuple[str, ...], refs: int, update, doc: str,
               flags: tuple[tuple[str, bool], ...] = ()) -> OpDef:
    """One TF SparseApply* training op (its Resource* form on resource variables): `inputs` in TF's
    order, the first `refs` the variable and its slots, `grad` the rows and `indices` where they go."""
    names = tuple(f for f, _ in flags)
    return OpDef(name, ref_op, inputs, _sparse_infer(ref_op, inputs, refs), _sparse_kernel(update, inputs, refs), doc,
                 attrs=(attr("use_locking", False, checks.boolean),)
                 + tuple(attr(f, default, checks.boolean) for f, default in flags),
                 ref_inputs=tuple(range(refs)), stateful=True,
                 typed_with=tuple(k for k, n in enumerate(inputs) if n != "indices"),
                 assigns=True, ref_colocated=True, variable_group=True, effect="write",
                 tf=_apply_tf(ref_op, inputs, refs, names), tf_op="Resource" + ref_op, tf_ref_op=ref_op,
                 tf_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype), "Tindices": TFType(i[inputs.index("indices")].dtype),
                                              "use_locking": a["use_locking"], **{f: a[f] for f in names}},
                 tf_import=lambda a, c: {k: bool(a[k]) for k in ("use_locking",) + names if k in a})


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
    _apply_op("apply_gradient_descent", "ApplyGradientDescent", ("var", "alpha", "delta"), 1,
              _gradient_descent, "var -= alpha * delta (GradientDescentOptimizer's update); yields var."),
    _apply_op("apply_momentum", "ApplyMomentum", ("var", "accum", "lr", "grad", "momentum"), 2, _momentum,
              "accum = accum * momentum + grad; var -= lr * accum (or Nesterov's); yields var.",
              flags=(("use_nesterov", False),)),
    _apply_op("apply_adam", "ApplyAdam", ("var", "m", "v", "beta1_power", "beta2_power", "lr", "beta1", "beta2",
                                          "epsilon", "grad"), 3, _adam,
              "Adam: m, v updated; var -= lr*sqrt(1-beta2^t)/(1-beta1^t) * m/(sqrt(v)+epsilon); yields var.",
              flags=(("use_nesterov", False),)),
    _apply_op("apply_rms_prop", "ApplyRMSProp", ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"),
              3, _rms_prop, "RMSProp: ms, mom updated; var -= mom; yields var."),
    _apply_op("apply_adagrad", "ApplyAdagrad", ("var", "accum", "lr", "grad"), 2, _adagrad,
              "accum += grad^2; var -= lr * grad / sqrt(accum); yields var.",
              flags=(("update_slots", True),)),
    _apply_op("apply_adagrad_v2", "ApplyAdagradV2", ("var", "accum", "lr", "epsilon", "grad"), 2, _adagrad_v2,
              "accum += grad^2; var -= lr * grad / (sqrt(accum) + epsilon); yields var.",
              flags=(("update_slots", True),)),
    _sparse_op("sparse_apply_momentum", "SparseApplyMomentum",
               ("var", "accum", "lr", "grad", "indices", "momentum"), 2, _sparse_momentum,
               "Momentum on the rows at indices: accum = accum * momentum + grad; var -= lr * accum.",
               flags=(("use_nesterov", False),)),
    _sparse_op("sparse_apply_adagrad", "SparseApplyAdagrad", ("var", "accum", "lr", "grad", "indices"), 2,
               _sparse_adagrad, "Adagrad on the rows at indices: accum += grad^2; var -= lr * grad / sqrt(accum).",
               flags=(("update_slots", True),)),
    _sparse_op("sparse_apply_rms_prop", "SparseApplyRMSProp",
               ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad", "indices"), 3, _sparse_rms_prop,
               "RMSProp on the rows at indices: ms, mom updated; var -= mom."),
]
