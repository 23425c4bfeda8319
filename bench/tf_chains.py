"""Run by the TF python from bench.py: TF Session.run per step on elementwise chains.

argv: a JSON list of [n_ops, size]; prints a JSON list of seconds per step (median)."""

import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.compat.v1.disable_eager_execution()


def per_step(n: int, size: int) -> float:
    graph = tf.Graph()
    with graph.as_default():  # the input is made once, as idrun's feed and numpy's array
        v = tf.constant(np.ones(size, np.float32)) if size <= 16 else \
            tf.compat.v1.Variable(np.random.default_rng(1).random(size, dtype=np.float32))  # read, no copy
        c = tf.constant(np.float32(1.0001))
        x = v
        for i in range(n):
            x = tf.multiply(x, c) if i % 2 else tf.add(x, c)
    config = tf.compat.v1.ConfigProto()  # no constant folding: the chain runs every step
    config.graph_options.optimizer_options.opt_level = tf.compat.v1.OptimizerOptions.L0
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    with tf.compat.v1.Session(graph=graph, config=config) as sess:
        sess.run(tf.compat.v1.global_variables_initializer() if size > 16 else [])
        sess.run(x)
        calls, samples = 1, []
        while True:
            t = time.perf_counter()
            for _ in range(calls):
                sess.run(x)
            dt = time.perf_counter() - t
            if dt > 0.06 or calls >= 64:
                break
            calls *= 4
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(calls):
                sess.run(x)
            samples.append((time.perf_counter() - t) / calls)
    return statistics.median(samples)


print(json.dumps([per_step(n, size) for n, size in json.loads(sys.argv[1])]))
