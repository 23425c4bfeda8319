"""Write the GraphDef fixtures of `idrun import` with TensorFlow itself.

Run once with the TF venv (`.venv-tf/bin/python scripts/make_graphdef_fixtures.py`).
Each graph is built with tf.compat.v1 calls, written by `tf.io.write_graph`
into tests/fixtures/graphdefs/NAME.pbtxt, then run by a TF session (grappler
off, one CPU per device); what TF printed is saved beside it as NAME.json:
fetch names, feeds, and per step the values and the `_Send` transfers of the
partition graphs. The fixtures are TF's output: do not edit them by hand.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import tensorflow as tf  # noqa: E402
from tf_common import config, to_json  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "graphdefs"
# a case module's `FIXTURE_DIR` (a folder of tests/fixtures) writes its cases there instead of
# OUT: programs idrun cannot run yet, kept out of conformance.check_fixtures until it can
OUT_OF: dict[str, Path] = {}
CPU0, CPU1 = "/device:CPU:0", "/device:CPU:1"


def seed(resource: bool, alias: bool):
    x = tf1.Variable(0.0, name="x", use_resource=resource)
    x_plus_1 = tf1.assign_add(x, 1.0, name="x_plus_1")
    with tf1.control_dependencies([x_plus_1]):
        y = x if alias else tf.identity(x, name="y")
    return {"fetch": [y], "steps": 5}


def cross_device_reads(resource: bool, identity: bool = False):
    with tf1.device(CPU0):
        x = tf1.Variable([1.0, 2.0], name="x", use_resource=resource)
    with tf1.device(CPU1):
        src = tf.identity(x, name="x_local") if identity else x
        a = tf.add(src, 1.0, name="a")
        b = tf.multiply(src, 2.0, name="b")
        c = tf.subtract(src, 1.0, name="c")
        s = tf.add(a, b, name="s")
        out = tf.add(s, c, name="out")
    return {"fetch": [out], "steps": 2, "cpus": 2}


def cifar_loss_averages(resource: bool):
    x = tf1.placeholder(tf.float32, shape=[2], name="x")
    w = tf1.Variable([0.5, 1.5], name="w", use_resource=resource)
    loss1 = tf.reduce_sum(x, name="loss1")
    wx = tf.multiply(w, x, name="wx")
    loss2 = tf.reduce_sum(wx, name="loss2")
    total = tf.add(loss1, loss2, name="total")
    ema = tf1.train.ExponentialMovingAverage(0.9, name="avg")
    avg_op = ema.apply([loss1, loss2, total])
    with tf1.control_dependencies([avg_op]):
        total_loss = tf.identity(total, name="total_loss")
    with tf1.control_dependencies([total_loss]):
        loss1_avg = tf.identity(ema.average(loss1), name="loss1_avg")
    return {"fetch": [total_loss, loss1_avg], "feeds": {x: [1.0, 2.0]}, "steps": 3}


def group_barrier(resource: bool):
    with tf1.device(CPU0):
        a = tf1.Variable(0.0, name="a", use_resource=resource)
    with tf1.device(CPU1):
        b = tf1.Variable(10.0, name="b", use_resource=resource)
    inc_a = tf1.assign_add(a, 1.0, name="inc_a")
    inc_b = tf1.assign_add(b, 2.0, name="inc_b")
    both = tf.group(inc_a, inc_b, name="both")
    with tf1.control_dependencies([both]):
        barrier = tf.no_op(name="barrier")
    with tf1.control_dependencies([barrier]):
        total = tf.add(tf.identity(a, name="a_now"), tf.identity(b, name="b_now"), name="total")
    return {"fetch": [total], "targets": [barrier], "steps": 3, "cpus": 2}


CASES = {
    "seed_identity_resource": lambda: seed(True, False),
    "seed_alias_resource": lambda: seed(True, True),
    "seed_identity_ref": lambda: seed(False, False),
    "seed_alias_ref": lambda: seed(False, True),
    "cross_device_reads_resource": lambda: cross_device_reads(True),
    "cross_device_reads_ref": lambda: cross_device_reads(False),
    "identity_copies_once": lambda: cross_device_reads(True, identity=True),
    "cifar_loss_averages_resource": lambda: cifar_loss_averages(True),
    "cifar_loss_averages_ref": lambda: cifar_loss_averages(False),
    "group_barrier_resource": lambda: group_barrier(True),
    "group_barrier_ref": lambda: group_barrier(False),
}


def short(device: str) -> str:
    return device.split("device:")[-1].lower()


def write(name: str, build) -> None:
    out_dir = OUT_OF.get(name, OUT)
    out_dir.mkdir(parents=True, exist_ok=True)
    g = tf1.Graph()
    with g.as_default():
        try:
            case = build()
        finally:   # a case may build TF 1.x control flow (disable_control_flow_v2): not the next
            tf1.enable_control_flow_v2()
        init = tf1.global_variables_initializer()
    fetch = [g.as_graph_element(f) for f in case["fetch"]]
    targets = [t if isinstance(t, tf.Operation) else t.op for t in case.get("targets", [])]
    feeds = case.get("feeds", {})
    tf.io.write_graph(g.as_graph_def(), str(out_dir), f"{name}.pbtxt", as_text=True)
    doc = {"graph": f"{name}.pbtxt", "init": init.name, "fetch": [t.name for t in fetch],
           "targets": [t.name for t in targets],
           "feeds": {t.name: v for t, v in feeds.items()}, "steps": []}
    cfg = config(case.get("cpus", 1))
    # `inline_functions`: TF inlines function calls (PartitionedCall) before placing, as idrun's
    # lowering does, so that their transfers are those of the inlined body
    cfg.graph_options.optimizer_options.do_function_inlining = bool(case.get("inline_functions"))
    with tf1.Session(graph=g, config=cfg) as sess:
        if case.get("init_in_order"):
            # ref variables whose initializers read other variables (TF 2's EMA shadows read the
            # variable itself): `init` can race, so initialize in creation order, as TF1 users did
            for v in g.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES):
                sess.run(v.initializer)
        else:
            sess.run(init)
        runners = g.get_collection(tf1.GraphKeys.QUEUE_RUNNERS)
        if runners:  # an input pipeline: its local variables (num_epochs), then its runner threads
            sess.run(tf1.local_variables_initializer())
            coord = tf1.train.Coordinator()
            threads = tf1.train.start_queue_runners(sess, coord=coord)
        for step in range(1, case["steps"] + 1):
            md = tf1.RunMetadata()
            out = sess.run(fetch + targets, feed_dict=feeds,
                           options=tf1.RunOptions(output_partition_graphs=True), run_metadata=md)
            sends = [{"tensor": n.input[0], "src": short(n.attr["send_device"].s.decode()),
                      "dst": short(n.attr["recv_device"].s.decode())}
                     for pg in md.partition_graphs for n in pg.node if n.op in ("_Send", "_HostSend")]
            doc["steps"].append({"step": step, "values": {t.name: to_json(v) for t, v in zip(fetch, out)},
                                 "transfers": sends})
        if runners:
            coord.request_stop()
            coord.join(threads, stop_grace_period_secs=5)
    (out_dir / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {name}: {len(g.as_graph_def().node)} nodes, "
          f"{[s['values'] for s in doc['steps']][-1]}, {len(doc['steps'][0]['transfers'])} transfers/step")


def all_cases() -> dict:
    """The cases above plus every `CASES` of scripts/graphdef_cases/*.py (one module per kind of
    program, so that each kind is written and reviewed on its own)."""
    import importlib.util
    cases = dict(CASES)
    for path in sorted((Path(__file__).resolve().parent / "graphdef_cases").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"graphdef_cases.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, build in module.CASES.items():
            if name in cases:
                raise SystemExit(f"{path.name}: case {name!r} is defined twice")
            cases[name] = build
            if getattr(module, "FIXTURE_DIR", None):
                OUT_OF[name] = OUT.parent / module.FIXTURE_DIR
    return cases


def main(argv: list[str]) -> int:
    """`make_graphdef_fixtures.py [NAME ...]`: write every case, or the named ones."""
    OUT.mkdir(parents=True, exist_ok=True)
    cases = all_cases()
    unknown = [n for n in argv if n not in cases]
    if unknown:
        raise SystemExit(f"no such case: {', '.join(unknown)} (cases: {', '.join(cases)})")
    for name, build in cases.items():
        if not argv or name in argv:
            write(name, build)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
