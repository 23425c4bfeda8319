"""TF's graph collections as a spec names them: `tf.GraphKeys` names and their key strings.

A spec writes a collection as TF's Python does: `UPDATE_OPS` (tf.GraphKeys.UPDATE_OPS) or
its key string `update_ops`, or any other string (`tf.add_to_collection('my_losses', x)`).
idrun keeps the key string, as a MetaGraphDef's `collection_def` does.
"""

from __future__ import annotations

GRAPH_KEYS = {  # tf.compat.v1.GraphKeys (TF 2.21): name -> key string
    "ACTIVATIONS": "activations", "BIASES": "biases", "GLOBAL_STEP": "global_step",
    "GLOBAL_VARIABLES": "variables", "LOCAL_VARIABLES": "local_variables", "LOSSES": "losses",
    "METRIC_VARIABLES": "metric_variables", "MODEL_VARIABLES": "model_variables",
    "MOVING_AVERAGE_VARIABLES": "moving_average_variables", "QUEUE_RUNNERS": "queue_runners",
    "REGULARIZATION_LOSSES": "regularization_losses", "SUMMARIES": "summaries",
    "TRAIN_OP": "train_op", "TRAINABLE_VARIABLES": "trainable_variables", "UPDATE_OPS": "update_ops",
    "VARIABLES": "variables", "WEIGHTS": "weights",
}
KNOWN = frozenset(GRAPH_KEYS) | frozenset(GRAPH_KEYS.values())


def collection_key(name: str) -> str:
    """The key string a spec's collection name means (`UPDATE_OPS` -> `update_ops`)."""
    return GRAPH_KEYS.get(name, name)


def python_key(key: str) -> str:
    """The key as a TF program writes it: `tf1.GraphKeys.UPDATE_OPS`, else the string."""
    for name, value in GRAPH_KEYS.items():
        if value == key and name != "VARIABLES":
            return f"tf1.GraphKeys.{name}"
    return repr(key)
