"""idrun: run TensorFlow-1-style dataflow graphs from YAML and see what they do."""

__version__ = "0.1.0"
