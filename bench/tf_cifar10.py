"""Run by the TF python from bench.py: the CIFAR-10 tutorial's training step (batch 128,
24x24 images, ref variables), as scripts/graphdef_cases/real_programs.py builds it.

`tf_cifar10.py write DIR`: write DIR/cifar10.pbtxt (the GraphDef), DIR/images.npy,
DIR/labels.npy and DIR/names.json (init op, fetch, target), then time TF Session.run per
step and print a JSON {"per_step": seconds (median)}. `tf_cifar10.py steps DIR`: the written
GraphDef's step timed again (median of 7), for the bench to alternate with idrun's.
`tf_cifar10.py first DIR`: process start to the first loss: import the GraphDef, init, one
step (what `idrun run` of the imported spec does); prints the loss.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts" / "graphdef_cases"))
sys.path.insert(0, str(ROOT / "scripts"))
BATCH = int(os.environ.get("BENCH_CIFAR_BATCH", "128"))


def write(out: Path) -> None:
    import real_programs
    from tf_common import config
    graph = tf1.Graph()
    tf1.disable_resource_variables()
    with graph.as_default():
        case = real_programs.cifar10_train_step(batch=BATCH)
        init = tf1.global_variables_initializer()
    tf.io.write_graph(graph.as_graph_def(), str(out), "cifar10.pbtxt", as_text=True)
    (images, image_value), (labels, label_value) = case["feeds"].items()
    np.save(out / "images.npy", np.asarray(image_value, np.float32))
    np.save(out / "labels.npy", np.asarray(label_value, np.int32))
    loss, train = case["fetch"][0], case["targets"][0]
    (out / "names.json").write_text(json.dumps({"init": init.name, "loss": loss.name, "train": train.name,
                                                "images": images.name, "labels": labels.name}))
    feeds = {images: image_value, labels: label_value}
    with tf1.Session(graph=graph, config=config(1)) as sess:
        for v in graph.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES):
            sess.run(v.initializer)
        sess.run([loss, train], feeds)
        samples = []
        for _ in range(7):
            t = time.perf_counter()
            sess.run([loss, train], feeds)
            samples.append(time.perf_counter() - t)
    print(json.dumps({"per_step": statistics.median(samples)}))


def _initialized_session(out: Path):
    """The written GraphDef imported, a session with its variables initialized in creation
    order, the feeds and the (loss, train) fetches."""
    from google.protobuf import text_format
    from tf_common import config
    names = json.loads((out / "names.json").read_text())
    gd = tf1.GraphDef()
    text_format.Parse((out / "cifar10.pbtxt").read_text(), gd)
    graph = tf1.Graph()
    with graph.as_default():
        tf1.import_graph_def(gd, name="")
    feeds = {names["images"]: np.load(out / "images.npy"), names["labels"]: np.load(out / "labels.npy")}
    sess = tf1.Session(graph=graph, config=config(1))
    for op in graph.get_operations():   # the variables' initializers, in creation order
        if op.type == "Assign" and op.name.endswith("/Assign"):
            sess.run(op)
    return sess, feeds, [names["loss"], names["train"]]


def steps(out: Path) -> None:
    """The written GraphDef's step, timed again (the bench alternates this with idrun's)."""
    sess, feeds, fetches = _initialized_session(out)
    with sess:
        sess.run(fetches, feeds)
        samples = []
        for _ in range(7):
            t = time.perf_counter()
            sess.run(fetches, feeds)
            samples.append(time.perf_counter() - t)
    print(json.dumps({"per_step": statistics.median(samples)}))


def first(out: Path) -> None:
    sess, feeds, fetches = _initialized_session(out)
    with sess:
        print(sess.run(fetches, feeds)[0])


if __name__ == "__main__":
    {"write": write, "steps": steps, "first": first}[sys.argv[1]](Path(sys.argv[2]))
