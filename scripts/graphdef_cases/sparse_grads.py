"""Embedding models trained through sparse gradients (issue 20): TF's gradient of a gather is an
IndexedSlices, so these GraphDefs hold what TF 1.x builds for it and for each optimizer's sparse
update, in both variable modes: ResourceGather (resource) or GatherV2 on `<var>/read` (ref), the
gradient's Size/ExpandDims/StridedSlice/ConcatV2/Reshape nodes, `gradients/concat` of two lookups'
slices, `_deduplicate_indexed_slices` (Unique, Shape, UnsortedSegmentSum), ScatterSub /
ResourceScatterAdd (GradientDescent), SparseApplyMomentum, SparseApplyAdagrad, SparseApplyRMSProp
(and their Resource* forms) and Adam's slot scatter_adds. The ids are placeholders fed with
seeded numbers (repeated ids included), the tables random_uniform as word2vec_basic.py makes them.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
VOCAB, DIM, BATCH = 9, 4, 6
OPTIMIZERS = {
    "gd": lambda: tf1.train.GradientDescentOptimizer(0.5),
    "momentum": lambda: tf1.train.MomentumOptimizer(0.3, 0.9),
    "adam": lambda: tf1.train.AdamOptimizer(0.05),
    "rmsprop": lambda: tf1.train.RMSPropOptimizer(0.05),
    "adagrad": lambda: tf1.train.AdagradOptimizer(0.3),
}


def _ids(seed: int, n: int) -> list:
    return np.random.default_rng(seed).integers(0, VOCAB, n).astype(np.int32).tolist()


def cbow(resource: bool, optimizer: str):
    """word2vec's CBOW without NCE: two context words looked up in one table (two IndexedSlices
    concatenated at the variable), averaged, a full softmax predicts the center word."""
    tf1.set_random_seed(20)
    left = tf1.placeholder(tf.int32, [BATCH], name="left")
    right = tf1.placeholder(tf.int32, [BATCH], name="right")
    center = tf1.placeholder(tf.int32, [BATCH], name="center")
    embeddings = tf1.Variable(tf1.random_uniform([VOCAB, DIM], -1.0, 1.0), name="embeddings", use_resource=resource)
    softmax_w = tf1.Variable(tf1.truncated_normal([DIM, VOCAB], stddev=0.5), name="softmax_w", use_resource=resource)
    softmax_b = tf1.Variable(tf.zeros([VOCAB]), name="softmax_b", use_resource=resource)
    context = (tf.nn.embedding_lookup(embeddings, left) + tf.nn.embedding_lookup(embeddings, right)) * 0.5
    logits = tf.nn.bias_add(tf.matmul(context, softmax_w), softmax_b)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=center, logits=logits))
    train = OPTIMIZERS[optimizer]().minimize(loss)
    # the loss of each step is computed from the table the previous steps updated (fetching the
    # table in the same run as the update would race with it)
    return {"fetch": [loss], "targets": [train], "steps": 5,
            "feeds": {left: _ids(1, BATCH), right: _ids(2, BATCH), center: _ids(3, BATCH)}}


def regularized_gather(resource: bool):
    """tf.gather on the table (ResourceGather through sparse_read, or GatherV2 on its read) plus
    an L2 penalty on the whole table: an IndexedSlices meets a dense gradient, so TF adds them
    (`gradients/AddN_1` with its UnsortedSegmentSum input `inputs_1`) and the update is dense."""
    tf1.set_random_seed(21)
    ids = tf1.placeholder(tf.int32, [BATCH], name="ids")
    target = tf1.placeholder(tf.float32, [BATCH, DIM], name="target")
    table = tf1.Variable(tf1.random_uniform([VOCAB, DIM], -1.0, 1.0), name="table", use_resource=resource)
    rows = tf1.gather(table, ids)
    loss = tf.reduce_mean(tf.square(rows - target)) + 0.01 * tf.nn.l2_loss(table)
    train = tf1.train.MomentumOptimizer(0.2, 0.9).minimize(loss)
    return {"fetch": [loss], "targets": [train], "steps": 4,
            "feeds": {ids: _ids(4, BATCH), target: np.random.default_rng(5).standard_normal([BATCH, DIM])
                      .astype(np.float32).tolist()}}


CASES = {f"sparse_cbow_{opt}_{mode}": (lambda r=(mode == "resource"), o=opt: cbow(r, o))
         for opt in OPTIMIZERS for mode in ("ref", "resource")}
CASES.update({"sparse_regularized_gather_ref": lambda: regularized_gather(False),
              "sparse_regularized_gather_resource": lambda: regularized_gather(True)})
