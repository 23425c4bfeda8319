"""TensorFlow interop: export a spec as a tf.compat.v1 program, tf.train.Example records."""
