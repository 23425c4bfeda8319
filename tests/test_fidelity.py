"""TF behaviours pinned by probes/p13_fidelity.py: one test per rule, named by the rule."""

import pytest

from conftest import run_spec, values

from idrun.errors import SpecError
from idrun.compile.placement import place
from idrun.spec import load_spec


def transfers(result, step=0):
    return sorted(t.tensor for t in result.steps[step].transfers)


# ---- 1. a reference means what the TF Python program sees at that point ----------

def test_reference_in_a_scope_reads_the_outer_name_created_before_it(spec_file):
    # p13 1: inside name_scope inner, y = tf.add(y, 1.0, name="y") reads the outer y
    spec = load_spec(spec_file("""
    nodes:
      - {name: y, op: const, value: 1.0}
      - name_scope: inner
        nodes:
          - {name: before, op: mul, inputs: [y, 10.0]}
          - {name: y, op: add, inputs: [y, 1.0]}
          - {name: after, op: mul, inputs: [y, 3.0]}
    run: {fetch: [inner/before, inner/y, inner/after]}
    """))
    nodes = spec.graph.nodes
    assert nodes["inner/y"].inputs[0].node == "y"           # never itself
    assert nodes["inner/before"].inputs[0].node == "y"      # inner/y did not exist yet
    assert nodes["inner/after"].inputs[0].node == "inner/y"
    r = run_spec(spec.path)
    assert [values(r, n) for n in ("inner/before", "inner/y", "inner/after")] == [[10.0], [2.0], [6.0]]


def test_forward_reference_only_when_nothing_earlier_matches(spec_file):
    spec = load_spec(spec_file("""
    nodes:
      - name_scope: s
        nodes:
          - {name: f, op: identity, inputs: [later]}
          - {name: z, op: identity, inputs: [y]}
      - {name: later, op: const, value: 5.0}
      - {name: y, op: const, value: 1.0}
      - name_scope: s
        nodes:
          - {name: y, op: const, value: 2.0}
    """))
    assert spec.graph.nodes["s/f"].inputs[0].node == "later"
    # nothing named y existed before s/z: a forward reference, scope first (s_1 is another scope)
    assert spec.graph.nodes["s/z"].inputs[0].node == "y"


def test_a_lone_self_reference_is_unknown_not_a_cycle(spec_file):
    with pytest.raises(SpecError, match="unknown reference 'y'"):
        load_spec(spec_file("""
        nodes:
          - {name: y, op: add, inputs: [y, 1.0]}
        """))


def test_control_lists_and_aliases_resolve_at_their_point(spec_file):
    spec = load_spec(spec_file("""
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: inc, op: assign_add, inputs: [x, 1.0]}
      - name_scope: s
        nodes:
          - {name: a, alias: inc}                  # outer inc: s/inc comes later
          - control_dependencies: [inc]
            nodes:
              - {name: y, op: identity, inputs: [x]}
          - {name: inc, op: const, value: 3.0, control_inputs: [inc]}
    """))
    g = spec.graph
    assert g.aliases["s/a"].node == "inc"
    assert "inc" in g.nodes["s/y/ReadVariableOp"].control_inputs
    assert g.nodes["s/inc"].control_inputs == ("inc",)


# ---- 4. an explicit read of a ref variable is placed with its variable -----------

def test_explicit_ref_read_is_in_the_variables_colocation_group(spec_file):
    spec = load_spec(spec_file("""
    variables: ref
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: v, op: variable, value: [1.0, 2.0], device: cpu:1}
      - {name: r, op: read, inputs: [v]}
      - {name: m, op: mul, inputs: [r, 2.0], device: cpu:0}
    run: {fetch: [m]}
    """))
    p = place(spec.graph, spec.devices)
    assert p.device["r"] == "cpu:1" and p.reason["r"] == "colocated with variable v"
    r = run_spec(spec.path)
    assert values(r, "m") == [[2.0, 4.0]] and transfers(r) == ["r:0"]


# ---- 5. an assign initializes a variable never initialized ------------------------

@pytest.mark.parametrize("mode", ["resource", "ref"])
def test_assign_initializes_an_uninitialized_variable(spec_file, mode):
    r = run_spec(spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: v, op: variable, value: [1.0, 2.0]}}
      - {{name: set, op: assign, inputs: [v, [5.0, 6.0]]}}
      - {{name: r, op: read, inputs: [v], control_inputs: [set]}}   # v/read would race (ref)
    run: {{fetch: [r], init: false, steps: 2}}
    """))
    assert r.error is None and values(r, "r") == [[5.0, 6.0], [5.0, 6.0]]


@pytest.mark.parametrize("mode,message", [
    ("ref", "Attempting to use uninitialized value v"),
    ("resource", "Could not find variable v"),
])
def test_update_or_read_before_any_assign_fails(spec_file, mode, message):
    r = run_spec(spec_file(f"""
    variables: {mode}
    nodes:
      - {{name: v, op: variable, value: [1.0, 2.0]}}
      - {{name: inc, op: assign_add, inputs: [v, [1.0, 1.0]]}}
    run: {{targets: [inc], init: false}}
    """))
    assert r.error is not None and message in r.error.message and not r.steps


# ---- 6. embedding_lookup is built as embedding_ops.py builds it -------------------

EMBEDDING = """
variables: {mode}
devices: [cpu:0, cpu:1]
nodes:
  - {{name: table, op: variable, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device: cpu:1}}
  - {block}
    nodes:
      - {{name: emb, op: embedding_lookup, inputs: [table, [2, 0]]}}
  - {{name: m, op: mul, inputs: [emb, 2.0], device: cpu:0}}
run: {{fetch: [m, emb]}}
"""


@pytest.mark.parametrize("mode", ["resource", "ref"])
@pytest.mark.parametrize("block,ids_on,sends", [
    ("name_scope: null", "cpu:1", ["emb:0"]),                   # p13 6a: 1 send
    ("device: cpu:0", "cpu:0", ["emb/ids:0", "emb:0"]),         # p13 6b: 2 sends
])
def test_embedding_lookup_gathers_with_the_table_then_identity(spec_file, mode, block, ids_on, sends):
    path = spec_file(EMBEDDING.format(mode=mode, block=block))
    spec = load_spec(path)
    g = spec.graph
    assert g.nodes["emb/Identity"].inputs[0].node == "emb"
    assert g.nodes["m"].inputs[0].node == "emb/Identity"     # the name means the Identity
    p = place(g, spec.devices)
    assert (p.device["emb"], p.device["emb/Identity"], p.device["emb/ids"]) == ("cpu:1", "cpu:0", ids_on)
    assert ("emb/axis" in g.nodes) == (mode == "ref")        # GatherV2's axis, with the table
    r = run_spec(path)
    assert values(r, "emb") == [[[5.0, 6.0], [1.0, 2.0]]]
    assert transfers(r) == sorted(sends)


# ---- 7. F8 compares requested device strings as written --------------------------

@pytest.mark.parametrize("consumer_device,identity_on,count", [
    ("/device:CPU:1", "cpu:1", 1),                                # p13 7A
    ("/job:localhost/replica:0/task:0/device:CPU:1", "cpu:0", 3),   # p13 7B: strings differ
    ("/cpu:1", "cpu:1", 1),                                        # p13 7C: TF spells it /device:CPU:1
])
def test_identity_rule_compares_raw_requested_strings(spec_file, consumer_device, identity_on, count):
    path = spec_file(f"""
    devices: [cpu:0, cpu:1]
    nodes:
      - {{name: x, op: const, value: [1.0, 2.0]}}
      - {{name: a, op: add, inputs: [x, 1.0], device: /device:CPU:1}}
      - {{name: i, op: identity, inputs: [a]}}
      - {{name: c, op: mul, inputs: [i, 2.0], device: "{consumer_device}"}}
    run: {{fetch: [c]}}
    """)
    spec = load_spec(path)
    assert spec.graph.nodes["c"].device == "cpu:1"            # normalized for everything else
    assert place(spec.graph, spec.devices).device["i"] == identity_on
    r = run_spec(path)
    assert values(r, "c") == [[4.0, 6.0]] and len(r.steps[0].transfers) == count


# ---- found by the random graphs of `make conformance` -----------------------------

def test_unread_variable_reads_in_the_consumers_device_scope(spec_file):
    # seed 165: a use of a resource assign under cpu:1 asks for cpu:1, which steers the
    # variable's group (a variable's own reads ask for nothing, C3)
    spec = load_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: v, op: variable, value: [1.0, 2.0]}
      - {name: a, op: assign_add, inputs: [v, [1.0, 1.0]]}
      - {name: c, op: identity, inputs: [a], device: cpu:1}
    run: {fetch: [c]}
    """))
    read = spec.graph.nodes["c/ReadVariableOp"]
    assert read.device == "cpu:1" and "a" in read.control_inputs
    assert place(spec.graph, spec.devices).device["v"] == "cpu:1"


def test_group_sorts_members_by_the_device_string_as_written(spec_file):
    # seed 344: `cpu:1` and `/job:localhost/replica:0/task:0/device:CPU:1` are two groups
    spec = load_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: a, op: const, value: 1.0, device: cpu:1}
      - {name: b, op: const, value: 2.0, device: "/job:localhost/replica:0/task:0/device:CPU:1"}
      - {name: g, op: group, inputs: [a, b], device: cpu:0}
    run: {targets: [g]}
    """))
    g = spec.graph.nodes
    assert [n for n in g if n.startswith("g/NoOp")] == ["g/NoOp", "g/NoOp_1"]
    assert g["g/NoOp"].device == g["g/NoOp_1"].device == "cpu:1"


def test_colocated_ops_are_placed_before_generators_follow_them(spec_file):
    # seed 380: the ids constant follows the gather, which sits with the table's read
    spec = load_spec(spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: v, op: variable, value: [1.0, 2.0], device: cpu:1}
      - {name: a, op: assign_add, inputs: [v, [1.0, 1.0]]}
      - {name: t, op: identity, inputs: [a]}
      - {name: e, op: embedding_lookup, inputs: [t, [1, 0]]}
    run: {fetch: [e]}
    """))
    p = place(spec.graph, spec.devices)
    assert p.device["e"] == p.device["t"] and p.device["e/ids"] == p.device["e"]


def test_lookup_of_an_assign_gathers_on_the_handle_after_it(spec_file):
    # seed 160: TF's sparse_read of an _UnreadVariable: no read, a control input on the assign
    spec = load_spec(spec_file("""
    nodes:
      - {name: v, op: variable, value: [1.0, 2.0]}
      - {name: a, op: assign_add, inputs: [v, [1.0, 1.0]]}
      - {name: e, op: embedding_lookup, inputs: [a, [1, 0]]}
    run: {fetch: [e]}
    """))
    e = spec.graph.nodes["e"]
    assert e.inputs[0].node == "v" and e.control_inputs == ("a",) and "e/axis" not in spec.graph.nodes
    assert values(run_spec(spec.path), "e") == [[3.0, 2.0]]
