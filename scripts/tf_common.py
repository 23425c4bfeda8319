"""What the TF-side scripts share (run with the .venv-tf python): JSON of fetched values,
and a session config with grappler and the L1 optimizer off (the graph as built)."""

import base64
import math

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def to_json(v):
    if isinstance(v, bytes):  # a scalar string: np.asarray would drop its trailing NULs
        return _bytes(v)
    v = np.asarray(v)
    if v.dtype.kind == "f":
        if v.ndim == 0:
            x = float(str(v[()]))
            return "nan" if math.isnan(x) else x
        return [to_json(r) for r in v]
    if v.dtype.kind in "SO":
        return [to_json(r) for r in v] if v.ndim else _bytes(v.item())
    return v.tolist()


def _bytes(b):
    """As idrun's JSON writes bytes (idrun.result._plain): UTF-8 text, else "b64:" and base64,
    so serialized protos (summaries) compare byte for byte."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "b64:" + base64.b64encode(b).decode("ascii")


def config(cpus):
    cfg = tf1.ConfigProto(device_count={"CPU": cpus})
    cfg.graph_options.rewrite_options.disable_meta_optimizer = True
    opt = cfg.graph_options.optimizer_options
    opt.opt_level = tf1.OptimizerOptions.L0
    opt.do_constant_folding = False
    opt.do_common_subexpression_elimination = False
    opt.do_function_inlining = False
    return cfg
