"""Long runs: output as steps complete, flat memory, Ctrl-C and SIGTERM keep what completed."""

import io
import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import ROOT

SEED = str(ROOT / "graphs/control_deps_identity.yaml")
FAIL = str(ROOT / "graphs/assert_identity_fail.yaml")


def test_jsonl_is_a_header_a_line_per_step_and_a_final_error_line(cli):
    res = cli("run", SEED, "--format", "jsonl", "--steps", "3")
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert set(lines[0]) == {"graph", "variables", "fetch", "placement", "devices"}
    assert [line["values"]["y"] for line in lines[1:4]] == [1.0, 2.0, 3.0]
    assert set(lines[1]) == {"step", "values", "transfers"}
    assert lines[4] == {"error": None, "expect": {"ok": True, "mismatches": []}}
    assert len(lines) == 5


def test_streamed_json_keeps_the_documents_keys_and_completed_steps(cli):
    res = cli("run", FAIL, "--format", "json")
    doc = json.loads(res.stdout)
    assert list(doc) == ["graph", "variables", "fetch", "placement", "steps", "error", "devices", "expect"]
    assert doc["steps"] == [] and doc["error"]["node"] == "assert_equal" and res.exit_code == 1
    doc = json.loads(cli("run", SEED, "--format", "json").stdout)
    assert [s["values"]["y"] for s in doc["steps"]] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_run_without_kept_steps_still_reports_each_step():
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    seen = []

    class Watch:
        def on_step_end(self, step):
            seen.append(step.values["y"].item())
    pipeline = Pipeline(SEED, RunOptions(steps=4))
    result = pipeline.session.run(pipeline.request, (Watch(),), keep_steps=False)
    assert result.steps == [] and seen == [1.0, 2.0, 3.0, 4.0]


def test_nothing_to_run_is_said(cli, spec_file):
    res = cli("run", spec_file("nodes:\n  - {name: a, op: const, value: 1.0}\n"))
    assert res.exit_code == 2 and "nothing to run" in res.stderr and "--fetch" in res.stderr


def test_steps_have_an_upper_bound(cli):
    res = cli("run", SEED, "--steps", "99999999999999999999")
    assert res.exit_code == 2 and "--steps" in res.stderr


@pytest.mark.parametrize("signum,code,fmt", [
    (signal.SIGINT, 130, "jsonl"), (signal.SIGTERM, 143, "json"), (signal.SIGINT, 130, "plain")])
def test_a_signal_stops_after_the_current_step_and_keeps_it(signum, code, fmt):
    proc = subprocess.Popen([sys.executable, "-m", "idrun", "run", SEED, "--steps", "100000000",
                             "--format", "jsonl", "--no-expect"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert json.loads(proc.stdout.readline())["fetch"] == ["y"]     # the run has started
    assert json.loads(proc.stdout.readline())["step"] == 1
    proc.send_signal(signum)
    out, err = proc.stdout.read(), proc.stderr.read()   # not communicate(): readline buffered some
    proc.wait(timeout=60)
    lines = [json.loads(line) for line in out.splitlines()]
    assert proc.returncode == code
    assert "interrupted by SIG" in lines[-1]["error"]["message"]
    steps = [1] + [line["step"] for line in lines[:-1]]   # step 1 was read above
    assert steps == list(range(1, len(steps) + 1))                  # every completed step
    assert lines[-1]["error"]["step"] == steps[-1] + 1    # the step that did not run
    assert "Traceback" not in err and "interrupted by" in err
    if fmt != "jsonl":   # the same through the other formats: one valid document / lines
        _other_format_keeps_steps(signum, code, fmt)


def _other_format_keeps_steps(signum, code, fmt):
    for wait in (1.5, 4.0, 10.0):   # these formats print nothing until the end: give it time
        proc = subprocess.Popen([sys.executable, "-m", "idrun", "run", SEED, "--steps", "100000000",
                                 "--format", fmt, "--no-expect"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == code and "Traceback" not in err, err
        if fmt == "json":
            doc = json.loads(out)          # a valid document, whenever the signal came
            assert "interrupted" in doc["error"]["message"]
            values = [s["values"]["y"] for s in doc["steps"]]
        else:
            values = [float(v) for v in out.split(": ", 1)[1].split(", ") if v.strip()]
        if values:
            assert values[:3] == [1.0, 2.0, 3.0][:len(values)]
            return
    pytest.fail("no step completed before the signal")


def test_progress_bar_waits_half_a_second_then_redraws_sparingly():
    import io
    from idrun.views.progress import ProgressBar
    now = [0.0]
    bar = ProgressBar(100, io.StringIO(), clock=lambda: now[0])
    for _ in range(10):             # 10 steps in 0.1 s: a short run never shows it
        now[0] += 0.01
        bar.on_step_end(None)
    assert bar.bar is None
    now[0] = 0.6
    bar.on_step_end(None)
    assert bar.bar is not None and bar.done == 11
    drawn = bar.next_draw
    bar.on_step_end(None)           # within 0.1 s of the last draw: no redraw
    assert bar.next_draw == drawn
    bar.on_finish(None)


def test_a_nan_in_expect_keeps_the_json_valid(cli, spec_file):
    path = spec_file("nodes:\n  - {name: k, op: const, value: 1.0}\nrun: {fetch: [k]}\nexpect:\n  k: [.nan]\n")
    for fmt in ("json", "jsonl"):
        res = cli("run", path, "--format", fmt)
        doc = json.loads(res.stdout if fmt == "json" else res.stdout.splitlines()[-1])
        assert res.exit_code == 1 and doc["expect"]["mismatches"][0]["expected"] == "nan"


def test_spool_stays_in_memory_then_spills_to_disk():
    from idrun.views.stream import _Spool
    small, big = _Spool(), _Spool()
    for i in range(5):
        small.add(str(i))
    assert small.file is None
    for i in range(20000):
        big.add(str(i))
    assert big.file is not None
    out = io.StringIO()
    small.copy_to(out)
    assert out.getvalue() == "0, 1, 2, 3, 4"
    out = io.StringIO()
    big.copy_to(out)
    assert out.getvalue() == ", ".join(str(i) for i in range(20000))
    trace = _Spool()
    for i in range(3000):
        trace.add(f"step {i}\n  op a\n", sep="")
    assert list(trace.lines()) == [line for i in range(3000) for line in (f"step {i}", "  op a")]
