"""Load GraphDefs into TensorFlow and run them (one TF process for the batch).

Usage (with the TF venv's python): tf_graphdef_batch.py JOBS.json ; each job is
{"graph": path, "fetch": [tensor names], "feeds": {name: value}, "init": op name,
"steps": N, "cpus": N}. Prints one JSON line per job: {"graph", "doc"} where doc
has per-step values and `_Send` transfers, or {"graph", "crash"}.
"""

import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import tensorflow as tf  # noqa: E402
from tf_common import config, to_json  # noqa: E402
from google.protobuf import text_format  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()


def run(job):
    gd = tf1.GraphDef()
    data = open(job["graph"], "rb").read()
    if job["graph"].endswith(".pb"):
        gd.ParseFromString(data)
    else:
        text_format.Parse(data.decode("utf-8"), gd)
    g = tf1.Graph()
    with g.as_default():
        tf1.import_graph_def(gd, name="")
    fetches = [g.get_tensor_by_name(n) for n in job["fetch"]]
    targets = [g.get_operation_by_name(n) for n in job.get("targets", [])]
    feeds = {g.get_tensor_by_name(k): v for k, v in job.get("feeds", {}).items()}
    doc = {"steps": [], "error": None}
    with tf1.Session(graph=g, config=config(job.get("cpus", 1))) as sess:
        if job.get("init"):
            sess.run(g.get_operation_by_name(job["init"]))
        for step in range(1, job["steps"] + 1):
            md = tf1.RunMetadata()
            try:
                out = sess.run(fetches + targets, feed_dict=feeds,
                               options=tf1.RunOptions(output_partition_graphs=True), run_metadata=md)
            except tf.errors.OpError as exc:
                doc["error"] = {"step": step, "message": exc.message.splitlines()[0]}
                break
            sends = [{"tensor": n.input[0], "src": n.attr["send_device"].s.decode(),
                      "dst": n.attr["recv_device"].s.decode()}
                     for pg in md.partition_graphs for n in pg.node if n.op in ("_Send", "_HostSend")]
            doc["steps"].append({"step": step, "values": {n: to_json(v) for n, v in zip(job["fetch"], out)},
                                 "transfers": sends})
    return doc


def main():
    for job in json.load(open(sys.argv[1])):
        try:
            print(json.dumps({"graph": job["graph"], "doc": run(job)}), flush=True)
        except Exception:  # noqa: BLE001 - one graph's crash is reported, the batch goes on
            print(json.dumps({"graph": job["graph"], "crash": traceback.format_exc(limit=3)}), flush=True)


if __name__ == "__main__":
    main()
