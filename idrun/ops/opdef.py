"""What an op is: `OpDef`, one small frozen record per op.

An OpDef says how many inputs the op takes and what they are called (the
names of implicit constants, `Add/y`), which attributes it accepts, how to
infer its output dtypes and shapes, and how to build a kernel for a device's
array module. Inference needs no numpy, so `idrun ops` stays light.

Inference: `infer(attrs, in_types, in_consts)` returns the output types;
`in_consts[i]` is the literal value of input i when it is a constant, else None.

Kernels: `kernel(env)` is called once per plan and returns a callable taking
the input values positionally. Single-output ops return the value itself;
multi-output ops return a tuple (`OpDef.multi_output`).

Every other fact about an op lives here too, so that the builder, placement,
partition, plan and exporter ask the OpDef instead of testing op names: what
TF's Python builds around it (helpers, an assign's `_UnreadVariable`, a
returned identity, an expansion), how it is placed (its variable's group,
colocate_with, the shape and identity heuristics) and how it is exported.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from idrun.graph import TensorType
from idrun.records import Frozen, setfield

MISSING = object()


class InferError(ValueError):
    """A build-time type error; the builder adds the node's location."""


class KernelError(RuntimeError):
    """A run-time failure with a message in TF's words."""


# Plain classes, not dataclasses (idrun.records says why): the same constructors, fields,
# repr, == and hash as the frozen dataclasses they replace.


class AttrDef(Frozen):
    """One attribute: its default (MISSING if required) and a normalizer."""

    __slots__ = ("name", "default", "check", "doc")
    name: str
    default: Any
    check: Callable[[Any], Any] | None
    doc: str

    def __init__(self, name: str, default: Any = MISSING, check: Callable[[Any], Any] | None = None,
                 doc: str = "") -> None:
        setfield(self, "name", name)
        setfield(self, "default", default)
        setfield(self, "check", check)
        setfield(self, "doc", doc)

    @property
    def required(self) -> bool:
        return self.default is MISSING


class KernelEnv(Frozen):
    """What a kernel factory may look at: bound once per plan."""

    __slots__ = ("xp", "attrs", "in_types", "in_names", "out_types", "node", "variables", "device", "state",
                 "ref_positions")
    xp: Any
    attrs: Mapping[str, Any]
    in_types: tuple[TensorType, ...]
    in_names: tuple[str, ...]
    out_types: tuple[TensorType, ...]
    node: str
    variables: str                        # "resource" | "ref"
    device: Any
    state: dict                           # persists across plans and steps: RNG streams, queues
    ref_positions: tuple[int, ...]        # inputs that are variable cells, not values

    def __init__(self, xp: Any, attrs: Mapping[str, Any], in_types: tuple[TensorType, ...],
                 in_names: tuple[str, ...], out_types: tuple[TensorType, ...], node: str, variables: str,
                 device: Any = None, state: dict = None, ref_positions: tuple[int, ...] = ()) -> None:
        setfield(self, "xp", xp)
        setfield(self, "attrs", attrs)
        setfield(self, "in_types", in_types)
        setfield(self, "in_names", in_names)
        setfield(self, "out_types", out_types)
        setfield(self, "node", node)
        setfield(self, "variables", variables)
        setfield(self, "device", device)
        setfield(self, "state", state)
        setfield(self, "ref_positions", ref_positions)


def py_literal(value: Any) -> str:
    """A spec value as Python source: strings through repr, nan/inf as float("nan"), lists and
    mappings element by element (a value from a spec is data, never code)."""
    if isinstance(value, float) and value != value:
        return 'float("nan")'
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f'float("{value}")'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    raise ValueError(f"cannot write {type(value).__name__} as a Python literal")


class TFCall(Frozen):
    """An op's export call: its inputs as Python expressions, its attributes, the
    entry's explicit name, and (exponential_moving_average) the names of its shadows."""

    __slots__ = ("args", "attrs", "name", "shadows")
    args: tuple[str, ...]
    attrs: Mapping[str, Any]
    name: str | None
    shadows: tuple[str, ...]

    def __init__(self, args: tuple[str, ...], attrs: Mapping[str, Any], name: str | None = None,
                 shadows: tuple[str, ...] = ()) -> None:
        setfield(self, "args", args)
        setfield(self, "attrs", attrs)
        setfield(self, "name", name)
        setfield(self, "shadows", shadows)

    @property
    def kw(self) -> str:
        """`, name='x'` when the entry named the node, else nothing (TF picks the name)."""
        return f", name={self.name!r}" if self.name else ""


class OpDef(Frozen):
    """One op of the registry."""

    __slots__ = ("name", "type_name", "inputs", "infer", "kernel", "doc", "attrs", "variadic", "ref_inputs",
                 "stateful", "multi_output", "source", "typed_with", "gpu", "control_inputs_only",
                 "static_check", "variable_inputs", "colocate_input", "helpers", "returns_identity",
                 "assigns", "ref_colocated", "variable_group", "follows_input", "expansion", "effect", "tf",
                 "tf_unsupported", "tf_op", "tf_ref_op", "tf_attrs", "tf_ref_attrs", "tf_helper_values",
                 "tf_import", "tf_import_ops", "elementwise", "min_inputs", "grad")
    name: str
    type_name: str
    inputs: tuple[str, ...]
    infer: Callable[[Mapping[str, Any], Sequence[TensorType], Sequence[Any]], list[TensorType]]
    kernel: Callable[[KernelEnv], Callable] | None
    doc: str
    attrs: tuple[AttrDef, ...]
    variadic: bool                        # inputs[0] names a list of one or more tensors
    ref_inputs: tuple[int, ...]           # positions that take the variable itself
    stateful: bool
    multi_output: bool
    source: str                           # "const" | "variable" | "placeholder": no kernel per step
    typed_with: tuple[int, ...]           # inputs a literal takes its dtype from
    gpu: bool                             # has a GPU kernel (default placement prefers gpu:0)
    control_inputs_only: bool             # inputs are ops to run, not tensors (group)
    static_check: Callable | None         # (attrs, values, names) when all inputs are constants
    variable_inputs: tuple[int, ...]      # positions that take a variable itself if given one
    colocate_input: int | None            # placed with this input's node (TF colocate_with)
    helpers: Callable | None              # (attrs, on_handle) -> names of the constants TF's
                                          # Python makes for this op (reduce axis, split_dim);
                                          # on_handle: a variable input is a resource handle
    returns_identity: bool                # TF's Python returns `<name>/Identity` of its output
                                          # (embedding_lookup): the spec's name means that
    assigns: bool                         # updates input 0: TF returns an `_UnreadVariable`
                                          # (resource) or the ref itself (ref)
    ref_colocated: bool                   # ref mode: built under colocate_with(variable)
    variable_group: bool                  # placed with the variable it takes (F4)
    follows_input: str                    # placement heuristic: "metadata" (F7), "identity" (F8)
    expansion: str                        # the builder expands it before inputs resolve
    effect: str                           # what running it does besides its outputs (`idrun
                                          # check`): "write" (a variable), "average", "check",
                                          # "print", "dequeue"; "" for none
    tf: str | Callable[[TFCall], str] | None  # export: a TF function, or a writer
    tf_unsupported: str                   # why it has no TF export
    # GraphDef (idrun export --format graphdef|tensorboard, idrun import): TF's op type in
    # resource mode (or in both) and in ref mode, the node's TF attributes (default: `T`, the
    # dtype of input 0), the values of its helper constants, and the idrun attributes of
    # an imported node (from its TF attributes and the values of constant inputs)
    tf_op: str
    tf_ref_op: str
    tf_attrs: Callable | None             # (name, attrs, in_types, out_types) -> {name: value}
    tf_ref_attrs: Callable | None         # the same in ref mode, when it differs
    tf_helper_values: Callable | None     # (attrs, in_types) -> values of the helper consts
    tf_import: Callable | None            # (tf attrs, const inputs) -> idrun attrs
    tf_import_ops: tuple[str, ...]        # further TF op types that import as this op
    elementwise: bool                     # the kernel is an array-module ufunc: a fresh output,
                                          # inputs never kept, `out=` accepted (the plan frees
                                          # and reuses buffers through this)
    min_inputs: int                       # the fewest inputs a variadic op takes (tf_opaque: 0)
    grad: Callable | None                 # TF's registered gradient: (g, op, grads) -> a gradient
                                          # per input, built through `g` with TF's names (ops/gradlib.py)

    def __init__(self, name: str, type_name: str, inputs: tuple[str, ...],
                 infer: Callable[[Mapping[str, Any], Sequence[TensorType], Sequence[Any]], list[TensorType]],
                 kernel: Callable[[KernelEnv], Callable] | None, doc: str, attrs: tuple[AttrDef, ...] = (),
                 variadic: bool = False, ref_inputs: tuple[int, ...] = (), stateful: bool = False,
                 multi_output: bool = False, source: str = "", typed_with: tuple[int, ...] = (),
                 gpu: bool = True, control_inputs_only: bool = False, static_check: Callable | None = None,
                 variable_inputs: tuple[int, ...] = (), colocate_input: int | None = None,
                 helpers: Callable | None = None, returns_identity: bool = False, assigns: bool = False,
                 ref_colocated: bool = False, variable_group: bool = False, follows_input: str = "",
                 expansion: str = "", effect: str = "", tf: str | Callable[[TFCall], str] | None = None,
                 tf_unsupported: str = "", tf_op: str = "", tf_ref_op: str = "",
                 tf_attrs: Callable | None = None, tf_ref_attrs: Callable | None = None,
                 tf_helper_values: Callable | None = None, tf_import: Callable | None = None,
                 tf_import_ops: tuple[str, ...] = (), elementwise: bool = False, min_inputs: int = 1,
                 grad: Callable | None = None) -> None:
        setfield(self, "name", name)
        setfield(self, "type_name", type_name)
        setfield(self, "inputs", inputs)
        setfield(self, "infer", infer)
        setfield(self, "kernel", kernel)
        setfield(self, "doc", doc)
        setfield(self, "attrs", attrs)
        setfield(self, "variadic", variadic)
        setfield(self, "ref_inputs", ref_inputs)
        setfield(self, "stateful", stateful)
        setfield(self, "multi_output", multi_output)
        setfield(self, "source", source)
        setfield(self, "typed_with", typed_with)
        setfield(self, "gpu", gpu)
        setfield(self, "control_inputs_only", control_inputs_only)
        setfield(self, "static_check", static_check)
        setfield(self, "variable_inputs", variable_inputs)
        setfield(self, "colocate_input", colocate_input)
        setfield(self, "helpers", helpers)
        setfield(self, "returns_identity", returns_identity)
        setfield(self, "assigns", assigns)
        setfield(self, "ref_colocated", ref_colocated)
        setfield(self, "variable_group", variable_group)
        setfield(self, "follows_input", follows_input)
        setfield(self, "expansion", expansion)
        setfield(self, "effect", effect)
        setfield(self, "tf", tf)
        setfield(self, "tf_unsupported", tf_unsupported)
        setfield(self, "tf_op", tf_op)
        setfield(self, "tf_ref_op", tf_ref_op)
        setfield(self, "tf_attrs", tf_attrs)
        setfield(self, "tf_ref_attrs", tf_ref_attrs)
        setfield(self, "tf_helper_values", tf_helper_values)
        setfield(self, "tf_import", tf_import)
        setfield(self, "tf_import_ops", tf_import_ops)
        setfield(self, "elementwise", elementwise)
        setfield(self, "min_inputs", min_inputs)
        setfield(self, "grad", grad)

    def input_name(self, position: int) -> str:
        if self.variadic:
            return self.inputs[0] if position == 0 else f"{self.inputs[0]}_{position}"
        return self.inputs[position]

    def tf_source(self, call: TFCall) -> str:
        """The TF Python expression that builds this op (see `tf`)."""
        if callable(self.tf):
            return self.tf(call)
        return f"{self.tf}({', '.join(call.args)}{call.kw})"

    def tf_op_for(self, variables: str) -> str:
        """The TF op type of this op in a GraphDef, for the variable mode ("" when none)."""
        return (self.tf_ref_op or self.tf_op) if variables == "ref" else self.tf_op

    def arity_text(self) -> str:
        if self.variadic:
            return f"[{self.inputs[0]}, ...]"
        return "[" + ", ".join(self.inputs) + "]" if self.inputs else "-"


class TFType(str):
    """A TF attribute that is a dtype (`type: DT_FLOAT`), by idrun's dtype name."""


class TFShape(tuple):
    """A TF attribute that is a shape (`shape { dim ... }`); dims None are unknown."""


def attr(name: str, default: Any = MISSING, check: Callable | None = None, doc: str = "") -> AttrDef:
    return AttrDef(name, default, check, doc)
