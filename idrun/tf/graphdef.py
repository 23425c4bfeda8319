"""The built graph as a TensorFlow GraphDef (`idrun export --format graphdef|tensorboard`).

Every node keeps its full name, gets TF's op type for the spec's variable mode
(`OpDef.tf_op` / `tf_ref_op`), its TF attributes (`OpDef.tf_attrs`, default
`T`), its device string, its data inputs (`name`, `name:k`) and `^name`
control inputs, and `_class: loc:@x` where it is placed with `x` (a
variable's reads and updates, colocate_with). Helper constants hold the
values TF's kernels read (`OpDef.tf_helper_values`: a reduction's axes).

Composite ops (exponential_moving_average, assert_equal, embedding_lookup,
parse_example) are written as the nodes TF's Python builds for them, with TF's
names (`idrun/tf/composites.py`). With `shapes`, every node gets `_output_shapes`
as TF's FileWriter writes them (the TensorBoard export).

For export an op named `init` (uniquified) initializes every variable as
`global_variables_initializer()` does: `x/Initializer/initial_value` and an
`AssignVariableOp` (resource), or `x/initial_value` and an `Assign` (ref).

The protos are the ones the `tensorboard` package ships
(`tensorboard.compat.proto`), behind the optional extra `idrun[tensorboard]`;
`require_protos()` says how to install it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from idrun.errors import SpecError, UsageError
from idrun.graph import Graph, Node, TensorRef, TensorType
from idrun.ops import REGISTRY
from idrun.ops.control_flow import FORWARDING_OPS
from idrun.ops.opdef import TFShape, TFType
from idrun.protos import tensorboard_protos


DT = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE", "int8": "DT_INT8",
      "int16": "DT_INT16", "int32": "DT_INT32", "int64": "DT_INT64", "uint8": "DT_UINT8",
      "bool": "DT_BOOL", "string": "DT_STRING"}
# written only: a handle's dtype (ops/tensor_arrays.py) through Enter, Switch...; an imported
# DT_RESOURCE/DT_VARIANT stays typed by its input (graphdef_import reads DT alone)
HANDLE_DT = {"resource": "DT_RESOURCE", "variant": "DT_VARIANT"}


def require_protos():
    """The proto modules, or a usage error (exit 2) naming the extra to install."""
    return tensorboard_protos("compat.proto.attr_value_pb2", "compat.proto.graph_pb2",
                              "compat.proto.node_def_pb2", "util.tensor_util")


def tensor_proto(value: Any, dtype: str):
    """A TensorProto of a literal value."""
    import numpy as np
    from tensorboard.util import tensor_util
    if dtype == "string":
        array = np.array(value, dtype=object)
        array = np.vectorize(lambda s: s.encode("utf-8") if isinstance(s, str) else s,
                             otypes=[object])(array) if array.size else array
    else:
        array = np.asarray(value, dtype=dtype)
    return tensor_util.make_tensor_proto(array)


def _dt(value) -> int:
    """The DataType enum of a TFType (an idrun dtype, a handle's, or TF's own DT_ name)."""
    from tensorboard.compat.proto import types_pb2
    text = str(value)
    return types_pb2.DataType.Value(text if text.startswith("DT_") else DT.get(text) or HANDLE_DT[text])


def attr_value(value: Any):
    """An AttrValue from a Python value: TFType, TFShape, bool, int, float, str, list, tensor."""
    from tensorboard.compat.proto import attr_value_pb2, types_pb2
    out = attr_value_pb2.AttrValue()
    if isinstance(value, TFType):
        out.type = _dt(value)
    elif isinstance(value, TFShape):
        out.shape.SetInParent()
        for dim in value:
            out.shape.dim.add(size=-1 if dim is None else int(dim))
    elif value is None:  # a shape of unknown rank
        out.shape.unknown_rank = True
    elif isinstance(value, tuple) and value and value[0] == "tensor":
        out.tensor.CopyFrom(tensor_proto(value[1], value[2]))
    elif isinstance(value, bool):
        out.b = value
    elif isinstance(value, int):
        out.i = value
    elif isinstance(value, float):
        out.f = value
    elif isinstance(value, (str, bytes)):
        out.s = value.encode("utf-8") if isinstance(value, str) else value
    elif isinstance(value, list):
        out.list.SetInParent()
        for item in value:
            if isinstance(item, TFType):  # list(type): Assert's T
                out.list.type.append(_dt(item))
            elif isinstance(item, TFShape):  # list(shape): a queue's shapes
                shape = out.list.shape.add()
                for dim in item:
                    shape.dim.add(size=-1 if dim is None else int(dim))
            elif item is None:  # list(shape): a shape of unknown rank
                out.list.shape.add().unknown_rank = True
            elif isinstance(item, int):
                out.list.i.append(item)
            else:
                out.list.s.append(item.encode("utf-8") if isinstance(item, str) else item)
    else:
        raise TypeError(f"no AttrValue for {value!r}")
    return out


def spec_attr_value(item: dict):
    """An AttrValue from a kept node's spec form (`{type: float32}`, `{list: {i: [1, 2]}}`,
    `{tensor: "<text format>"}`, `{func: {name, attr}}`): the inverse of the importer's
    `encode_attr`, so a tf_opaque node is written back as it was read."""
    from tensorboard.compat.proto import attr_value_pb2
    out = attr_value_pb2.AttrValue()
    (kind, value), = item.items()
    if kind == "list":
        out.list.SetInParent()
        for field, items in (value or {}).items():
            if field == "s_hex":
                out.list.s.extend(bytes.fromhex(x) for x in items)
            elif field in ("shape", "tensor", "func"):
                for x in items:
                    _set_one(getattr(out.list, field).add(), field, x)
            else:
                getattr(out.list, field).extend(_scalar(field, x) for x in items)
    elif kind == "s_hex":
        out.s = bytes.fromhex(value)
    elif kind in ("shape", "tensor", "func"):
        _set_one(getattr(out, kind), kind, value)
    else:
        setattr(out, kind, _scalar(kind, value))
    return out


def _scalar(kind: str, value: Any) -> Any:
    if kind == "s":
        return value.encode("utf-8")
    if kind == "type":
        from tensorboard.compat.proto import types_pb2
        return types_pb2.DataType.Value(value if value.startswith("DT_") else DT[value])
    return value


def _set_one(message, kind: str, value: Any) -> None:
    if kind == "shape":
        message.SetInParent()
        if value is None:
            message.unknown_rank = True
        for dim in value or ():
            message.dim.add(size=-1 if dim is None else int(dim))
    elif kind == "tensor":
        from google.protobuf import text_format
        message.SetInParent()
        text_format.Parse(value, message)
    else:  # func
        message.name = value["name"]
        for key, attr in (value.get("attr") or {}).items():
            message.attr[key].CopyFrom(spec_attr_value(attr))


def tensor_input(ref: TensorRef) -> str:
    return ref.node if ref.index == 0 else f"{ref.node}:{ref.index}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, k = name, 0
    while candidate in taken:
        k += 1
        candidate = f"{name}_{k}"
    taken.add(candidate)
    return candidate


def node_attrs(graph: Graph, node: Node) -> dict[str, Any]:
    """TF's attributes of one node (from its OpDef)."""
    opdef = REGISTRY[node.op]
    in_types = [graph.nodes[r.node].outputs[r.index] for r in node.inputs]
    make = (opdef.tf_ref_attrs if opdef.tf_ref_attrs and graph.kind_of(node.name) == "ref" else opdef.tf_attrs)
    if make is not None:
        return make(node.name, node.attrs, in_types, list(node.outputs))
    return {"T": TFType(in_types[0].dtype)} if in_types else {}


def colocated_with(graph: Graph, node: Node) -> str:
    """The node this one is placed with, as TF's `_class` says (or "")."""
    opdef = REGISTRY[node.op]
    if node.colocate:
        return node.colocate
    if opdef.source == "variable" and graph.kind_of(node.name) == "resource":
        return node.name
    if opdef.variable_group and node.inputs and node.inputs[0].node in graph.nodes \
            and REGISTRY[graph.nodes[node.inputs[0].node].op].source == "variable":
        return node.inputs[0].node
    return ""


def build_graphdef(graph: Graph, device_of: dict[str, str], tf_device, *, init: bool = True,
                   init_targets: tuple[str, ...] = (), shapes: bool = False):
    """The GraphDef of a built graph; `device_of` is the placement, `tf_device` maps an
    idrun device to TF's string; `init_targets` (run.init's ops) join the `init` op;
    `shapes` adds each node's `_output_shapes` (as `as_graph_def(add_shapes=True)`, what TF's
    FileWriter writes). Raises SpecError (at the node) for an op with no TF type."""
    from tensorboard.compat.proto import graph_pb2
    gd = graph_pb2.GraphDef()
    gd.versions.producer = 1882
    taken = set(graph.nodes)
    helper_values: dict[str, Any] = {}
    for node in graph.nodes.values():
        opdef = REGISTRY[node.op]
        if opdef.tf_helper_values and node.helper_inputs:
            in_types = [graph.nodes[r.node].outputs[r.index] for r in node.inputs]
            values = opdef.tf_helper_values(node.attrs, in_types)
            for ref, value in zip(node.inputs[len(node.inputs) - node.helper_inputs:], values):
                helper_values[ref.node] = value
    from idrun.tf.composites import Composites
    composite = Composites(graph, taken)
    for node in graph.nodes.values():
        opdef = REGISTRY[node.op]
        if node.attrs.get("tf_op"):  # kept from a GraphDef (tf_opaque, cond): written back as read
            _add_opaque(gd, node)
            continue
        if composite.add(gd, node, tf_device(device_of[node.name]), shapes):
            continue
        kind = graph.kind_of(node.name)   # the variable's own, for an op on one
        op = opdef.tf_op_for(kind)
        if not op and opdef.tf_unsupported:
            raise SpecError(f"export: {opdef.name} ('{node.name}') has no TF GraphDef form: {opdef.tf_unsupported}",
                            node.loc)
        if not op:
            raise SpecError(f"export: {opdef.name} ('{node.name}') has no TF op type in idrun's GraphDef "
                            "export yet (TF's Python builds several ops for it; use --format tf-python)",
                            node.loc)
        passes_variable = node.op in FORWARDING_OPS and node.ref_inputs
        if passes_variable and kind == "ref":   # RefSwitch, RefEnter...: the ref itself
            op = "Ref" + op
        nd = gd.node.add(name=composite.own_name(node.name), op=op, device=tf_device(device_of[node.name]))
        nd.input.extend(composite.tensor_input(r) for r in node.inputs)
        nd.input.extend(composite.control_input(c) for c in node.control_inputs)
        attrs = node_attrs(graph, node)
        if node.name in helper_values:
            value = helper_values[node.name]
            attrs["value"] = ("tensor", value, node.outputs[0].dtype)
        for key, value in attrs.items():
            nd.attr[key].CopyFrom(attr_value(value))
        if passes_variable and kind == "resource":   # a variable's handle through it
            from tensorboard.compat.proto import types_pb2
            nd.attr["T"].type = types_pb2.DT_RESOURCE
        anchor = _shadow_anchor(graph, node) or colocated_with(graph, node)
        if anchor:
            nd.attr["_class"].CopyFrom(attr_value([f"loc:@{anchor}"]))
        if shapes:
            handle = kind == "resource" and (opdef.source == "variable" or passes_variable)
            set_output_shapes(nd, _tf_outputs(graph, node, helper_values.get(node.name), handle))
    if init:
        _add_initializer(gd, graph, device_of, tf_device, taken, init_targets)
    return gd


# TF op types (of idrun's) that have no outputs (TF 2.21's op registry): no `_output_shapes`
NO_OUTPUTS = frozenset((
    "Assert", "AssignAddVariableOp", "AssignSubVariableOp", "AssignVariableOp", "ControlTrigger", "NoOp",
    "QueueCloseV2", "QueueEnqueueManyV2", "QueueEnqueueV2", "ResourceApplyAdagrad", "ResourceApplyAdagradV2",
    "ResourceApplyAdam", "ResourceApplyGradientDescent", "ResourceApplyMomentum", "ResourceApplyRMSProp",
    "ResourceScatterAdd", "ResourceScatterSub", "ResourceScatterUpdate", "SaveV2", "StackCloseV2",
    "TensorArrayCloseV3"))


def set_output_shapes(nd, outputs) -> None:
    """`_output_shapes`: one shape per output (`TensorType`s; unknown dims -1, unknown rank
    `unknown_rank`), as TF's `as_graph_def(add_shapes=True)` writes it; an op without outputs
    (NoOp, Assert, AssignVariableOp) gets none. TensorBoard draws edge widths from it."""
    if outputs and nd.op not in NO_OUTPUTS:
        nd.attr["_output_shapes"].CopyFrom(attr_value([TFShape(t.shape) if t.shape is not None else None
                                                        for t in outputs]))


def _tf_outputs(graph: Graph, node: Node, helper_value: Any, handle: bool) -> list:
    """The node's outputs as TF's op has them: a resource handle (VarHandleOp, an Enter or
    Switch passing one) is a scalar; a helper constant has its value's shape."""
    if handle:
        return [TensorType("resource", ())] * len(node.outputs)
    if helper_value is not None:
        import numpy as np
        return [TensorType(node.outputs[0].dtype, np.shape(helper_value))]
    return node.outputs


def _shadow_anchor(graph: Graph, node: Node) -> str:
    """An EMA shadow of a tensor (and its reads) is colocated with the shadow in TF's graph:
    TF colocates a shadow only with a variable it averages. "" for every other node."""
    if not node.colocate or graph.kind_of(node.name) != "resource":
        return ""
    shadow = node if node.role == "shadow" else graph.nodes.get(node.inputs[0].node) if node.inputs else None
    if shadow is None or shadow.role != "shadow" or REGISTRY[graph.nodes[shadow.colocate].op].source == "variable":
        return ""
    return shadow.name


def _add_opaque(gd, node: Node) -> None:
    """A node kept from a GraphDef: its op type, attributes, inputs and requested device."""
    nd = gd.node.add(name=node.name, op=node.attrs["tf_op"], device=node.requested)
    nd.input.extend(tensor_input(r) for r in node.inputs)
    nd.input.extend("^" + c for c in node.control_inputs)
    for key, item in (node.attrs.get("attrs") or {}).items():
        nd.attr[key].CopyFrom(spec_attr_value(item))


def _add_initializer(gd, graph: Graph, device_of, tf_device, taken: set[str],
                     init_targets: tuple[str, ...] = ()) -> None:
    """`init`: what global_variables_initializer() runs, one assign per variable with a
    `value` (the others' initializers are in the graph: run.init's ops, which it waits on)."""
    assigns = []
    for node in graph.nodes.values():
        if REGISTRY[node.op].source != "variable" or node.attrs.get("value") is None:
            continue
        out = node.outputs[0]
        device = tf_device(device_of[node.name])
        colocate = attr_value([f"loc:@{node.name}"])
        resource = graph.kind_of(node.name) == "resource"
        zeros = node.role == "shadow" and REGISTRY[graph.nodes[node.colocate].op].source != "variable"
        const = gd.node.add(name=_unique(f"{node.name}/Initializer/zeros" if zeros else
                                         f"{node.name}/Initializer/initial_value" if resource
                                         else f"{node.name}/initial_value", taken), op="Const",
                            device=device)
        const.attr["dtype"].CopyFrom(attr_value(TFType(out.dtype)))
        const.attr["value"].CopyFrom(attr_value(("tensor", node.attrs["value"], out.dtype)))
        const.attr["_class"].CopyFrom(colocate)
        assign = gd.node.add(name=_unique(f"{node.name}/Assign", taken),
                             op="AssignVariableOp" if resource else "Assign", device=device)
        assign.input.extend([node.name, const.name])
        if resource:
            assign.attr["dtype"].CopyFrom(attr_value(TFType(out.dtype)))
        else:
            for key, value in {"T": TFType(out.dtype), "use_locking": True, "validate_shape": True}.items():
                assign.attr[key].CopyFrom(attr_value(value))
        assign.attr["_class"].CopyFrom(colocate)
        assigns.append(assign.name)
    if not assigns and len(init_targets) == 1:
        return  # the graph's own init op initializes everything
    init = gd.node.add(name=_unique("init", taken), op="NoOp")
    init.input.extend("^" + a for a in assigns)
    init.input.extend("^" + t for t in init_targets)


def add_transfers(gd, graph: Graph, step, tf_device) -> None:
    """The step's `_Send`/`_Recv` pairs, as TF's partition graphs have them; consumers read
    the `_Recv` (data) or wait on it (control), so the picture shows every copy."""
    from tensorboard.compat.proto import graph_pb2  # noqa: F401
    by_name = {n.name: n for n in gd.node}
    part = step.partition
    recv_names = []
    for k, t in enumerate(part.transfers):
        src, dst = tf_device(t.src), tf_device(t.dst)
        source = graph.nodes[t.tensor.node]
        control = t.kind == "control"
        tensor_name = f"edge_{k}_{t.tensor.node}" + ("" if control else f"_{t.tensor.index}")
        dtype = None if control or not source.outputs else source.outputs[t.tensor.index].dtype
        common = {"tensor_name": tensor_name, "send_device": src, "recv_device": dst,
                  "send_device_incarnation": 1, "client_terminated": False}
        send = gd.node.add(name=f"{t.tensor.node}/_{2 * k}", op="_Send", device=src)
        send.input.append(("^" + t.tensor.node) if control or dtype is None else tensor_input(t.tensor))
        recv = gd.node.add(name=f"{t.tensor.node}/_{2 * k + 1}", op="_Recv", device=dst)
        for key, value in common.items():
            send.attr[key].CopyFrom(attr_value(value))
            recv.attr[key].CopyFrom(attr_value(value))
        send.attr["T"].CopyFrom(attr_value(TFType(dtype or "float32")))
        recv.attr["tensor_type"].CopyFrom(attr_value(TFType(dtype or "float32")))
        # what it carries: the tensor's shape, or (control) TF's dummy scalar
        set_output_shapes(recv, [source.outputs[t.tensor.index]] if dtype else [TensorType("float32", ())])
        send.attr["_idrun_kind"].CopyFrom(attr_value(t.kind))
        recv_names.append(recv.name)
    for (consumer, pos), k in part.edge_transfer.items():
        nd = by_name.get(consumer)
        if nd is not None and pos < len(nd.input):
            nd.input[pos] = recv_names[k]
    for (consumer, src), k in part.control_transfer.items():
        nd = by_name.get(consumer)
        if nd is not None and ("^" + src) in nd.input:
            nd.input[list(nd.input).index("^" + src)] = "^" + recv_names[k]


def write_graphdef(gd, path: str) -> None:
    """Text (`.pbtxt`, `.pbtext`, `.txt`) or binary (`.pb`) by the file's extension."""
    suffix = Path(path).suffix.lower()
    if suffix in (".pbtxt", ".pbtext", ".txt"):
        from google.protobuf import text_format
        data = text_format.MessageToString(gd).encode("utf-8")
    elif suffix == ".pb":
        data = gd.SerializeToString()
    else:
        raise UsageError(f"{path}: a GraphDef file ends in .pbtxt (text) or .pb (binary)")
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def export_graphdef(pipeline, local_devices: bool = True, init: bool = True):
    """The placed graph of a pipeline as a GraphDef, devices as `export --format tf-python`
    maps them (local: every idrun device a CPU of one process)."""
    from idrun.compile.placement import graph_devices
    from idrun.tf.export_python import tf_device
    spec = pipeline.spec
    devices = graph_devices(spec.graph, spec.devices)
    index_of = {d: i for i, d in enumerate(devices)}
    return build_graphdef(spec.graph, pipeline.placement.device,
                          lambda d: tf_device(d, index_of, local_devices), init=init,
                          init_targets=tuple(t.value for t in spec.run.init_targets))
