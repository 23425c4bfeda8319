"""Composite ops in a GraphDef: the nodes TF's Python builds for one idrun op, with TF's names.

`idrun/tf/graphdef.py` asks `Composites` to write each node it can (`add`) and to name the
tensors and ops that stand for a composite in other nodes' inputs (`tensor_input`,
`control_input`). Each kind is checked against the GraphDef TF's Python builds for the same
program (tests/test_export.py) and runs in TF with idrun's values (`make conformance`).
"""

from __future__ import annotations

from typing import Any

from idrun.errors import SpecError
from idrun.graph import Graph, Node, TensorRef, TensorType
from idrun.ops.opdef import TFShape, TFType
from idrun.tf.graphdef import _unique, attr_value, set_output_shapes, tensor_input


class Composites:
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
        self.literal_of: dict[str, str] = {}   # an operand made for an assert_equal -> the assert
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
            if self.graph.nodes[update].op != "ema_update":   # the EMA's own control_dependencies
                continue
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
        for ref, arg in zip(node.inputs, "xy"):   # operands made for it: in TF's scope
            operand = self.graph.nodes[ref.node]
            if (operand.role, operand.name) in (("literal", f"{node.name}/{arg}"),
                                                ("read", f"{node.name}/ReadVariableOp")):
                self.literal_of[operand.name] = node.name
                self.data[operand.name] = _unique(f"{scope}/{operand.name.rpartition('/')[2]}", self.taken)

    def own_name(self, name: str) -> str:
        """The name a node that is not a composite has in TF's graph (an operand made for an
        assert_equal is in its scope)."""
        return self.data[name] if name in self.literal_of else name

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
        # made in control_dependencies: TF adds them to the constants (the op reads those)
        block = [self.control_input(c) for c in node.control_inputs]
        defaults, empty, given = [], 0, 0
        for key, f in features:
            if f["default"] is None:   # constant_op.constant([], dtype)
                defaults.append(self._const(f"{node.name}/Const" + (f"_{empty}" if empty else ""), [], f["dtype"], (0,),
                                            block))
                empty += 1
                continue
            # convert_to_tensor(default, name="key_<key>"), reshaped to the feature's shape
            value = self._const(f"{node.name}/key_" + re.sub(r"[^A-Za-z0-9_.\-/]", "_", key), f["default"],
                                f["dtype"], np.shape(f["default"]), block)
            reshape = f"{node.name}/Reshape" + (f"_{given}" if given else "")
            shape = self._const(f"{reshape}/shape", list(f["shape"]), "int32", (len(f["shape"]),), block)
            defaults.append(self._node(reshape, "Reshape", [value, shape], {"T": TFType(f["dtype"]),
                                                                            "Tshape": TFType("int32")},
                                       [TensorType(f["dtype"], tuple(f["shape"]))]))
            given += 1
        op = self.renamed[node.name]
        keys = [self._const(f"{op}/{what}", values, "string", (len(values),), block)
                for what, values in (("names", []), ("sparse_keys", []), ("dense_keys", [k for k, _ in features]),
                                     ("ragged_keys", []))]
        attrs = {"Tdense": [TFType(f["dtype"]) for _, f in features],
                 "dense_shapes": [TFShape(f["shape"]) for _, f in features], "num_sparse": 0,
                 "sparse_types": [], "ragged_value_types": [], "ragged_split_types": []}
        self._node(op, "ParseExampleV2", [self.tensor_input(node.inputs[0])] + keys + defaults, attrs, node.outputs,
                   unique=False)

    def _add_ema_update(self, node: Node) -> None:
        ema, (shadow, value) = self.ema_of[node.name], node.inputs
        out = node.outputs[0]
        dtype = out.dtype
        pivot = self._pivot(shadow) or self._pivot(value)   # in a cond: its constants wait on the branch
        # the control_dependencies the EMA was made in: TF adds them to each op of apply() whose
        # data inputs were all made outside the block (the constants and the shadow's reads)
        block = [self.control_input(c) for c in ema.control_inputs if c not in self.ema_of]
        after = block + (["^" + pivot] if pivot else [])
        handle = self.tensor_input(shadow)
        if ema.name not in self.decay:
            self.decay[ema.name] = self._decay(ema, after)
        one = self._const(f"{node.name}/sub/x", 1.0, "float32", inputs=after)
        rate = self._node(f"{node.name}/sub", "Sub", [one, self.decay[ema.name]], {"T": TFType("float32")},
                          [TensorType("float32", ())])
        if dtype != "float32":
            rate = self._node(f"{node.name}/Cast", "Cast", [rate], {"SrcT": TFType("float32"), "DstT": TFType(dtype),
                                                                    "Truncate": False}, [TensorType(dtype, ())])
        read = self._node(f"{node.name}/ReadVariableOp", "ReadVariableOp", [handle] + block, {"dtype": TFType(dtype)},
                          [out])
        diff = self._node(f"{node.name}/sub_1", "Sub", [read, self.tensor_input(value)], {"T": TFType(dtype)}, [out])
        delta = self._node(f"{node.name}/mul", "Mul", [diff, rate], {"T": TFType(dtype)}, [out])
        assign = self._node(self.control[node.name], "AssignSubVariableOp", [handle, delta],
                            {"dtype": TFType(dtype)}, unique=False)
        self._node(self.data[node.name], "ReadVariableOp", [handle, *block, "^" + assign], {"dtype": TFType(dtype)}, [out],
                   unique=False)

    def _add_assert_equal(self, node: Node) -> None:
        from idrun.ops.shapes import broadcast
        # the control_dependencies it was made in: TF adds them to each op whose data inputs were
        # all made outside the block (the constants; Equal unless an operand is a literal)
        made = [r.node for r in node.inputs if r.node in self.literal_of]
        block = list(dict.fromkeys(self.control_input(c) for n in [node.name, *made]
                                   for c in self.graph.nodes[n].control_inputs))
        if node.name not in self.scope:   # x is y: TF's shortcut
            self._node(self.control[node.name], "NoOp", block, {}, unique=False)
            return
        scope, graph = self.scope[node.name], self.graph
        names, types = [], []
        for ref in node.inputs:
            t = graph.nodes[ref.node].outputs[ref.index]
            names.append(self.tensor_input(ref))
            types.append(t)
        shape = broadcast(types[0].shape, types[1].shape)
        equal = self._node(f"{scope}/Equal", "Equal", names + ([] if made else block), {"T": TFType(types[0].dtype),
                                                              "incompatible_shape_error": True},
                           [TensorType("bool", shape)])
        if shape:   # TF's _ReductionDims: a constant arange(rank) when the rank is known and not 0
            axes = self._const(f"{scope}/Const", list(range(len(shape))), "int32", (len(shape),), block)
        else:       # else range(0, rank(x)): rank a constant when known
            rank = (self._node(f"{scope}/Rank", "Rank", [equal], {"T": TFType("bool")}, [TensorType("int32", ())])
                    if shape is None else self._const(f"{scope}/Rank", 0, "int32", inputs=block))
            start = self._const(f"{scope}/range/start", 0, "int32", inputs=block)
            delta = self._const(f"{scope}/range/delta", 1, "int32", inputs=block)
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
            self._const(f"{scope}/Assert/Const" + (f"_{k}" if k else ""), text, "string", inputs=block)
        inputs, dtypes = [], []
        for k, item in enumerate(data):
            if k in (len(data) - 1, len(data) - 3):   # the operands themselves
                inputs.append(item)
                dtypes.append(TFType(types[0 if k == len(data) - 3 else 1].dtype))
            else:
                inputs.append(self._const(f"{scope}/Assert/Assert/data_{k}", item, "string", inputs=block))
                dtypes.append(TFType("string"))
        self._node(self.control[node.name], "Assert", [condition] + inputs,
                   {"T": dtypes, "summarize": int(node.attrs["summarize"])}, unique=False)
