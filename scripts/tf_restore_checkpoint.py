"""TF's side of `idrun run --save`: restore a checkpoint with tf.compat.v1.train.Saver.

`/work/main/.venv-tf/bin/python scripts/tf_restore_checkpoint.py PREFIX VARS.json` builds a
graph with one tf1.Variable per entry of VARS.json ({name: {dtype, shape}}; zeros, so only
the restore can give them values), restores PREFIX into them with `Saver().restore` and
prints JSON: each variable's {dtype, shape, hex (its bytes), values}, and the checkpoint's
own listing as `tf.train.list_variables` reads it.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(prefix: str, spec_path: str) -> int:
    import numpy as np
    import tensorflow as tf
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()
    with open(spec_path) as f:
        wanted = json.load(f)
    graph = tf1.Graph()
    with graph.as_default():
        variables = {}
        for name, item in wanted.items():
            dtype = tf.as_dtype(item["dtype"])
            scope, _, base = name.rpartition("/")
            init = np.zeros(item["shape"], dtype.as_numpy_dtype) if dtype != tf.string else \
                np.full(item["shape"], b"", object)
            if scope:
                with tf1.name_scope(scope + "/"):
                    variables[name] = tf1.Variable(init, name=base)
            else:
                variables[name] = tf1.Variable(init, name=base)
        saver = tf1.train.Saver(variables)
        with tf1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            out = {}
            for name, v in variables.items():
                value = sess.run(v)
                strings = v.dtype.base_dtype == tf.string
                out[name] = {"dtype": v.dtype.base_dtype.name, "shape": list(value.shape),
                             "hex": "" if strings else value.tobytes().hex(),
                             "values": [s.decode() for s in value.ravel()] if strings else value.tolist()}
    listing = {name: list(shape) for name, shape in tf.train.list_variables(prefix)}
    json.dump({"variables": out, "list_variables": listing}, sys.stdout, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
