"""Write what TF's own runtime lowers each control-flow-v2 fixture to, so that
tests/test_functional_lowering.py can check `idrun.tf.functional.lower_functional` without TF.

Run with the TF venv after make_graphdef_fixtures.py wrote tests/fixtures/graphdefs_v2/:
`.venv-tf/bin/python scripts/functional_lowering_expectations.py [NAME ...]`.

For each `cfv2_*` fixture the GraphDef is imported into a TF session (grappler off, function
inlining on, oneDNN rewrites off) and run one step with its feeds; the partition graph of that
step is TF's LowerFunctionalOpsPass output, pruned to the fetches and placed. A fixture on two
devices is left out (its partitions add the transfers and control loops of cross-device
frames); scripts/check_functional_lowering.py compares its transfers with TF's instead. Its nodes (all but
the _Arg/_Retval/_Send/_Recv the session adds), with op type, inputs (a fed `_arg_X_0_0` read
as `X`) and the attributes the lowering sets, go to tests/fixtures/functional_lowering/NAME.json.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import tensorflow as tf  # noqa: E402
from google.protobuf import text_format  # noqa: E402
from functional_compare import SESSION_ATTRS  # noqa: E402
from tf_common import config  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PENDING = FIXTURES / "graphdefs_v2"
OUT = FIXTURES / "functional_lowering"
SESSION_OPS = {"_Arg", "_Retval", "_Send", "_Recv", "_HostSend", "_HostRecv"}


def _input(name: str) -> str:
    m = re.match(r"(\^?)_arg_(.*)_0_\d+$", name)
    return m.group(1) + m.group(2) if m else name


def read(doc: dict):
    gd = tf1.GraphDef()
    text_format.Parse((PENDING / doc["graph"]).read_text(), gd)
    return gd


def cpus_of(gd) -> int:
    return 2 if any("CPU:1" in n.device for n in gd.node) else 1


def tf_lowered(gd, doc: dict) -> list[dict]:
    """TF's lowered nodes for GraphDef `gd` of a fixture (its first step)."""
    g = tf1.Graph()
    with g.as_default():
        tf1.import_graph_def(gd, name="")
    cfg = config(1)
    cfg.graph_options.optimizer_options.do_function_inlining = True
    md = tf1.RunMetadata()
    with tf1.Session(graph=g, config=cfg) as sess:
        sess.run(doc["init"])
        sess.run(doc["fetch"] + doc["targets"], feed_dict=doc["feeds"],
                 options=tf1.RunOptions(output_partition_graphs=True), run_metadata=md)
    (pg,) = md.partition_graphs
    return [{"name": n.name, "op": n.op, "input": [_input(i) for i in n.input],
             "attr": {k: text_format.MessageToString(v, as_one_line=True)
                      for k, v in sorted(n.attr.items()) if k not in SESSION_ATTRS}}
            for n in pg.node if n.op not in SESSION_OPS]


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for path in sorted(PENDING.glob("cfv2_*.json")):
        name = path.stem
        if argv and name not in argv:
            continue
        doc = json.loads(path.read_text())
        graph_def = read(doc)
        if cpus_of(graph_def) > 1:
            continue
        nodes = tf_lowered(graph_def, doc)
        rows = ",\n  ".join(json.dumps(n, sort_keys=True) for n in nodes)
        (OUT / f"{name}.json").write_text(f'{{"graph": {json.dumps(doc["graph"])},\n "tf_lowered": [\n  {rows}\n]}}\n')
        print(f"wrote {name}: {len(nodes)} lowered nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
