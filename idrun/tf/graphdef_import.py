"""`idrun import GRAPH.pbtxt|GRAPH.pb -o SPEC.yaml`: a TF GraphDef as an idrun spec.

The spec says `expand: false`: every entry is one node of the GraphDef, with
its TF name, requested device, data inputs and `^control` inputs, so TF's
control dependencies, placement and copies carry over. Each op type maps to
the idrun op whose OpDef names it (`OpDef.tf_op`, `tf_ref_op`,
`tf_import_ops`); its attributes come from `OpDef.tf_import`. `_class:
loc:@x` becomes `colocate_with: x` where the op is not already placed with
its variable. Initializer subgraphs (`x/Assign` of a constant, the
`VarIsInitializedOp`, the `init` no-ops) fold into the variable's `value:`.

Anything else is refused with the file, the node's index (and line, for
text) and its op: function libraries, `StatefulPartitionedCall`, control
flow, op types idrun does not have. Nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idrun.errors import SpecError, UsageError
from idrun.errors import SourceLoc
from idrun.ops import REGISTRY

TEXT_SUFFIXES = (".pbtxt", ".pbtext", ".txt")
CONTROL_FLOW = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond", "RefSwitch", "RefMerge",
                "RefEnter", "RefExit", "If", "StatelessIf", "While", "StatelessWhile", "Case"}
FUNCTION_CALLS = {"StatefulPartitionedCall", "PartitionedCall", "SymbolicGradient"}
INIT_VALUE_OPS = {"Const"}


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
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
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


def _dtype(enum: int) -> str:
    from tensorboard.compat.proto import types_pb2
    from idrun.tf.graphdef import DT
    back = {v: k for k, v in DT.items()}
    name = types_pb2.DataType.Name(enum)
    if name not in back:
        raise ValueError(f"dtype {name} has no idrun equivalent")
    return back[name]


def decode_attrs(node) -> dict[str, Any]:
    """A NodeDef's attributes as Python values (dtypes by idrun name, shapes as lists, tensors as arrays)."""
    from tensorboard.util import tensor_util
    out: dict[str, Any] = {}
    for key, value in node.attr.items():
        kind = value.WhichOneof("value")
        if kind == "type":
            out[key] = _dtype(value.type)
        elif kind == "shape":
            out[key] = None if value.shape.unknown_rank else [
                None if d.size < 0 else d.size for d in value.shape.dim]
        elif kind == "tensor":
            out[key] = tensor_util.make_ndarray(value.tensor)
        elif kind == "list":
            out[key] = [s.decode("utf-8", "replace") for s in value.list.s] or list(value.list.i)
        elif kind == "s":
            out[key] = value.s.decode("utf-8", "replace")
        elif kind in ("b", "i", "f"):
            out[key] = getattr(value, kind)
    return out


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


def _split_input(text: str) -> tuple[str, int, bool]:
    if text.startswith("^"):
        return text[1:], 0, True
    name, sep, index = text.rpartition(":")
    if sep and index.isdigit():
        return name, int(index), False
    return text, 0, False


def convert(gd, path: str, lines: list[int]) -> tuple[str, dict]:
    """The spec YAML for a GraphDef, and facts about it (mode, devices, folded nodes)."""
    src = _Src(path, lines)
    if len(gd.library.function):
        names = ", ".join(f.signature.name for f in gd.library.function[:3])
        raise SpecError(f"the graph has a function library ({len(gd.library.function)} functions: {names}); "
                        "idrun runs graphs of plain ops (freeze or inline functions first)",
                        SourceLoc(path, 1, 1))
    nodes = list(gd.node)
    by_name = {n.name: i for i, n in enumerate(nodes)}
    ops = {n.op for n in nodes}
    for i, n in enumerate(nodes):
        if n.op in FUNCTION_CALLS:
            raise _error(src, i, n, "a function call; idrun runs graphs of plain ops")
        if n.op in CONTROL_FLOW:
            raise _error(src, i, n, "TF control flow (cond/while) has no idrun equivalent")
    ref_vars = {"VariableV2", "Variable"} & ops
    if ref_vars and "VarHandleOp" in ops:
        i = next(k for k, n in enumerate(nodes) if n.op == "VarHandleOp")
        raise _error(src, i, nodes[i], "the graph mixes ref and resource variables; idrun runs one mode")
    variables = "ref" if ref_vars else "resource"
    var_ops = {"VariableV2", "Variable"} if ref_vars else {"VarHandleOp"}
    consumers: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        for text in n.input:
            consumers.setdefault(_split_input(text)[0], []).append(i)
    # ---- the initializer subgraph: folded into the variables' values -------------------
    values: dict[str, Any] = {}
    dropped: dict[int, str] = {}
    for i, n in enumerate(nodes):
        if n.op not in ("Assign", "AssignVariableOp") or len(n.input) < 2:
            continue
        var, _, _ = _split_input(n.input[0])
        init, _, ctl = _split_input(n.input[1])
        if ctl or var not in by_name or nodes[by_name[var]].op not in var_ops or n.name != f"{var}/Assign":
            continue
        if init not in by_name or nodes[by_name[init]].op not in INIT_VALUE_OPS or var in values:
            continue
        if any(j != i for j in consumers.get(init, [])) or any(
                nodes[j].op != "NoOp" for j in consumers.get(n.name, [])):
            continue
        values[var] = decode_attrs(nodes[by_name[init]])["value"]
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
    # ---- one entry per remaining node --------------------------------------------------
    table = _op_table(variables)
    entries: list[tuple[int, dict]] = []
    devices: set[str] = set()
    for i, n in enumerate(nodes):
        if i in dropped:
            continue
        opdef = table.get(n.op)
        if variables == "ref" and n.op == "Identity" and n.input:
            first = _split_input(n.input[0])[0]
            if first in by_name and nodes[by_name[first]].op in var_ops:
                opdef = REGISTRY["read"]
        if opdef is None:
            raise _error(src, i, n, f"idrun has no op for TF's {n.op}")
        try:
            tf_attrs = decode_attrs(n)
        except ValueError as exc:
            raise _error(src, i, n, str(exc)) from None
        entry: dict[str, Any] = {"name": n.name, "op": opdef.name}
        data, controls = [], []
        for text in n.input:
            name, index, ctl = _split_input(text)
            if name not in by_name:
                raise _error(src, i, n, f"input '{text}' names no node of the graph")
            if by_name[name] in dropped:
                raise _error(src, i, n, f"input '{text}' is the {dropped[by_name[name]]}, "
                                        "which idrun folds into the variable")
            if ctl:
                controls.append(name)
            else:
                data.append(name if index == 0 else f"{name}:{index}")
        consts = [decode_attrs(nodes[by_name[_split_input(t)[0]]]).get("value")
                  if nodes[by_name[_split_input(t)[0]]].op == "Const" else None
                  for t in n.input if not t.startswith("^")]
        if opdef.source == "variable":
            if n.name not in values:
                raise _error(src, i, n, "a variable without an initializer (`<name>/Assign` of a "
                                        "constant) has no value for idrun")
            value = values[n.name]
            entry["value"] = value.tolist()
            entry["dtype"] = tf_attrs.get("dtype", str(value.dtype))
        elif opdef.tf_import is not None:
            try:
                entry.update(opdef.tf_import(tf_attrs, consts))
            except (KeyError, ValueError, TypeError) as exc:
                raise _error(src, i, n, f"cannot read its attributes ({exc})") from None
        if data:
            entry["inputs"] = data
        if controls:
            entry["control_inputs"] = controls
        if n.device:
            entry["device"] = n.device
            devices.add(n.device)
        anchor = [s[5:] for s in tf_attrs.get("_class", []) if isinstance(s, str) and s.startswith("loc:@")]
        if anchor and anchor[0] != n.name:
            grouped = opdef.variable_group and data and data[0] == anchor[0]
            if not grouped:
                if anchor[0] not in by_name or by_name[anchor[0]] in dropped:
                    raise _error(src, i, n, f"_class colocates it with '{anchor[0]}', not a node of the graph")
                entry["colocate_with"] = anchor[0]
        entries.append((i, entry))
    return _render(path, variables, entries, devices, dropped, nodes), {
        "variables": variables, "nodes": len(entries), "folded": len(dropped)}


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


def _flow(value: Any) -> str:
    import yaml
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 30, sort_keys=False, allow_unicode=False)
    return text.strip().removesuffix("...").strip()


def _render(path: str, variables: str, entries, devices, dropped, nodes) -> str:
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
    for index, entry in entries:
        out.append(f"  - {_flow(entry)}  # from {base.replace(chr(10), ' ')} node {index}")
    return "\n".join(out) + "\n"


def import_graphdef(path: str, output: str | None, fetch: list[str] | None = None) -> str:
    """Convert, check that the spec builds, write it; returns the YAML."""
    gd, lines = read_graphdef(path)
    text, facts = convert(gd, path, lines)
    if fetch:
        text += "run: {fetch: " + _flow(list(fetch)) + "}\n"
    _check_builds(text, path, output, lines)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    return text


def _check_builds(text: str, path: str, output: str | None, lines: list[int]) -> None:
    """The spec must build: an error in it is reported at the GraphDef node it came from."""
    import tempfile
    from idrun.spec import load_spec
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / (Path(output).name if output else "imported.yaml")
        spec_path.write_text(text, encoding="utf-8")
        try:
            load_spec(str(spec_path))
        except SpecError as err:
            line = err.loc.line if err.loc else 0
            source = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
            tail = source.rpartition(" node ")[2] if "# from " in source else ""
            index = int(tail) if tail.isdigit() else None
            where = f"node {index}" if index is not None else "the spec"
            loc = _Src(path, lines).loc(index) if index is not None else None
            raise SpecError(f"{'' if loc else path + ': '}{where}: idrun cannot run it as written: "
                            f"{err.message}", loc) from None
