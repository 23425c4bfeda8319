"""TensorFlow interop: export a spec as a tf.compat.v1 program."""
