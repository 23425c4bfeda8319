"""`idrun import GRAPH.pbtxt|GRAPH.pb -o SPEC.yaml`: a TF GraphDef as an idrun spec, whole.

The spec says `expand: false`: every entry is one node of the GraphDef, with
its TF name, requested device, data inputs and `^control` inputs, so TF's
control dependencies, placement and copies carry over. Each op type maps to
the idrun op whose OpDef names it (`OpDef.tf_op`, `tf_ref_op`,
`tf_import_ops`); its attributes come from `OpDef.tf_import`. `_class:
loc:@x` becomes `colocate_with: x` where the op is not already placed with
its variable.

Every node is kept. One idrun cannot run (an op type it lacks, TF control
flow, a function call, a variable of the other mode, attributes or types it
cannot read, an input of unknown type) becomes a `tf_opaque` entry with TF's
op type and every attribute (`idrun/ops/opaque.py`); one warning lists them
by op type, and a run fails only where its step needs one. An `If` whose
branch functions only pass inputs through (TF's `initialized_value()`)
becomes an idrun `cond`. The function library is left out (said in the
warning).

Initialization: an `x/Assign` of a constant folds into the variable's
`value:` (with the `VarIsInitializedOp` nobody reads and the `init` no-ops
that wait only on such assigns). Any other initializer stays in the graph:
the variable has `dtype` and `shape` but no `value`, and `run: {init: [...]}`
names TF's init op, which the session runs once before step 1 as
`sess.run(init)`.
"""

from __future__ import annotations

import functools
import heapq
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idrun.errors import SpecError, SpecWarning, UsageError
from idrun.errors import SourceLoc
from idrun.ops import REGISTRY
from idrun.spec.yamlsrc import YList as _YList, YMap as _YMap

TEXT_SUFFIXES = (".pbtxt", ".pbtext", ".txt")
CONTROL_FLOW = {"If", "StatelessIf", "While", "StatelessWhile", "Case"}   # functional (v2)
FUNCTION_CALLS = {"StatefulPartitionedCall", "PartitionedCall", "SymbolicGradient"}
INIT_VALUE_OPS = {"Const"}
TYPED_BY_INPUT = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "RefSwitch", "RefMerge", "RefEnter",
                  "RefExit", "RefNextIteration", "Identity"}   # v1 control flow: T is input 0's type


@dataclass
class _Src:
    path: str
    lines: list[int]        # node index -> line in a text GraphDef (0: unknown)

    def loc(self, index: int) -> SourceLoc | None:
        line = self.lines[index] if index < len(self.lines) else 0
        return SourceLoc(self.path, line, 1) if line else None


def _error(src: _Src, index: int, node, message: str) -> SpecError:
    loc = src.loc(index)
    prefix = "" if loc else f"{src.path}: "
    return SpecError(f"{prefix}node {index} '{node.name}' ({node.op}): {message}", loc)


def read_graphdef(path: str):
    """Parse a GraphDef file (text by extension, else binary); a located error when it is not one."""
    from idrun.tf.graphdef import require_protos
    require_protos()
    from tensorboard.compat.proto import graph_pb2
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in TEXT_SUFFIXES + (".pb",):
        raise UsageError(f"{path}: a GraphDef file ends in .pbtxt (text) or .pb (binary)")
    from idrun import limits
    try:
        limits.check_regular_file(p, "a GraphDef")
        data = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    gd = graph_pb2.GraphDef()
    if suffix == ".pb":
        try:
            gd.ParseFromString(data)
        except Exception as exc:  # noqa: BLE001 - protobuf raises DecodeError or RuntimeError
            # no location: a binary file has no line to quote
            raise SpecError(f"{path}: not a binary GraphDef ({type(exc).__name__}: {exc})") from None
        return gd, [0] * len(gd.node)
    from google.protobuf import text_format
    try:
        text = data.decode("utf-8")
        text_format.Parse(text, gd)
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not a text GraphDef: {exc}") from None
    except text_format.ParseError as exc:
        line, col = getattr(exc, "GetLine", lambda: None)(), getattr(exc, "GetColumn", lambda: None)()
        message = str(exc).split(" : ", 1)[-1] if line else str(exc)
        raise SpecError(f"not a text GraphDef: {message}", SourceLoc(path, line or 1, col or 1)) from None
    lines = [i + 1 for i, l in enumerate(text.splitlines()) if l.startswith("node {")]
    return gd, lines + [0] * (len(gd.node) - len(lines))


def read_meta_graph(path: str):
    """A MetaGraphDef (`model.ckpt.meta`, what every TF1 Saver writes: binary, or text): its
    GraphDef, node lines (none for binary) and collections as names (see `_collections`)."""
    from idrun.tf.graphdef import require_protos
    require_protos()
    try:
        from tensorboard.compat.proto import meta_graph_pb2
    except ImportError as exc:  # an older tensorboard
        raise UsageError(f"this tensorboard has no MetaGraphDef proto ({exc}); import the GraphDef "
                         "instead (tf.io.write_graph(sess.graph_def, ...))") from None
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    mg = meta_graph_pb2.MetaGraphDef()
    try:
        mg.ParseFromString(data)
    except Exception:  # noqa: BLE001 - not binary: TF also writes it as text (as_text=True)
        from google.protobuf import text_format
        try:
            text_format.Parse(data.decode("utf-8"), mg)
        except Exception as exc:  # noqa: BLE001 - protobuf raises ParseError or DecodeError
            raise SpecError(f"{path}: not a MetaGraphDef, binary or text ({type(exc).__name__})") from None
    return mg.graph_def, [0] * len(mg.graph_def.node), _collections(mg)


def _collections(mg) -> tuple[dict[str, list[str]], list[str]]:
    """Each collection as the names of what it holds (`loss:0`, `train`): a node list as it
    is, variables (VariableDef) and queue runners (QueueRunnerDef) by their first field, the
    variable's or queue's name; and the collections that hold anything else (left out)."""
    out: dict[str, list[str]] = {}
    skipped = []
    for key in sorted(mg.collection_def):
        col = mg.collection_def[key]
        kind = col.WhichOneof("kind")
        if kind == "node_list":
            out[key] = list(col.node_list.value)
        elif kind == "bytes_list" and all(_first_text(b) for b in col.bytes_list.value):
            out[key] = [_first_text(b) for b in col.bytes_list.value]
        else:
            skipped.append(key)
    return out, skipped


def _first_text(data: bytes) -> str | None:
    """Field 1 of a serialized proto when it is a string (VariableDef.variable_name,
    QueueRunnerDef.queue_name), read from the wire format, or None."""
    if not data or data[0] != 0x0A:  # field 1, length-delimited
        return None
    size, shift, pos = 0, 0, 1
    while pos < len(data):
        byte = data[pos]
        size |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            break
    try:
        text = data[pos:pos + size].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if len(data) >= pos + size and text.isprintable() else None


@functools.lru_cache(maxsize=None)
def _dtype(enum: int) -> str:
    """idrun's name of a DataType enum (once per enum: every node of a graph asks)."""
    from tensorboard.compat.proto import types_pb2
    from idrun.tf.graphdef import DT
    back = {v: k for k, v in DT.items()}
    name = types_pb2.DataType.Name(enum)
    if name not in back:
        raise ValueError(f"dtype {name} has no idrun equivalent")
    return back[name]


def _check_tensor_size(tensor) -> None:
    """A TensorProto's declared shape, bounded before its values are made: a 150-byte text
    can declare 10^10 elements (one float_val, repeated to fill)."""
    from idrun import limits
    n = 1
    for d in tensor.tensor_shape.dim:
        n *= max(d.size, 0)
    if n > limits.MAX_TENSOR_ELEMENTS:
        raise ValueError(f"its tensor has {n:,} elements, over the limit of {limits.MAX_TENSOR_ELEMENTS:,} "
                         "(raise it with `idrun --max-tensor-elements N`)")


def decode_attrs(node) -> dict[str, Any]:
    """A NodeDef's attributes as Python values (dtypes by idrun name, shapes as lists, tensors as arrays)."""
    out: dict[str, Any] = {}
    attrs = node.attr
    for key in attrs:   # keys, then each value: twice as fast as protobuf's items()
        value = attrs[key]
        kind = value.WhichOneof("value")
        if kind == "type":
            if key == "T" and node.op in TYPED_BY_INPUT and _dtype_or_none(value.type) is None:
                continue   # a resource handle through a cond or loop: typed as its variable
            if key == "T" and node.op in OF_VARIANTS and _of_variants(node):
                continue   # a TensorList: typed by its input
            out[key] = _dtype(value.type)
        elif kind == "shape":
            out[key] = None if value.shape.unknown_rank else [
                None if d.size < 0 else d.size for d in value.shape.dim]
        elif kind == "tensor":
            from tensorboard.util import tensor_util
            _check_tensor_size(value.tensor)
            out[key] = tensor_util.make_ndarray(value.tensor)
        elif kind == "list":
            out[key] = ([s.decode("utf-8", "replace") for s in value.list.s] or list(value.list.i)
                        or [_dtype_or_none(t) or str(t) for t in value.list.type]
                        or [None if s.unknown_rank else [None if d.size < 0 else d.size for d in s.dim]
                            for s in value.list.shape])
        elif kind == "s":
            out[key] = value.s.decode("utf-8", "replace")
        elif kind in ("b", "i", "f"):
            out[key] = getattr(value, kind)
    return out


# ops TF runs on a DT_VARIANT (a TensorList) with their own kernel: idrun's op for them there
OF_VARIANTS = {"ZerosLike": "tensor_list_zeros_like", "AddN": "tensor_list_add_n"}


def _of_variants(node) -> bool:
    from tensorboard.compat.proto import types_pb2
    return "T" in node.attr and node.attr["T"].type == types_pb2.DT_VARIANT


def _op_table(variables: str) -> dict[str, Any]:
    table = {}
    for opdef in REGISTRY.values():  # ops that are the same type in both modes first (Identity)
        for op in (opdef.tf_op,) + opdef.tf_import_ops:
            if op and op not in table and not (variables == "ref" and opdef.tf_ref_op):
                table[op] = opdef
    for opdef in REGISTRY.values():
        op = opdef.tf_op_for(variables)
        if op and op not in table:
            table[op] = opdef
    return table


@functools.lru_cache(maxsize=1 << 20)
def _split_input(text: str) -> tuple[str, int, bool]:
    """(node, output index, is a control input) of a NodeDef input; each text is split once."""
    if text.startswith("^"):
        return text[1:], 0, True
    name, sep, index = text.rpartition(":")
    if sep and index.isdigit():
        return name, int(index), False
    return text, 0, False


# what a kept node's outputs are, where its attributes do not say it the usual way
BOOL_OUTPUT_OPS = {"IsVariableInitialized", "VarIsInitializedOp", "IsFinite", "IsNan", "IsInf", "Less",
                   "LessEqual", "Greater", "GreaterEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr",
                   "LogicalNot", "InTopK", "InTopKV2", "ApproximateEqual"}
STRING_OUTPUT_OPS = {"ScalarSummary", "HistogramSummary", "MergeSummary", "TensorSummary", "TensorSummaryV2",
                     "ImageSummary", "AudioSummary", "AudioSummaryV2", "StringJoin", "AsString",
                     "ReaderReadV2", "EncodePng", "EncodeJpeg"}
OUT_TYPE_ATTRS = ("out_type", "DstT", "output_type", "dtype", "T", "Tout", "type")
OUT_TYPE_LIST_ATTRS = ("Tout", "output_types", "out_types", "component_types")
OUT_TYPE_LIST_BY_OP = {"RestoreV2": "dtypes"}   # where a list named otherwise types the outputs (SaveV2's
                                                # `dtypes` types its inputs)


class _Opaque:
    """Why a node is kept as tf_opaque, and its op type's group in the warning."""

    def __init__(self, why: str = "", group: str = "") -> None:
        self.why = why
        self.group = group


REF_VARIABLE_OPS = {"VariableV2", "Variable"}


def _variable_mode(nodes) -> tuple[str, set[str], bool]:
    """The graph's mode (`variables:`), its variable op types, and whether it mixes both
    kinds. Ref when it has any ref variable: a TF1 program's own variables are, and TF 2 adds
    resource ones to it (`get_or_create_global_step`, an EMA's shadows); those are written
    with `resource: true`, and the ops on them run as on resource variables."""
    ref = any(n.op in REF_VARIABLE_OPS for n in nodes)
    handle = any(n.op == "VarHandleOp" for n in nodes)
    if ref:
        return "ref", REF_VARIABLE_OPS | ({"VarHandleOp"} if handle else set()), handle
    return "resource", {"VarHandleOp"}, False


class _Node:
    """A NodeDef's fields read once: every pass reads names, op types and inputs again, and
    each read of a protobuf field makes a new Python object (the attributes stay protobuf)."""

    __slots__ = ("name", "op", "input", "device", "attr")

    def __init__(self, node) -> None:
        self.name, self.op, self.input, self.device, self.attr = \
            node.name, node.op, tuple(node.input), node.device, node.attr


def convert(gd, path: str, lines: list[int]) -> tuple[str, dict]:
    """The spec YAML for a GraphDef, and facts about it (mode, devices, folded and kept nodes)."""
    src = _Src(path, lines)
    nodes = [_Node(n) for n in gd.node]
    by_name = {n.name: i for i, n in enumerate(nodes)}
    variables, var_ops, mixed = _variable_mode(nodes)
    consumers: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        for text in n.input:
            name = _split_input(text)[0]
            if name not in by_name:
                raise _error(src, i, n, f"input '{text}' names no node of the graph")
            consumers.setdefault(name, []).append(i)
    values, dropped = _fold_initializers(nodes, by_name, consumers, var_ops)
    conds = _pass_through_conds(gd, nodes)
    table = _op_table(variables)
    other_table = _op_table("resource" if variables == "ref" else "ref")
    if mixed:   # both kinds: an op of either runs (each on its variable's kind)
        table = {**other_table, **table}
    opaque: dict[int, _Opaque] = {}
    for i, n in enumerate(nodes):
        if i in dropped:
            continue
        reason = None if i in conds else _opaque_reason(n, table, other_table, variables)
        if reason is not None:
            opaque[i] = reason
    forced: dict[int, _Opaque] = {}
    facts = _Facts(nodes, by_name, consumers, values, dropped, variables, var_ops, table, conds)
    flow = any(n.op in _FLOW_TYPES for n in nodes)
    while True:
        kept = {**opaque, **forced}
        entries = _entries(src, facts, kept)  # adds the nodes that cannot take their inputs
        written = _render_lines(path, variables, [(i, e) for i, e, _ in entries],
                                _devices_of(nodes, dropped), dropped, nodes)
        text = "\n".join(written[0]) + "\n"
        refused = _Refused(facts, kept, [i for i, _, _ in entries], written[1], not flow)
        failed = _build_failure(text, path, lines, ([e for _, e, _ in entries],) + written, refused)
        if failed is None and not refused.failures:
            break
        # the nodes the build refused and typed as kept nodes go on (each is what a build
        # with the ones before it kept would refuse first), then the one it stopped at
        for index, message in refused.failures + ([failed] if failed is not None else []):
            if index is None or index in opaque or index in forced:
                raise SpecError(f"{'' if src.loc(index or 0) else path + ': '}"
                                f"{'node ' + str(index) if index is not None else 'the spec'}: idrun cannot "
                                f"run it as written: {message}", src.loc(index) if index is not None else None)
            forced[index] = _Opaque(f"idrun cannot build it as written: {message}", "build")
    init, uninitialized = _init_targets(facts, kept)
    return text, {"variables": variables, "nodes": len(entries), "folded": len(dropped), "dropped": dropped,
                  "opaque": kept, "nodes_list": nodes, "functions": len(gd.library.function),
                  "init": init, "uninitialized": uninitialized}


class _Facts:
    def __init__(self, nodes, by_name, consumers, values, dropped, variables, var_ops, table,
                 conds) -> None:
        self.nodes, self.by_name, self.consumers = nodes, by_name, consumers
        self.values, self.dropped, self.variables = values, dropped, variables
        self.var_ops, self.table, self.conds = var_ops, table, conds
        self.out_types: dict[int, list[dict]] = {}   # a kept node's output types, once made

    def outputs_of(self, i: int) -> list[dict]:
        """`_opaque_outputs` of node i (what it says depends on the node alone)."""
        types = self.out_types.get(i)
        if types is None:
            types = self.out_types[i] = _opaque_outputs(self.nodes[i], self)
        return types


def _pass_through_conds(gd, nodes) -> dict[int, tuple[list[int], list[int]]]:
    """The If/StatelessIf nodes whose branch functions only return their inputs (through
    Identity nodes), as (then_outputs, else_outputs): TF builds them for
    `initialized_value()` and the guard of an initial value that reads a variable."""
    functions = {f.signature.name: f for f in gd.library.function}
    out = {}
    for i, n in enumerate(nodes):
        if n.op not in ("If", "StatelessIf"):
            continue
        then = _returned_inputs(functions.get(n.attr["then_branch"].func.name))
        other = _returned_inputs(functions.get(n.attr["else_branch"].func.name))
        if then is not None and other is not None and len(then) == len(other):
            out[i] = (then, other)
    return out


def _returned_inputs(function) -> list[int] | None:
    """For each output of a FunctionDef, the input it returns, or None if it computes anything."""
    if function is None or any(nd.op != "Identity" for nd in function.node_def):
        return None
    args = [a.name for a in function.signature.input_arg]
    body = {nd.name: nd for nd in function.node_def}
    out = []
    for arg in function.signature.output_arg:
        ref = function.ret.get(arg.name, "")
        for _ in range(len(body) + 1):
            name = ref.split(":")[0]
            if name in args and name == ref:
                out.append(args.index(name))
                break
            if name not in body or not body[name].input:
                return None
            ref = body[name].input[0]
        else:
            return None
    return out


def _fold_initializers(nodes, by_name, consumers, var_ops) -> tuple[dict, dict]:
    """Initializers that are an `x/Assign` of a constant fold into the variable's `value:`
    (with the `VarIsInitializedOp` nobody reads and the `init` no-ops that wait only on
    them); any other initializer stays in the graph and runs from run.init."""
    values: dict[str, Any] = {}
    dropped: dict[int, str] = {}
    for i, n in enumerate(nodes):
        if n.op not in ("Assign", "AssignVariableOp") or len(n.input) < 2:
            continue
        var, _, _ = _split_input(n.input[0])
        init, _, ctl = _split_input(n.input[1])
        if ctl or nodes[by_name[var]].op not in var_ops or n.name != f"{var}/Assign":
            continue
        if nodes[by_name[init]].op not in INIT_VALUE_OPS or var in values:
            continue
        if any(j != i for j in consumers.get(init, [])) or any(
                nodes[j].op != "NoOp" for j in consumers.get(n.name, [])):
            continue
        try:
            values[var] = decode_attrs(nodes[by_name[init]])["value"]
        except ValueError:  # a dtype idrun lacks: the variable is kept as it is
            continue
        dropped[i] = f"initializer of {var}"
        dropped[by_name[init]] = f"initial value of {var}"
    for i, n in enumerate(nodes):
        if n.op == "VarIsInitializedOp" and not consumers.get(n.name):
            dropped[i] = "is-initialized check of " + _split_input(n.input[0])[0]
    changed = True
    while changed:  # the no-ops that only wait on initializers: init, init/NoOp
        changed = False
        for i, n in enumerate(nodes):
            if i in dropped or n.op != "NoOp" or not n.input:
                continue
            deps = [_split_input(t) for t in n.input]
            if all(c and by_name.get(d) in dropped for d, _, c in deps):
                dropped[i] = "initializer (global_variables_initializer)"
                changed = True
    return values, dropped


def _opaque_reason(n, table, other_table, variables) -> _Opaque | None:
    """Why idrun cannot run node `n` as one of its ops (None: it can)."""
    other = "resource" if variables == "ref" else "ref"
    if n.op in CONTROL_FLOW:
        return _Opaque("TF control flow", "control flow")
    if n.op in FUNCTION_CALLS:
        return _Opaque("a function call", "function call")
    if n.op not in table and n.op in other_table:
        return _Opaque(f"an op on {other} variables in a graph of {variables} variables", "variable mode")
    if n.op not in table:
        return _Opaque()
    return None


def _entries(src: _Src, facts: _Facts, opaque: dict[int, _Opaque]) -> list[tuple[int, dict, bool]]:
    """One spec entry per kept node; `opaque` grows with the nodes that cannot take their
    inputs as idrun's op (a value of unknown type, a variable that is not one)."""
    nodes = facts.nodes
    while True:   # every pass keeps the nodes it could not write; then the cascade again
        out_types = _cascade(facts, opaque)
        entries, failed = [], {}
        for i, n in enumerate(nodes):
            if i in facts.dropped:
                continue
            if i in opaque:
                entries.append((i, _opaque_entry(n, facts, opaque[i], out_types[i]), True))
                continue
            entry = _op_entry(src, i, n, facts)
            if isinstance(entry, _Opaque):
                failed[i] = entry
            else:
                entries.append((i, entry, False))
        if not failed:
            return entries
        # a failed node that reads another failed one waits a pass: the cascade then keeps it
        # for that input (its first reason), as a pass per failure would
        names = {nodes[i].name for i in failed}
        first = {i: e for i, e in failed.items()
                 if not any(_split_input(t)[0] in names for t in nodes[i].input if not t.startswith("^"))}
        opaque.update(first or failed)


def _cascade(facts: _Facts, opaque: dict[int, _Opaque]) -> dict[int, list[dict]]:
    """Kept nodes cascade: a consumer of an output of unknown type cannot be typed, so it is
    kept too, to a fixpoint. Returns each kept node's output types.

    The same as passes over every node in order until one keeps none, each node checked
    with what is kept at that moment; only the nodes whose check can have changed are
    visited: in the first pass those with a variable input or an input kept already, then
    the consumers of each node kept, later in the same pass or else in the next one."""
    nodes, dropped, consumers = facts.nodes, facts.dropped, facts.consumers
    due = {c for i in opaque for c in consumers.get(nodes[i].name, ())}
    due.update(i for i, n in enumerate(nodes) if i not in opaque and i not in dropped
               and facts.table[n.op].ref_inputs)
    while due:
        heap, due, last = sorted(due), set(), -1
        while heap:
            i = heapq.heappop(heap)
            if i == last or i in dropped or i in opaque:
                continue
            last = i
            reason = _cascade_reason(nodes[i], facts, opaque)
            if reason is None:
                continue
            opaque[i] = reason
            for c in consumers.get(nodes[i].name, ()):
                if c > i:
                    heapq.heappush(heap, c)
                else:
                    due.add(c)
    return {i: facts.outputs_of(i) for i in opaque}


def _const_value(node) -> Any:
    """A Const input's value for the consumer's shape rule and attributes; None for any other
    node, and for a Const idrun cannot read (its dtype; it is kept opaque itself)."""
    if node.op != "Const":
        return None
    try:
        return decode_attrs(node).get("value")
    except ValueError:
        return None


def _cascade_reason(n, facts: _Facts, opaque) -> _Opaque | None:
    opdef = facts.table[n.op]
    for pos, text in enumerate(t for t in n.input if not t.startswith("^")):
        name, index, _ = _split_input(text)
        j = facts.by_name[name]
        if j in facts.dropped:
            continue
        if j in opaque:
            types = facts.outputs_of(j)
            if index >= len(types) or types[index].get("dtype") is None:
                return _Opaque(f"its input '{text}' is a kept node's output of unknown type", "input")
            if pos in opdef.ref_inputs:
                return _Opaque(f"its variable input '{text}' is a kept node", "input")
        elif pos in opdef.ref_inputs and not _is_variable(facts, j, index):
            return _Opaque(f"its variable input '{text}' is not a variable idrun has", "input")
    return None


REF_FORWARDING = {"RefSwitch", "RefEnter", "RefMerge", "RefExit", "RefNextIteration", "RefIdentity"}
HANDLE_FORWARDING = {"Switch", "Enter", "Merge", "Exit", "NextIteration", "Identity", "IdentityN"}   # of a DT_RESOURCE


def _of_handles(n, index: int) -> bool:
    """Whether output `index` of a Switch, Enter, Identity(N)... is a DT_RESOURCE (a handle)."""
    from tensorboard.compat.proto import types_pb2
    if "T" not in n.attr:
        return False
    value = n.attr["T"]
    if value.WhichOneof("value") == "list":
        types = list(value.list.type)
        return index < len(types) and types[index] == types_pb2.DT_RESOURCE
    return value.type == types_pb2.DT_RESOURCE


def _is_variable(facts: _Facts, j: int, index: int = 0) -> bool:
    """A variable idrun has, or a node passing one on (RefSwitch, Enter of a handle, IdentityN...)."""
    for _ in range(1000):
        n = facts.nodes[j]
        if n.op in facts.var_ops:
            return True
        if not n.input or n.op not in REF_FORWARDING and not (n.op in HANDLE_FORWARDING and _of_handles(n, index)):
            return False
        name, index, _ = _split_input(n.input[index if n.op == "IdentityN" and index < len(n.input) else 0])
        j = facts.by_name[name]
    return False


def _opaque_outputs(n, facts: _Facts) -> list[dict]:
    """A kept node's output types, as far as its attributes say: `_output_shapes`, a list of
    output types (Tout...), else for output 0 the usual type attribute (out_type, DstT, T...);
    `{}` where unknown. As many outputs as TF lists or its consumers read."""
    attrs = n.attr
    shapes = list(attrs["_output_shapes"].list.shape) if "_output_shapes" in attrs else []
    listed: list[str | None] = []
    for key in (OUT_TYPE_LIST_BY_OP.get(n.op, "Tout"),) + OUT_TYPE_LIST_ATTRS:
        if key in attrs and attrs[key].WhichOneof("value") == "list":
            listed = [_dtype_or_none(t) for t in attrs[key].list.type]
            break
    first: str | None = None
    if n.op in BOOL_OUTPUT_OPS:
        first = "bool"
    elif n.op in STRING_OUTPUT_OPS:
        first = "string"
    else:
        for key in OUT_TYPE_ATTRS:
            if key in attrs and attrs[key].WhichOneof("value") == "type":
                first = _dtype_or_none(attrs[key].type)
                break
    read = [_split_input(t)[1] for j in facts.consumers.get(n.name, []) for t in facts.nodes[j].input
            if not t.startswith("^") and _split_input(t)[0] == n.name]
    count = max([len(shapes), len(listed), 1 if first else 0] + [k + 1 for k in read])
    out = []
    for k in range(count):
        dtype = listed[k] if k < len(listed) else (first if k == 0 and not listed else None)
        item: dict[str, Any] = {}
        if dtype is not None:
            item["dtype"] = dtype
        if k < len(shapes) and not shapes[k].unknown_rank:
            item["shape"] = [None if d.size < 0 else d.size for d in shapes[k].dim]
        out.append(item)
    return out


def _dtype_or_none(enum: int) -> str | None:
    try:
        return _dtype(enum)
    except ValueError:
        return None


def _links(n, facts: _Facts) -> tuple[list[str], list[str]]:
    """A node's data inputs (`x`, `x:1`) and control inputs; a control input on a folded
    initializer is satisfied before step 1 and dropped."""
    data, controls = [], []
    for text in n.input:
        name, index, ctl = _split_input(text)
        if ctl:
            if facts.by_name[name] not in facts.dropped:
                controls.append(name)
        else:
            if index == 0 and n.op in HANDLE_FORWARDING and n.op != "Identity" and facts.variables == "ref":
                name = _value_of_ref(facts, name)
            data.append(name if index == 0 else f"{name}:{index}")
    return data, controls


def _value_of_ref(facts: _Facts, name: str) -> str:
    """A ref variable that a Switch, Enter... (not RefSwitch) takes: TF reads its value there;
    idrun takes its `x/read`, the view TF's Python made with it (the value when it runs)."""
    node = facts.nodes[facts.by_name[name]]
    read = facts.by_name.get(f"{name}/read")
    if node.op in facts.var_ops and read is not None and facts.nodes[read].op == "Identity" \
            and tuple(facts.nodes[read].input[:1]) == (name,):
        return f"{name}/read"
    return name


def _placed(entry: dict, n, data: list[str], controls: list[str]) -> dict:
    if data:
        entry["inputs"] = data
    if controls:
        entry["control_inputs"] = controls
    if n.device:
        entry["device"] = n.device
    return entry


def _opaque_entry(n, facts: _Facts, reason: _Opaque, outputs: list[dict]) -> dict:
    entry: dict[str, Any] = {"name": n.name, "op": "tf_opaque", "tf_op": n.op}
    if reason.why:
        entry["why"] = reason.why
    if n.attr:
        entry["attrs"] = {key: encode_attr(n.attr[key]) for key in sorted(n.attr)}
    if outputs:
        entry["outputs"] = outputs
    data, controls = _links(n, facts)
    for text in data:
        j = facts.by_name[_split_input(text)[0]]
        if j in facts.dropped:
            raise SpecError(f"node '{n.name}' reads '{text}', the {facts.dropped[j]}, which idrun folds")
    return _placed(entry, n, data, controls)


def _op_entry(src: _Src, i: int, n, facts: _Facts) -> dict | _Opaque:
    """The entry of a node idrun has an op for, or why it is kept after all."""
    nodes, by_name = facts.nodes, facts.by_name
    opdef = facts.table[n.op]
    if facts.variables == "ref" and n.op == "Identity" and n.input:
        first, index, _ = _split_input(n.input[0])
        if _is_variable(facts, by_name[first], index):   # the variable, or a RefSwitch... of it
            opdef = REGISTRY["read"]
    if n.op == "Identity" and "T" in n.attr and _dtype_or_none(n.attr["T"].type) is None:
        opdef = REGISTRY["resource_identity"]   # a handle into a function body (TF 2)
    elif n.op in OF_VARIANTS and _of_variants(n):
        opdef = REGISTRY[OF_VARIANTS[n.op]]     # on TensorLists (TF 2's gradients of a While)
    try:
        tf_attrs = decode_attrs(n)
    except ValueError as exc:   # a dtype idrun lacks, or a tensor past the size limit
        return _Opaque(str(exc), "dtype" if "dtype" in str(exc) else "attributes")
    entry: dict[str, Any] = {"name": n.name, "op": opdef.name}
    data, controls = _links(n, facts)
    if facts.dropped:
        for text in data:
            j = by_name[_split_input(text)[0]]
            if j in facts.dropped:
                raise _error(src, i, n, f"input '{text}' is the {facts.dropped[j]}, which idrun folds "
                                        "into the variable")
    if opdef.source == "variable":
        if n.name in facts.values:
            value = facts.values[n.name]
            entry["value"] = value.tolist()
            entry["dtype"] = tf_attrs.get("dtype", str(value.dtype))
        else:  # initialized by its initializer subgraph, from run.init
            entry["dtype"] = tf_attrs["dtype"]
            entry["shape"] = tf_attrs.get("shape")
        if facts.variables == "ref" and n.op == "VarHandleOp":
            entry["resource"] = True   # a resource variable in a graph of ref variables
    elif i in facts.conds:  # an If that passes inputs through: kept with TF's attributes
        entry.update(then_outputs=facts.conds[i][0], else_outputs=facts.conds[i][1], tf_op=n.op,
                     attrs={key: encode_attr(n.attr[key]) for key in sorted(n.attr)})
    elif opdef.tf_import is not None:
        consts = [_const_value(nodes[by_name[_split_input(t)[0]]]) for t in n.input if not t.startswith("^")]
        try:
            entry.update({k: _text_bytes(v) for k, v in opdef.tf_import(tf_attrs, consts).items()})
        except (KeyError, ValueError, TypeError) as exc:
            return _Opaque(f"idrun cannot read its attributes ({exc})", "attributes")
    _placed(entry, n, data, controls)
    anchor = [s[5:] for s in tf_attrs.get("_class", []) if isinstance(s, str) and s.startswith("loc:@")]
    if anchor and anchor[0] != n.name:
        grouped = opdef.variable_group and data and data[0] == anchor[0]
        if not grouped:
            if anchor[0] not in by_name or by_name[anchor[0]] in facts.dropped:
                raise _error(src, i, n, f"_class colocates it with '{anchor[0]}', not a node of the graph")
            entry["colocate_with"] = anchor[0]
    return entry


def _text_bytes(value: Any) -> Any:
    """A string tensor's bytes as the spec's text (UTF-8); other bytes stay (the build refuses
    them, and the node is kept as tf_opaque)."""
    if isinstance(value, list):
        return [_text_bytes(v) for v in value]
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def _init_targets(facts: _Facts, opaque: dict[int, _Opaque]) -> tuple[list[str], list[str]]:
    """What initializes the variables that keep their initializer (run.init): TF's init
    no-ops (a NoOp nothing reads that waits on a kept `x/Assign`), and any such assign none
    of them runs; and the variables left uninitialized, whose initializer needs a kept node
    (an init that needs one would fail every run, not only the runs that read them)."""
    nodes = facts.nodes
    assigns = {i for i, n in enumerate(nodes) if i not in facts.dropped and n.input
               and n.op in ("Assign", "AssignVariableOp")
               and nodes[facts.by_name[_split_input(n.input[0])[0]]].op in facts.var_ops
               and n.name == f"{_split_input(n.input[0])[0]}/Assign"
               and _split_input(n.input[0])[0] not in facts.values}
    targets: list[str] = []
    covered: set[int] = set()
    for i, n in enumerate(nodes):
        if not assigns or i in facts.dropped or n.op != "NoOp" or facts.consumers.get(n.name):
            continue
        reach = _closure(facts, i)
        if reach & assigns and not reach & set(opaque):
            targets.append(n.name)
            covered |= reach
    left = []
    for i in sorted(assigns - covered):
        if _closure(facts, i) & set(opaque) or i in opaque:
            left.append(_split_input(nodes[i].input[0])[0])
        else:
            targets.append(nodes[i].name)
    return targets, left


def _closure(facts: _Facts, start: int) -> set[int]:
    """The kept nodes `start` waits on, through data and control inputs."""
    reach, stack = set(), [start]
    while stack:
        for text in facts.nodes[stack.pop()].input:
            j = facts.by_name[_split_input(text)[0]]
            if j not in reach and j not in facts.dropped:
                reach.add(j)
                stack.append(j)
    return reach


def _devices_of(nodes, dropped) -> set[str]:
    return {n.device for i, n in enumerate(nodes) if i not in dropped and n.device}


def encode_attr(value) -> dict:
    """A TF AttrValue as the spec writes it: `{KIND: value}` named after the field it sets."""
    kind = value.WhichOneof("value")
    if kind == "list":
        out = {}
        for field in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
            items = list(getattr(value.list, field))
            if not items:
                continue
            if field == "s" and not all(_is_text(x) for x in items):
                out["s_hex"] = [x.hex() for x in items]
            else:
                out[field] = [_encode_one(field, x) for x in items]
        return {"list": out}
    if kind is None:
        return {"list": {}}
    if kind == "s" and not _is_text(value.s):
        return {"s_hex": value.s.hex()}
    return {kind: _encode_one(kind, getattr(value, kind))}


def _is_text(data: bytes) -> bool:
    try:
        return data.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        return False


def _encode_one(kind: str, item) -> Any:
    from google.protobuf import text_format
    if kind == "s":
        return item.decode("utf-8")
    if kind == "type":
        from tensorboard.compat.proto import types_pb2
        return _dtype_or_none(item) or types_pb2.DataType.Name(item)
    if kind == "shape":
        return None if item.unknown_rank else [None if d.size < 0 else d.size for d in item.dim]
    if kind == "tensor":
        return text_format.MessageToString(item, as_one_line=True)
    if kind == "func":
        out: dict[str, Any] = {"name": item.name}
        if item.attr:
            out["attr"] = {k: encode_attr(item.attr[k]) for k in sorted(item.attr)}
        return out
    return item  # i, f, b, placeholder


def _spec_devices(devices: set[str]) -> list[str] | None:
    from idrun.devices.names import parse_device
    out = set()
    for text in devices:
        try:
            spec = parse_device(text)
        except ValueError:
            continue
        if spec.is_local and spec.type == "cpu" and spec.index is not None:
            out.update(f"cpu:{k}" for k in range(spec.index + 1))
        elif spec.is_complete:
            out.add(str(spec))
    return sorted(out) if len(out) > 1 else None


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_INDEXED = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*:[0-9]+")
_WORDS = frozenset(("yes", "no", "true", "false", "on", "off", "null"))   # PyYAML's bool and null


def _fast_flow(value: Any) -> str | None:
    """`_flow`'s text for what most entries hold (names, `name:K`, ints, bools, lists and
    mappings of those), written directly; None for anything else. A name PyYAML writes plain
    here is one of letters, digits and `_./-` starting with a letter or `_`, not a bool or
    null word; with `:K` it is single-quoted (tests compare both writers on every fixture)."""
    kind = type(value)
    if kind is str:
        if _PLAIN.fullmatch(value):
            return value if value.lower() not in _WORDS else None
        return f"'{value}'" if _INDEXED.fullmatch(value) else None
    if kind is int:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is list:
        parts = [_fast_flow(v) for v in value]
        return None if None in parts else "[" + ", ".join(parts) + "]"
    if kind is dict:
        parts = []
        for k, v in value.items():
            key, text = _fast_flow(k) if type(k) is str else None, _fast_flow(v)
            if key is None or text is None:
                return None
            parts.append(f"{key}: {text}")
        return "{" + ", ".join(parts) + "}"
    return None


def _flow(value: Any) -> str:
    """One entry as flow YAML: written directly where `_fast_flow` can, else by libyaml's
    emitter when PyYAML has it (the same text as PyYAML's own writer, compared over every
    fixture and hostile names)."""
    fast = _fast_flow(value) if type(value) in (dict, list) else None   # a lone `a:1` stays plain
    if fast is not None:
        return fast
    import yaml
    text = yaml.dump(value, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), default_flow_style=True,
                     width=1 << 30, sort_keys=False, allow_unicode=False)
    return text.strip().removesuffix("...").strip()


_MISSING = object()


def _fast_text(value: Any, names: dict) -> str | None:
    """`_fast_flow(value)`, each string's text looked up in `names` (a graph's names recur:
    each is written as a name and as its consumers' inputs)."""
    kind = type(value)
    if kind is str:
        text = names.get(value, _MISSING)
        if text is _MISSING:
            text = names[value] = _fast_flow(value)
        return text
    if kind is list:
        parts = []
        for item in value:
            text = _fast_text(item, names)
            if text is None:
                return None
            parts.append(text)
        return "[" + ", ".join(parts) + "]"
    return _fast_flow(value)


def _fast_entry(entry: dict, names: dict) -> str | None:
    """`_fast_flow(entry)` of one entry (a dict), through `_fast_text`: a string or a list
    of strings, what most values are, inline."""
    parts = []
    get = names.get
    for key, value in entry.items():
        key_text = get(key, _MISSING) if type(key) is str else None
        if key_text is _MISSING:
            key_text = _fast_text(key, names)
        kind = type(value)
        if kind is str:
            text = get(value, _MISSING)
            if text is _MISSING:
                text = _fast_text(value, names)
        elif kind is list:
            texts = [get(item, _MISSING) if type(item) is str else _MISSING for item in value]
            if _MISSING in texts:
                text = _fast_text(value, names)
            else:
                text = None if None in texts else "[" + ", ".join(texts) + "]"
        else:
            text = _fast_text(value, names)
        if key_text is None or text is None:
            return None
        parts.append(f"{key_text}: {text}")
    return "{" + ", ".join(parts) + "}"


def _render(path: str, variables: str, entries, devices, dropped, nodes) -> str:
    return "\n".join(_render_lines(path, variables, entries, devices, dropped, nodes)[0]) + "\n"


def _render_lines(path: str, variables: str, entries, devices, dropped, nodes) \
        -> tuple[list[str], int, list[bool]]:
    """The spec's lines, the index of the first entry's, and whether each entry was written
    by `_fast_entry` (its YAML reads back as the entry itself: see `_located`)."""
    base = Path(path).name
    out = [f"# Imported by `idrun import` from {_flow(base)}: one entry per GraphDef node, TF's names.",
           f"# Folded into the variables' values: {len(dropped)} initializer nodes.",
           f"name: {_flow('imported ' + base)}",
           f"variables: {variables}",
           "expand: false        # every entry is one node: no implicit reads or helper constants"]
    spec_devices = _spec_devices(devices)
    if spec_devices:
        out.append(f"devices: {_flow(spec_devices)}")
    out.append("nodes:")
    first = len(out)
    names: dict = {}
    fast = []
    source = base.replace(chr(10), ' ')
    for index, entry in entries:
        text = _fast_entry(entry, names)
        fast.append(text is not None)
        out.append(f"  - {_flow(entry) if text is None else text}  # from {source} node {index}")
    return out, first, fast


def import_graphdef(path: str, output: str | None, fetch: list[str] | None = None,
                   err=None) -> str:
    """Convert, check that the spec builds, write it; returns the YAML. What idrun keeps but
    cannot run is said once, as a warning on `err` (stderr)."""
    from idrun.spec.yamlsrc import paused_gc
    try:
        with paused_gc():   # a big graph's entries are many small objects, and none is cyclic
            return _import_graphdef(path, output, fetch, err)
    except RecursionError:   # an AttrValue nested thousands deep (a func in a func in ...)
        raise SpecError(f"{path}: the GraphDef nests values too deeply to read") from None


def _import_graphdef(path: str, output: str | None, fetch: list[str] | None, err) -> str:
    import sys
    collections, skipped = None, []
    if Path(path).suffix.lower() == ".meta":
        gd, lines, (collections, skipped) = read_meta_graph(path)
    else:
        gd, lines = read_graphdef(path)
    gd, lines, unlowered = _lowered(gd, lines)
    text, facts = convert(gd, path, lines)
    if unlowered:
        facts["unlowered"] = unlowered
    if collections is not None:
        text += _collections_text(collections, facts, skipped)
    run = ({"fetch": list(fetch)} if fetch else {}) | ({"init": facts["init"]} if facts["init"] else {})
    if run:
        text += f"run: {_flow(run)}\n"
    warning = _kept_warning(path, facts)
    if warning is not None:
        from idrun.views.diagnostics import report
        report(warning, err or sys.stderr)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    return text


def _lowered(gd, lines: list[int]) -> tuple:
    """TF 2's If/While/calls as the v1 nodes TF's runtime lowers them to (tf/functional.py);
    a graph whose functional nodes cannot be lowered (a function its library lacks) is
    imported as it is, those nodes kept, and the reason said."""
    from idrun.tf.functional import has_functional, lower_functional_lines
    if not has_functional(gd):
        return gd, lines, None
    try:
        lowered, new_lines = lower_functional_lines(gd, lines)
    except SpecError as exc:
        return gd, lines, exc.message
    return lowered, new_lines, None


def _collections_text(collections: dict[str, list[str]], facts: dict, skipped: list[str]) -> str:
    """`collections:` of the spec: each TF collection's names, less those of nodes folded
    away (a variable's constant initializer)."""
    kept = {n.name for i, n in enumerate(facts["nodes_list"]) if i not in facts["dropped"]}
    lines = ["collections:          # the MetaGraphDef's collections (tf.get_collection)"]
    if skipped:
        lines[0] += f"; left out, not names: {', '.join(skipped)}"
    for key, names in collections.items():
        shown = [n for n in names if _split_input(n)[0] in kept]
        lines.append(f"  {_flow(key)}: {_flow(shown)}")
    return "\n".join(lines) + "\n"


def _kept_warning(path: str, facts: dict) -> SpecWarning | None:
    """`3 op types idrun cannot run yet, kept as opaque nodes: Fill (4 nodes, first 'zeros'),
    ...`, then the nodes kept for another reason (control flow, an input of unknown type),
    and the function library that is left out."""
    nodes, kept = facts["nodes_list"], facts["opaque"]
    groups: dict[tuple[str, str], list[int]] = {}
    for i in sorted(kept):
        groups.setdefault((kept[i].group, nodes[i].op), []).append(i)

    def listed(items, why: bool = False) -> str:
        return ", ".join(f"{op} ({len(ix)} node{'s' * (len(ix) != 1)}, first '{nodes[ix[0]].name}'"
                         + (f": {kept[ix[0]].why}" if why else "") + ")" for (_, op), ix in items)

    parts = []
    unknown = [(k, v) for k, v in groups.items() if k[0] == ""]
    if unknown:
        parts.append(f"{len(unknown)} op type{'s' * (len(unknown) != 1)} idrun cannot run yet, kept as "
                     f"opaque nodes: {listed(unknown)}")
    for group, title in (("control flow", "TF control flow"), ("function call", "function calls"),
                         ("variable mode", f"variables of the other mode (this graph's are "
                                           f"{facts['variables']})"),
                         ("dtype", "dtypes idrun lacks"), ("attributes", "attributes idrun cannot read"),
                         ("input", "inputs from kept nodes"),
                         ("build", "shapes or types idrun refuses")):
        items = [(k, v) for k, v in groups.items() if k[0] == group]
        if items:
            parts.append(f"kept as opaque nodes for {title}: "
                         f"{listed(items, group in ('dtype', 'attributes', 'input', 'build'))}")
    if facts["uninitialized"]:
        parts.append("variables whose initializer needs a kept node stay uninitialized: "
                     + ", ".join(facts["uninitialized"]))
    if facts["functions"]:
        parts.append(f"the graph's function library ({facts['functions']} functions) is not kept")
    if facts.get("unlowered"):
        parts.append(f"TF 2's functional control flow is kept as it is, not lowered: {facts['unlowered']}")
    if not parts:
        return None
    return SpecWarning(f"{path}: " + "; ".join(parts) + " (a run fails only where its step needs one)")


class _Refused:
    """The build's hook for a node whose shape rule refuses it (GraphBuilder.on_infer_error):
    where keeping the node as tf_opaque changes nothing else the build sees before its
    consumers are typed, the build goes on with the kept node's output types and the node
    is noted in `failures`; anywhere else (None) the build stops at it, as it did always.

    So one build finds what a build per refused node found, each refusal typed as the next
    build would type the kept node: its outputs (`_opaque_outputs`) with known dtypes, so no
    consumer cascades; the node an idrun op with no variable or constant behaviour, read
    by no variable input and reading no variable or assign, whose binding differs. Not in
    a graph with control flow (`enabled` false): a build per refused node there."""

    def __init__(self, facts: _Facts, kept: dict, order: list[int], first: int, enabled: bool) -> None:
        self.facts, self.kept, self.order, self.first = facts, kept, order, first
        self.enabled = enabled
        self.failures: list[tuple[int, str]] = []

    def __call__(self, draft, message: str):
        if not self.enabled:
            return None
        facts = self.facts
        k = (draft.loc.line - self.first - 1) if draft.loc is not None else -1
        index = self.order[k] if 0 <= k < len(self.order) else None
        if index is None or index in self.kept or draft.name != facts.nodes[index].name \
                or draft.opdef.source or draft.opdef.assigns or draft.literal is not _builder_missing():
            return None
        n = facts.nodes[index]
        if n.name in facts.values or facts.variables == "ref" and n.op == "Identity":
            return None   # a variable, or maybe a ref variable's read
        for text in n.input:
            name, _, ctl = _split_input(text)
            j = facts.by_name[name]
            if not ctl and j not in self.kept and j not in facts.dropped and (
                    facts.nodes[j].op in facts.var_ops or facts.table[facts.nodes[j].op].assigns
                    or facts.table[facts.nodes[j].op].source == "variable"):
                return None
        types = facts.outputs_of(index)
        if any(t.get("dtype") is None for t in types):
            return None
        for c in facts.consumers.get(n.name, ()):
            if c in self.kept or c in facts.dropped:
                continue
            ref_inputs = facts.table[facts.nodes[c].op].ref_inputs
            data = [t for t in facts.nodes[c].input if not t.startswith("^")]
            if any(pos in ref_inputs and _split_input(t)[0] == n.name for pos, t in enumerate(data)):
                return None
        try:   # the kept node's entry passes its checks, and its types the size limit
            from idrun.ops.opaque import _op_type, _outputs, _tf_attrs
            from idrun.spec.builder import _check_sizes
            _op_type(n.op)
            _tf_attrs({key: encode_attr(n.attr[key]) for key in sorted(n.attr)} or None)
            outputs = tuple(REGISTRY["tf_opaque"].infer({"outputs": _outputs(types)}, [], []))
            _check_sizes(outputs)
        except Exception:  # noqa: BLE001 - whatever the kept node's own build says, it says it
            return None
        self.failures.append((index, message))
        return outputs


_FLOW_TYPES = frozenset({"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch",
                         "RefMerge", "RefEnter", "RefExit", "RefNextIteration", "If", "StatelessIf",
                         "While", "StatelessWhile", "Case"})   # TF's control flow, v1 and functional


def _builder_missing():
    from idrun.spec.drafts import MISSING
    return MISSING


def _build_failure(text: str, path: str, lines: list[int], written=None,
                   refused: _Refused | None = None) -> tuple[int | None, str] | None:
    """Build the spec: None if it builds, else (the GraphDef node index an error is at, or
    None, and the message). `written`, (the entries, `_render_lines`'s result), lets the
    build take each entry written by `_fast_entry` as it is, not read back from the text;
    `refused` then types the nodes the build refuses where it can (see `_Refused`)."""
    import tempfile
    from idrun.spec import build_document, load_spec
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "imported.yaml"
        doc = _located(written, str(spec_path)) if written is not None else None
        if doc is None:
            spec_path.write_text(text, encoding="utf-8")
        try:
            if doc is None:
                load_spec(str(spec_path))
            else:
                build_document(doc, text, str(spec_path), refused)
        except SpecError as err:
            line = err.loc.line if err.loc else 0
            source = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
            tail = source.rpartition(" node ")[2] if "# from " in source else ""
            return (int(tail) if tail.isdigit() else None), err.message
    return None


def _located(written, file: str) -> Any:
    """The located tree `load_yaml` reads from the spec's text, made without reading the
    entries `_fast_entry` wrote: their YAML (names, `'name:K'`, ints, bools, lists and
    mappings of those, one entry a line) reads back as the entry itself, each location on
    the entry's line (the build's errors are mapped back to nodes by line). The rest of the
    text (the head, the other entries) is read as usual, with those lines emptied. None
    where this could differ from reading the whole text (then the caller reads it)."""
    from idrun.spec import yamlsrc
    entries, out, first, fast = written
    if not entries:   # `nodes:` is null: the build says so
        return None
    rest = out[:first] + ["" if f else line for line, f in zip(out[first:], fast)]
    rest_text = "\n".join(rest) + "\n"
    try:
        root = yamlsrc.load_yaml(rest_text, file)
    except SpecError:
        return None
    if type(root) is not yamlsrc.YMap or "nodes" not in root:
        return None
    others = root["nodes"]
    if others is not None and type(others) is not yamlsrc.YList:
        return None
    slow = iter(zip(others, others.item_locs) if others is not None else ())
    nodes = list.__new__(yamlsrc.YList)
    locs: list = []
    nodes._file, nodes._at, nodes._locs = file, (first - 1) << 32 | 2, locs
    counted = len(rest_text)   # bounds the values the rest holds: each takes a character
    for k, (entry, f) in enumerate(zip(entries, fast)):
        if f:
            at = (first + k) << 32 | 4
            tree, n = _tree(entry, at, file, 1)
            if tree is None:
                return None
            counted += n
            loc = SourceLoc(file, first + k + 1, 5)
        else:
            tree, loc = next(slow, (None, None))
            if tree is None or loc.line != first + k + 1:
                return None
        nodes.append(tree)
        locs.append(loc)
    if next(slow, None) is not None or counted > yamlsrc.MAX_VALUES:
        return None
    root["nodes"] = nodes
    return root


_NO_LOCS = ()
_SCALARS = frozenset((str, int, bool))


def _tree(value: Any, at: int, file: str, depth: int) -> tuple[Any, int]:
    """(value as the loader's located tree, values counted as it counts them), every location
    `at`; (None, 0) past a depth the loader might refuse."""
    kind = type(value)
    if kind is dict:
        if depth > 100:
            return None, 0
        tree = dict.__new__(_YMap)
        tree._file, tree._at, tree._locs, tree._kl, tree._vl = file, at, {}, None, None
        counted = 1
        for key, item in value.items():
            if type(item) in _SCALARS:
                tree[key] = item
                counted += 2
                continue
            sub, n = _tree(item, at, file, depth + 1)
            if sub is None and item is not None:
                return None, 0
            tree[key] = sub
            counted += 1 + n
        return tree, counted
    if kind is list:
        if depth > 100:
            return None, 0
        tree = list.__new__(_YList)
        tree._file, tree._at, tree._locs = file, at, _NO_LOCS
        counted = 1
        if all(type(item) in _SCALARS for item in value):
            tree.extend(value)
            return tree, counted + len(value)
        for item in value:
            sub, n = _tree(item, at, file, depth + 1)
            if sub is None and item is not None:
                return None, 0
            tree.append(sub)
            counted += n
        return tree, counted
    return value, 1
