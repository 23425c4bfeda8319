"""The built graph as a TensorFlow GraphDef (`idrun export --format graphdef|tensorboard`).

Every node keeps its full name, gets TF's op type for the spec's variable mode
(`OpDef.tf_op` / `tf_ref_op`), its TF attributes (`OpDef.tf_attrs`, default
`T`), its device string, its data inputs (`name`, `name:k`) and `^name`
control inputs, and `_class: loc:@x` where it is placed with `x` (a
variable's reads and updates, colocate_with). Helper constants hold the
values TF's kernels read (`OpDef.tf_helper_values`: a reduction's axes).

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
    make = (opdef.tf_ref_attrs if graph.variables == "ref" and opdef.tf_ref_attrs else opdef.tf_attrs)
    if make is not None:
        return make(node.name, node.attrs, in_types, list(node.outputs))
    return {"T": TFType(in_types[0].dtype)} if in_types else {}


def colocated_with(graph: Graph, node: Node) -> str:
    """The node this one is placed with, as TF's `_class` says (or "")."""
    opdef = REGISTRY[node.op]
    if node.colocate:
        return node.colocate
    if opdef.source == "variable" and graph.variables == "resource":
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
    composite = _Composites(graph, taken)
    for node in graph.nodes.values():
        opdef = REGISTRY[node.op]
        if node.attrs.get("tf_op"):  # kept from a GraphDef (tf_opaque, cond): written back as read
            _add_opaque(gd, node)
            continue
        if composite.add(gd, node, tf_device(device_of[node.name]), shapes):
            continue
        op = opdef.tf_op_for(graph.variables)
        if not op and opdef.tf_unsupported:
            raise SpecError(f"export: {opdef.name} ('{node.name}') has no TF GraphDef form: {opdef.tf_unsupported}",
                            node.loc)
        if not op:
            raise SpecError(f"export: {opdef.name} ('{node.name}') has no TF op type in idrun's GraphDef "
                            "export yet (TF's Python builds several ops for it; use --format tf-python)",
                            node.loc)
        passes_variable = node.op in FORWARDING_OPS and node.ref_inputs
        if passes_variable and graph.variables == "ref":   # RefSwitch, RefEnter...: the ref itself
            op = "Ref" + op
        nd = gd.node.add(name=node.name, op=op, device=tf_device(device_of[node.name]))
        nd.input.extend(composite.tensor_input(r) for r in node.inputs)
        nd.input.extend(composite.control_input(c) for c in node.control_inputs)
        attrs = node_attrs(graph, node)
        if node.name in helper_values:
            value = helper_values[node.name]
            attrs["value"] = ("tensor", value, node.outputs[0].dtype)
        for key, value in attrs.items():
            nd.attr[key].CopyFrom(attr_value(value))
        if passes_variable and graph.variables == "resource":   # a variable's handle through it
            from tensorboard.compat.proto import types_pb2
            nd.attr["T"].type = types_pb2.DT_RESOURCE
        anchor = _shadow_anchor(graph, node) or colocated_with(graph, node)
        if anchor:
            nd.attr["_class"].CopyFrom(attr_value([f"loc:@{anchor}"]))
        if shapes:
            handle = graph.variables == "resource" and (opdef.source == "variable" or passes_variable)
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


class _Composites:
    """What TF's Python builds for idrun's composite ops, node by node with TF's names, and
    the names that stand for them in other nodes' inputs.

    `exponential_moving_average` (resource variables): `ExponentialMovingAverage.apply` makes
    `<ema>/decay`, and per input (idrun's `ema_update` `<ema>/AssignMovingAvg[_k]`, its
    shadow `s`, the averaged `v`) `assign_moving_average`'s `sub/x` (1.0), `sub` (1 - decay),
    a `Cast` where the shadow is not float32, `ReadVariableOp` of s, `sub_1` (s - v), `mul`,
    `AssignSubVariableOp` and the `ReadVariableOp_1` after it (what the update returns);
    the EMA itself is the `group` NoOp over the AssignSubVariableOps.

    `assert_equal` (int32 and string operands; others TF guards with a cond): `tf1.assert_equal`
    opens the scope `<name>_1` (its wrapper took `<name>`) and makes `y` (a literal operand),
    `Equal`, the reduction's axes (`Const`, or for a scalar `Rank`, `range/start`,
    `range/delta` and `range`), `All`, the unused `Assert/Const[_k]` of each string and
    `Assert/Assert/data_k` read by `Assert/Assert`; the same tensor twice is a `<name>/NoOp`."""

    def __init__(self, graph: Graph, taken: set[str]) -> None:
        self.graph, self.taken = graph, taken
        self.data: dict[str, str] = {}      # node -> the TF tensor its output 0 is
        self.control: dict[str, str] = {}   # node -> the TF op a control input on it waits for
        self.decay: dict[str, str] = {}     # ema node -> its decay constant
        self.ema_of: dict[str, Node] = {}
        self.scope: dict[str, str] = {}     # assert_equal node -> TF's name scope of its ops
        self.literal_of: dict[str, str] = {}   # an assert_equal's literal operand -> the assert
        self.renamed: dict[str, str] = {}   # node -> the TF op that has all its outputs
        for node in graph.nodes.values():
            if node.op == "exponential_moving_average":
                self._plan_ema(node)
            elif node.op == "assert_equal":
                self._plan_assert(node)
            elif node.op == "parse_example":
                self.renamed[node.name] = _unique(f"{node.name}/{node.name.rpartition('/')[2]}", taken)

    def _plan_ema(self, node: Node) -> None:
        if self.graph.variables != "resource":
            raise SpecError(f"export: exponential_moving_average ('{node.name}') with ref variables: "
                            "TF 2's ExponentialMovingAverage makes resource shadows even then "
                            "(export with --variables resource, or --format tf-python)", node.loc)
        for update in node.control_inputs:
            self.ema_of[update] = node
            self.control[update] = _unique(f"{update}/AssignSubVariableOp", self.taken)
            self.data[update] = _unique(f"{update}/ReadVariableOp_1", self.taken)

    def _plan_assert(self, node: Node) -> None:
        dtypes = {self.graph.nodes[r.node].outputs[r.index].dtype for r in node.inputs}
        if not dtypes <= {"int32", "string"}:
            raise SpecError(f"export: assert_equal ('{node.name}') of {'/'.join(sorted(dtypes))} is not in "
                            "idrun's GraphDef export yet (TF guards it with an AssertGuard cond; use "
                            "--format tf-python)", node.loc)
        if node.inputs[0] == node.inputs[1]:
            self.control[node.name] = _unique(f"{node.name}/NoOp", self.taken)
            return
        k = 1
        while f"{node.name}_{k}" in self.taken:
            k += 1
        scope = self.scope[node.name] = f"{node.name}_{k}"
        self.taken.add(scope)
        self.control[node.name] = f"{scope}/Assert/Assert"
        for ref, arg in zip(node.inputs, "xy"):
            literal = self.graph.nodes[ref.node]
            if literal.role == "literal" and literal.name == f"{node.name}/{arg}":
                self.literal_of[literal.name] = node.name
                self.data[literal.name] = _unique(f"{scope}/{arg}", self.taken)

    def tensor_input(self, ref: TensorRef) -> str:
        if ref.node in self.renamed:
            return tensor_input(TensorRef(self.renamed[ref.node], ref.index))
        return self.data[ref.node] if ref.index == 0 and ref.node in self.data else tensor_input(ref)

    def control_input(self, name: str) -> str:
        return "^" + self.control.get(name, self.renamed.get(name, name))

    def _pivot(self, ref: TensorRef) -> str:
        """The branch pivot (`cond/switch_t`, `cond/switch_f`) when `ref` is a cond's Switch."""
        switch = self.graph.nodes[ref.node]
        if switch.op != "switch" or len(switch.inputs) < 2:
            return ""
        pivot = switch.inputs[1].node.rpartition("/")[0] + ("/switch_t" if ref.index == 1 else "/switch_f")
        return pivot if pivot in self.graph.nodes else ""

    def add(self, gd, node: Node, device: str, shapes: bool) -> bool:
        """Write the TF nodes of a composite; False for a node that is not one."""
        self.gd, self.device, self.shapes = gd, device, shapes
        if node.op == "exponential_moving_average":
            self._node(node.name, "NoOp", [self.control_input(c) for c in node.control_inputs], {}, unique=False)
        elif node.name in self.ema_of:
            self._add_ema_update(node)
        elif node.op == "assert_equal":
            self._add_assert_equal(node)
        elif node.op == "embedding_lookup":
            self._add_embedding_lookup(node)
        elif node.op == "parse_example":
            self._add_parse_example(node)
        elif node.name in self.literal_of:
            pass   # written with its assert, in TF's scope
        else:
            return False
        return True

    def _node(self, name: str, op: str, inputs: list, attrs: dict, outputs=(), *, unique: bool = True) -> str:
        nd = self.gd.node.add(name=_unique(name, self.taken) if unique else name, op=op, device=self.device)
        nd.input.extend(inputs)
        for key, value in attrs.items():
            nd.attr[key].CopyFrom(attr_value(value))
        if self.shapes:
            set_output_shapes(nd, list(outputs))
        return nd.name

    def _const(self, name: str, value: Any, dtype: str, shape: tuple = (), inputs=(), *, unique: bool = True) -> str:
        return self._node(name, "Const", list(inputs), {"dtype": TFType(dtype), "value": ("tensor", value, dtype)},
                          [TensorType(dtype, shape)], unique=unique)

    def _decay(self, ema: Node, after: list) -> str:
        """`<ema>/decay`, and with num_updates TF's min(decay, (1 + n) / (10 + n)) after it."""
        scalar = [TensorType("float32", ())]
        decay = self._const(f"{ema.name}/decay", float(ema.attrs["decay"]), "float32", inputs=after)
        if ema.attrs.get("num_updates") is None:
            return decay
        count = self._const(f"{ema.name}/num_updates/x", int(ema.attrs["num_updates"]), "int32", inputs=after)
        count = self._node(f"{ema.name}/num_updates", "Cast", [count], {"SrcT": TFType("int32"), "DstT": TFType("float32"),
                                                                        "Truncate": False}, scalar)
        sums = [self._node(f"{ema.name}/{add}", "AddV2",
                           [self._const(f"{ema.name}/{add}/x", term, "float32", inputs=after), count],
                           {"T": TFType("float32")}, scalar) for add, term in (("add", 1.0), ("add_1", 10.0))]
        ratio = self._node(f"{ema.name}/truediv", "RealDiv", sums, {"T": TFType("float32")}, scalar)
        return self._node(f"{ema.name}/Minimum", "Minimum", [decay, ratio], {"T": TFType("float32")}, scalar)

    def _add_embedding_lookup(self, node: Node) -> None:
        """`tf.nn.embedding_lookup(params, ids)` (one shard): a gather built under
        colocate_with(params), `ResourceGather` on a variable's handle, else `GatherV2` with
        its axis helper; the `<name>/Identity` it returns is a node of its own."""
        params, ids = node.inputs[0], node.inputs[1]
        in_types = [self.graph.nodes[r.node].outputs[r.index] for r in node.inputs]
        if len(node.inputs) == 2:   # on the handle (resource mode)
            op, attrs = "ResourceGather", {"batch_dims": 0, "validate_indices": True,
                                           "dtype": TFType(node.outputs[0].dtype), "Tindices": TFType(in_types[1].dtype)}
        else:
            op, attrs = "GatherV2", {"batch_dims": 0, "Taxis": TFType(in_types[2].dtype),
                                     "Tindices": TFType(in_types[1].dtype), "Tparams": TFType(in_types[0].dtype)}
        attrs["_class"] = [f"loc:@{params.node}"]
        inputs = [self.tensor_input(r) for r in node.inputs]
        snapshot = self.graph.nodes.get(f"{params.node}/read")
        if len(node.inputs) == 3 and snapshot is not None and snapshot.role == "snapshot":
            inputs[0] = snapshot.name   # a ref variable is gathered through its `read` snapshot, as TF
        self._node(node.name, op, inputs + [self.control_input(c) for c in node.control_inputs], attrs, node.outputs,
                   unique=False)

    def _add_parse_example(self, node: Node) -> None:
        """`tf1.parse_example(serialized, {key: FixedLenFeature(shape, dtype, default)}, name=n)`: in
        the scope `n`, per feature sorted by key its default (`key_<key>` reshaped by
        `Reshape[_k]`, or an empty `Const[_k]`), then
        `ParseExampleV2` named `n/n` with its `names`, `sparse_keys`, `dense_keys` and
        `ragged_keys` constants; its outputs are the dense values, by key."""
        import re
        import numpy as np
        features = sorted(node.attrs["features"].items())
        defaults, empty, given = [], 0, 0
        for key, f in features:
            if f["default"] is None:   # constant_op.constant([], dtype)
                defaults.append(self._const(f"{node.name}/Const" + (f"_{empty}" if empty else ""), [], f["dtype"], (0,)))
                empty += 1
                continue
            # convert_to_tensor(default, name="key_<key>"), reshaped to the feature's shape
            value = self._const(f"{node.name}/key_" + re.sub(r"[^A-Za-z0-9_.\-/]", "_", key), f["default"],
                                f["dtype"], np.shape(f["default"]))
            reshape = f"{node.name}/Reshape" + (f"_{given}" if given else "")
            shape = self._const(f"{reshape}/shape", list(f["shape"]), "int32", (len(f["shape"]),))
            defaults.append(self._node(reshape, "Reshape", [value, shape], {"T": TFType(f["dtype"]),
                                                                            "Tshape": TFType("int32")},
                                       [TensorType(f["dtype"], tuple(f["shape"]))]))
            given += 1
        op = self.renamed[node.name]
        keys = [self._const(f"{op}/{what}", values, "string", (len(values),))
                for what, values in (("names", []), ("sparse_keys", []), ("dense_keys", [k for k, _ in features]),
                                     ("ragged_keys", []))]
        attrs = {"Tdense": [TFType(f["dtype"]) for _, f in features],
                 "dense_shapes": [TFShape(f["shape"]) for _, f in features], "num_sparse": 0,
                 "sparse_types": [], "ragged_value_types": [], "ragged_split_types": []}
        self._node(op, "ParseExampleV2", [self.tensor_input(node.inputs[0])] + keys + defaults
                   + [self.control_input(c) for c in node.control_inputs], attrs, node.outputs, unique=False)

    def _add_ema_update(self, node: Node) -> None:
        ema, (shadow, value) = self.ema_of[node.name], node.inputs
        out = node.outputs[0]
        dtype = out.dtype
        pivot = self._pivot(shadow) or self._pivot(value)   # in a cond: its constants wait on the branch
        after = ["^" + pivot] if pivot else []
        handle = self.tensor_input(shadow)
        if ema.name not in self.decay:
            self.decay[ema.name] = self._decay(ema, after)
        one = self._const(f"{node.name}/sub/x", 1.0, "float32", inputs=after)
        rate = self._node(f"{node.name}/sub", "Sub", [one, self.decay[ema.name]], {"T": TFType("float32")},
                          [TensorType("float32", ())])
        if dtype != "float32":
            rate = self._node(f"{node.name}/Cast", "Cast", [rate], {"SrcT": TFType("float32"), "DstT": TFType(dtype),
                                                                    "Truncate": False}, [TensorType(dtype, ())])
        read = self._node(f"{node.name}/ReadVariableOp", "ReadVariableOp", [handle], {"dtype": TFType(dtype)}, [out])
        diff = self._node(f"{node.name}/sub_1", "Sub", [read, self.tensor_input(value)], {"T": TFType(dtype)}, [out])
        delta = self._node(f"{node.name}/mul", "Mul", [diff, rate], {"T": TFType(dtype)}, [out])
        assign = self._node(self.control[node.name], "AssignSubVariableOp", [handle, delta],
                            {"dtype": TFType(dtype)}, unique=False)
        self._node(self.data[node.name], "ReadVariableOp", [handle, "^" + assign], {"dtype": TFType(dtype)}, [out],
                   unique=False)

    def _add_assert_equal(self, node: Node) -> None:
        from idrun.ops.shapes import broadcast
        if node.name not in self.scope:   # x is y: TF's shortcut
            self._node(self.control[node.name], "NoOp", [], {}, unique=False)
            return
        scope, graph = self.scope[node.name], self.graph
        names, types = [], []
        for ref in node.inputs:
            literal = graph.nodes[ref.node]
            t = literal.outputs[ref.index]
            if ref.node in self.literal_of:
                self._const(self.data[ref.node], literal.attrs["value"], t.dtype, t.shape or (), unique=False)
            names.append(self.tensor_input(ref))
            types.append(t)
        shape = broadcast(types[0].shape, types[1].shape)
        equal = self._node(f"{scope}/Equal", "Equal", names, {"T": TFType(types[0].dtype),
                                                              "incompatible_shape_error": True},
                           [TensorType("bool", shape)])
        if shape:   # TF's _ReductionDims: a constant arange(rank) when the rank is known and not 0
            axes = self._const(f"{scope}/Const", list(range(len(shape))), "int32", (len(shape),))
        else:       # else range(0, rank(x)): rank a constant when known
            rank = (self._node(f"{scope}/Rank", "Rank", [equal], {"T": TFType("bool")}, [TensorType("int32", ())])
                    if shape is None else self._const(f"{scope}/Rank", 0, "int32"))
            start = self._const(f"{scope}/range/start", 0, "int32")
            delta = self._const(f"{scope}/range/delta", 1, "int32")
            axes = self._node(f"{scope}/range", "Range", [start, rank, delta], {"Tidx": TFType("int32")},
                              [TensorType("int32", (None,) if shape is None else (0,))])
        condition = self._node(f"{scope}/All", "All", [equal, axes], {"Tidx": TFType("int32"), "keep_dims": False},
                               [TensorType("bool", ())])
        tf_name = [n if ":" in n else n + ":0" for n in names]
        data = ([node.attrs["message"]] if node.attrs["message"] else []) + [
            "Condition x == y did not hold element-wise:", f"x ({tf_name[0]}) = ", names[0],
            f"y ({tf_name[1]}) = ", names[1]]
        texts = [d for k, d in enumerate(data) if k not in (len(data) - 1, len(data) - 3)]
        for k, text in enumerate(texts):   # convert_n_to_tensor(data) in Assert's scope: unused
            self._const(f"{scope}/Assert/Const" + (f"_{k}" if k else ""), text, "string")
        inputs, dtypes = [], []
        for k, item in enumerate(data):
            if k in (len(data) - 1, len(data) - 3):   # the operands themselves
                inputs.append(item)
                dtypes.append(TFType(types[0 if k == len(data) - 3 else 1].dtype))
            else:
                inputs.append(self._const(f"{scope}/Assert/Assert/data_{k}", item, "string"))
                dtypes.append(TFType("string"))
        self._node(self.control[node.name], "Assert", [condition] + inputs,
                   {"T": dtypes, "summarize": int(node.attrs["summarize"])}, unique=False)


def _shadow_anchor(graph: Graph, node: Node) -> str:
    """An EMA shadow of a tensor (and its reads) is colocated with the shadow in TF's graph:
    TF colocates a shadow only with a variable it averages. "" for every other node."""
    if graph.variables != "resource" or not node.colocate:
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
        resource = graph.variables == "resource"
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
