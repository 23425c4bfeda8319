"""idrun.tf.functional: TF 2 functional control flow (If/Case/While, PartitionedCall) lowered to
v1 dataflow control flow as TF's LowerFunctionalOpsPass lowers it.

Without TF (the idrun venv, TensorBoard's protos): each fixture of
tests/fixtures/graphdefs_v2/cfv2_* (GraphDefs TF 2.21 wrote) is lowered and compared node
by node with what TF's own runtime lowered it to (tests/fixtures/functional_lowering/, written by
scripts/functional_lowering_expectations.py from the session's partition graph): same names, op
types, inputs and attributes. With TF importable, scripts/check_functional_lowering.py runs too:
TF runs the original and the lowered graph and gets the same values.
"""

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from google.protobuf import text_format

from idrun.errors import SpecError
from idrun.tf.functional import FUNCTIONAL_OPS, has_functional, lower_functional

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # TF's own lowering, not oneDNN's rewrites
try:  # the idrun[tensorboard] extra, else (the TF venv) TF's own protos
    from tensorboard.compat.proto import graph_pb2
except ImportError:
    try:
        from tensorflow.core.framework import graph_pb2
    except ImportError:
        graph_pb2 = None
needs_protos = pytest.mark.skipif(graph_pb2 is None, reason="needs TensorBoard's protos (idrun[tensorboard])")

ROOT = Path(__file__).resolve().parent.parent
PENDING = ROOT / "tests" / "fixtures" / "graphdefs_v2"
EXPECTED = ROOT / "tests" / "fixtures" / "functional_lowering"
NAMES = sorted(p.stem for p in EXPECTED.glob("cfv2_*.json"))
sys.path.insert(0, str(ROOT / "scripts"))
from functional_compare import differences  # noqa: E402


def _read(name: str):
    gd = graph_pb2.GraphDef()
    text_format.Parse((PENDING / f"{name}.pbtxt").read_text(), gd)
    return gd


@needs_protos
def test_every_fixture_has_tf_expectations():
    # all but cfv2_two_devices, whose transfers scripts/check_functional_lowering.py compares
    assert len(NAMES) == 15
    assert sorted(set(p.stem for p in PENDING.glob("cfv2_*.pbtxt")) - set(NAMES)) == ["cfv2_two_devices"]


@needs_protos
@pytest.mark.parametrize("name", NAMES)
def test_lowering_is_what_tf_runtime_builds(name):
    expected = json.loads((EXPECTED / f"{name}.json").read_text())["tf_lowered"]
    assert differences(lower_functional(_read(name)), expected) == []


@needs_protos
@pytest.mark.parametrize("name", NAMES)
def test_lowered_graph_is_plain_v1(name):
    original = _read(name)
    lowered = lower_functional(original)
    names = [n.name for n in lowered.node]
    assert len(names) == len(set(names))
    assert not [n.op for n in lowered.node if n.op in FUNCTIONAL_OPS]
    assert not lowered.library.function and not has_functional(lowered)
    have = set(names)
    assert all(i.lstrip("^").split(":")[0] in have for n in lowered.node for i in n.input)
    assert all(s[5:].decode() in have for n in lowered.node for s in n.attr["_class"].list.s
               if s.startswith(b"loc:@"))  # as import_graph_def and idrun import require
    # every original node name is still there: the lowered ones as IdentityN/NoOp of their outputs
    for n in original.node:
        assert n.name in have
    # each node comes after its inputs, but for the loops' NextIteration back edges
    seen = set()
    for n in lowered.node:
        srcs = {i.lstrip("^").split(":")[0] for i in n.input}
        late = {s for s in srcs - seen if s != n.name and not s.split("/")[-2].startswith("next_iteration")}
        assert not late, (n.name, late)
        seen.add(n.name)


@needs_protos
def test_loop_structure_of_a_counter():
    """`tf.while_loop(i < n, (i + 1, s + i), [0, 0])` as TF 2.21 writes it: one frame named after
    the While node, an Enter/Merge/Switch/Exit/NextIteration per loop variable (5: TF adds the
    loop counter and maximum_iterations before i and s, and the captured `n` after), its
    parallel_iterations kept, fetches reading the Exits."""
    lowered = lower_functional(_read("cfv2_while_counter"))
    by_op = {}
    for n in lowered.node:
        by_op.setdefault(n.op, []).append(n)
    assert {len(by_op[op]) for op in ("Enter", "Merge", "Switch", "Exit", "NextIteration")} == {5}
    assert len(by_op["LoopCond"]) == 1
    assert {e.attr["frame_name"].s for e in by_op["Enter"]} == {b"while"}
    assert {e.attr["parallel_iterations"].i for e in by_op["Enter"]} == {10}
    assert not any(e.attr["is_constant"].b for e in by_op["Enter"])
    (keeper,) = [n for n in lowered.node if n.name == "while"]
    assert keeper.op == "IdentityN" and list(keeper.input) == [x.name for x in by_op["Exit"]]
    (fetched,) = [n for n in lowered.node if n.name == "while/Identity_2"]
    assert fetched.input[0] == by_op["Exit"][2].name
    for m in by_op["Merge"]:
        assert [lowered.node[[n.name for n in lowered.node].index(m.input[1])].op] == ["NextIteration"]


@needs_protos
def test_resource_loop_variable_gets_a_constant_enter_only():
    lowered = lower_functional(_read("cfv2_while_stateful_counter"))
    enters = [n for n in lowered.node if n.op == "Enter"]
    constant = [e for e in enters if e.attr["is_constant"].b]
    assert [e.input[0] for e in constant] == ["v"]
    assert len([n for n in lowered.node if n.op == "Merge"]) == len(enters) - 1


def _call_graph(body_nodes, ret, input_args=("a",), output_args=(("out", 1),), call_inputs=("x",)):
    """A GraphDef: Placeholder x (float) and a PartitionedCall of function `f`."""
    gd = graph_pb2.GraphDef()
    x = gd.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = 1
    f = gd.library.function.add()
    f.signature.name = "f"
    for a in input_args:
        f.signature.input_arg.add(name=a, type=1)
    for name, dtype in output_args:
        f.signature.output_arg.add(name=name, type=dtype)
    for nd in body_nodes:
        text_format.Parse(nd, f.node_def.add())
    f.ret.update(ret)
    call = gd.node.add(name="call", op="PartitionedCall")
    call.input.extend(call_inputs)
    call.attr["f"].func.name = "f"
    call.attr["Tin"].list.type.extend([1] * len(call_inputs))
    call.attr["Tout"].list.type.extend(t for _, t in output_args)
    gd.node.add(name="use", op="Identity", input=["call:1" if len(output_args) > 1 else "call", "^call"])
    return gd


@needs_protos
def test_output_arg_past_a_list_maps_to_its_flat_index():
    """SparseSplit's outputs are output_indices*num_split, output_values*num_split, output_shape*
    num_split: `s:output_values:1` with num_split 3 is output 4 (TF's function_utils rule)."""
    body = ['name: "s" op: "SparseSplit" input: "a" attr { key: "num_split" value { i: 3 } }',
            'name: "u" op: "Unique" input: "a"']
    gd = _call_graph(body, {"out": "s:output_values:1", "idx": "u:idx:0"},
                     output_args=(("out", 1), ("idx", 3)))
    lowered = {n.name: n for n in lower_functional(gd).node}
    outputs = [n for n in lowered.values() if n.name.startswith("Func/call/output/")]
    assert [o.input[0] for o in outputs] == ["call/s:4", "call/u:1"]
    assert lowered["use"].input[0] == outputs[1].name
    assert lowered["use"].input[1].startswith("^Func/call/output_control_node/")
    assert lowered["call"].op == "IdentityN" and list(lowered["call"].input[:2]) == [o.name for o in outputs]


@needs_protos
def test_a_missing_function_is_an_error_naming_the_node():
    gd = _call_graph([], {"out": "a"})
    gd.node[1].attr["f"].func.name = "nope"
    with pytest.raises(SpecError, match="'call'.*'nope'"):
        lower_functional(gd)


@needs_protos
def test_an_unknown_output_arg_is_an_error():
    gd = _call_graph(['name: "u" op: "Unique" input: "a"'], {"out": "u:nope:0"})
    with pytest.raises(SpecError, match="'u' \\(Unique\\) has no output 'nope'"):
        lower_functional(gd)


@needs_protos
def test_graph_without_functional_ops_is_unchanged():
    gd = _read("cfv2_cond_fed")
    keep = [n for n in gd.node if n.op not in FUNCTIONAL_OPS and n.name != "cond/Identity"]
    del gd.node[:]
    gd.node.extend(keep)
    assert not has_functional(gd)
    lowered = lower_functional(gd)
    assert list(lowered.node) == list(gd.node)
    assert not lowered.library.function


def _tf_checks():
    pytest.importorskip("tensorflow")
    path = ROOT / "scripts" / "check_functional_lowering.py"
    spec = importlib.util.spec_from_file_location("check_functional_lowering", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tf_runs_original_and_lowered_graphs_alike():
    checks = _tf_checks()
    assert sum(checks.check_case(name, build) for name, build in checks.cases().items()) >= 90


def test_tf_runs_lowered_fixtures_to_their_recorded_values():
    checks = _tf_checks()
    assert sum(checks.check_fixture(name) for name in checks.fixture_names()) >= 36


def test_tf_names_match_in_any_node_order():
    """TF's lowering names depend on the order its GraphConstructor numbers nodes: shuffled
    copies of the fixtures (graph and function bodies) still lower to TF's own names."""
    checks = _tf_checks()
    assert sum(checks.check_shuffled(name) for name in checks.fixture_names()) >= 500


@needs_protos
def test_lines_follow_the_node_each_lowered_node_came_from():
    from idrun.tf.functional import lower_functional_lines
    original = _read("cfv2_cond_fed")
    lines = [10 * (i + 1) for i in range(len(original.node))]
    line_of = {n.name: line for n, line in zip(original.node, lines)}
    lowered, new_lines = lower_functional_lines(original, lines)
    assert len(new_lines) == len(lowered.node)
    for n, line in zip(lowered.node, new_lines):
        if n.name in line_of:
            assert line == line_of[n.name]
        else:  # everything the If became: cond/..., Func/cond/...
            assert line == line_of["cond"], n.name



@needs_protos
def test_an_if_on_a_non_bool_predicate_is_an_error():
    gd = _read("cfv2_cond_fed")
    (node,) = [n for n in gd.node if n.op == "StatelessIf"]
    node.attr["Tcond"].type = 3
    with pytest.raises(SpecError, match="'cond' \\(StatelessIf\\): its predicate is not a bool"):
        lower_functional(gd)
