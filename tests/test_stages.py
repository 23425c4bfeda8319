"""The compile stages as units, on graphs built by hand (no YAML): placement, partition, plan."""

import linecache

import numpy as np
import pytest

from idrun.compile.partition import partition
from idrun.compile.placement import place
from idrun.compile.plan import PlanRequest, compile_plan, partition_step
from idrun.devices.cpu import HostDevice
from idrun.errors import SourceLoc
from idrun.graph import Graph, Node, TensorRef, TensorType, freeze_attrs
from idrun.ops import REGISTRY

def node(name, op, inputs=(), controls=(), device="", value=None, line=1, **kw):
    attrs = {"value": value, "dtype": "float32"} if REGISTRY[op].source in ("const", "variable") else {}
    shape = (len(value),) if isinstance(value, list) else (2,)
    outputs = () if op in ("no_op", "group") else (TensorType("float32", shape),)
    return Node(name, op, tuple(TensorRef(i) if isinstance(i, str) else i for i in inputs),
                tuple(controls), freeze_attrs(attrs), device, SourceLoc("g.yaml", line, 3),
                outputs, **kw)


def graph(*nodes, variables="resource"):
    g = Graph(variables=variables)
    for n in nodes:
        g.add(n)
    return g


# ---- placement ---------------------------------------------------------------------

def test_generator_follows_its_consumers_and_identity_its_input():
    g = graph(node("k", "const", value=[1.0, 2.0]),
              node("a", "add", ["k", "k"], device="cpu:1"),
              node("i", "identity", ["a"]),
              node("m", "neg", ["i"], device="/device:CPU:1"))   # the same request string as a's
    p = place(g, ["cpu:0", "cpu:1"])
    assert p.device == {"k": "cpu:1", "a": "cpu:1", "i": "cpu:1", "m": "cpu:1"}
    assert p.reason["k"] == "follows consumer a" and p.reason["i"] == "follows input a"


def test_identity_stays_on_the_default_device_when_requests_differ():
    g = graph(node("k", "const", value=[1.0, 2.0], device="cpu:1"),
              node("i", "identity", ["k"]),
              node("m", "mul", ["i", "i"], device="cpu:0"))
    p = place(g, ["cpu:0", "cpu:1"])
    assert p.device["i"] == "cpu:0" and p.reason["i"] == "default"


def test_a_variables_group_takes_its_device_over_member_requests():
    g = graph(node("v", "variable", value=[1.0, 2.0], device="cpu:1"),
              node("r", "read", ["v"], device="cpu:0", ref_inputs=(0,)))
    p = place(g, ["cpu:0", "cpu:1"])
    assert p.device["r"] == "cpu:1" and p.reason["r"] == "colocated with variable v"


# ---- partition ---------------------------------------------------------------------

def test_one_shared_transfer_per_tensor_and_device_and_a_separate_control_transfer():
    g = graph(node("k", "const", value=[1.0, 2.0] * 10),
              node("a", "neg", ["k"]), node("b", "neg", ["k"]),
              node("c", "neg", ["k"], controls=["a"]))
    device_of = {"k": "cpu:0", "a": "cpu:1", "b": "cpu:1", "c": "cpu:1"}
    part = partition(g, device_of, ["k", "a", "b", "c"], [TensorRef("c")], set())
    kinds = sorted((t.kind, str(t.tensor), t.dst) for t in part.transfers)
    assert kinds == [("edge", "k:0", "cpu:1"), ("fetch", "c:0", "cpu:0")]
    assert part.edge_transfer[("a", 0)] == part.edge_transfer[("b", 0)]


def test_ref_edges_are_one_transfer_each():
    g = graph(node("v", "variable", value=[1.0, 2.0], is_ref_output=True),
              node("a", "neg", ["v"]), node("b", "neg", ["v"]), variables="ref")
    device_of = {"v": "cpu:0", "a": "cpu:1", "b": "cpu:1"}
    part = partition(g, device_of, ["v", "a", "b"], [], set())
    assert [str(t.tensor) for t in part.transfers] == ["v:0", "v:0"]


def test_control_edge_across_devices_is_a_zero_byte_transfer():
    g = graph(node("k", "const", value=[1.0, 2.0] * 10), node("a", "neg", ["k"]),   # 20: not replicated
              node("b", "neg", ["k"], controls=["a"]))
    part = partition(g, {"k": "cpu:1", "a": "cpu:0", "b": "cpu:1"}, ["k", "a", "b"], [], set())
    assert [(t.kind, t.src, t.dst) for t in part.transfers] == [
        ("edge", "cpu:1", "cpu:0"), ("control", "cpu:0", "cpu:1")]


# ---- plan --------------------------------------------------------------------------

def _plan(g, device_of, fetch):
    devices = {d: HostDevice(d) for d in set(device_of.values()) | {"cpu:0"}}
    fetch = [TensorRef(f) for f in fetch]
    step = partition_step(g, device_of, fetch, [], [])
    return compile_plan(PlanRequest(g, device_of, devices, {}, fetch, [], []), step)


def test_plan_runs_the_step_and_names_its_nodes_in_the_source():
    g = graph(node("k", "const", value=[1.0, 2.0]), node("x_plus_1", "add", ["k", "k"], line=7))
    plan = _plan(g, {"k": "cpu:0", "x_plus_1": "cpu:1"}, ["x_plus_1"])
    transfers = []
    (value,) = plan.step((), transfers, [])
    assert value.tolist() == [2.0, 4.0] and len(transfers) == 2       # k to cpu:1, the fetch back
    assert "v_x_plus_1 = k_x_plus_1(" in plan.source
    assert "# x_plus_1 (add) on cpu:1, g.yaml:7:3" in plan.source
    assert linecache.getlines(plan.filename) == plan.source.splitlines(True)


def test_plan_maps_a_failing_line_back_to_its_node():
    g = graph(node("k", "const", value=[1.0, 2.0]), node("s", "const", value=[5.0]),
              node("r", "reshape", ["k", "s"]))
    plan = _plan(g, {"k": "cpu:0", "s": "cpu:0", "r": "cpu:0"}, ["r"])
    with pytest.raises(Exception) as info:
        plan.step((), [], [])
    assert plan.locate_failure(info.value) == "r"


def test_plan_materializes_constants_once():
    g = graph(node("k", "const", value=[1.0, 2.0]), node("n", "neg", ["k"]))
    plan = _plan(g, {"k": "cpu:0", "n": "cpu:0"}, ["n", "k"])
    first, k1 = plan.step((), [], [])
    _, k2 = plan.step((), [], [])
    assert k1 is k2 and np.array_equal(first, [-1.0, -2.0])
