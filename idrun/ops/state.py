"""Sources and state: const, variable, placeholder, read, assign, assign_add, assign_sub.

A variable's storage is a `VariableCell`. In `resource` mode an update
rebinds `cell.value` to a new array, so every earlier read stays a snapshot.
In `ref` mode an update writes into the buffer in place, so an identity of
the ref (a view of the same array) shows updates made later in the step (C6).
"""

from __future__ import annotations

from typing import Any

from idrun.dtypes import literal_type
from idrun.graph import TensorType
from idrun.ops import checks
from idrun.ops.opdef import InferError, KernelEnv, KernelError, OpDef, TFShape, TFType, attr, py_literal


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


def _update_infer(attrs, types, consts):
    var, value = types
    if var.dtype != value.dtype:
        raise InferError(f"cannot update a {var.dtype} variable with a {value.dtype} value")
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
    return {"value": value.tolist(), "dtype": str(value.dtype) if value.dtype.kind != "O" else "string"}


def _import_placeholder(tf_attrs, consts):
    shape = tf_attrs.get("shape")
    return {"dtype": tf_attrs["dtype"], "shape": None if shape is None else list(shape)}


# TF's assigns: they return the variable (an `_UnreadVariable`, or the ref) and are
# built under colocate_with(var) in ref mode; they sit in the variable's group (F4)
_ASSIGN = dict(assigns=True, ref_colocated=True, variable_group=True, effect="write")

OPS = [
    OpDef("const", "Const", (), _literal_infer, None,
          "A constant tensor, materialized once per plan.",
          attrs=(attr("value", check=checks.anything), attr("dtype", None, checks.dtype)),
          source="const", tf_op="Const", tf_attrs=_gd_const, tf_import=_import_literal,
          tf=lambda c: f"tf.constant({py_literal(c.attrs['value'])}, dtype={_tf_dtype(c.attrs)}{c.kw})"),
    OpDef("variable", "Variable", (), _variable_infer, None,
          "A variable initialized from `value` before the first step (or by run.init's ops).",
          attrs=(attr("value", None, checks.anything), attr("dtype", None, checks.dtype),
                 attr("shape", None, checks.shape),
                 attr("trainable", True, checks.boolean), attr("collections", None, checks.anything)),
          stateful=True, source="variable", tf_op="VarHandleOp", tf_ref_op="VariableV2",
          tf_attrs=_gd_variable,
          tf=lambda c: f"tf1.Variable({py_literal(c.attrs['value'])}, dtype={_tf_dtype(c.attrs)}, "
                       f"use_resource=RESOURCE{c.kw})"),
    OpDef("placeholder", "Placeholder", (), _placeholder_infer, None,
          "A tensor that must be fed.",
          attrs=(attr("dtype", check=checks.dtype), attr("shape", None, checks.shape)),
          source="placeholder", tf_op="Placeholder", tf_attrs=_gd_placeholder,
          tf_import=_import_placeholder, tf_import_ops=("PlaceholderV2",),
          tf=lambda c: f"tf1.placeholder(tf.{c.attrs['dtype']}, shape={c.attrs['shape']!r}{c.kw})"),
    OpDef("read", "ReadVariableOp", ("variable",), lambda a, t, c: [t[0]], _read_kernel,
          "An explicit read of a variable, placed with it (resource: a snapshot; ref: a view).",
          ref_inputs=(0,), ref_colocated=True, variable_group=True, tf="F_read",
          tf_op="ReadVariableOp", tf_ref_op="Identity", tf_attrs=_gd_dtype,
          tf_ref_attrs=lambda n, a, i, o: {"T": TFType(i[0].dtype)}),
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
]
