"""Sources and state: const, variable, placeholder, read, assign, assign_add, assign_sub,
scatter_add, scatter_sub, scatter_update, is_variable_initialized.

A variable's storage is a `VariableCell`. In `resource` mode an update
rebinds `cell.value` to a new array, so every earlier read stays a snapshot.
In `ref` mode an update writes into the buffer in place, so an identity of
the ref (a view of the same array) shows updates made later in the step (C6).
"""

from __future__ import annotations

from typing import Any

from idrun.ops.gradlib import fully_known, gather_slices, no_gradient, pass_through, shape_tensor
from idrun.dtypes import literal_type
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFShape, TFType, attr, py_literal
from idrun.ops.shapes import format_dims, same_dtype


class VariableCell:
    """The storage of one variable; `value` is None until initialized."""

    __slots__ = ("name", "value")

    def __init__(self, name: str) -> None:
        self.name = name
        self.value: Any = None

    def __repr__(self) -> str:
        return f"<variable {self.name}>"


def _literal_infer(attrs, types, consts):
    try:
        dtype, shape = literal_type(attrs["value"], attrs.get("dtype"))
    except ValueError as exc:
        raise InferError(f"bad value: {exc}") from None
    return [TensorType(dtype, shape)]


def _variable_infer(attrs, types, consts):
    """From `value`, or (no value: an imported initializer sets it, run.init) `dtype` and `shape`."""
    if attrs.get("value") is not None:
        return _literal_infer(attrs, types, consts)
    if attrs.get("dtype") is None:
        raise InferError("a variable without `value` needs `dtype` (and `shape`): its initializer "
                         "runs from the spec's run.init")
    shape = attrs.get("shape")
    return [TensorType(attrs["dtype"], None if shape is None else tuple(shape))]


def _placeholder_infer(attrs, types, consts):
    shape = attrs.get("shape")
    return [TensorType(attrs["dtype"], None if shape is None else tuple(shape))]


def _uninitialized(env: KernelEnv, cell: VariableCell) -> KernelError:
    if env.variables == "ref":
        return KernelError(f"Attempting to use uninitialized value {cell.name}")
    return KernelError(
        f"Could not find variable {cell.name}. This could mean that the variable has been "
        "deleted. In TF1, it can also mean the variable is uninitialized.")


def _variable_shape_infer(attrs, types, consts):
    if attrs["out_type"] not in ("int32", "int64"):
        raise InferError(f"VariableShape's out_type must be int32 or int64, got {attrs['out_type']}")
    shape = types[0].shape
    return [TensorType(attrs["out_type"], None if shape is None else (len(shape),))]


def _variable_shape_kernel(env: KernelEnv):
    import numpy
    read, dtype = _read_kernel(env), env.attrs["out_type"]
    return lambda cell: numpy.array(numpy.shape(read(cell)), dtype=dtype)


def _read_kernel(env: KernelEnv):
    def read(cell):
        if not isinstance(cell, VariableCell):  # the variable was fed (ref mode): its value
            return cell
        value = cell.value
        if value is None:
            raise _uninitialized(env, cell)
        return value
    return read


def _assign_infer(attrs, types, consts):
    var, value = types
    if var.dtype != value.dtype:
        raise InferError(f"cannot assign a {value.dtype} value to a {var.dtype} variable")
    if var.shape is not None and value.shape is not None and tuple(var.shape) != tuple(value.shape):
        raise InferError(f"Shapes must be equal: variable has shape {list(var.shape)}, "
                         f"value has shape {list(value.shape)}")
    return [var]


def _article(word: str) -> str:
    return "an" if word[:1] == "i" else "a"   # an int32, a uint8, a float32


def _update_infer(attrs, types, consts):
    var, value = types
    if var.dtype != value.dtype:
        raise InferError(f"cannot update {_article(var.dtype)} {var.dtype} variable with {_article(value.dtype)} "
                         f"{value.dtype} value")
    if var.shape is not None and value.shape is not None and tuple(var.shape) != tuple(value.shape):
        raise InferError(f"Shapes must be equal: variable has shape {list(var.shape)}, "
                         f"value has shape {list(value.shape)} (TF does not broadcast updates)")
    return [var]


def _update_kernel(ufunc_name: str | None):
    """assign (ufunc None), assign_add (add), assign_sub (subtract).

    An `assign` to a variable never initialized initializes it (TF's Assign and
    AssignVariableOp do); an update of one fails as a read would."""
    def make(env: KernelEnv):
        xp = env.xp
        ufunc = getattr(xp, ufunc_name) if ufunc_name else None
        if env.variables == "ref":
            def update_in_place(cell, value):
                buf = cell.value
                if buf is None and ufunc is None:  # the value's dtype is the variable's (infer)
                    cell.value = xp.array(value, copy=True)
                    return cell.value
                if buf is None:
                    raise _uninitialized(env, cell)
                if ufunc is None:
                    xp.copyto(buf, value)
                else:
                    ufunc(buf, value, out=buf)
                return buf
            return update_in_place

        def rebind(cell, value):
            old = cell.value
            if old is None and ufunc is not None:
                raise _uninitialized(env, cell)
            new = xp.array(value, copy=True) if ufunc is None else ufunc(old, value)
            cell.value = new
            return new
        return rebind
    return make


def _tf_dtype(attrs) -> str:
    return f"tf.{attrs['dtype']}" if attrs.get("dtype") else "None"


def _gd_const(name, attrs, ins, outs):
    return {"dtype": TFType(outs[0].dtype), "value": ("tensor", attrs["value"], outs[0].dtype)}


def _gd_variable(name, attrs, ins, outs):
    return {"dtype": TFType(outs[0].dtype), "shape": TFShape(outs[0].shape or ()),
            "container": "", "shared_name": name}


def _gd_placeholder(name, attrs, ins, outs):
    return {"dtype": TFType(outs[0].dtype),
            "shape": None if outs[0].shape is None else TFShape(outs[0].shape)}


def _gd_dtype(name, attrs, ins, outs):
    return {"dtype": TFType(ins[0].dtype)}


def _gd_ref_update(validate: bool):
    def attrs_of(name, attrs, ins, outs):
        out = {"T": TFType(ins[0].dtype), "use_locking": validate}
        if validate:
            out["validate_shape"] = True
        return out
    return attrs_of


def _import_literal(tf_attrs, consts):
    value = tf_attrs["value"]
    if value.dtype.kind in "OS":  # TF strings are bytes: the spec holds text (UTF-8)
        return {"value": _text(value.tolist()), "dtype": "string"}
    return {"value": value.tolist(), "dtype": str(value.dtype)}


def _text(value):
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _import_placeholder(tf_attrs, consts):
    shape = tf_attrs.get("shape")
    return {"dtype": tf_attrs["dtype"], "shape": None if shape is None else list(shape)}


def merge_shapes(a: tuple | None, b: tuple | None) -> tuple | None:
    """TF's shape-inference `Merge`: the two shapes must agree where both are known; the
    result has every dimension either one knows (None: unknown)."""
    if a is None or b is None:
        return b if a is None else a
    if len(a) != len(b):
        raise InferError(f"Shapes must be equal rank, but are {len(a)} and {len(b)}")
    for i, (x, y) in enumerate(zip(a, b)):
        if x is not None and y is not None and x != y:
            raise InferError(f"Dimension {i} in both shapes must be equal, but are {x} and {y}. "
                             f"Shapes are {format_dims(a)} and {format_dims(b)}.")
    return tuple(y if x is None else x for x, y in zip(a, b))


def _index_dtype(t: TensorType, attr_name: str = "Tindices") -> None:
    if t.dtype not in ("int32", "int64"):
        raise InferError(f"Value for attr '{attr_name}' of {t.dtype} is not in the list of allowed "
                         "values: int32, int64")


def _scatter_infer(tf_name: str):
    """ScatterUpdate's shape function: updates is a scalar or indices.shape + ref.shape[1:]."""
    def infer(attrs, types, consts):
        var, indices, updates = types
        same_dtype((var, updates), ("ref", "updates"), tf_name)
        _index_dtype(indices)
        if var.shape is not None and len(var.shape) == 0:
            raise InferError("params must be at least 1-D, got shape []")
        if updates.shape is not None and len(updates.shape) > 0 and var.shape is not None \
                and indices.shape is not None:
            merge_shapes(updates.shape, tuple(indices.shape) + tuple(var.shape[1:]))
        return [var]
    return infer


def _check_scatter(params, indices, updates) -> None:
    """The scatter kernels' checks, in TF's order and words, before anything is written."""
    if params.ndim == 0:
        raise KernelError("params must be at least 1-D, got shape []")
    if updates.ndim and tuple(updates.shape) != tuple(indices.shape) + tuple(params.shape[1:]):
        raise KernelError("Must have updates.shape = indices.shape + params.shape[1:] or updates.shape = "
                          f"[], got updates.shape {format_dims(updates.shape)}, indices.shape "
                          f"{format_dims(indices.shape)}, params.shape {format_dims(params.shape)}")
    flat = indices.reshape(-1)
    limit = params.shape[0]
    bad = (flat < 0) | (flat >= limit)
    if bool(bad.any()):
        i = int(bad.argmax())
        where = ",".join(str(int(k)) for k in _unravel(i, indices.shape))
        raise KernelError(f"indices[{where}] = {int(flat[i])} is not in [0, {limit})")


def _unravel(i: int, shape) -> list[int]:
    out = []
    for d in reversed(tuple(shape)):
        out.append(i % d)
        i //= d
    return out[::-1]


def _scatter_kernel(ufunc_name: str | None):
    """scatter_add (add), scatter_sub (subtract), scatter_update (None): rows of the
    variable at `indices` updated in the order the indices list them, as TF's CPU kernel
    does (a repeated index adds twice; for an update the last one stays). Ref mode writes
    in place; resource mode writes a copy and rebinds it (earlier reads keep their value)."""
    def make(env: KernelEnv):
        xp = env.xp
        ufunc = getattr(xp, ufunc_name) if ufunc_name else None
        in_place = env.variables == "ref"

        def scatter(cell, indices, updates):
            old = cell.value
            if old is None:
                raise _uninitialized(env, cell)
            _check_scatter(old, indices, updates)
            buf = old if in_place else old.copy()
            flat = indices.reshape(-1)
            rows = updates if updates.ndim == 0 else updates.reshape((-1,) + tuple(old.shape[1:]))
            if ufunc is not None:
                ufunc.at(buf, flat, rows)
            elif flat.size and len(set(flat.tolist())) < flat.size:  # repeated: the last one wins
                for k in range(flat.size):
                    buf[flat[k]] = rows if rows.ndim == 0 else rows[k]
            else:
                buf[flat] = rows
            cell.value = buf
            return buf
        return scatter
    return make


def _is_initialized_kernel(env: KernelEnv):
    xp = env.xp

    def is_variable_initialized(cell):
        # a fed ref variable arrives as its value: it has one
        return xp.asarray(not isinstance(cell, VariableCell) or cell.value is not None)
    return is_variable_initialized


def _gd_scatter(name, attrs, ins, outs):
    return {"dtype": TFType(ins[0].dtype), "Tindices": TFType(ins[1].dtype)}


def _gd_ref_scatter(use_locking: bool):
    def attrs_of(name, attrs, ins, outs):
        return {"T": TFType(ins[0].dtype), "Tindices": TFType(ins[1].dtype), "use_locking": use_locking}
    return attrs_of


def _scatter_op(name: str, ufunc_name: str | None, ref_op: str, use_locking: bool, doc: str) -> OpDef:
    return OpDef(name, ref_op, ("ref", "indices", "updates"), _scatter_infer(ref_op), _scatter_kernel(ufunc_name), doc,
                 ref_inputs=(0,), stateful=True, typed_with=(0, 2), **_ASSIGN, tf=f"tf1.{name}",
                 tf_op=f"Resource{ref_op}", tf_ref_op=ref_op, tf_attrs=_gd_scatter,
                 tf_ref_attrs=_gd_ref_scatter(use_locking))


def _resource_gather_infer(attrs, types, consts):
    params, indices = types
    if indices.dtype not in ("int32", "int64"):
        raise InferError(f"indices must be int32 or int64, got {indices.dtype}")
    if params.shape is None or indices.shape is None:
        return [TensorType(params.dtype, None)]
    if not params.shape:
        raise InferError("Shape must be at least rank 1 but is rank 0 for the gathered variable")
    return [TensorType(params.dtype, tuple(indices.shape) + tuple(params.shape[1:]))]


def _resource_gather_kernel(env: KernelEnv):
    xp, read = env.xp, _read_kernel(env)

    def resource_gather(cell, indices):
        params = read(cell)
        limit = params.shape[0]
        bad = (indices < 0) | (indices >= limit)
        if bool(bad.any()):  # TF's message; numpy would wrap a negative index
            where = [int(i) for i in xp.argwhere(bad)[0]]
            raise KernelError(f"indices[{','.join(map(str, where))}] = {int(indices[tuple(where)])} "
                              f"is not in [0, {limit})")
        return xp.take(params, indices, axis=0)
    return resource_gather


def variable_shape_tensor(g, handle):
    """`resource_variable_ops.variable_shape(handle)`: a Const `Const` of the variable's shape when
    fully known, else a VariableShape node."""
    shape = g.shape(handle)
    if fully_known(shape):
        return g.const("Const", list(shape), "int32")
    return g.make("variable_shape", "VariableShape", [handle], {"out_type": "int32"})


def resource_gather_grad(g, op, grads):
    """TF's `_GatherGrad` (resource_variable_ops.py): an IndexedSlices whose dense_shape is the
    variable's shape (`Const`, or VariableShape); the gradient reaches the variable itself."""
    return [gather_slices(g, grads[0], op.inputs[1], variable_shape_tensor(g, op.inputs[0]), False), None]


def embedding_lookup_grad(g, op, grads):
    """embedding_lookup's gather: ResourceGather's gradient on a resource variable's handle (two
    inputs), else GatherV2's (`_GatherV2Grad`, axis 0: the axis is TF's helper constant 0)."""
    if len(op.inputs) == 2:
        return resource_gather_grad(g, op, grads)
    with g.colocate_with(op.inputs[0]):   # TF: the params' shape is computed with them
        params_shape = shape_tensor(g, op.inputs[0])
    return [gather_slices(g, grads[0], op.inputs[1], params_shape, True)] + [None] * (len(op.inputs) - 1)


def _import_resource_gather(t, c):
    if t.get("batch_dims", 0):
        raise ValueError("ResourceGather with batch_dims is not supported")
    return {"batch_dims": 0, "validate_indices": bool(t.get("validate_indices", True))}


# TF's assigns: they return the variable (an `_UnreadVariable`, or the ref) and are
# built under colocate_with(var) in ref mode; they sit in the variable's group (F4)
_ASSIGN = dict(assigns=True, ref_colocated=True, variable_group=True, effect="write")

OPS = [
    OpDef("const", "Const", (), _literal_infer, None,
          "A constant tensor, materialized once per plan.",
          attrs=(attr("value", check=checks.anything), attr("dtype", None, checks.dtype)),
          source="const", tf_op="Const", tf_attrs=_gd_const, tf_import=_import_literal,
          tf=lambda c: f"tf.constant({py_literal(c.attrs['value'])}, dtype={_tf_dtype(c.attrs)}{c.kw})", grad=no_gradient),
    OpDef("variable", "Variable", (), _variable_infer, None,
          "A variable initialized from `value` before the first step (or by run.init's ops).",
          attrs=(attr("value", None, checks.anything), attr("dtype", None, checks.dtype),
                 attr("shape", None, checks.shape),
                 attr("trainable", True, checks.boolean), attr("collections", None, checks.anything),
                 attr("resource", None, checks.boolean,
                      "this variable's kind: true a resource variable, false a ref variable "
                      "(TF's use_resource); default the graph's `variables:`")),
          stateful=True, source="variable", tf_op="VarHandleOp", tf_ref_op="VariableV2",
          tf_attrs=_gd_variable,
          tf=lambda c: f"tf1.Variable({py_literal(c.attrs['value'])}, dtype={_tf_dtype(c.attrs)}, "
                       f"use_resource=USE_RESOURCE({c.attrs.get('resource')!r}){c.kw})"),
    OpDef("placeholder", "Placeholder", (), _placeholder_infer, None,
          "A tensor that must be fed.",
          attrs=(attr("dtype", check=checks.dtype), attr("shape", None, checks.shape)),
          source="placeholder", tf_op="Placeholder", tf_attrs=_gd_placeholder,
          tf_import=_import_placeholder, tf_import_ops=("PlaceholderV2",),
          tf=lambda c: f"tf1.placeholder(tf.{c.attrs['dtype']}, shape={c.attrs['shape']!r}{c.kw})", grad=no_gradient),
    OpDef("read", "ReadVariableOp", ("variable",), lambda a, t, c: [t[0]], _read_kernel,
          "An explicit read of a variable, placed with it (resource: a snapshot; ref: a view).",
          ref_inputs=(0,), ref_colocated=True, variable_group=True, tf="F_read",
          tf_op="ReadVariableOp", tf_ref_op="Identity", tf_attrs=_gd_dtype,
          tf_ref_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype)}, grad=pass_through),
    OpDef("resource_gather", "ResourceGather", ("resource", "indices"), _resource_gather_infer,
          _resource_gather_kernel, "Rows of a resource variable at indices, read where it lives (what "
          "tf.gather and embedding_lookup build on a resource variable's handle).",
          attrs=(attr("batch_dims", 0, checks.integer), attr("validate_indices", True, checks.boolean)),
          ref_inputs=(0,), ref_colocated=True, variable_group=True, tf_op="ResourceGather",
          tf_import=_import_resource_gather,
          tf_attrs=lambda n, a, i, o: {"batch_dims": a["batch_dims"], "validate_indices": a["validate_indices"],
                                       "dtype": TFType(i[0].dtype), "Tindices": TFType(i[1].dtype)},
          tf=lambda c: f"(tf.raw_ops.ResourceGather(resource={c.args[0]}.handle, indices={c.args[1]}, "
                       f"dtype={c.args[0]}.dtype.base_dtype{c.kw}) if IS_RES({c.args[0]}) else tf.gather({c.args[0]}, "
                       f"{c.args[1]}{c.kw}))", grad=resource_gather_grad),
    OpDef("variable_shape", "VariableShape", ("variable",), _variable_shape_infer, _variable_shape_kernel,
          "A resource variable's shape, as a vector (TF 2's gradients of a While read it for "
          "a captured variable's zeros).", attrs=(attr("out_type", "int32", checks.dtype),),
          ref_inputs=(0,), ref_colocated=True, variable_group=True, gpu=False, tf_op="VariableShape",
          tf_import=lambda t, c: {"out_type": t.get("out_type", "int32")},
          tf_attrs=lambda n, a, i, o: {"out_type": TFType(a["out_type"])},
          tf=lambda c: f"tf.raw_ops.VariableShape(input={c.args[0]}.handle, out_type={c.attrs['out_type']!r}{c.kw})",
          grad=no_gradient),   # TF: NotDifferentiable
    OpDef("assign", "AssignVariableOp", ("ref", "value"), _assign_infer, _update_kernel(None),
          "Set a variable; yields the value after the update.",
          ref_inputs=(0,), stateful=True, typed_with=(0,), **_ASSIGN, tf="tf1.assign",
          tf_op="AssignVariableOp", tf_ref_op="Assign", tf_attrs=_gd_dtype, tf_ref_attrs=_gd_ref_update(True)),
    OpDef("assign_add", "AssignAddVariableOp", ("ref", "value"), _update_infer,
          _update_kernel("add"), "Add to a variable; yields the value after the update.",
          ref_inputs=(0,), stateful=True, typed_with=(0,), **_ASSIGN, tf="tf1.assign_add",
          tf_op="AssignAddVariableOp", tf_ref_op="AssignAdd", tf_attrs=_gd_dtype, tf_ref_attrs=_gd_ref_update(False)),
    OpDef("assign_sub", "AssignSubVariableOp", ("ref", "value"), _update_infer,
          _update_kernel("subtract"), "Subtract from a variable; yields the value after the update.",
          ref_inputs=(0,), stateful=True, typed_with=(0,), **_ASSIGN, tf="tf1.assign_sub",
          tf_op="AssignSubVariableOp", tf_ref_op="AssignSub", tf_attrs=_gd_dtype, tf_ref_attrs=_gd_ref_update(False)),
    _scatter_op("scatter_add", "add", "ScatterAdd", False,
                "Add updates to the variable's rows at indices (repeats add up); yields the variable."),
    _scatter_op("scatter_sub", "subtract", "ScatterSub", False,
                "Subtract updates from the variable's rows at indices; yields the variable."),
    _scatter_op("scatter_update", None, "ScatterUpdate", True,
                "Set the variable's rows at indices to updates (a repeated index: the last); yields the variable."),
    OpDef("is_variable_initialized", "IsVariableInitialized", ("ref",),
          lambda a, t, c: [TensorType("bool", ())], _is_initialized_kernel,
          "Whether the variable holds a value (true once initialized).",
          ref_inputs=(0,), stateful=True, variable_group=True, follows_input="metadata",
          tf=lambda c: f"(tf.raw_ops.VarIsInitializedOp(resource={c.args[0]}.handle{c.kw}) if IS_RES({c.args[0]}) "
                       f"else tf.raw_ops.IsVariableInitialized(ref={c.args[0]}{c.kw}))",
          tf_op="VarIsInitializedOp", tf_ref_op="IsVariableInitialized", tf_attrs=lambda n, a, i, o: {},
          tf_ref_attrs=lambda n, a, i, o: {"dtype": TFType(i[0].dtype)},
          grad=no_gradient),   # TF: VarIsInitializedOp is NotDifferentiable
]
