"""Write the TF-saved checkpoint that tests/test_checkpoint.py reads without TF.

Run with TF (reference only): /work/main/.venv-tf/bin/python scripts/make_checkpoint_fixtures.py [DIR]
(DIR: write there instead; tests/test_checkpoint.py does, to check a fresh TF save.)
It builds a tf.compat.v1 graph with variables of several dtypes and shapes (one under a
name scope, one scalar), trains one of them for 3 steps of GradientDescent, and saves with
`tf.compat.v1.train.Saver` (the V2 format, global_step=3) into
tests/fixtures/checkpoints/tf_saved/. Beside it, values.json holds every variable's dtype,
shape and values as TF read them back (`sess.run`), so a test compares bit for bit.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "tests", "fixtures", "checkpoints", "tf_saved"))


def main(out: str = OUT) -> int:
    import numpy as np
    import tensorflow as tf
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    graph = tf1.Graph()
    with graph.as_default():
        with tf1.name_scope("conv1"):
            w = tf1.Variable(np.arange(6, dtype=np.float32).reshape(2, 3) / 7, name="weights")
            b = tf1.Variable(np.array([0.5, -1.25, 3.0], np.float32), name="biases")
        tf1.Variable(np.array([1.0, 2.5], np.float64), name="d")
        tf1.Variable(np.int32(7), name="count")
        tf1.Variable(np.array([[1, -2], [3, 2**40]], np.int64), name="big")
        tf1.Variable(np.array([True, False, True]), name="flags")
        tf1.Variable(np.array([0, 255, 17], np.uint8), name="bytes")
        tf1.Variable(np.array([1.5, -0.25], np.float16), name="half")
        tf1.Variable(np.array([-3, 4], np.int8), name="small")
        tf1.Variable(np.array([-300, 400], np.int16), name="short")
        tf1.Variable(np.array([b"ab", b"", b"xyz"], object), name="names")
        x = tf1.constant([[1.0, 2.0]], tf.float32)
        loss = tf1.reduce_sum(tf1.square(tf1.matmul(x, w) + b))
        train = tf1.train.GradientDescentOptimizer(0.01).minimize(loss)
        saver = tf1.train.Saver()
        os.chdir(out)   # a relative save path: the `checkpoint` file names it relatively
        with tf1.Session(graph=graph) as sess:
            sess.run(tf1.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            saver.save(sess, "model.ckpt", global_step=3, write_meta_graph=False)
            values = {}
            for v in tf1.global_variables():
                value = sess.run(v)
                strings = v.dtype.base_dtype == tf.string
                values[v.op.name] = {"dtype": v.dtype.base_dtype.name, "shape": list(value.shape),
                                     "hex": "" if strings else value.tobytes().hex(),
                                     "values": [s.decode() for s in value.ravel()] if strings
                                     else value.tolist()}
    with open("values.json", "w") as f:
        json.dump(values, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", sorted(os.listdir(OUT)))
    return 0


if __name__ == "__main__":
    sys.exit(main(*(os.path.abspath(a) for a in sys.argv[1:2])))
