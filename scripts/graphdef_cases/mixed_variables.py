"""Graphs with both kinds of variable, as TF 2.x's tf.compat.v1 builds real TF1 programs: ref
variables (`use_resource=False`) next to resource ones (TF 2's `get_or_create_global_step`, a
`tf1.Variable` made with `use_resource=True`). Each variable keeps its kind's semantics.

- `mixed_ptb_lm`: the PTB word language model of `ptb_lm.py` with ref model variables and TF 2's
  resource global step from `tf1.train.get_or_create_global_step()`.
- `mixed_mlp_momentum`: a small MLP with ref variables trained by Momentum, with a resource
  global step and an `exponential_decay` learning rate on it.
- `mixed_resource_model`: the reverse, resource model variables and one ref variable (a step
  counter) updated by an assign.
"""

import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parent))   # the fixture modules beside this one
from ptb_lm import _model as ptb_model  # noqa: E402

tf1 = tf.compat.v1


def mixed_ptb_lm():
    return ptb_model(resource=False, tf2_global_step=True)


def mixed_mlp_momentum():
    tf1.set_random_seed(3)
    x = tf.constant(np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3))
    y = tf.constant([[0.5], [-0.25], [1.0], [0.0]], tf.float32)
    with tf1.variable_scope("mlp", use_resource=False):
        w1 = tf1.get_variable("w1", [3, 5], initializer=tf1.glorot_uniform_initializer(seed=1))
        b1 = tf1.get_variable("b1", [5], initializer=tf1.zeros_initializer())
        w2 = tf1.get_variable("w2", [5, 1], initializer=tf1.truncated_normal_initializer(stddev=0.5, seed=2))
        b2 = tf1.get_variable("b2", [1], initializer=tf1.constant_initializer(0.1))
    hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
    out = tf.matmul(hidden, w2) + b2
    loss = tf.reduce_mean(tf.square(out - y), name="loss")
    global_step = tf1.train.get_or_create_global_step()
    lr = tf1.train.exponential_decay(0.1, global_step, 2, 0.5, staircase=False)
    train_op = tf1.train.MomentumOptimizer(lr, 0.9).minimize(loss, global_step=global_step)
    return {"fetch": [loss, lr, out], "targets": [train_op], "steps": 4}


def mixed_resource_model():
    with tf1.variable_scope("model", use_resource=True):
        w = tf1.get_variable("w", [2, 2], initializer=tf1.constant_initializer([[1.0, -0.5], [0.25, 2.0]]))
        b = tf1.get_variable("b", [2], initializer=tf1.constant_initializer([0.5, -1.0]))
    counter = tf1.Variable(0.0, name="counter", use_resource=False, trainable=False)
    x = tf.constant([[1.0, 2.0], [3.0, -1.0]])
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) + b), name="loss")
    train_op = tf1.train.GradientDescentOptimizer(0.01).minimize(loss)
    with tf1.control_dependencies([train_op]):
        count = tf1.assign(counter, counter + loss, name="count")
    return {"fetch": [loss, count, counter], "targets": [count], "steps": 3}


CASES = {"mixed_ptb_lm": mixed_ptb_lm, "mixed_mlp_momentum": mixed_mlp_momentum,
         "mixed_resource_model": mixed_resource_model}
