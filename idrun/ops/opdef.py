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

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from idrun.graph import TensorType

MISSING = object()


class InferError(ValueError):
    """A build-time type error; the builder adds the node's location."""


class KernelError(RuntimeError):
    """A run-time failure with a message in TF's words."""


@dataclass(frozen=True, slots=True)
class AttrDef:
    """One attribute: its default (MISSING if required) and a normalizer."""

    name: str
    default: Any = MISSING
    check: Callable[[Any], Any] | None = None
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is MISSING


@dataclass(frozen=True, slots=True)
class KernelEnv:
    """What a kernel factory may look at: bound once per plan."""

    xp: Any
    attrs: Mapping[str, Any]
    in_types: tuple[TensorType, ...]
    in_names: tuple[str, ...]
    out_types: tuple[TensorType, ...]
    node: str
    variables: str  # "resource" | "ref"
    device: Any = None
    state: dict = None  # persists across plans and steps: RNG streams, queues
    ref_positions: tuple[int, ...] = ()  # inputs that are variable cells, not values


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


@dataclass(frozen=True, slots=True)
class TFCall:
    """An op's export call: its inputs as Python expressions, its attributes, the
    entry's explicit name, and (exponential_moving_average) the names of its shadows."""

    args: tuple[str, ...]
    attrs: Mapping[str, Any]
    name: str | None = None
    shadows: tuple[str, ...] = ()

    @property
    def kw(self) -> str:
        """`, name='x'` when the entry named the node, else nothing (TF picks the name)."""
        return f", name={self.name!r}" if self.name else ""


@dataclass(frozen=True, slots=True)
class OpDef:
    """One op of the registry."""

    name: str
    type_name: str
    inputs: tuple[str, ...]
    infer: Callable[[Mapping[str, Any], Sequence[TensorType], Sequence[Any]], list[TensorType]]
    kernel: Callable[[KernelEnv], Callable] | None
    doc: str
    attrs: tuple[AttrDef, ...] = ()
    variadic: bool = False          # inputs[0] names a list of one or more tensors
    ref_inputs: tuple[int, ...] = ()  # positions that take the variable itself
    stateful: bool = False
    multi_output: bool = False
    source: str = ""                # "const" | "variable" | "placeholder": no kernel per step
    typed_with: tuple[int, ...] = field(default=())  # inputs a literal takes its dtype from
    gpu: bool = True                # has a GPU kernel (default placement prefers gpu:0)
    control_inputs_only: bool = False  # inputs are ops to run, not tensors (group)
    static_check: Callable | None = None  # (attrs, values, names) when all inputs are constants
    variable_inputs: tuple[int, ...] = ()  # positions that take a variable itself if given one
    colocate_input: int | None = None     # placed with this input's node (TF colocate_with)
    helpers: Callable | None = None       # (attrs, on_handle) -> names of the constants TF's
                                          # Python makes for this op (reduce axis, split_dim);
                                          # on_handle: a variable input is a resource handle
    returns_identity: bool = False        # TF's Python returns `<name>/Identity` of its output
                                          # (embedding_lookup): the spec's name means that
    assigns: bool = False                 # updates input 0: TF returns an `_UnreadVariable`
                                          # (resource) or the ref itself (ref)
    ref_colocated: bool = False           # ref mode: built under colocate_with(variable)
    variable_group: bool = False          # placed with the variable it takes (F4)
    follows_input: str = ""               # placement heuristic: "metadata" (F7), "identity" (F8)
    expansion: str = ""                   # the builder expands it before inputs resolve
    effect: str = ""                      # what running it does besides its outputs (`idrun
                                          # check`): "write" (a variable), "average", "check",
                                          # "print", "dequeue"; "" for none
    tf: str | Callable[[TFCall], str] | None = None  # export: a TF function, or a writer
    tf_unsupported: str = ""              # why it has no TF export
    # GraphDef (idrun export --format graphdef|tensorboard, idrun import): TF's op type in
    # resource mode (or in both) and in ref mode, the node's TF attributes (default: `T`, the
    # dtype of input 0), the values of its helper constants, and the idrun attributes of
    # an imported node (from its TF attributes and the values of constant inputs)
    tf_op: str = ""
    tf_ref_op: str = ""
    tf_attrs: Callable | None = None      # (name, attrs, in_types, out_types) -> {name: value}
    tf_ref_attrs: Callable | None = None  # the same in ref mode, when it differs
    tf_helper_values: Callable | None = None  # (attrs, in_types) -> values of the helper consts
    tf_import: Callable | None = None     # (tf attrs, const inputs) -> idrun attrs
    tf_import_ops: tuple[str, ...] = ()   # further TF op types that import as this op
    elementwise: bool = False             # the kernel is an array-module ufunc: a fresh output,
                                          # inputs never kept, `out=` accepted (the plan frees
                                          # and reuses buffers through this)

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
