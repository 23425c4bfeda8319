"""TF 2 functional control flow in an imported GraphDef, lowered to TF 1.x dataflow control flow.

`lower_functional(graph_def)` returns a new GraphDef in which every `If`/`StatelessIf`,
`Case`/`StatelessCase`, `While`/`StatelessWhile`, `PartitionedCall`/`StatefulPartitionedCall`
and direct call of a library function is replaced by the nodes TF's own runtime builds for it
in `LowerFunctionalOpsPass` (tensorflow/core/common_runtime/lower_if_op.cc, lower_case_op.cc,
lower_while_op.cc, lower_function_call_op.cc and `InlineFunctionBody` in
inline_function_utils.cc), as a session running a top-level graph does (lowered nodes kept
fetchable). The result holds only plain v1 nodes (Switch, _SwitchN, Merge, Enter, Exit,
NextIteration, LoopCond, Identity, IdentityN, NoOp and the function bodies' own ops), which
`tf.compat.v1.import_graph_def` runs with the original graph's values.

What TF builds, and so what this builds (names as TF's `Graph::NewName`: `prefix/_N`, one
counter per lowering, skipping names the graph already has):

- `If` named `c`: `c/switch_pred/_N` (Switch of the predicate with itself), pivots
  `c/pivot_f/_N` and `c/pivot_t/_N` (Identity of its outputs 0 and 1), a Switch
  `c/SRC/_N` per data input (on its source's device, `_class: loc:@SRC`), a call of each branch function
  (`c/then/_N`, `c/else/_N`, with a control input from its pivot), a Merge `c/output/_N` per
  output and `c/branch_executed/_N` (Merge of the pivots, after both calls). The original name
  becomes an IdentityN of the Merges (a NoOp when there are none) after branch_executed;
  consumers read the Merges, control consumers wait on branch_executed. A `Case` is the same
  with `_SwitchN` (`c/branch_index/_N`), pivots `c/pivot_B/_N`, calls `c/branchB/_N` and
  Merges `c/merge/_N` (its input `_SwitchN`s' `_class` the bare source name, as TF writes it).
- `While` named `w`: per loop variable an Enter `w/enter/_N` (`frame_name: w`,
  `parallel_iterations` kept, `is_constant` only for a DT_RESOURCE variable, which gets nothing
  else), Merge `w/merge/_N` (Enter, NextIteration), the cond function called on the Merges
  (`w/cond/_N`, after the first Merge), `w/LoopCond/_N`, Switch `w/SRC_switch/_N`, the body
  called on the Switches' true outputs (`w/body/_N`, after `w/loop_body_control/_N`), Exit
  `w/exit/_N`, NextIteration `w/next_iteration/_N`, `w/LoopExecuted/_N` (NoOp after the Exits)
  and the IdentityN `w` of the Exits. Control inputs of the While go through
  `w/LoopControlInputs/_N` to every Enter.
- A call named `f` (the branch and loop calls above included) is inlined: its body's nodes
  become `f/NODE` (Enter frame names prefixed too), each argument an Identity
  `Func/f/input/_N`, each result an Identity `Func/f/output/_N`, its control inputs go through
  `Func/f/input_control_node/_N` (which also precedes the body's input-less nodes and calls),
  the body nodes of a multi-device call take the caller's device (or the parts of it their own
  leaves unset), and `Func/f/output_control_node/_N` waits on the function's `control_ret` nodes (TF 2
  multi-device calls: PartitionedCall and the lowered branch/loop calls) or on its outputs
  (other calls). `f` stays as an IdentityN of the outputs after output_control_node.

Nested constructs (an If in a While body, calls of calls) lower in turn, in TF's order: the
original nodes first, then the nodes each lowering adds. `_lower_using_switch_merge` is not
consulted: every construct is lowered, since idrun runs only the v1 form. The output lists
the nodes in an order where each comes after its inputs (NextIteration back edges aside), near
the original node's place; functions still referenced are kept in the library, the others
dropped. One departure from TF: a `_class: loc:@X` naming no node of the lowered graph is
dropped (TF keeps it, and import_graph_def then refuses the graph).

Checked against TF 2.21 (scripts/check_functional_lowering.py, tests/test_functional_lowering.py):
the lowered graph runs to the original's values, and its nodes are those TF's session builds
(names, op types, inputs, attributes), for the programs of
scripts/graphdef_cases/control_flow_v2.py, also with their nodes listed in another order.

Not wired into `idrun import` yet. In `graphdef_import.import_graphdef`, after reading:

    from idrun.tf.functional import has_functional, lower_functional_lines
    if has_functional(gd):
        gd, lines = lower_functional_lines(gd, lines)
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from idrun.errors import SpecError
from idrun.tf.output_args import OUTPUT_ARGS

IF_OPS = {"If", "StatelessIf"}
CASE_OPS = {"Case", "StatelessCase"}
WHILE_OPS = {"While", "StatelessWhile"}
PARTITIONED_CALLS = {"PartitionedCall", "StatefulPartitionedCall"}
FUNCTIONAL_OPS = IF_OPS | CASE_OPS | WHILE_OPS | PARTITIONED_CALLS
MULTI_DEVICE_ATTR = "_lower_as_multi_device_function"
DT_INT32, DT_BOOL, DT_RESOURCE = 3, 10, 20
_BACK_EDGE_OPS = {"NextIteration", "RefNextIteration"}


def has_functional(graph_def) -> bool:
    """Whether `graph_def` holds a node `lower_functional` would replace."""
    library = {f.signature.name for f in graph_def.library.function}
    return any(n.op in FUNCTIONAL_OPS or n.op in library for n in graph_def.node)


def lower_functional(graph_def):
    """A copy of `graph_def` (a GraphDef message of any protobuf package: TF's or TensorBoard's)
    with its functional control flow and function calls lowered as TF's runtime lowers them
    (see the module docstring). A malformed construct (a missing function, an output argument
    the op does not have) is a `SpecError` naming the node."""
    return _Lowering(graph_def).run()


def lower_functional_lines(graph_def, lines: list[int]) -> tuple:
    """`lower_functional` for the importer's (GraphDef, node lines) pair (`read_graphdef`): the
    lowered GraphDef and each of its nodes' line in the file, a node the lowering made getting
    the line of the node it came from (0: unknown, as for a binary GraphDef)."""
    lowering = _Lowering(graph_def)
    lowered = lowering.run()
    origin = [lowering.keys[n.name][0] for n in lowered.node]
    return lowered, [lines[i] if i < len(lines) else 0 for i in origin]


def _split_name(tensor: str) -> tuple[str, int]:
    """`name` or `name:k` -> (name, k)."""
    name, _, index = tensor.partition(":")
    return name, int(index) if index else 0


def _constructor_order(nodes) -> list[str]:
    """The names of `nodes` in the order TF's GraphConstructor adds them to a Graph (their
    node ids): a node once all its inputs are in, the lowest GraphDef index first; a Merge fed
    by a NextIteration waits only for its control inputs and one data input."""
    index = {n.name: i for i, n in enumerate(nodes)}
    pending, readers = [], defaultdict(list)
    for i, n in enumerate(nodes):  # `node:k` in a GraphDef, `node:out_arg:k` in a FunctionDef
        srcs = [index.get(inp.lstrip("^").split(":")[0]) for inp in n.input]
        back = n.op in ("Merge", "RefMerge") and any(
            not inp.startswith("^") and s is not None and nodes[s].op in _BACK_EDGE_OPS
            for inp, s in zip(n.input, srcs))
        count = 0
        for inp, s in zip(n.input, srcs):
            if s is not None:
                readers[s].append(i)
                count += 1
        pending.append(sum(inp.startswith("^") for inp in n.input) + 1 if back else count)
    ready = [i for i, c in enumerate(pending) if c <= 0]
    heapq.heapify(ready)
    order, done = [], set()
    while ready:
        i = heapq.heappop(ready)
        if i in done:
            continue
        done.add(i)
        order.append(nodes[i].name)
        for r in readers[i]:
            pending[r] -= 1
            if pending[r] == 0:
                heapq.heappush(ready, r)
    return order + [n.name for i, n in enumerate(nodes) if i not in done]


def _body_order(fdef) -> list:
    """A function body's NodeDefs in the order TF inlines them (its body graph's node ids: the
    arguments first, then GraphConstructor's order)."""
    by_name = {nd.name: nd for nd in fdef.node_def}
    return [by_name[name] for name in _constructor_order(fdef.node_def)]


def _parse_device(text: str) -> dict | None:
    """TF's DeviceNameUtils::ParseFullName, enough for merging: {job, replica, task, type, id}
    as given ("" parses to {}), None where it is not a device name."""
    parts, fields = [p for p in text.split("/") if p], {}
    for part in parts:
        key, _, value = part.partition(":")
        low = key.lower()
        if low in ("job", "replica", "task") and value:
            fields[low] = value
        elif low == "device" and value:
            kind, _, ident = value.partition(":")
            fields["type"] = kind.upper() if kind.lower() in ("cpu", "gpu") else kind
            if ident and ident != "*":
                fields["id"] = ident
        elif low in ("cpu", "gpu") and value:  # legacy /cpu:0
            fields["type"] = low.upper()
            if value != "*":
                fields["id"] = value
        else:
            return None
    return fields


def _merged_device(node_device: str, caller_device: str) -> str:
    """A body node's device inlined into a multi-device call (TF's MultiDeviceFunctionBodyPlacer):
    the caller's where it has none, else its own with the fields it leaves unset taken from the
    caller's (DeviceNameUtils::MergeUnsetDevNames), written as ParsedNameToString writes it."""
    if not node_device:
        return caller_device
    caller, own = _parse_device(caller_device), _parse_device(node_device)
    if caller is None or own is None:
        return node_device
    merged = {**caller, **own}
    text = "".join(f"/{k}:{merged[k]}" for k in ("job", "replica", "task") if k in merged)
    if "type" in merged:
        text += f"/device:{merged['type']}:{merged.get('id', '*')}"
    return text


def _tensor(name: str, index: int) -> str:
    return name if index == 0 else f"{name}:{index}"


def _set_type(node, key: str, dtype: int) -> None:
    node.attr[key].type = dtype


def _set_types(node, key: str, dtypes) -> None:
    node.attr[key].list.type.extend(dtypes)


class _Lowering:
    """One lowering run: the graph as NodeDefs by name (creation order = TF's node ids), who
    consumes whom, the name counter, and each node's sort key for the output order."""

    def __init__(self, graph_def) -> None:
        self.source = graph_def
        self.library = {f.signature.name: f for f in graph_def.library.function}
        self.node_type = type(type(graph_def)().node.add())
        self.nodes: dict = {}
        self.keys: dict[str, tuple] = {}
        self.consumers: dict[str, set[str]] = defaultdict(set)
        self.queue: list[str] = []
        self.taken: set[str] = set()
        self.counter = 0
        self.key_base: tuple = ()
        self.key_next = 0
        for i, n in enumerate(graph_def.node):
            if n.name in self.nodes:
                raise SpecError(f"node {i} '{n.name}' ({n.op}): the GraphDef has two nodes of this name")
            copy = self.node_type()
            copy.CopyFrom(n)
            self._add(copy, (i,))
        # TF lowers in node-id order, and its GraphConstructor numbers a GraphDef's nodes in
        # topological order: the lowering's names (its counter) follow that order
        self.queue = _constructor_order(graph_def.node)

    # ---- the graph -------------------------------------------------------------------------

    def _add(self, node, key: tuple | None = None):
        if node.name in self.nodes:
            raise SpecError(f"node '{node.name}' ({node.op}): lowering made a second node of this name")
        if key is None:
            key = self.key_base + (self.key_next,)
            self.key_next += 1
        self.nodes[node.name] = node
        self.keys[node.name] = key
        self.taken.add(node.name)
        self.queue.append(node.name)
        for inp in node.input:
            self.consumers[_split_name(inp.lstrip("^"))[0]].add(node.name)
        return node

    def _new_name(self, prefix: str) -> str:
        """TF's `Graph::NewName`: `prefix/_N`, N from one counter (a name the graph has is
        skipped)."""
        while True:
            name = f"{prefix}/_{self.counter}"
            self.counter += 1
            if name not in self.taken:
                self.taken.add(name)
                return name

    def _node(self, name: str, op: str, inputs=(), device: str = "", dtype: int | None = None,
              add: bool = True):
        node = self.node_type()
        node.name, node.op, node.device = name, op, device
        node.input.extend(inputs)
        if dtype is not None:
            _set_type(node, "T", dtype)
        return self._add(node) if add else node

    def _add_input(self, node, tensor: str) -> None:
        node.input.append(tensor)
        self.consumers[_split_name(tensor.lstrip("^"))[0]].add(node.name)

    def _remove(self, node) -> set[str]:
        """Take `node` out of the graph; its consumers' names (to rewire)."""
        del self.nodes[node.name]
        for inp in node.input:
            self.consumers[_split_name(inp.lstrip("^"))[0]].discard(node.name)
        return self.consumers.pop(node.name, set())

    def _rewire(self, name: str, consumers: set[str], outputs: list[str], control: str) -> None:
        """Point each consumer's `name:k` at `outputs[k]` and its `^name` at `^control`."""
        for c in consumers:
            node = self.nodes.get(c)
            if node is None:
                continue
            new, seen = [], set()
            for inp in node.input:
                if inp.startswith("^"):
                    inp = f"^{control}" if inp[1:] == name else inp
                    if inp in seen:
                        continue
                    seen.add(inp)
                else:
                    src, k = _split_name(inp)
                    if src == name:
                        if k >= len(outputs):
                            raise SpecError(f"node '{c}' reads '{inp}', but '{name}' has {len(outputs)} outputs")
                        inp = outputs[k]
                new.append(inp)
            del node.input[:]
            node.input.extend(new)
            for inp in new:
                self.consumers[_split_name(inp.lstrip("^"))[0]].add(c)

    def _device(self, tensor: str) -> str:
        src = self.nodes.get(_split_name(tensor)[0])
        return src.device if src is not None else ""

    @staticmethod
    def _split_inputs(node) -> tuple[list[str], list[str]]:
        data = [i for i in node.input if not i.startswith("^")]
        return data, [i[1:] for i in node.input if i.startswith("^")]

    # ---- the pass --------------------------------------------------------------------------

    def run(self):
        i = 0
        while i < len(self.queue):
            node = self.nodes.get(self.queue[i])
            i += 1
            if node is None:
                continue
            self.key_base, self.key_next = self.keys[node.name], 0
            if node.op in PARTITIONED_CALLS or node.op in self.library:
                self._inline_call(node)
            elif node.op in IF_OPS or node.op in CASE_OPS:
                self._lower_branches(node)
            elif node.op in WHILE_OPS:
                self._lower_while(node)
        return self._graph_def()

    def _drop_dangling_colocation(self) -> None:
        """`_class: loc:@X` where X is no node of the graph (a gradient function's body names
        nodes of the forward function; TF's inliner prefixes only names of the same body) is
        left out: TF's placer reads it as a group of its own, but import_graph_def and idrun
        reject a colocation with a node that does not exist."""
        for node in self.nodes.values():
            if "_class" not in node.attr:
                continue
            entries = list(node.attr["_class"].list.s)
            kept = [e for e in entries if not e.startswith(b"loc:@") or e[5:].decode() in self.nodes]
            if len(kept) != len(entries):
                if kept:
                    del node.attr["_class"].list.s[:]
                    node.attr["_class"].list.s.extend(kept)
                else:
                    del node.attr["_class"]

    def _graph_def(self):
        self._drop_dangling_colocation()
        out = type(self.source)()
        out.CopyFrom(self.source)
        del out.node[:]
        out.node.extend(self._ordered())
        used = self._used_functions()
        del out.library.function[:]
        out.library.function.extend(f for f in self.source.library.function if f.signature.name in used)
        gradients = [g for g in self.source.library.gradient if g.function_name in used]
        del out.library.gradient[:]
        out.library.gradient.extend(gradients)
        if not out.library.function and not out.library.gradient:
            out.ClearField("library")
        return out

    def _ordered(self) -> list:
        """The nodes, each after its inputs (a NextIteration's consumers aside), else by key."""
        waiting = {}
        for name, node in self.nodes.items():
            waiting[name] = {src for src in (_split_name(i.lstrip("^"))[0] for i in node.input)
                             if src in self.nodes and self.nodes[src].op not in _BACK_EDGE_OPS and src != name}
        readers = defaultdict(list)
        for name, srcs in waiting.items():
            for src in srcs:
                readers[src].append(name)
        ready = [(self.keys[n], n) for n, srcs in waiting.items() if not srcs]
        heapq.heapify(ready)
        order = []
        while ready:
            _, name = heapq.heappop(ready)
            order.append(self.nodes[name])
            for r in readers[name]:
                waiting[r].discard(name)
                if not waiting[r]:
                    heapq.heappush(ready, (self.keys[r], r))
        if len(order) < len(self.nodes):  # a cycle without a NextIteration: keep it, by key
            done = {n.name for n in order}
            order += [self.nodes[n] for n in sorted(set(self.nodes) - done, key=self.keys.get)]
        return order

    def _used_functions(self) -> set[str]:
        used, todo = set(), []

        def visit_attrs(attrs) -> None:
            for value in attrs.values():
                funcs = [value.func] if value.HasField("func") else list(value.list.func)
                for f in funcs:
                    todo.append(f.name)
                    visit_attrs(f.attr)

        for node in self.nodes.values():
            if node.op in self.library:
                todo.append(node.op)
            visit_attrs(node.attr)
        while todo:
            name = todo.pop()
            if name in used or name not in self.library:
                continue
            used.add(name)
            for nd in self.library[name].node_def:
                if nd.op in self.library:
                    todo.append(nd.op)
                visit_attrs(nd.attr)
        return used

    # ---- If / Case (lower_if_op.cc, lower_case_op.cc) --------------------------------------

    def _lower_branches(self, node) -> None:
        name, device = node.name, node.device
        is_if = node.op in IF_OPS
        if is_if:
            funcs = [node.attr["then_branch"].func, node.attr["else_branch"].func]
            calls = [self._new_name(f"{name}/then"), self._new_name(f"{name}/else")]
        else:
            funcs = list(node.attr["branches"].list.func)
            calls = [self._new_name(f"{name}/branch{b}") for b in range(len(funcs))]
        if not funcs or not all(f.name for f in funcs):
            raise SpecError(f"node '{name}' ({node.op}): a branch function is missing")
        data, control = self._split_inputs(node)
        if not data:
            raise SpecError(f"node '{name}' ({node.op}): no predicate input")
        pred = data[0]
        if is_if and node.attr["Tcond"].type not in (0, DT_BOOL):
            raise SpecError(f"node '{name}' ({node.op}): its predicate is not a bool, and TF lowers an If "
                            "only on one (a Switch's pred)")
        if is_if:  # TF: the pivot of the else branch is output 0 of the Switch, then is output 1
            switch = self._node(self._new_name(f"{name}/switch_pred"), "Switch", [pred, pred], device, DT_BOOL)
            pivot_f = self._node(self._new_name(f"{name}/pivot_f"), "Identity", [switch.name], device, DT_BOOL)
            pivot_t = self._node(self._new_name(f"{name}/pivot_t"), "Identity", [f"{switch.name}:1"], device,
                                 DT_BOOL)
            pivots = [pivot_t, pivot_f]
        else:
            switch = self._node(self._new_name(f"{name}/branch_index"), "_SwitchN", [pred, pred], device,
                                DT_INT32)
            switch.attr["num_outs"].i = len(funcs)
            pivots = [self._node(self._new_name(f"{name}/pivot_{b}"), "Identity", [_tensor(switch.name, b)],
                                 device, DT_INT32) for b in range(len(funcs))]
        tin = list(node.attr["Tin"].list.type)
        branch_inputs = [[] for _ in funcs]
        for i, src in enumerate(data[1:]):
            src_name = _split_name(src)[0]
            sw = self._node(self._new_name(f"{name}/{src_name}"), "Switch" if is_if else "_SwitchN", [src, pred],
                            self._device(src), tin[i] if i < len(tin) else None)
            # TF 2.21's If writes `loc:@SRC`; its Case writes the bare name (no colocation)
            sw.attr["_class"].list.s.append((f"loc:@{src_name}" if is_if else src_name).encode())
            if not is_if:
                sw.attr["num_outs"].i = len(funcs)
            for b in range(len(funcs)):
                # If: then (b=0) reads the true output 1, else output 0; Case: branch b output b
                branch_inputs[b].append(_tensor(sw.name, (1 - b) if is_if else b))
        for ctrl in control:
            self._add_input(switch, f"^{ctrl}")
        call_nodes = []
        for b, (fn, call) in enumerate(zip(funcs, calls)):
            c = self._node(call, fn.name, branch_inputs[b] + [f"^{pivots[b].name}"], device)
            c.attr[MULTI_DEVICE_ATTR].b = True
            if is_if:  # TF's CondBuilder passes the branch's attrs; CaseBuilder does not
                for key, value in fn.attr.items():
                    c.attr[key].CopyFrom(value)
            call_nodes.append(c)
        tout = list(node.attr["Tout"].list.type)
        merges = []
        for i, dtype in enumerate(tout):
            m = self._node(self._new_name(f"{name}/{'output' if is_if else 'merge'}"), "Merge",
                           [_tensor(c.name, i) for c in call_nodes], device, dtype)
            m.attr["N"].i = len(call_nodes)
            merges.append(m.name)
        executed = self._node(self._new_name(f"{name}/branch_executed"), "Merge",
                              [p.name for p in pivots] + [f"^{c.name}" for c in call_nodes], device,
                              DT_BOOL if is_if else DT_INT32)
        executed.attr["N"].i = len(pivots)
        consumers = self._remove(node)
        self._output_node(name, merges, tout, device, executed.name)
        self._rewire(name, consumers, merges, executed.name)

    def _output_node(self, name: str, outputs: list[str], types, device: str, after: str | None):
        """The node keeping the lowered op's name: an IdentityN of `outputs`, else a NoOp."""
        if outputs:
            out = self._node(name, "IdentityN", outputs, device)
            _set_types(out, "T", types)
        else:
            out = self._node(name, "NoOp", [], device)
        if after:
            self._add_input(out, f"^{after}")
        return out

    # ---- While (lower_while_op.cc) ---------------------------------------------------------

    def _lower_while(self, node) -> None:
        name, device = node.name, node.device
        cond_fn, body_fn = node.attr["cond"].func, node.attr["body"].func
        if not cond_fn.name or not body_fn.name:
            raise SpecError(f"node '{name}' ({node.op}): the cond or body function is missing")
        parallel = node.attr["parallel_iterations"].i if "parallel_iterations" in node.attr else 10
        if parallel < 1:
            raise SpecError(f"node '{name}' ({node.op}): parallel_iterations must be > 0")
        cond_call, body_call = self._new_name(f"{name}/cond"), self._new_name(f"{name}/body")
        types = list(node.attr["T"].list.type)
        data, control = self._split_inputs(node)
        if len(types) != len(data):
            raise SpecError(f"node '{name}' ({node.op}): {len(data)} inputs but {len(types)} types in T")
        if all(t == DT_RESOURCE for t in types):
            raise SpecError(f"node '{name}' ({node.op}): every loop variable is a resource")
        enters = []
        for src, dtype in zip(data, types):
            e = self._node(self._new_name(f"{name}/enter"), "Enter", [src], self._device(src), dtype)
            e.attr["frame_name"].s = name.encode()
            e.attr["is_constant"].b = dtype == DT_RESOURCE
            e.attr["parallel_iterations"].i = parallel
            enters.append(e)
        if control:
            gate = self._node(self._new_name(f"{name}/LoopControlInputs"), "NoOp", [f"^{c}" for c in control], device)
            for e in enters:
                self._add_input(e, f"^{gate.name}")
        merges = {}
        for i, (e, dtype) in enumerate(zip(enters, types)):
            if dtype != DT_RESOURCE:
                m = self._node(self._new_name(f"{name}/merge"), "Merge", [e.name, e.name], e.device, dtype)
                m.attr["N"].i = 2
                merges[i] = m
        first = next(iter(merges.values()))
        cond_inputs = [merges[i].name if i in merges else enters[i].name for i in range(len(data))]
        call = self._call_node(cond_call, cond_fn, cond_inputs + [f"^{first.name}"], device)
        loop_cond = self._node(self._new_name(f"{name}/LoopCond"), "LoopCond", [call.name], device)
        switches = {}
        for i, m in merges.items():
            src_name = _split_name(data[i])[0]
            switches[i] = self._node(self._new_name(f"{name}/{src_name}_switch"), "Switch",
                                     [m.name, loop_cond.name], m.device, types[i])
        body_inputs = [f"{switches[i].name}:1" if i in switches else enters[i].name for i in range(len(data))]
        body = self._call_node(body_call, body_fn, body_inputs, device)
        first_switch = next(iter(switches))
        control_node = self._node(self._new_name(f"{name}/loop_body_control"), "Identity",
                                  [f"{switches[first_switch].name}:1"], device, types[first_switch])
        self._add_input(body, f"^{control_node.name}")
        exits, outputs = {}, []
        for i in range(len(data)):
            if i in switches:
                sw = switches[i]
                exits[i] = self._node(self._new_name(f"{name}/exit"), "Exit", [sw.name], sw.device, types[i])
                outputs.append(exits[i].name)
            else:  # a resource: read where it came from
                outputs.append(data[i])
        executed = self._node(self._new_name(f"{name}/LoopExecuted"), "NoOp",
                              [f"^{x.name}" for x in exits.values()], device)
        consumers = self._remove(node)
        self._output_node(name, outputs, types, device, None)
        for i, m in merges.items():
            nxt = self._node(self._new_name(f"{name}/next_iteration"), "NextIteration",
                             [_tensor(body.name, i), f"^{body.name}"], m.device, types[i])
            m.input[1] = nxt.name  # the Enter stays input 0
            self.consumers[nxt.name].add(m.name)
        self._rewire(name, consumers, outputs, executed.name)

    def _call_node(self, name: str, fn, inputs: list[str], device: str):
        """A call of `fn` as the lowering builds it: a multi-device call with fn's attrs."""
        c = self._node(name, fn.name, inputs, device)
        c.attr[MULTI_DEVICE_ATTR].b = True
        for key, value in fn.attr.items():
            c.attr[key].CopyFrom(value)
        return c

    # ---- function calls (lower_function_call_op.cc, InlineFunctionBody) --------------------

    def _inline_call(self, node) -> None:
        caller, device = node.name, node.device
        if node.op in PARTITIONED_CALLS:
            fn_name, call_attrs = node.attr["f"].func.name, node.attr["f"].func.attr
            multi = True
        else:
            fn_name, call_attrs = node.op, node.attr
            multi = MULTI_DEVICE_ATTR in node.attr and node.attr[MULTI_DEVICE_ATTR].b
        fdef = self.library.get(fn_name)
        if fdef is None:
            raise SpecError(f"node '{caller}' ({node.op}): calls '{fn_name}', which the function library lacks")
        sig = fdef.signature
        data, control = self._split_inputs(node)
        if len(data) != len(sig.input_arg):
            raise SpecError(f"node '{caller}' ({node.op}): {len(data)} inputs, but '{fn_name}' takes "
                            f"{len(sig.input_arg)}")
        control_device = device if multi else ""
        input_control = None
        if control:
            input_control = self._node(self._new_name(f"Func/{caller}/input_control_node"), "NoOp",
                                       [f"^{c}" for c in control], control_device)
        args = {}
        for arg, src in zip(sig.input_arg, data):
            ident = self._node(self._new_name(f"Func/{caller}/input"), "Identity", [src], self._device(src),
                               self._arg_type(arg, call_attrs, fn_name))
            if multi:
                ident.attr["_class"].list.s.append(f"loc:@{_split_name(src)[0]}".encode())
            if input_control is not None:
                self._add_input(ident, f"^{input_control.name}")
            args[arg.name] = ident.name
        prefix = f"{caller}/"
        body_ops = {nd.name: nd for nd in fdef.node_def}
        for nd in _body_order(fdef):
            self._add(self._body_node(nd, prefix, args, body_ops, call_attrs, fn_name, device if multi else None,
                                      input_control))
        outputs, types = [], []
        for arg in sig.output_arg:
            if arg.name not in fdef.ret:
                raise SpecError(f"function '{fn_name}': output '{arg.name}' has no ret")
            src = self._body_tensor(fdef.ret[arg.name], prefix, args, body_ops, fn_name)
            dtype = self._arg_type(arg, call_attrs, fn_name)
            out = self._node(self._new_name(f"Func/{caller}/output"), "Identity", [src], "", dtype)
            if multi:
                out.attr["_class"].list.s.append(f"loc:@{_split_name(src)[0]}".encode())
            outputs.append(out.name)
            types.append(dtype)
        # a lowered top-level graph keeps each caller fetchable: output_control_node always exists
        output_control = self._node(self._new_name(f"Func/{caller}/output_control_node"), "NoOp", [],
                                    control_device)
        if multi:
            returned = set(fdef.control_ret.values())
            waits = [prefix + nd.name for nd in _body_order(fdef) if nd.name in returned]
        else:
            waits = outputs
        for w in waits:
            self._add_input(output_control, f"^{w}")
        if not waits and input_control is not None:
            self._add_input(output_control, f"^{input_control.name}")
        consumers = self._remove(node)
        self._rewire(caller, consumers, outputs, output_control.name)
        self._output_node(caller, outputs, types, device, output_control.name)

    def _arg_type(self, arg, attrs, fn_name: str) -> int:
        if arg.type:
            return arg.type
        if arg.type_attr and arg.type_attr in attrs:
            return attrs[arg.type_attr].type
        raise SpecError(f"function '{fn_name}': argument '{arg.name}' has no type the call fixes")

    def _body_node(self, nd, prefix: str, args: dict, body_ops: dict, call_attrs, fn_name: str,
                   device: str | None, input_control):
        """A function body's NodeDef as a graph node of the inlined call."""
        out = self.node_type()
        out.CopyFrom(nd)
        out.name = prefix + nd.name
        if device is not None:
            out.device = _merged_device(out.device, device)
        del out.input[:]
        out.input.extend(self._body_tensor(i, prefix, args, body_ops, fn_name) for i in nd.input)
        for key in list(out.attr):
            value = out.attr[key]
            if value.placeholder:
                if value.placeholder not in call_attrs:
                    raise SpecError(f"function '{fn_name}': node '{nd.name}' attr '{key}' is the placeholder "
                                    f"'{value.placeholder}', which the call does not set")
                value.CopyFrom(call_attrs[value.placeholder])
        if out.op in ("Enter", "RefEnter") and "frame_name" in out.attr:
            out.attr["frame_name"].s = prefix.encode() + out.attr["frame_name"].s
        if "_class" in out.attr:
            fixed = []
            for s in out.attr["_class"].list.s:
                text = s.decode()
                if text.startswith("loc:@"):
                    target = text[5:]
                    if target in args:
                        text = f"loc:@{args[target]}"
                    elif target in body_ops:
                        text = f"loc:@{prefix}{target}"
                fixed.append(text.encode())
            del out.attr["_class"].list.s[:]
            out.attr["_class"].list.s.extend(fixed)
        if input_control is not None:
            has_control = any(i.startswith("^") for i in nd.input)
            is_call = nd.op in PARTITIONED_CALLS or nd.op in self.library or nd.op == "SymbolicGradient"
            if not nd.input or (is_call and not has_control):
                out.input.append(f"^{input_control.name}")
        return out

    def _body_tensor(self, ref: str, prefix: str, args: dict, body_ops: dict, fn_name: str) -> str:
        """A FunctionDef tensor name (`arg`, `node:out_arg:idx`, `^node`) in the graph."""
        if ref.startswith("^"):
            target = ref[1:]
            return f"^{args[target]}" if target in args else f"^{prefix}{target}"
        parts = ref.split(":")
        if parts[0] in args:
            if len(parts) > 1 and parts[-1] != "0":
                raise SpecError(f"function '{fn_name}': '{ref}' reads past argument '{parts[0]}'")
            return args[parts[0]]
        nd = body_ops.get(parts[0])
        if nd is None:
            raise SpecError(f"function '{fn_name}': '{ref}' names no argument or node of the function")
        if len(parts) == 1:
            return prefix + parts[0]
        if len(parts) == 2:
            return _tensor(prefix + parts[0], int(parts[1]))
        return _tensor(prefix + parts[0], self._flat_index(nd, parts[1], int(parts[2]), fn_name))

    def _flat_index(self, nd, out_arg: str, index: int, fn_name: str) -> int:
        """The GraphDef output index of `node:out_arg:index` (the sizes of the output arguments
        before out_arg, plus index)."""
        if nd.op in self.library:
            specs = [(a.name, a.number_attr, a.type_list_attr) for a in self.library[nd.op].signature.output_arg]
        elif nd.op in OUTPUT_ARGS:
            specs = []
            for token in OUTPUT_ARGS[nd.op].split():
                name, _, number = token.partition("*")
                name, _, type_list = name.partition("@")
                specs.append((name, number, type_list))
        else:
            return index  # one output argument: its index is the flat index
        offset = 0
        for name, number, type_list in specs:
            if name == out_arg:
                return offset + index
            if number:
                if number not in nd.attr:
                    raise SpecError(f"function '{fn_name}': node '{nd.name}' ({nd.op}) has no attr '{number}'")
                offset += nd.attr[number].i
            elif type_list:
                offset += len(nd.attr[type_list].list.type) if type_list in nd.attr else 0
            else:
                offset += 1
        raise SpecError(f"function '{fn_name}': node '{nd.name}' ({nd.op}) has no output '{out_arg}'")
