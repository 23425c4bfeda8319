"""Raising TF 1.x control flow to regions: each cond and each while loop becomes one node.

A step with control flow runs on a *raised* graph: the graph's own nodes, plus one
`control_flow_region` node per cond and per loop (nested ones too). Outside a region,
every read of its `merge` (cond) or `exit` (loop) reads the region node instead, and every
control input on one of its nodes waits on the region node. So a step's pruning, placement
of transfers and ordering see each region as one op; the region's kernel
(`runtime/flow.py`) runs the branch taken, or the loop's iterations, as its own small
steps over the same raised graph (a nested region is one op of those).

Which region a node belongs to is computed as TF's `functionalize_control_flow` does:
forward through the graph in topological order (a loop's back edge, next_iteration into
merge, left out), each node gets a *context*, a tuple of frames from the outside in:
- a `switch`'s output k (k = 0 false, 1 true) opens branch k of its cond; the switch
  itself stays outside;
- a `merge` of a cond closes it (its inputs come from the cond's two branches);
- `enter` opens its loop's frame (`frame_name`), `exit` closes it; a loop's `switch`
  (predicate from `loop_cond`) opens nothing;
- any other node is in the deepest context of its inputs (data and control); each input's
  context must be that one or an enclosing one, else the node reads a value that is dead
  when the branch is not taken: a located problem, reported when a step needs the node.

A cond is the set of switches whose predicate is one `pred_id` (TF's `cond/pred_id`,
`Identity(pred)`: `cond/Switch` switches `pred` itself), in one enclosing context; without
a `pred_id`, the switches of one predicate tensor under one name scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from idrun.ops.control_flow import flow_op, is_back_edge
from idrun.graph import Graph, Node, TensorRef, TensorType, dependencies, find_cycle, freeze_attrs

FLOW_OPS = frozenset({"switch", "switch_n", "merge", "enter", "exit", "next_iteration", "loop_cond"})
SWITCH_OPS = ("switch", "switch_n")   # a cond's: switch (2 branches), switch_n (a lowered Case)
from idrun.compile.partition import REGION_OP  # noqa: E402 - defined once, where steps are partitioned


def has_control_flow(graph: Graph) -> bool:
    return any(node.op in FLOW_OPS for node in graph.nodes.values())


@dataclass
class Region:
    """One cond or while loop. `context`: the context of its members (`parent` + its own
    frame); `inputs`: what the region node reads (values from outside); `outputs`: per
    output of the region node, the tensor of the graph it stands for."""

    name: str
    kind: str                      # "cond" | "loop"
    parent: tuple
    frame: tuple                   # ("cond", key) or ("loop", frame_name)
    device_node: str               # placed as this node is
    switches: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    enters: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    next_iterations: list[str] = field(default_factory=list)
    loop_cond: str = ""
    inputs: list[TensorRef] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    outputs: list[TensorRef] = field(default_factory=list)
    pred: TensorRef | None = None
    branches: int = 2              # a cond's: 2 (switch), or a lowered Case's num_outs (switch_n)
    # values of a branch read from outside (by its v1 gradient cond): (tensor, branch), region
    # outputs after the merges', None when that branch is not taken
    escapes: list[tuple[TensorRef, int]] = field(default_factory=list)
    # members a node outside waits on (a control input): (member at this region's own level,
    # its branch; a loop's: None). They run with the branch or body though nothing reads them:
    # the pushes of a v1 gradient's accumulators in a cond inside a loop, which f_sync waits on
    waited: list[tuple[str, int | None]] = field(default_factory=list)


@dataclass
class Raised:
    graph: Graph                      # the raised graph (the original nodes, rewired, + regions)
    regions: dict[str, Region]        # region node name -> region
    context: dict[str, tuple]         # node -> its context
    device_of: dict[str, str]
    outer: dict[TensorRef, TensorRef] # a merge's or exit's output -> the region output for it
    problems: dict[str, str]          # node -> why it cannot run (reads a dead value)
    cycle: tuple[str, str] | None = None   # (node, why) when a region reads its own result

    def members_at(self, ctx: tuple) -> set[str]:
        """The nodes a branch or loop body (context `ctx`) runs itself: its direct members,
        and the regions nested in it (a region node's context is its parent's)."""
        index = self.__dict__.get("_by_context")
        if index is None:   # once: every branch and body of every region asks
            index = self.__dict__["_by_context"] = {}
            for name in self.graph.nodes:
                index.setdefault(self.context.get(name, ()), set()).add(name)
        return index.get(ctx, set())

    def fetch_ref(self, ref: TensorRef) -> TensorRef:
        return self.outer.get(ref, ref)

    def target(self, name: str) -> str:
        ref = self.outer.get(TensorRef(name, 0))
        return ref.node if ref is not None else name


class RaiseError(Exception):
    def __init__(self, node: str, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


def raise_regions(graph: Graph, device_of: dict[str, str]) -> Raised:
    contexts, out_context, problems, cond_of = _contexts(graph)
    regions = _regions(graph, contexts, cond_of)
    raised = _rewire(graph, device_of, contexts, out_context, regions, problems)
    try:
        _check_acyclic(raised)
    except RaiseError as exc:   # reported when a step that needs the region is ordered
        raised.cycle = (exc.node, exc.message)
    return raised


def _check_acyclic(raised: Raised) -> None:
    """The outermost level (nodes outside every region, and the outermost regions as one node
    each) must be a DAG: a region that reads what its own result feeds cannot run as one op
    (RaiseError)."""
    top = {}
    for name, region in raised.regions.items():
        if not region.parent:
            top[region_key(region)] = name

    def rep(node: str) -> str:
        ctx = raised.context.get(node, ())
        return top.get(level(ctx[:1]), node) if ctx else node

    nodes = raised.graph.nodes
    level_nodes = [n for n in nodes if not raised.context.get(n, ()) or n in raised.regions and n in top.values()]
    deps = {}
    for n in level_nodes:
        node = nodes[n]
        mine = {rep(r.node) for r in node.inputs if not is_back_edge(node.op, nodes[r.node].op)}
        mine |= {rep(c) for c in node.control_inputs}
        mine.discard(n)
        deps[n] = mine
    path = find_cycle(deps, lambda n: (d for d in deps[n] if d in deps))
    if path:
        closing, last = path[-1], path[-2]
        region = raised.regions.get(closing) or raised.regions.get(last)
        anchor = (region.switches or region.enters)[0] if region else closing
        raise RaiseError(anchor, f"'{region.name if region else closing}' reads a value computed from "
                                 "its own result (its switches or enters share a predicate or "
                                 "frame with nodes that run after it): idrun cannot raise it to "
                                 "one cond or loop")


# ---- contexts ----------------------------------------------------------------------------

def _topological(graph: Graph) -> list[str]:
    nodes = graph.nodes
    indegree = {name: 0 for name in nodes}
    users: dict[str, list[str]] = {}
    for name, node in nodes.items():
        for dep in dependencies(graph, node):
            indegree[name] += 1
            users.setdefault(dep, []).append(name)
    ready = [n for n in nodes if indegree[n] == 0]
    ready.reverse()
    out = []
    while ready:
        name = ready.pop()
        out.append(name)
        for user in users.get(name, ()):
            indegree[user] -= 1
            if indegree[user] == 0:
                ready.append(user)
    if len(out) != len(nodes):
        stuck = next(n for n in nodes if indegree[n] > 0)
        raise RaiseError(stuck, f"'{stuck}' is on a cycle that is not a while loop's back edge")
    return out


def _is_loop_switch(graph: Graph, node: Node) -> bool:
    return graph.nodes[node.inputs[1].node].op == "loop_cond"


def _lowered_scopes(graph: Graph) -> dict[TensorRef, list[str]]:
    """Per predicate, the names of the lowered TF 2 `If`s switching on it (their
    `NAME/switch_pred/_N`, a switch of the predicate itself), longest first."""
    scopes: dict[TensorRef, list[str]] = {}
    for name, node in graph.nodes.items():
        if node.op in SWITCH_OPS and len(node.inputs) == 2 and node.inputs[0] == node.inputs[1]:
            head, _, tail = name.rpartition("/")
            if tail.startswith("_") and tail[1:].isdigit():
                head, _, tail = head.rpartition("/")
            if tail in ("switch_pred", "branch_index") and head:
                scopes.setdefault(node.inputs[1], []).append(head)
    for names in scopes.values():
        names.sort(key=len, reverse=True)
    return scopes


def _cond_key(graph: Graph, node: Node, lowered: dict[TensorRef, list[str]] | None = None) -> str:
    """Which cond a (non-loop) switch belongs to: its `pred_id`; for a lowered TF 2 `If`, its
    predicate and the If's name (two Ifs on one predicate in one scope, the second reading the
    first's output, are two conds); else its predicate and top scope."""
    pred = node.inputs[1]
    for head in (lowered or {}).get(pred, ()):
        if node.name.startswith(head + "/"):
            return f"{pred}@{head}"
    producer = graph.nodes[pred.node]
    if producer.op == "identity" and pred.node.endswith("/pred_id"):
        # tf.gradients of a v1 cond switches the gradients on the forward cond's pred_id (TF's
        # _MergeGrad): under `gradients*/`, that is another cond, run after the forward one
        top = node.name.partition("/")[0]
        if top.startswith("gradients") and not pred.node.startswith(top + "/"):
            return f"{pred.node}@{top}"
        return pred.node
    scope = node.name.rpartition("/")[0]
    if node.inputs[0] == pred:   # TF's `cond/Switch`: switch(pred, pred) beside cond/pred_id
        pred_id = graph.nodes.get(f"{scope}/pred_id")
        if pred_id is not None and pred_id.op == "identity" and pred_id.inputs[0] == pred:
            return pred_id.name
    return f"{pred}@{scope.partition('/')[0] or scope}"


def _contexts(graph: Graph):
    """Every node's context, and each switch output's; problems; cond key per switch."""
    nodes = graph.nodes
    context: dict[str, tuple] = {}
    problems: dict[str, str] = {}
    cond_of: dict[str, str] = {}
    lowered = _lowered_scopes(graph)

    def of(ref: TensorRef) -> tuple:
        producer = nodes[ref.node]
        ctx = context[ref.node]
        if producer.op in SWITCH_OPS and ref.node in cond_of:
            return ctx + (("cond", cond_of[ref.node], ref.index),)
        return ctx

    for name in _topological(graph):
        node = nodes[name]
        op = node.op
        ins = [of(r) for r in node.inputs   # not the back edge: it comes from later
               if not is_back_edge(flow_op(op, node.attrs), flow_op(nodes[r.node].op, nodes[r.node].attrs))]
        ins += [context[c] for c in node.control_inputs]
        if op == "enter":
            base = ins[0] if ins else ()
            context[name] = base + (("loop", node.attrs.get("frame_name", "")),)
            continue
        if op == "exit":
            ctx = _deepest(ins, problems, name)
            context[name] = _pop_loop(ctx)
            continue
        if op == "merge" and not any(nodes[r.node].op in ("enter", "next_iteration") for r in node.inputs):
            context[name] = _close_cond(ins, problems, name)
            continue
        if op == "control_trigger" and ins:
            # TF's executor fires a ControlTrigger whether its inputs are dead or not (its output
            # is never dead): the gradient loop's f_sync/b_sync wait on pushes and pops in a
            # cond's branches in the loop. It is in the loop frame they share, outside any cond,
            # and waits on their whole regions.
            context[name] = _frames_only(_shared(ins))
            continue
        ctx = _deepest(ins, problems, name)
        context[name] = ctx
        if op == "switch_n" or op == "switch" and not _is_loop_switch(graph, node):
            cond_of[name] = _cond_key(graph, node, lowered)
    _gradients_into_gradient_conds(context, cond_of)
    return context, of, problems, cond_of


def _gradients_into_gradient_conds(context: dict, cond_of: dict) -> None:
    """tf.gradients of a v1 cond: a gradient node that reads only its forward branch's values
    (zeros_like of an unused output) is alive exactly when that branch is taken, but it runs
    after the forward cond (the step's control dependencies wait on it): it belongs to the
    gradient's cond of that branch, not to the forward one."""
    grad_keys = {k for k in cond_of.values() if "/pred_id@" in k}
    if not grad_keys:
        return
    for name, ctx in context.items():
        top = name.partition("/")[0]
        if top.startswith("gradients") and any(e[0] == "cond" for e in ctx):
            context[name] = tuple(("cond", f"{e[1]}@{top}") + e[2:]
                                  if e[0] == "cond" and f"{e[1]}@{top}" in grad_keys else e for e in ctx)


def _base_key(entry: tuple) -> tuple:
    """A context entry with a v1 cond gradient's key read as its forward cond's: both switch on
    one pred_id, so branch k of one is taken exactly when branch k of the other is."""
    if entry[0] == "cond" and "/pred_id@" in entry[1]:
        return (entry[0], entry[1].partition("@")[0]) + entry[2:]
    return entry


def _deepest(ins: list[tuple], problems: dict, name: str) -> tuple:
    deepest = max(ins, key=len, default=())
    base = [tuple(_base_key(e) for e in ctx) for ctx in ins]
    top = tuple(_base_key(e) for e in deepest)
    for ctx in base:
        if top[:len(ctx)] != ctx:
            problems.setdefault(name, "it reads values from two branches or loops that do not "
                                      "enclose each other (a value that is dead when one is not taken)")
            return deepest
    # a gradient node reading its forward branch's values and its gradient cond's: in the gradient's
    out = list(deepest)
    for ctx in ins:
        for i, entry in enumerate(ctx):
            if entry != out[i] and "@" in entry[1]:
                out[i] = entry
    return tuple(out)


def _shared(ins: list[tuple]) -> tuple:
    """The deepest context that encloses every one of `ins`."""
    out = ins[0]
    for ctx in ins[1:]:
        out = _common(out, ctx)
    return out


def _frames_only(ctx: tuple) -> tuple:
    """`ctx` up to its innermost loop frame (the conds inside that frame left)."""
    for i in range(len(ctx) - 1, -1, -1):
        if ctx[i][0] == "loop":
            return ctx[:i + 1]
    return ()


def _pop_loop(ctx: tuple) -> tuple:
    for i in range(len(ctx) - 1, -1, -1):
        if ctx[i][0] == "loop":
            return ctx[:i]
    return ctx


def _close_cond(ins: list[tuple], problems: dict, name: str) -> tuple:
    """A cond's merge: its inputs come from the two branches of one cond; it is outside."""
    closing = [next((i for i in range(len(c) - 1, -1, -1) if c[i][0] == "cond"), None) for c in ins]
    if not ins or None in closing:
        problems.setdefault(name, "a merge whose inputs do not come from the branches of a cond")
        return max(ins, key=len, default=())
    ctx = ins[0][:closing[0]]
    keys = {c[i][1] for c, i in zip(ins, closing)}
    if len(keys) != 1 or any(c[:i] != ctx for c, i in zip(ins, closing)):
        problems.setdefault(name, "a merge of values from different conds")
    return ctx


# ---- regions -------------------------------------------------------------------------------

def _regions(graph: Graph, contexts: dict, cond_of: dict) -> dict[tuple, Region]:
    """One Region per (parent context, frame), with its structural nodes."""
    nodes = graph.nodes
    regions: dict[tuple, Region] = {}

    def region(parent: tuple, frame: tuple, kind: str, anchor: str) -> Region:
        key = parent + (frame,)
        if key not in regions:
            ident = frame[1]
            base = (ident.removesuffix("/while_context") if kind == "loop"
                    else ident.rpartition("@")[2] if "@" in ident else ident.rpartition("/")[0] or ident)
            regions[key] = Region(f"{base}/<{kind}>", kind, parent, frame, anchor)
        return regions[key]

    for name, node in nodes.items():
        ctx = contexts[name]
        if node.op in SWITCH_OPS and name in cond_of:
            r = region(ctx, ("cond", cond_of[name]), "cond", name)
            r.switches.append(name)
            if node.op == "switch_n":
                r.branches = node.attrs["num_outs"]
        elif node.op == "merge" and not any(nodes[x.node].op in ("enter", "next_iteration") for x in node.inputs):
            for x in node.inputs:
                producer = nodes[x.node]
                inner = contexts[x.node] + ((("cond", cond_of[x.node], x.index),)
                                            if producer.op in SWITCH_OPS and x.node in cond_of else ())
                if len(inner) > len(ctx) and inner[len(ctx)][0] == "cond":
                    region(ctx, inner[len(ctx)][:2], "cond", name).merges.append(name)
                    break
        elif node.op == "enter":
            r = region(ctx[:-1], ctx[-1], "loop", name)
            r.enters.append(name)
        elif node.op in ("exit", "next_iteration", "loop_cond", "switch") or (node.op == "merge" and ctx and ctx[-1][0] == "loop"):
            loop_ctx = ctx if node.op != "exit" else contexts[node.inputs[0].node]
            if not loop_ctx or loop_ctx[-1][0] != "loop":
                continue
            r = region(loop_ctx[:-1], loop_ctx[-1], "loop", name)
            if node.op == "exit":
                r.exits.append(name)
            elif node.op == "next_iteration":
                r.next_iterations.append(name)
            elif node.op == "loop_cond":
                r.loop_cond = name
                r.device_node = name
            elif node.op == "switch":
                r.switches.append(name)
            else:
                r.merges.append(name)
    # unique names, in a stable order (outer regions first)
    taken = set(nodes)
    for key in sorted(regions, key=len):
        r = regions[key]
        name, n = r.name, 1
        while name in taken:
            n += 1
            name = f"{r.name[:-1]}_{n}>"
        taken.add(name)
        r.name = name
    return regions


# ---- the raised graph ----------------------------------------------------------------------

def region_key(region: Region) -> tuple:
    return region.parent + (region.frame,)


def inside(ctx: tuple, region: Region) -> bool:
    """Whether a node of context `ctx` is a member of `region` (in a branch or the loop)."""
    n = len(region.parent)
    return len(ctx) > n and ctx[:n] == region.parent and ctx[n][:2] == region.frame


def level(ctx: tuple) -> tuple:
    """The region key a node of context `ctx` is a direct member of."""
    return ctx[:-1] + (ctx[-1][:2],) if ctx else ()


def structural(region: Region) -> set[str]:
    return set(region.switches + region.merges + region.enters + region.exits
               + region.next_iterations + ([region.loop_cond] if region.loop_cond else []))


def _rewire(graph: Graph, device_of: dict[str, str], contexts: dict, out_context, regions: dict,
            problems: dict) -> Raised:
    nodes = graph.nodes
    by_key = {region_key(r): r for r in regions.values()}
    owner: dict[str, Region] = {}        # structural node -> its region
    for r in regions.values():
        for s in structural(r):
            owner[s] = r
    outer: dict[TensorRef, TensorRef] = {}
    for r in regions.values():
        if r.kind == "cond":
            for k, m in enumerate(r.merges):
                outer[TensorRef(m, 0)] = TensorRef(r.name, 2 * k)
                outer[TensorRef(m, 1)] = TensorRef(r.name, 2 * k + 1)
                r.outputs += [TensorRef(m, 0), TensorRef(m, 1)]
        else:
            for k, x in enumerate(r.exits):
                outer[TensorRef(x, 0)] = TensorRef(r.name, k)
                r.outputs.append(TensorRef(x, 0))

    def enclosing(consumer_ctx: tuple, producer: str) -> str:
        """The node a consumer at `consumer_ctx` waits on for `producer`: the outermost
        region holding the producer but not the consumer, else the producer itself."""
        r = owner.get(producer)
        if r is not None and not inside(consumer_ctx, r):
            while r.parent and _common(consumer_ctx, r.parent) != r.parent:
                r = by_key[level(r.parent)]
            return r.name
        pctx = contexts[producer]
        common = _common(consumer_ctx, pctx)
        if len(pctx) > len(common):
            member = producer
            for depth in range(len(pctx), len(common), -1):   # innermost region out
                r = by_key[level(pctx[:depth])]
                entry = (member, pctx[depth - 1][2] if r.kind == "cond" else None)
                if entry not in r.waited:
                    r.waited.append(entry)
                member = r.name
            return member
        return producer

    def waits(consumer_ctx: tuple, producer: str) -> list[str]:
        """What a control input on `producer` waits on: a cond's switch seen from outside its
        cond runs as soon as its inputs are there (TF: its control output is never dead), so
        on those, not on the whole cond (tf.gradients' tuple waits on a cond_grad switch that
        its cond's branch reads after it)."""
        r = owner.get(producer)
        if r is not None and r.kind == "cond" and producer in r.switches and not inside(consumer_ctx, r):
            return [w for ref in nodes[producer].inputs for w in waits(consumer_ctx, ref.node)]
        return [enclosing(consumer_ctx, producer)]

    escaped: dict[TensorRef, tuple[Region, TensorRef]] = {}

    def escape(consumer_ctx: tuple, ref: TensorRef) -> TensorRef:
        """A branch's value read outside its cond (a v1 gradient reads its forward branch's
        values): an output of the cond's region, for consumers outside it."""
        if ref in outer:
            return outer[ref]
        pctx = out_context(ref)
        n = len(_common(consumer_ctx, pctx))
        # only into the same branch of the cond's gradient (alive exactly when the value is)
        if (len(pctx) != n + 1 or len(consumer_ctx) <= n or consumer_ctx[n] == pctx[-1]
                or _base_key(consumer_ctx[n]) != _base_key(pctx[-1])):
            return ref
        r = by_key.get(level(pctx))
        if r is None or r.kind != "cond" or inside(consumer_ctx, r):
            return ref
        if ref not in escaped:
            out = TensorRef(r.name, len(r.outputs))
            r.outputs.append(ref)
            r.escapes.append((ref, pctx[-1][2]))
            escaped[ref] = (r, out)
        return escaped[ref][1]

    raised_nodes: dict[str, Node] = {}
    for name, node in nodes.items():
        ctx = contexts[name]
        inputs = tuple(escape(ctx, r) for r in node.inputs)
        controls = tuple(dict.fromkeys(w for c in node.control_inputs for w in waits(ctx, c)))
        if inputs != node.inputs or controls != node.control_inputs:
            node = Node(node.name, node.op, inputs, controls, node.attrs, node.device, node.loc,
                        node.outputs, node.ref_inputs, node.is_ref_output, node.role, node.device_from,
                        node.colocate, node.helper_inputs, node.requested)
        raised_nodes[name] = node
    # region nodes, innermost first: an outer region reads what its inner ones read from outside
    extended = dict(device_of)
    region_nodes: dict[str, Node] = {}
    inside_index: dict[tuple, list[str]] = {}   # region key -> its members, at any depth
    for name in raised_nodes:
        _index_inside(inside_index, name, contexts[name])
    for key in sorted(by_key, key=len, reverse=True):
        r = by_key[key]
        _region_inputs(r, raised_nodes, region_nodes, inside_index)
        first = nodes[(r.merges or r.exits or r.switches or r.enters)[0]]
        outputs = tuple(nodes[ref.node].outputs[ref.index] if nodes[ref.node].outputs else TensorType("float32", None)
                        for ref in r.outputs)
        region_nodes[r.name] = Node(r.name, REGION_OP, tuple(r.inputs), tuple(r.controls),
                                    freeze_attrs({"region": r}), first.device, first.loc, outputs,
                                    role="region")
        extended[r.name] = device_of.get(r.device_node) or device_of[first.name]
        _index_inside(inside_index, r.name, r.parent)   # the regions around it read what it reads
    for r in regions.values():   # a region's context: its parent's, for nested lookups
        contexts[r.name] = r.parent
    raised = Graph(dict(raised_nodes), dict(graph.aliases), dict(graph.fetch_redirects), graph.variables,
                   graph.provenance)
    raised.nodes.update(region_nodes)   # after every original node: plans order by dependencies
    return Raised(raised, {r.name: r for r in regions.values()}, contexts, extended, outer, problems)


def _index_inside(index: dict, name: str, ctx: tuple) -> None:
    """`name` (of context `ctx`) as a member of each region whose context encloses it."""
    for depth in range(1, len(ctx) + 1):
        index.setdefault(level(ctx[:depth]), []).append(name)


def _common(a: tuple, b: tuple) -> tuple:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return a[:n]


def _region_inputs(r: Region, raised_nodes: dict, region_nodes: dict, inside_index: dict) -> None:
    """What region `r` reads from outside (its node's inputs) and waits on (controls);
    `inside_index`: region key -> the nodes inside it, nested regions' nodes included."""
    mine = structural(r)
    inputs: list[TensorRef] = []
    if r.kind == "cond":
        first = raised_nodes[r.switches[0]]
        r.pred = first.inputs[1]
        inputs.append(r.pred)
        inputs += [raised_nodes[s].inputs[0] for s in r.switches]
        inputs += [raised_nodes[s].inputs[1] for s in r.switches]   # pred_id: it runs, as in TF
    else:
        inputs += [raised_nodes[e].inputs[0] for e in r.enters]
    controls: list[str] = []
    for s in r.switches + r.enters:
        controls += raised_nodes[s].control_inputs
    members = [n for n in inside_index.get(region_key(r), ()) if n not in mine]
    member_set = set(members) | mine
    for n in members:
        node = raised_nodes.get(n) or region_nodes[n]
        for ref in node.inputs:
            if ref.node not in member_set and ref not in inputs:
                inputs.append(ref)
        for c in node.control_inputs:
            if c not in member_set:
                controls.append(c)
    r.inputs = inputs
    r.controls = list(dict.fromkeys(c for c in controls))
