"""`idrun run --trace-out`: the Chrome trace event file, checked for structure offline.

What Perfetto and chrome://tracing need to draw it: every pid named, every
flow id with exactly one start and one finish, each bound inside a transfer
slice on its own device's track; one op slice per op that ran, step markers,
times in order. The `perfetto` package needs a binary download, so the checks
are written out here.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from conftest import ROOT, run_spec
from idrun.pipeline import Pipeline
from idrun.spec.request import RunOptions
from idrun.views.trace import OPS_TID, STEPS_TID, TRANSFERS_TID, trace_document

FAILS_AT_STEP_3 = """
name: fails at step 3
devices: [cpu:0, cpu:1]
nodes:
  - {name: x, op: variable, value: 0.0}
  - {name: inc, op: assign_add, inputs: [x, 1.0]}
  - control_dependencies: [inc]
    nodes:
      - {name: y, op: identity, inputs: [x]}
  - device: cpu:1
    nodes:
      - {name: small, op: minimum, inputs: [y, 2.0]}
      - {name: check, op: assert_equal, inputs: [small, y], message: y grew past 2}
      - control_dependencies: [check]
        nodes:
          - {name: out, op: identity, inputs: [y]}
run: {fetch: [out], steps: 5}
"""


def traced(path: str, **options):
    pipeline = Pipeline(path, RunOptions(record_times=True, **options))
    result = pipeline.run()
    doc = json.loads(json.dumps(trace_document(result, pipeline.spec.graph, path)))
    return pipeline, result, doc


def inside(ts: float, piece: dict) -> bool:
    return piece["ts"] <= ts <= piece["ts"] + piece["dur"]


def check_structure(doc: dict, result) -> dict:
    """Every rule of the format; returns the events grouped for further checks."""
    assert set(doc) >= {"traceEvents", "displayTimeUnit"}
    events = doc["traceEvents"]
    names = {e["pid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    pid_of = {}
    for pid, label in names.items():
        pid_of[label.removesuffix(" (simulated)")] = pid
    assert all(e["pid"] in names for e in events), "every pid has a process_name"
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
               if e["ph"] == "M" and e["name"] == "thread_name"}
    assert all((e["pid"], e["tid"]) in threads for e in events if e["ph"] != "M")
    slices = [e for e in events if e["ph"] == "X"]
    assert all(e["dur"] >= 0 for e in slices)
    by_flow: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for e in events:
        if e["ph"] in "sf":
            by_flow[e["id"]][e["ph"]].append(e)
    sends = {e["args"]["flow"]: e for e in slices if e["cat"] == "transfer" and e["args"]["side"] == "send"}
    recvs = {e["args"]["flow"]: e for e in slices if e["cat"] == "transfer" and e["args"]["side"] == "recv"}
    assert set(by_flow) == set(sends) == set(recvs)
    for flow, ends in by_flow.items():
        assert len(ends["s"]) == 1 and len(ends["f"]) == 1, flow
        (s,), (f,) = ends["s"], ends["f"]
        send, recv = sends[flow], recvs[flow]
        assert (s["cat"], s["name"]) == (f["cat"], f["name"])
        assert f["bp"] == "e"
        assert s["pid"] == send["pid"] == pid_of[send["args"]["src"]]
        assert f["pid"] == recv["pid"] == pid_of[recv["args"]["dst"]]
        assert s["tid"] == send["tid"] == TRANSFERS_TID and f["tid"] == recv["tid"] == TRANSFERS_TID
        assert inside(s["ts"], send) and inside(f["ts"], recv)
        assert s["ts"] <= f["ts"]
    # step markers on every device's steps track; everything of step N inside them, in order
    marks = defaultdict(dict)
    for e in slices:
        if e["cat"] == "step":
            assert e["tid"] == STEPS_TID and e["name"] == f"step {e['args']['step']}"
            marks[e["args"]["step"]][e["pid"]] = e
    assert sorted(marks) == [s.step for s in result.steps]
    for step, per_pid in marks.items():
        assert set(per_pid) == set(names)
    per_step = defaultdict(list)
    for e in events:
        if e["ph"] in "Xsf" and e.get("cat") != "step":
            step = e["args"]["step"] if "args" in e else None
            per_step[step].append(e)
    flows_step = {e["args"]["flow"]: e["args"]["step"] for e in sends.values()}
    for e in per_step.pop(None, []):
        per_step[flows_step[e["id"]]].append(e)
    previous_end = -1.0
    for step in sorted(marks):
        mark = next(iter(marks[step].values()))
        assert mark["ts"] >= previous_end
        for e in per_step[step]:
            assert inside(e["ts"], mark) and e["ts"] + e.get("dur", 0) <= mark["ts"] + mark["dur"] + 1e-3
        previous_end = mark["ts"] + mark["dur"]
    order = [e["ts"] for e in events if e["ph"] != "M"]
    errors = [e for e in events if e["ph"] == "i"]
    assert order[:len(order) - len(errors)] == sorted(order[:len(order) - len(errors)]), \
        "ts monotonic through the file"
    return {"pid_of": pid_of, "slices": slices, "marks": marks, "names": names}


def test_cross_device_reads_trace_has_every_op_transfer_and_step():
    path = str(ROOT / "graphs/cross_device_reads.yaml")
    _, result, doc = traced(path, steps=3)
    got = check_structure(doc, result)
    assert set(got["names"].values()) == {"cpu:0", "cpu:1"}
    for step in result.steps:
        ops = [e for e in got["slices"] if e["cat"] == "op" and e["args"]["step"] == step.step]
        assert [(e["args"]["node"], e["pid"]) for e in ops] == [
            (n, got["pid_of"][d]) for n, d in step.ops]
        xfers = [e for e in got["slices"] if e["cat"] == "transfer" and e["args"]["step"] == step.step]
        assert len(xfers) == 2 * len(step.transfers) == 8   # G9: 4 per step, a slice per side
    first = next(e for e in got["slices"] if e["cat"] == "op" and e["args"]["node"] == "a")
    assert first["args"] == {"node": "a", "op": "add", "step": 1,
                             "location": f"{path}:12:9"}
    assert first["pid"] == got["pid_of"]["cpu:1"] and first["tid"] == OPS_TID
    assert 3 in got["marks"]                                  # a user can find step 3


def test_gallery_graphs_trace_with_valid_structure():
    for name in ("tour", "gpu_variable_reads", "explicit_transport", "distributed_embeddings",
                 "cross_device_reads_ref", "control_deps_identity", "cifar_loss_averages"):
        _, result, doc = traced(str(ROOT / f"graphs/{name}.yaml"))
        assert result.error is None
        check_structure(doc, result)


def test_simulated_gpu_track_is_labelled():
    _, result, doc = traced(str(ROOT / "graphs/gpu_variable_reads.yaml"))
    names = {e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"}
    if result.devices.get("gpu:0") == "simulated":
        assert names == {"cpu:0", "gpu:0 (simulated)"}
    else:
        assert names == {"cpu:0", "gpu:0"}


def test_times_are_the_measured_ones():
    # the op slices sit where the clock put them: inside the step, never overlapping
    _, result, doc = traced(str(ROOT / "graphs/cross_device_reads.yaml"), steps=2)
    step = result.steps[1]
    origin = result.steps[0].timing.start
    ops = [e for e in doc["traceEvents"] if e.get("cat") == "op" and e["args"]["step"] == 2]
    for e, (t0, t1) in zip(ops, step.timing.ops):
        assert e["ts"] == pytest.approx((t0 - origin) * 1e6, abs=1e-3)
        assert e["dur"] == pytest.approx((t1 - t0) * 1e6, abs=2e-3)
    starts = [t0 for t0, _ in step.timing.ops + step.timing.transfers]
    ends = [t1 for _, t1 in sorted(step.timing.ops + step.timing.transfers)]
    assert all(a <= b for a, b in zip(ends, sorted(starts)[1:]))      # one thread: no overlap
    for record, (t0, t1) in zip(step.transfers, step.timing.transfers):
        assert record.seconds == pytest.approx(t1 - t0, abs=1e-9)     # T and O share the interval


def test_a_failing_step_leaves_the_finished_ones(spec_file):
    _, result, doc = traced(spec_file(FAILS_AT_STEP_3))
    assert result.error is not None and result.error.step == 3
    got = check_structure(doc, result)
    assert sorted(got["marks"]) == [1, 2]
    assert doc["otherData"]["error"]["node"] == "check"
    (err,) = [e for e in doc["traceEvents"] if e["ph"] == "i"]
    assert err["name"] == "step 3 failed"


def test_random_schedule_and_feeds_trace(spec_file):
    path = spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: ph, op: placeholder, dtype: float32, shape: [2]}
      - {name: x, op: variable, value: [1.0, 1.0]}
      - device: cpu:1
        nodes:
          - {name: a, op: add, inputs: [ph, x]}
          - {name: b, op: mul, inputs: [ph, x]}
          - {name: s, op: add, inputs: [a, b]}
    run: {fetch: [s], steps: 4, feed: {ph: [1.0, 2.0]}}
    """)
    _, result, doc = traced(path, schedule="random", seed=3)
    check_structure(doc, result)
    kinds = {e["args"]["kind"] for e in doc["traceEvents"] if e.get("cat") == "transfer" and e["ph"] == "X"}
    assert kinds == {"feed", "edge", "fetch"}


def test_control_transfers_get_slices_and_flows(spec_file):
    path = spec_file("""
    devices: [cpu:0, cpu:1]
    nodes:
      - {name: x, op: variable, value: 0.0}
      - {name: inc, op: assign_add, inputs: [x, 1.0]}
      - {name: z, op: const, value: [1.0, 2.0], device: cpu:1, control_inputs: [inc]}
      - {name: w, op: identity, inputs: [z], device: cpu:1}
    run: {fetch: [w], steps: 2}
    """)
    _, result, doc = traced(path)
    check_structure(doc, result)
    control = [e for e in doc["traceEvents"] if e["ph"] == "X" and e.get("cat") == "transfer"
               and e["args"]["kind"] == "control"]
    assert control and control[0]["name"] == "send ^inc"


def test_the_default_step_records_nothing_extra():
    path = str(ROOT / "graphs/cross_device_reads.yaml")
    plain = Pipeline(path)
    source = plain.session.plan(plain.request).source
    assert "O.append" not in source and "u = clk()" not in source
    assert source.count("clk()") == 2 * 4              # only the 4 transfers time themselves
    timed = Pipeline(path, RunOptions(record_times=True))
    tsource = timed.session.plan(timed.request).source
    assert tsource.count("O.append((") == 8 + 4        # 8 ops and 4 transfers
    assert run_spec(path).steps[0].timing is None


def test_cli_trace_out_writes_the_file(cli, tmp_path):
    out = tmp_path / "t.json"
    res = cli("run", str(ROOT / "graphs/cross_device_reads.yaml"), "--trace-out", str(out))
    assert res.exit_code == 0 and res.stdout == "out: [4, 8], [4, 8]\ntransfers_per_step: 4, 4\n"
    doc = json.loads(out.read_text())
    assert doc["displayTimeUnit"] == "ns" and doc["otherData"]["steps"] == 2


@pytest.mark.parametrize("where", ["missing/dir/t.json", "."])
def test_cli_unwritable_trace_out_is_one_line_before_any_step(cli, tmp_path, where):
    """The file is opened before the run (it is streamed): an unwritable path fails at once,
    exit 2, before any step runs, not after all of them (the hardening issue)."""
    target = str(tmp_path / where)
    res = cli("run", str(ROOT / "graphs/cross_device_reads.yaml"), "--trace-out", target)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("error: --trace-out: cannot write")
    assert "Traceback" not in res.stderr


def test_the_trace_is_streamed_memory_stays_flat(tmp_path):
    """[7]: the trace held every step's events until the run ended (94 MB at 10^4 steps)."""
    import resource
    import subprocess
    import sys
    peak = {}
    for steps in (200, 4000):
        out = tmp_path / f"t{steps}.json"
        proc = subprocess.run([sys.executable, "-c",   # the child's peak, measured by a parent of its own
                               "import resource, subprocess, sys\n"
                               "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
                               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)",
                               sys.executable, "-m", "idrun", "run", str(ROOT / "graphs/control_deps_identity.yaml"),
                               "--steps", str(steps), "--format", "jsonl", "--trace-out", str(out)],
                              capture_output=True, text=True, timeout=300)
        peak[steps] = int(proc.stderr.strip().splitlines()[-1])
        assert json.loads(out.read_text())["otherData"]["steps"] == steps
    assert peak[4000] < peak[200] + 20_000, peak   # KB: 20x the steps, not 20x the memory


def test_cli_failing_step_still_writes_the_trace(cli, spec_file, tmp_path):
    out = tmp_path / "t.json"
    res = cli("run", spec_file(FAILS_AT_STEP_3), "--trace-out", str(out))
    assert res.exit_code == 1 and res.stdout.startswith("out: 1, 2\n")
    doc = json.loads(out.read_text())
    assert doc["otherData"]["steps"] == 2 and doc["otherData"]["error"]["step"] == 3
