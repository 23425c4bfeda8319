"""TensorList loops as TF 2.21's graph mode builds them by default (control flow v2: a
`While` whose body is a function, TensorArrays as TensorLists: TensorListReserve,
TensorListFromTensor, TensorListSetItem, TensorListGetItem, TensorListStack...). The same
programs as rnn_loops.py (control flow v1); idrun lowers the While at import
(`idrun.tf.functional`) and runs the TensorList ops as values.

`rnn2_basic`, `rnn2_lstm`: `tf1.nn.dynamic_rnn` (BasicRNNCell, LSTMCell) over a fed sequence.
`rnn2_gru_lengths`: a GRUCell with a fed sequence_length.
`rnn2_map_fn`: `tf.map_fn`; `rnn2_scan`: `tf.scan` cumulative sum.
`rnn2_dynamic_array`: rnn1_dynamic_array's growing TensorArray as a TensorList.
`rnn2_scan_grad`: gradients of a tf.scan and a tf.map_fn (the gradient While of each).
`rnn2_train`: a dynamic_rnn training step with GradientDescent (tf.gradients of a While: TF
2 keeps the forward values in TensorLists with TensorListPushBack/PopBack).
"""

import importlib.util
from pathlib import Path

import tensorflow as tf
from tensorflow.python.ops import control_flow_util

FIXTURE_DIR = "graphdefs_v2"

_spec = importlib.util.spec_from_file_location("rnn_loops_v1", Path(__file__).with_name("rnn_loops.py"))
v1 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(v1)


def _v2(build):
    """Build `build` (a rnn_loops case, without its v1 switch) with control flow v2 on."""
    def run():
        before = control_flow_util.ENABLE_CONTROL_FLOW_V2
        saved = v1._v1
        v1._v1 = lambda: None
        control_flow_util.ENABLE_CONTROL_FLOW_V2 = True
        try:
            return build()
        finally:
            control_flow_util.ENABLE_CONTROL_FLOW_V2 = before
            v1._v1 = saved
    return run


CASES = {
    "rnn2_basic": _v2(v1.basic),
    "rnn2_lstm": _v2(v1.lstm),
    "rnn2_gru_lengths": _v2(v1.gru_lengths),
    "rnn2_map_fn": _v2(v1.map_fn),
    "rnn2_scan": _v2(v1.scan),
    "rnn2_scan_grad": _v2(v1.scan_grad),
    "rnn2_train": _v2(v1.train),
    "rnn2_dynamic_array": _v2(v1.dynamic_array),
}
