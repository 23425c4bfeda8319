"""Check `idrun.tf.functional.lower_functional` against TensorFlow itself (run with the TF venv
and idrun on the path: `PYTHONPATH=$PWD .venv-tf/bin/python scripts/check_functional_lowering.py`).

1. Every case of scripts/graphdef_cases/control_flow_v2.py is built fresh; its GraphDef and the
   lowered GraphDef are each imported into a new TF graph and run (grappler off) with the
   case's `feeds` and every `alt_feeds` for `steps` steps each; the fetched values must be
   equal bit for bit (the same TF kernels run on the same inputs in both).
2. Every fixture in tests/fixtures/graphdefs_v2/ is lowered and run by TF; its values and
   transfers must equal those the fixture recorded from the original graph.
3. Shuffled copies of those fixtures (the graph's nodes and every function body's) lower to
   what TF's runtime lowers them to, names included (TF numbers nodes in GraphConstructor's
   topological order, which depends on the listing).

tests/test_functional_lowering.py runs both where TF is importable; alone, this prints how many
runs agreed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from google.protobuf import text_format  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))
from tf_common import config, to_json  # noqa: E402

from idrun.tf.functional import FUNCTIONAL_OPS, lower_functional  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
PENDING = SCRIPTS.parent / "tests" / "fixtures" / "graphdefs_v2"


def cases() -> dict:
    path = SCRIPTS / "graphdef_cases" / "control_flow_v2.py"
    spec = importlib.util.spec_from_file_location("graphdef_cases.control_flow_v2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def _sends(md) -> list[tuple[str, str, str]]:
    """The step's transfers; a control edge's (`NODE/ctrl/_N`) without the partitioner's counter."""
    return sorted((re.sub(r"/ctrl/_\d+$", "/ctrl", n.input[0]), n.attr["send_device"].s.decode(),
                   n.attr["recv_device"].s.decode())
                  for pg in md.partition_graphs for n in pg.node if n.op in ("_Send", "_HostSend"))


def run(graph_def, init: str, fetch: list[str], feeds_list: list[dict], steps: int, cpus: int = 1):
    """Import `graph_def` into a fresh graph, run `init`, then `steps` steps per feed dict: the
    values and the transfers (_Send: tensor, from, to) of each step."""
    g = tf1.Graph()
    with g.as_default():
        tf1.import_graph_def(graph_def, name="")
    values, sends = [], []
    cfg = config(cpus)
    cfg.graph_options.optimizer_options.do_function_inlining = True  # TF lowers calls too
    with tf1.Session(graph=g, config=cfg) as sess:
        sess.run(init)
        for feeds in feeds_list:
            for _ in range(steps):
                md = tf1.RunMetadata()
                values.append(sess.run(fetch, feed_dict=feeds, run_metadata=md,
                                       options=tf1.RunOptions(output_partition_graphs=True)))
                sends.append(_sends(md))
    return values, sends


def _check_lowered(graph_def, name: str):
    lowered = lower_functional(graph_def)
    left = sorted({n.op for n in lowered.node if n.op in FUNCTIONAL_OPS})
    assert not left, f"{name}: still holds {left}"
    return lowered


def check_case(name: str, build) -> int:
    """Original and lowered graph of one case give the same values, with the same transfers
    (TF lowers the original itself, so the lowered one's devices must place alike); the
    number of runs compared."""
    g = tf1.Graph()
    with g.as_default():
        case = build()
        init = tf1.global_variables_initializer()
    graph_def = g.as_graph_def()
    fetch = [g.as_graph_element(f).name for f in case["fetch"]]
    feeds_list = [{t.name: v for t, v in f.items()} for f in [case.get("feeds", {})] + case.get("alt_feeds", [])]
    lowered = _check_lowered(graph_def, name)
    cpus = case.get("cpus", 1)
    want, want_sends = run(graph_def, init.name, fetch, feeds_list, case["steps"], cpus)
    got, got_sends = run(lowered, init.name, fetch, feeds_list, case["steps"], cpus)
    assert got_sends == want_sends, f"{name}: transfers {got_sends[0]}, TF's lowering {want_sends[0]}"
    for k, (w, v) in enumerate(zip(want, got)):
        for t, a, b in zip(fetch, w, v):
            assert np.asarray(a).dtype == np.asarray(b).dtype and np.array_equal(a, b), \
                f"{name} run {k + 1} {t}: original {a!r}, lowered {b!r}"
    return len(want)


def check_fixture(name: str) -> int:
    """The lowered pending fixture gives the values TF recorded for the original; steps compared."""
    doc = json.loads((PENDING / f"{name}.json").read_text())
    graph_def = tf1.GraphDef()
    text_format.Parse((PENDING / doc["graph"]).read_text(), graph_def)
    lowered = _check_lowered(graph_def, name)
    cpus = 2 if any("CPU:1" in n.device for n in graph_def.node) else 1  # as the fixture ran
    got, sends = run(lowered, doc["init"], doc["fetch"], [doc["feeds"]], len(doc["steps"]), cpus)
    for step, values, step_sends in zip(doc["steps"], got, sends):
        have = {t: to_json(v) for t, v in zip(doc["fetch"], values)}
        assert have == step["values"], f"{name} step {step['step']}: lowered {have}, recorded {step['values']}"
        recorded = sorted((re.sub(r"/ctrl/_\d+$", "/ctrl", t["tensor"]), t["src"], t["dst"])
                          for t in step["transfers"])
        ours = [(t, src.split("device:")[-1].lower(), dst.split("device:")[-1].lower())
                for t, src, dst in step_sends]
        assert ours == recorded, f"{name} step {step['step']}: transfers {ours}, recorded {recorded}"
    return len(got)


def check_shuffled(name: str, seed: int = 1) -> int:
    """A shuffled copy of a pending fixture lowers as TF lowers it; the number of TF nodes compared."""
    import random

    import functional_lowering_expectations as expectations
    from functional_compare import differences
    doc = json.loads((PENDING / f"{name}.json").read_text())
    graph_def = expectations.read(doc)
    if expectations.cpus_of(graph_def) > 1:
        return 0
    rng = random.Random(seed)
    for nodes in [graph_def.node] + [f.node_def for f in graph_def.library.function]:
        items = list(nodes)
        rng.shuffle(items)
        del nodes[:]
        nodes.extend(items)
    want = expectations.tf_lowered(graph_def, doc)
    found = differences(lower_functional(graph_def), want)
    assert not found, f"{name} shuffled: " + "; ".join(found[:5])
    return len(want)


def fixture_names() -> list[str]:
    return sorted(p.stem for p in PENDING.glob("cfv2_*.json"))


def main() -> int:
    runs = sum(check_case(name, build) for name, build in cases().items())
    print(f"{len(cases())} cases: original and lowered graph agree on {runs} runs (values and transfers)")
    steps = sum(check_fixture(name) for name in fixture_names())
    print(f"{len(fixture_names())} pending fixtures: the lowered graphs give TF's recorded values and "
          f"transfers on {steps} steps")
    nodes = sum(check_shuffled(name) for name in fixture_names())
    print(f"the same, shuffled: {nodes} nodes of TF's own lowering, all built alike (names included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
