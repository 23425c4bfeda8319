"""Whole TF1 programs: what `idrun import` keeps but cannot run beside the step that runs.

`summaries_and_saver`: a training step with a scalar summary, `merge_all` and a Saver in
the graph, as TF1 tutorials write it; the fetched step needs none of them (idrun keeps
the summary and save/restore ops as tf_opaque nodes, pruned from the step).
`initializer_subgraph`: variables whose initializers are ops, not constants (an
expression of constants, `constant_initializer` over a shape), run once before step 1 as
`sess.run(init)` does. `initialized_value`: `w` from `tf.fill`, `v` from
`w.initialized_value() * 2` (TF 2.21 builds a StatelessIf on IsVariableInitialized(w));
run this file to write its GraphDef (see the end).
"""

import tensorflow as tf

tf1 = tf.compat.v1


def summaries_and_saver():
    x = tf1.placeholder(tf.float32, shape=[2], name="x")
    w = tf1.Variable([0.5, -1.0], name="w", use_resource=False)
    b = tf1.Variable(0.25, name="b", use_resource=False)
    y = tf.add(tf.reduce_sum(tf.multiply(w, x)), b, name="y")
    loss = tf.square(y - 1.0, name="loss")
    tf1.summary.scalar("loss", loss)
    tf1.summary.scalar("bias", b)
    tf1.summary.merge_all()
    tf1.train.Saver([w, b])
    with tf1.control_dependencies([loss]):  # race-free: the step reads w, then updates it
        update = tf1.assign_sub(w, tf.multiply(0.1, x), name="update")
    return {"fetch": [loss], "targets": [update], "feeds": {x: [1.0, 2.0]}, "steps": 3}


def initializer_subgraph():
    base = tf.constant([1.0, 2.0, 3.0], name="base")
    w = tf1.Variable(base * 2.0 + 1.0, name="w", use_resource=False)
    u = tf1.get_variable("u", shape=[3], initializer=tf1.constant_initializer(0.5), use_resource=False)
    step = tf1.assign_add(u, w, name="step")
    return {"fetch": [step], "steps": 3}


def initialized_value():
    w = tf1.Variable(tf.fill([2, 3], 1.5), name="w", use_resource=False)
    v = tf1.Variable(w.initialized_value() * 2.0, name="v", use_resource=False)
    step = tf1.assign_add(v, w, name="step")
    return {"fetch": [step], "steps": 3}


CASES = {
    "import_whole_summaries_saver": summaries_and_saver,
    "import_whole_initializer": initializer_subgraph,
}


if __name__ == "__main__":
    # `initialized_value` is no fixture case: TF 2.21 runs it only in a default session, which
    # lowers the StatelessIf to Switch/Merge (`_lower_using_switch_merge`); with the fixtures'
    # optimizations off the If reads w, uninitialized, and init fails. This writes its GraphDef
    # and prints what a default session fetches (tests/test_import_whole.py holds the numbers),
    # beside graphdefs/ (whose GraphDefs each have a record of TF's run).
    tf1.disable_eager_execution()
    g = tf1.Graph()
    with g.as_default():
        case = initialized_value()
        init = tf1.global_variables_initializer()
    tf.io.write_graph(g.as_graph_def(), "tests/fixtures", "import_whole_initialized_value.pbtxt")
    with tf1.Session(graph=g) as sess:
        sess.run(init)
        print([sess.run(case["fetch"][0]).tolist() for _ in range(case["steps"])])
    # a Saver's MetaGraphDef (`model.ckpt.meta`) of summaries_and_saver, with train_op and losses
    g = tf1.Graph()
    with g.as_default():
        case = summaries_and_saver()
        tf1.add_to_collection(tf1.GraphKeys.TRAIN_OP, case["targets"][0])
        tf1.add_to_collection(tf1.GraphKeys.LOSSES, case["fetch"][0])
        tf1.train.export_meta_graph("tests/fixtures/graphdefs/import_whole_saver.meta", graph=g)
