"""Every op carries all its facts: a doc line, a TF export (or why not), a schema entry, and a
test that runs its kernel. Adding an op is one OpDef and one test; this says which is missing."""

import json
from pathlib import Path

import pytest

import test_checkpoint
import test_control_flow
import test_gradient_gaps
import test_op_gradients
import test_op_gradients_more
import test_ops
import test_ops_array
import test_ops_math
import test_ops_more
import test_ops_nn
import test_ops_state
import test_queues
import test_real_control_flow
import test_random_tf
import test_session
import test_sparse_gradients
import test_summaries
import test_tensor_arrays
from idrun.ops import REGISTRY
from idrun.ops.opdef import TFCall

ROOT = Path(__file__).resolve().parent.parent

# ops whose kernel is tested by a test of its own (the rest are rows of test_ops.CASES)
KERNEL_TESTS = {
    "variable": test_ops.test_variable_update_kernels_and_read,
    "read": test_ops.test_variable_update_kernels_and_read,
    "assign": test_ops.test_variable_update_kernels_and_read,
    "assign_add": test_ops.test_variable_update_kernels_and_read,
    "assign_sub": test_ops.test_variable_update_kernels_and_read,
    "split": test_ops.test_split_with_sizes_and_unstack_axis,
    "unstack": test_ops.test_split_with_sizes_and_unstack_axis,
    "no_op": test_session.test_random_schedules_respect_data_and_control_edges,
    "group": test_session.test_unfetched_op_never_runs,
    "assert_equal": test_ops.test_passing_assert_lets_the_anchored_value_through,
    "conv2d": test_ops_more.test_conv2d_same_and_valid_match_a_direct_sum,
    "bias_add": test_ops_more.test_bias_add_and_embedding_lookup,
    "embedding_lookup": test_ops_more.test_bias_add_and_embedding_lookup,
    "random_normal": test_ops_more.test_random_ops_are_reproducible_and_change_per_step,
    "random_uniform": test_ops_more.test_random_ops_are_reproducible_and_change_per_step,
    "truncated_normal": test_random_tf.test_three_steps_give_tfs_numbers_bit_for_bit,
    "random_shuffle": test_random_tf.test_three_steps_give_tfs_numbers_bit_for_bit,
    "random_uniform_int": test_random_tf.test_three_steps_give_tfs_numbers_bit_for_bit,
    "random_uniform_raw": test_random_tf.test_raw_ops_read_the_shape_each_run_and_give_tfs_numbers,
    "random_standard_normal_raw": test_random_tf.test_raw_ops_read_the_shape_each_run_and_give_tfs_numbers,
    "truncated_normal_raw": test_random_tf.test_raw_ops_read_the_shape_each_run_and_give_tfs_numbers,
    "random_uniform_int_raw": test_random_tf.test_raw_ops_read_the_shape_each_run_and_give_tfs_numbers,
    "exponential_moving_average": test_ops_more.test_ema_matches_tf_numbers,
    "ema_update": test_ops_more.test_ema_matches_tf_numbers,
    "shuffle_batch": test_ops_more.test_shuffle_batch_inputs_are_one_example_by_default,
    "parse_example": test_ops_more.test_parse_example_decodes_real_records,
    **test_ops_nn.KERNEL_TESTS,
    "scalar_summary": test_summaries.test_scalar_summary_is_tfs_bytes,
    "histogram_summary": test_summaries.test_histogram_summary_is_tfs_bytes,
    "image_summary": test_summaries.test_image_summary_is_tfs_bytes_png_included,
    "merge_summary": test_summaries.test_merge_summary_concatenates_values_and_refuses_a_repeated_tag,
}
KERNEL_TESTS.update(test_ops_state.KERNEL_TESTS)  # the updates TF1 programs run
KERNEL_TESTS.update(test_ops_array.KERNEL_TESTS)
KERNEL_TESTS.update(test_queues.KERNEL_TESTS)
KERNEL_TESTS.update(test_control_flow.KERNEL_TESTS)
KERNEL_TESTS.update(test_checkpoint.KERNEL_TESTS)
KERNEL_TESTS.update(test_tensor_arrays.KERNEL_TESTS)
KERNEL_TESTS.update(test_real_control_flow.KERNEL_TESTS)
KERNEL_TESTS.update(test_op_gradients.KERNEL_TESTS)
KERNEL_TESTS.update(test_op_gradients_more.KERNEL_TESTS)
KERNEL_TESTS.update(test_sparse_gradients.KERNEL_TESTS)
KERNEL_TESTS.update(test_gradient_gaps.KERNEL_TESTS)


def _case_ops() -> set[str]:
    return {entry.split("op: ")[1].split(",")[0] for entry, *_ in test_ops.CASES + test_ops_math.CASES}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_op_has_doc_export_schema_and_kernel_test(name):
    op = REGISTRY[name]
    assert op.doc and "\n" not in op.doc, "a one-line doc (idrun ops, the schema)"
    assert (op.tf is None) != (op.tf_unsupported == ""), "a TF export call, or why it has none"
    if op.tf is not None:
        call = TFCall(tuple(f"x{i}" for i in range(max(len(op.inputs), 1))),
                      {a.name: None if a.required else a.default for a in op.attrs}, "n")
        assert op.tf_source(call)                       # the writer runs on default attributes
    schema = json.loads((ROOT / "idrun.schema.json").read_text())
    assert f"op_{name}" in schema["$defs"]
    if op.kernel is not None or op.source == "variable":
        assert name in _case_ops() or name in KERNEL_TESTS, f"no test runs the {name} kernel"


def test_ops_that_test_ops_cases_name_exist():
    assert _case_ops() <= set(REGISTRY)


def test_the_op_reference_is_current():
    """docs/ops.md is generated from the registry: adding an op means regenerating it."""
    import subprocess
    import sys
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_ops_doc.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
