"""The PTB word language model's training step (tensorflow/models, tutorials/rnn/ptb/ptb_word_lm.py,
`PTBModel` with the small config shrunk to a 12-word vocabulary, 2 sequences of 3 steps):

    embedding = tf.get_variable("embedding", [vocab_size, size])   # with tf.device("/cpu:0")
    inputs = tf.nn.embedding_lookup(embedding, input_.input_data)
    cell = BasicLSTMCell(size, forget_bias=0.0, state_is_tuple=True)   # MultiRNNCell of 2 layers
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, initial_state=self._initial_state)
    output = tf.reshape(tf.concat(outputs, 1), [-1, size])
    logits = tf.nn.xw_plus_b(output, softmax_w, softmax_b)
    loss = sequence_loss(logits, targets, ones, average_across_timesteps=False, average_across_batch=True)
    self._cost = tf.reduce_sum(loss)
    tvars = tf.trainable_variables()
    grads, _ = tf.clip_by_global_norm(tf.gradients(self._cost, tvars), config.max_grad_norm)
    optimizer = tf.train.GradientDescentOptimizer(self._lr)
    self._train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=get_or_create_global_step())

The embedding's gradient is an IndexedSlices (its gather), clipped with the dense ones and applied
as a sparse update; the LSTM's gradients come back through the while loop (TensorArrayGradV3 and
StackV2 accumulators). seq2seq's sequence_loss is written out as the tutorial's TF 1.x code computes
it (sparse softmax cross entropy per position, summed over time, averaged over the batch).
`ptb_lm` uses ref variables as TF 1.x did, `ptb_lm_resource` resource variables; both control
flow v1, as tf.nn.dynamic_rnn builds it in a TF 1.x graph.
"""

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import rnn_cell_impl  # tf1.nn.rnn_cell's cells (Keras 3 hides that path)

tf1 = tf.compat.v1

VOCAB, SIZE, BATCH, STEPS, LAYERS = 12, 6, 2, 3, 2
WORDS = [[3, 7, 1], [11, 0, 5]]
TARGETS = [[7, 1, 4], [0, 5, 9]]


def _model(resource: bool, tf2_global_step: bool = False):
    """The model and its training step; with `tf2_global_step`, the global step is TF 2's
    `get_or_create_global_step()` (a resource variable, whatever the model's kind), fetched too."""
    tf1.disable_control_flow_v2()
    tf1.set_random_seed(11)
    initializer = tf1.random_uniform_initializer(-0.1, 0.1, seed=5)
    with tf1.variable_scope("Model", initializer=initializer, use_resource=resource):
        with tf1.device("/cpu:0"):
            embedding = tf1.get_variable("embedding", [VOCAB, SIZE], dtype=tf.float32)
            inputs = tf.nn.embedding_lookup(embedding, tf.constant(WORDS, tf.int32))
        cells = [rnn_cell_impl.BasicLSTMCell(SIZE, forget_bias=0.0, state_is_tuple=True) for _ in range(LAYERS)]
        cell = rnn_cell_impl.MultiRNNCell(cells, state_is_tuple=True)
        initial_state = cell.zero_state(BATCH, tf.float32)
        outputs, state = tf1.nn.dynamic_rnn(cell, inputs, initial_state=initial_state)
        output = tf.reshape(tf.concat(outputs, 1), [-1, SIZE])
        softmax_w = tf1.get_variable("softmax_w", [SIZE, VOCAB], dtype=tf.float32)
        softmax_b = tf1.get_variable("softmax_b", [VOCAB], dtype=tf.float32)
        logits = tf1.nn.xw_plus_b(output, softmax_w, softmax_b)
        logits = tf.reshape(logits, [BATCH, STEPS, VOCAB])
        crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=tf.constant(TARGETS, tf.int32), logits=logits)
        loss = tf.reduce_sum(crossent, axis=[0]) / BATCH   # average_across_batch, per time step
        cost = tf.reduce_sum(loss, name="cost")
    lr = tf1.Variable(1.0, trainable=False, name="lr", use_resource=resource)
    tvars = tf1.trainable_variables()
    grads, global_norm = tf.clip_by_global_norm(tf1.gradients(cost, tvars), 5.0)
    optimizer = tf1.train.GradientDescentOptimizer(lr)
    if tf2_global_step:
        global_step = tf1.train.get_or_create_global_step()   # TF 2: a resource variable
    else:   # get_or_create_global_step() as TF 1.x made it: a variable of the graph's kind
        global_step = tf1.Variable(0, trainable=False, name="global_step", dtype=tf.int64, use_resource=resource,
                                   collections=[tf1.GraphKeys.GLOBAL_VARIABLES, tf1.GraphKeys.GLOBAL_STEP])
    train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=global_step)
    final_h = tf.identity(state[-1].h, name="final_h")
    if tf2_global_step:
        return {"fetch": [cost, global_norm, final_h, global_step.read_value()], "targets": [train_op], "steps": 4}
    return {"fetch": [cost, global_norm, final_h], "targets": [train_op], "steps": 5}


def ptb_lm():
    return _model(resource=False)


def ptb_lm_resource():
    return _model(resource=True)


CASES = {"ptb_lm": ptb_lm, "ptb_lm_resource": ptb_lm_resource}
