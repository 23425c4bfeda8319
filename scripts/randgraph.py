"""Seeded random specs for the conformance suite: two devices, both variable modes,
blocks, aliases, assigns ordered by control dependencies, feeds, remote fetches;
names shadowed inside name scopes (a reference reads what existed before it),
assign outputs consumed and fetched (ref edges, resource re-reads), explicit
reads, embedding lookups, `init: false` with assigns first, and device strings
spelled as TF keeps them (F8 compares them raw).

Every graph is race-free by construction: all accesses of a variable (reads,
assigns, and in ref mode every use of an identity of it, which is a view of
its buffer) are chained by control inputs, so any legal schedule gives the same
values in idrun and TensorFlow.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DEVICES = [None, "cpu:0", "cpu:1", "/device:CPU:1", "/job:localhost/replica:0/task:0/device:CPU:1"]
BINARY = ["add", "sub", "mul", "maximum", "minimum"]
UNARY = ["identity", "neg", "relu", "identity"]


@dataclass
class _State:
    rng: random.Random
    mode: str
    lines: list[str] = field(default_factory=list)
    tensors: list[str] = field(default_factory=list)     # referable names (full)
    variables: set[str] = field(default_factory=set)
    view_of: dict[str, str] = field(default_factory=dict)  # ref mode: name -> variable it views
    last_access: dict[str, str] = field(default_factory=dict)
    computed: list[str] = field(default_factory=list)      # fetchable op outputs
    scalars: set[str] = field(default_factory=set)          # computed from scalar literals only
    counter: int = 0
    scope: str = ""
    placeholder: str | None = None
    targets: list[str] = field(default_factory=list)
    accesses: list[str] = field(default_factory=list)       # nodes that touch a variable
    reads: set[str] = field(default_factory=set)            # explicit reads

    def new_name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def full(self, name: str) -> str:
        return f"{self.scope}/{name}" if self.scope else name


def _vec(rng: random.Random) -> str:
    return "[" + ", ".join(str(rng.choice([0.5, 1.0, 1.5, 2.0, -1.0, 3.0])) for _ in range(2)) + "]"


def _device(rng: random.Random, p: float = 0.5) -> str:
    device = rng.choice(DEVICES) if rng.random() < p else None
    return f", device: {device}" if device else ""


def _accessed(st: _State, refs: list[str]) -> list[str]:
    """Variables a node touches through its inputs (views count in ref mode)."""
    out = []
    for r in refs:
        var = r if r in st.variables else st.view_of.get(r)
        if var and var not in out:
            out.append(var)
    return out


def _chain(st: _State, name: str, refs: list[str]) -> str:
    """control_inputs ordering this access after the previous access of each variable."""
    prev = [st.last_access[v] for v in _accessed(st, refs) if v in st.last_access]
    for v in _accessed(st, refs):
        st.last_access[v] = name
    if _accessed(st, refs):
        st.accesses.append(name)
    prev = list(dict.fromkeys(prev))
    return f", control_inputs: [{', '.join(prev)}]" if prev else ""


def _emit(st: _State, indent: int, text: str) -> None:
    st.lines.append("  " * indent + "- " + text)


def _variable(st: _State, indent: int) -> None:
    name = st.new_name("v")
    _emit(st, indent, f"{{name: {name}, op: variable, value: {_vec(st.rng)}{_device(st.rng, 0.8)}}}")
    st.variables.add(st.full(name))
    st.tensors.append(st.full(name))


def _operand(st: _State) -> str:
    if st.tensors and st.rng.random() < 0.8:
        return st.rng.choice(st.tensors)
    return str(st.rng.choice([0.5, 2.0, 1.5]))


def _compute(st: _State, indent: int) -> None:
    name = st.new_name("n")
    full = st.full(name)
    if st.rng.random() < 0.5:
        op, refs = st.rng.choice(BINARY), [_operand(st), _operand(st)]
    else:
        op, refs = st.rng.choice(UNARY), [st.rng.choice(st.tensors)]
    if op == "identity" and st.rng.random() < 0.3 and _accessed(st, refs[:1]) and refs[0] in st.variables:
        op = "read"
        st.reads.add(full)
    names = [r for r in refs if not r[0].isdigit() and not r.startswith("-")]
    ctrl = _chain(st, full, names)
    _emit(st, indent, f"{{name: {name}, op: {op}, inputs: [{', '.join(refs)}]{_device(st.rng)}{ctrl}}}")
    if st.mode == "ref" and op in ("identity", "read") and _accessed(st, names):
        st.view_of[full] = _accessed(st, names)[0]
    if not names or all(n in st.scalars for n in names):
        st.scalars.add(full)
    st.tensors.append(full)
    st.computed.append(full)


def _assign(st: _State, indent: int) -> None:
    if not st.variables:
        return
    var = st.rng.choice(sorted(st.variables))
    name = st.new_name("a")
    op = st.rng.choice(["assign", "assign_add", "assign_sub", "assign_add"])
    value = st.rng.choice([_vec(st.rng)] + [t for t in st.computed
                                            if t not in st.view_of and t not in st.scalars])
    refs = [var] + ([value] if not value.startswith("[") else [])
    ctrl = _chain(st, st.full(name), refs)
    _emit(st, indent, f"{{name: {name}, op: {op}, inputs: [{var}, {value}]{_device(st.rng, 0.3)}{ctrl}}}")
    if st.rng.random() < 0.5:   # its output used later: a ref (ref mode) or a fresh read (resource)
        full = st.full(name)
        st.view_of[full] = var
        st.tensors.append(full)
        # fetching a resource assign reads the variable whenever (its lazy read waits only
        # for the assign): a race with later assigns, so only ref outputs are fetched
        if st.rng.random() < 0.5 and st.mode == "ref":
            st.computed.append(full)


def _lookup(st: _State, indent: int) -> None:
    """embedding_lookup of a variable or a [2] tensor: a gather with it, then an identity."""
    # not an explicit resource read: TF refuses a gather colocated with one that asks for
    # another device than its variable's ("Cannot colocate nodes"), which idrun does not model
    params = [t for t in st.tensors if t not in st.scalars and ":" not in t and t not in st.reads]
    if not params:
        return
    source = st.rng.choice(params)
    name = st.new_name("e")
    ctrl = _chain(st, st.full(name), [source])
    _emit(st, indent, f"{{name: {name}, op: embedding_lookup, inputs: [{source}, [1, 0]]"
                      f"{_device(st.rng)}{ctrl}}}")
    st.tensors.append(st.full(name))
    st.computed.append(st.full(name))


def _shadow(st: _State, indent: int) -> None:
    """Inside a name scope: read a root name, then make `scope/name` from it (rule: a
    reference reads what existed before it, never the node itself)."""
    roots = [t for t in st.computed if "/" not in t and ":" not in t and t not in st.view_of]
    if not st.scope or not roots:
        return
    target = st.rng.choice(roots)
    if st.full(target) in st.tensors:
        return
    before = st.new_name("n")
    _emit(st, indent, f"{{name: {before}, op: neg, inputs: [{target}]}}")
    _emit(st, indent, f"{{name: {target}, op: relu, inputs: [{target}]}}")
    for full in (st.full(before), st.full(target)):
        st.tensors.append(full)
        st.computed.append(full)
        if target in st.scalars:
            st.scalars.add(full)


def _alias(st: _State, indent: int) -> None:
    if not st.tensors:
        return
    name = st.new_name("al")
    target = st.rng.choice(st.tensors)
    _emit(st, indent, f"{{name: {name}, alias: {target}}}")
    full = st.full(name)
    st.tensors.append(full)
    if target in st.variables:
        st.view_of[full] = target    # using the alias accesses the variable
    elif target in st.view_of:
        st.view_of[full] = st.view_of[target]
    if target in st.scalars:
        st.scalars.add(full)
    if target in st.reads:
        st.reads.add(full)
    if target in st.computed:
        st.computed.append(full)


def _block(st: _State, indent: int, depth: int) -> None:
    kind = st.rng.choice(["device", "name_scope", "control_dependencies", "control_dependencies", "null"])
    head = "  " * indent + "- "
    saved = st.scope
    if kind == "device":
        st.lines.append(head + f"device: {st.rng.choice(['cpu:0', 'cpu:1'])}")
    elif kind == "name_scope":
        scope = st.new_name("s")
        st.lines.append(head + f"name_scope: {scope}")
        st.scope = st.full(scope)
    elif kind == "null":
        st.lines.append(head + "control_dependencies: null")
    else:
        deps = [t.split(":")[0] for t in st.computed if t not in st.view_of]
        if not deps:
            st.lines.append(head + "device: cpu:1")
        else:
            st.lines.append(head + f"control_dependencies: [{st.rng.choice(deps)}]")
    st.lines.append("  " * (indent + 1) + "nodes:")
    before = len(st.lines)
    _entries(st, indent + 2, st.rng.randint(1, 4), depth + 1)
    if len(st.lines) == before:      # every draw emitted nothing: keep the block valid
        _compute_or_const(st, indent + 2)
    st.scope = saved


def _entries(st: _State, indent: int, count: int, depth: int) -> None:
    for _ in range(count):
        r = st.rng.random()
        if not st.tensors or r < 0.1:
            (_variable if depth == 0 else _compute_or_const)(st, indent)
            continue
        action = next(act for bound, act in _ACTIONS if r < bound)
        if action is _block:
            _block(st, indent, depth) if depth < 2 else _split(st, indent)
        else:
            action(st, indent)


def _split(st: _State, indent: int) -> None:
    """A multi-output op: outputs name:0 and name:1 (shape [1]) used by later nodes."""
    source = st.rng.choice([t for t in st.tensors if t not in st.scalars] or st.tensors)
    name = st.new_name("sp")
    ctrl = _chain(st, st.full(name), [source])
    _emit(st, indent, f"{{name: {name}, op: split, inputs: [{source}], num_or_size_splits: 2"
                      f"{_device(st.rng)}{ctrl}}}")
    for k in (0, 1):
        out = f"{st.full(name)}:{k}"
        st.tensors.append(out)
        st.computed.append(out)
        st.scalars.add(out)


def _big_const(st: _State, indent: int) -> None:
    """A constant past the 16-element replication limit (G8), reduced on two devices."""
    name = st.new_name("big")
    size = st.rng.choice([16, 17, 20])
    _emit(st, indent, f"{{name: {name}, op: const, value: [{', '.join(['0.5'] * size)}]{_device(st.rng)}}}")
    for device in ("cpu:0", "cpu:1"):
        red = st.new_name("r")
        _emit(st, indent, f"{{name: {red}, op: reduce_sum, inputs: [{st.full(name)}], device: {device}}}")
        st.tensors.append(st.full(red))
        st.computed.append(st.full(red))
        st.scalars.add(st.full(red))


def _group(st: _State, indent: int) -> None:
    """A group of earlier ops across devices, run as a target (G7)."""
    members = st.rng.sample(st.accesses, min(len(st.accesses), 2)) if st.accesses else []
    if not members:
        return
    name = st.new_name("g")
    _emit(st, indent, f"{{name: {name}, op: group, inputs: [{', '.join(members)}]}}")
    st.targets.append(st.full(name))


def _compute_or_const(st: _State, indent: int) -> None:
    name = st.new_name("k")
    _emit(st, indent, f"{{name: {name}, op: const, value: {_vec(st.rng)}{_device(st.rng)}}}")
    st.tensors.append(st.full(name))


# (cumulative probability bound, entry maker); below 0.1 see _entries
_ACTIONS = [(0.52, _compute), (0.69, _assign), (0.76, _alias), (0.84, _block), (0.87, _split),
            (0.89, _big_const), (0.91, _group), (0.94, _lookup), (0.97, _shadow),
            (1.01, _compute_or_const)]


def random_spec(seed: int) -> str:
    """A race-free random spec (YAML text) for `seed`."""
    rng = random.Random(seed)
    st = _State(rng, rng.choice(["resource", "ref"]))
    st.lines += [f"name: random graph {seed}", f"variables: {st.mode}", "devices: [cpu:0, cpu:1]", "nodes:"]
    _variable(st, 1)
    if rng.random() < 0.4:
        st.placeholder = "ph"
        st.lines.append(f"  - {{name: ph, op: placeholder, dtype: float32, shape: [2]{_device(rng)}}}")
        st.tensors.append("ph")
    _entries(st, 1, rng.randint(6, 16), 0)
    if not st.computed:
        _compute(st, 1)
    fetch = rng.sample(st.computed, min(len(st.computed), rng.randint(1, 3)))
    st.lines.append("run:")
    st.lines.append(f"  fetch: [{', '.join(repr(f) if ':' in f else f for f in fetch)}]")
    if st.targets:
        st.lines.append(f"  targets: [{', '.join(st.targets)}]")
    if st.placeholder:
        st.lines.append(f"  feed: {{ph: {_vec(rng)}}}")
    st.lines.append(f"  steps: {rng.randint(2, 3)}")
    if st.mode == "resource" and rng.random() < 0.15:  # ref mode's shared x/read would race
        st.lines.append("  init: false")              # an assign first initializes, a read fails
    return "\n".join(st.lines) + "\n"


if __name__ == "__main__":
    import sys
    print(random_spec(int(sys.argv[1]) if len(sys.argv) > 1 else 0))


# ---- control flow: conds and while loops ---------------------------------------------------

CF_BINARY = ["add", "sub", "mul", "maximum", "minimum"]


@dataclass
class _CF:
    rng: random.Random
    lines: list[str] = field(default_factory=list)
    counter: int = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"


def _cf_vec(rng: random.Random) -> str:
    return "[" + ", ".join(str(rng.choice([0.5, 1.0, -1.5, 2.0, 0.25])) for _ in range(2)) + "]"


def _cf_compute(cf: _CF, indent: int, operands: list[str], count: int) -> list[str]:
    """`count` elementwise ops over `operands` (all [2] float32), each a new operand."""
    made = []
    for _ in range(count):
        name = cf.name("c")
        a = cf.rng.choice(operands + made) if cf.rng.random() < 0.85 else _cf_vec(cf.rng)
        b = cf.rng.choice(operands + made)
        op = cf.rng.choice(CF_BINARY + ["neg", "tanh"])
        inputs = f"[{b}]" if op in ("neg", "tanh") else f"[{a}, {b}]"
        cf.lines.append("  " * indent + f"- {{name: {name}, op: {op}, inputs: {inputs}}}")
        made.append(name)
    return made


def _cf_pred(cf: _CF, indent: int, operands: list[str]) -> str:
    total, pred = cf.name("sum"), cf.name("pred")
    cf.lines.append("  " * indent + f"- {{name: {total}, op: reduce_sum, inputs: [{cf.rng.choice(operands)}]}}")
    cf.lines.append("  " * indent + f"- {{name: {pred}, op: less, inputs: [{total}, "
                    f"{cf.rng.choice([0.0, 1.0, 2.5, -1.0])}]}}")
    return pred


def _cf_cond(cf: _CF, indent: int, operands: list[str], depth: int) -> str:
    pred = _cf_pred(cf, indent, operands)
    name, out = cf.name("cond"), cf.name("r")
    pad = "  " * indent
    cf.lines += [f"{pad}- cond: {pred}", f"{pad}  name: {name}", f"{pad}  outputs: [{out}]"]
    for key in ("true_fn", "false_fn"):
        cf.lines += [f"{pad}  {key}:", f"{pad}    nodes:"]
        before = len(cf.lines)
        made = _cf_body(cf, indent + 3, operands, depth + 1)
        if len(cf.lines) == before:
            made = _cf_compute(cf, indent + 3, operands, 1)
        cf.lines.append(f"{pad}    return: [{cf.rng.choice(made + operands)}]")
    return out


def _cf_loop(cf: _CF, indent: int, operands: list[str], depth: int) -> str:
    """A counter and one [2] loop variable: v = f(v, outside operands) while i < k."""
    name, i_out, v_out = cf.name("while"), cf.name("i"), cf.name("v")
    pad = "  " * indent
    start = cf.rng.choice(operands)
    limit = cf.rng.randint(0, 4)
    cf.lines += [f"{pad}- while_loop: [i_start, {start}]", f"{pad}  name: {name}",
                 f"{pad}  outputs: [{i_out}, {v_out}]"]
    if cf.rng.random() < 0.4:
        cf.lines.append(f"{pad}  maximum_iterations: {cf.rng.randint(0, 3)}")
    i, v = cf.name("i"), cf.name("v")
    cf.lines += [f"{pad}  cond:", f"{pad}    args: [{i}, {v}]",
                 f"{pad}    nodes: [{{name: {cf.name('lt')}, op: less, inputs: [{i}, {limit}]}}]"]
    cf.lines.append(f"{pad}    return: [{cf.lines[-1].split('name: ')[1].split(',')[0]}]")
    i2, v2 = cf.name("i"), cf.name("v")
    cf.lines += [f"{pad}  body:", f"{pad}    args: [{i2}, {v2}]", f"{pad}    nodes:"]
    nxt = cf.name("inext")
    cf.lines.append(f"{pad}      - {{name: {nxt}, op: add, inputs: [{i2}, 1]}}")
    made = _cf_body(cf, indent + 3, [v2] + operands, depth + 1) or _cf_compute(cf, indent + 3, [v2], 1)
    scaled = cf.name("damp")   # keep values bounded across iterations
    cf.lines.append(f"{pad}      - {{name: {scaled}, op: mul, inputs: [{made[-1]}, 0.5]}}")
    cf.lines.append(f"{pad}    return: [{nxt}, {scaled}]")
    return v_out


def _cf_body(cf: _CF, indent: int, operands: list[str], depth: int) -> list[str]:
    made = _cf_compute(cf, indent, operands, cf.rng.randint(1, 3))
    if depth < 3 and cf.rng.random() < 0.5:
        made.append((_cf_cond if cf.rng.random() < 0.6 else _cf_loop)(cf, indent, operands + made, depth))
        made += _cf_compute(cf, indent, operands + made[-1:], 1)
    return made


def random_control_flow_spec(seed: int) -> str:
    """A random spec of conds and while loops, nested, over [2] float32 tensors: captured
    tensors, branches returning outer tensors, loops with and without maximum_iterations.
    One device, no variables: values only (TF counts a branch's transfers whether or not
    it runs, as its partition graphs hold them)."""
    rng = random.Random(seed)
    cf = _CF(rng)
    cf.lines += [f"name: random control flow {seed}", "nodes:",
                 "  - {name: x, op: placeholder, dtype: float32, shape: [2]}",
                 "  - {name: i_start, op: const, value: 0, dtype: int32}"]
    operands = ["x"] + _cf_compute(cf, 1, ["x"], rng.randint(1, 3))
    outs = []
    for _ in range(rng.randint(1, 3)):
        kind = _cf_cond if rng.random() < 0.55 else _cf_loop
        outs.append(kind(cf, 1, operands, 0))
        operands += [outs[-1]] + _cf_compute(cf, 1, operands + outs[-1:], 1)
    fetch = rng.sample(outs + operands[1:], min(len(outs) + len(operands) - 1, rng.randint(1, 3)))
    cf.lines += ["run:", f"  fetch: [{', '.join(fetch)}]", f"  feed: {{x: {_cf_vec(rng)}}}", "  steps: 2"]
    return "\n".join(cf.lines) + "\n"
