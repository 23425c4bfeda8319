"""Checkpoints as TF1 programs write them: SaveV2 and RestoreV2 (what tf.compat.v1.train.Saver
builds), in ref and resource mode. The checkpoint goes to a fixed path under the system's
temporary directory (the GraphDef holds it as a constant or a feed; TF does not create
folders, so the files sit in it directly), the same for TF and idrun;
each step saves, then restores what it saved, then trains (after the loss too: nothing
races), so the restored values are the step's values before the update (3 steps)."""

import os
import tempfile

import tensorflow as tf

tf1 = tf.compat.v1
WHERE = tempfile.gettempdir()


def _model(resource: bool):
    w = tf1.Variable([[0.5, -1.0], [0.25, 2.0]], name="weights", use_resource=resource)
    b = tf1.Variable([0.125, -0.5], name="biases", use_resource=resource)
    step = tf1.Variable(0, dtype=tf.int64, name="global_step", use_resource=resource)
    x = tf.constant([[1.0, 2.0]], name="x")
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) + b), name="loss")
    return w, b, step, loss


def _checkpoint_save_restore(resource: bool):
    """tf.raw_ops.SaveV2 of three variables (float32 and an int64 step), RestoreV2 of them
    after it (control dependency), the update after that; the restored values are fetched."""
    w, b, step, loss = _model(resource)
    prefix = tf.constant(os.path.join(WHERE, f"idrun-case-raw-{'resource' if resource else 'ref'}.ckpt"), name="prefix")
    names = tf.constant(["biases", "global_step", "weights"], name="tensor_names")
    slices = tf.constant(["", "", ""], name="shape_and_slices")
    save = tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=slices,
                             tensors=[b, step, w], name="save")
    with tf1.control_dependencies([save]):
        restored = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=names, shape_and_slices=slices,
                                        dtypes=[tf.float32, tf.int64, tf.float32], name="restore")
    with tf1.control_dependencies(restored + [loss]):   # the loss too: no read races the update
        train = tf.group(tf1.assign_sub(w, [[0.125, 0.25], [0.5, 0.75]]), tf1.assign_add(step, 1),
                         tf1.assign_add(b, [1.0, 2.0]), name="train")
    return {"fetch": list(restored) + [loss], "targets": [train], "steps": 3}


def _checkpoint_saver(resource: bool):
    """tf.compat.v1.train.Saver's graph: the update waits on the save (save/control_dependency
    fetched: the path fed to save/Const), so each step's checkpoint holds its values."""
    w, b, step, loss = _model(resource)
    saver = tf1.train.Saver()
    graph = tf1.get_default_graph()
    saved = graph.get_tensor_by_name(saver.saver_def.save_tensor_name)
    with tf1.control_dependencies([saved, loss]):
        train = tf.group(tf1.assign_sub(w, [[0.125, 0.25], [0.5, 0.75]]), tf1.assign_add(step, 1),
                         name="train")
    path = os.path.join(WHERE, f"idrun-case-saver-{'resource' if resource else 'ref'}.ckpt")
    return {"fetch": [saved, loss], "targets": [train],
            "feeds": {graph.get_tensor_by_name(saver.saver_def.filename_tensor_name): path}, "steps": 3}


CASES = {"checkpoint_save_restore_ref": lambda: _checkpoint_save_restore(False),
         "checkpoint_save_restore_resource": lambda: _checkpoint_save_restore(True),
         "checkpoint_saver_ref": lambda: _checkpoint_saver(False),
         "checkpoint_saver_resource": lambda: _checkpoint_saver(True)}
