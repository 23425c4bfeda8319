"""The nn ops and their gradient kernels against TensorFlow 2.21's CPU kernels.

The expected values are what TF printed (TF_ENABLE_ONEDNN_OPTS=0, a session with grappler off,
as scripts/make_graphdef_fixtures.py runs it) for the TF call named above each; the inputs are
the `seq` arrays below, built the same way in that TF program. `exact` compares bit for bit,
where TF's CPU kernel has a fixed float order that idrun follows; `close` allows a few ulps
where TF's kernel uses Eigen's vectorized exp/log/rsqrt or a reduction whose summation order
depends on Eigen's packet size and blocking (the reason is given at each use).
"""

import numpy as np
import pytest

from conftest import run_spec


def seq(shape, mul=37, mod=23, scale=4.0):
    """Deterministic test values k/scale in [-mod/2/scale, mod/2/scale), as the TF program built them."""
    n = int(np.prod(shape))
    return (((np.arange(n) * mul % mod) - mod // 2) / scale).astype(np.float32).reshape(shape)


def run_nodes(spec_file, consts: dict, entries: list[str], fetch: list[str], steps: int = 1) -> dict:
    """Run constants and node entries; the fetched values of the last step."""
    lines = [f"  - {{name: {k}, op: const, value: {np.asarray(v).tolist()}}}" for k, v in consts.items()]
    lines += [f"  - {e}" for e in entries]
    fetched = ", ".join(f'"{f}"' for f in fetch)
    path = spec_file("nodes:\n" + "\n".join(lines) + f"\nrun: {{fetch: [{fetched}], steps: {steps}}}\n")
    return {k: np.asarray(v) for k, v in run_spec(path).steps[-1].values.items()}


def exact(got, tf_values, dtype=np.float32):
    want = np.array(tf_values, dtype)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def close(got, tf_values, rtol=1e-6, atol=1e-7):
    want = np.array(tf_values, np.float32)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


X = seq((1, 5, 5, 2))


def test_max_pool_and_avg_pool_match_tf_bit_for_bit(spec_file):
    r = run_nodes(spec_file, {"x": X}, [
        "{name: mp, op: max_pool, inputs: [x], ksize: [1, 3, 3, 1], strides: [1, 2, 2, 1], padding: SAME}",
        "{name: ap, op: avg_pool, inputs: [x], ksize: 3, strides: 2, padding: SAME}",
        "{name: mpv, op: max_pool, inputs: [x], ksize: [2, 2], strides: 2, padding: VALID}",
        "{name: apv, op: avg_pool, inputs: [x], ksize: [2, 3], strides: [1, 2], padding: VALID}",
    ], ["mp", "ap", "mpv", "apv"])
    # tf1.nn.max_pool(X, [1, 3, 3, 1], [1, 2, 2, 1], "SAME")
    exact(r["mp"], [[[[-1.0, 2.5], [1.5, 2.5], [2.75, 0.5]], [[0.0, 2.5], [2.5, 2.5], [2.75, 1.5]],
                     [[0.5, 2.75], [2.5, 0.75], [2.5, 2.0]]]])
    # tf1.nn.avg_pool(X, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"): SAME windows average their inputs only
    exact(r["ap"], [[[[-1.875, 1.625], [0.0, -0.33333334], [1.875, -0.375]], [[-1.125, 0.45833334],
                      [0.75, -0.8611111], [0.7083333, 0.375]], [[-0.375, 0.25], [0.5416667, -0.75],
                      [-0.9375, 1.125]]]])
    # tf1.nn.max_pool(X, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    exact(r["mpv"], [[[[-1.0, 2.5], [1.5, -0.75]], [[0.0, 2.25], [2.5, 0.25]]]])
    # tf1.nn.avg_pool(X, [1, 2, 3, 1], [1, 1, 2, 1], "VALID")
    exact(r["apv"], [[[[-1.25, 0.33333334], [1.25, -1.0]], [[-0.75, -0.125], [0.7916667, -0.5]],
                      [[-0.25, -0.5833333], [0.33333334, 0.0]], [[0.25, -0.083333336], [-0.125, 0.5]]]])


L = seq((1, 2, 2, 6), 7, 13, 2.0)
# tf1.nn.lrn(L, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
LRN_CIFAR = [[[[-2.9948852, 0.49905416, -2.4952707, 0.9981083, -1.9962167, 1.4982836],
               [-1.4982836, 1.9962167, -0.9981083, 2.4952707, -0.49905416, 2.9948852]],
              [[0.0, -2.9948852, 0.49914753, -2.4957376, 0.99829507, -1.9965901],
               [1.4980342, -1.4980031, 1.9973375, -0.99866873, 2.496672, -0.49942786]]]]


def test_lrn_with_the_cifar10_tutorial_parameters(spec_file):
    r = run_nodes(spec_file, {"x": L}, [
        "{name: norm1, op: local_response_normalization, inputs: [x], depth_radius: 4, bias: 1.0, "
        "alpha: 0.00011111111, beta: 0.75}",
        "{name: norm2, op: local_response_normalization, inputs: [x], depth_radius: 2, bias: 2.0, "
        "alpha: 0.5, beta: 1.0}",
    ], ["norm1", "norm2"])
    # TF's CPU kernel sums the squares with an Eigen contraction and raises to -beta with
    # Eigen's exp/log: within 2 ulps
    close(r["norm1"], LRN_CIFAR)
    # tf1.nn.lrn(L, 2, bias=2.0, alpha=0.5, beta=1.0)
    close(r["norm2"], [[[[-0.3076923, 0.048780486, -0.20408162, 0.112676054, -0.22857141, 0.26666665],
                         [-0.26666665, 0.22857141, -0.112676054, 0.20408162, -0.048780486, 0.3076923]],
                        [[0.0, -0.3076923, 0.048780486, -0.20408162, 0.12903225, -0.26229507],
                         [0.24, -0.22222222, 0.20253164, -0.112676054, 0.32258064, -0.08695652]]]])


S = seq((2, 4), 5, 11, 3.0)
LABELS = [[0.25, 0.25, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0]]


def test_softmax_log_softmax_and_cross_entropies(spec_file):
    r = run_nodes(spec_file, {"s": S, "labels": LABELS, "ids": [2, 0]}, [
        "{name: sm, op: softmax, inputs: [s]}",
        "{name: lsm, op: log_softmax, inputs: [s]}",
        "{name: xent, op: softmax_cross_entropy_with_logits, inputs: [s, labels]}",
        "{name: sparse, op: sparse_softmax_cross_entropy_with_logits, inputs: [s, ids]}",
    ], ["sm", "lsm", "xent:0", "xent:1", "sparse:0", "sparse:1"])
    # TF's kernels use Eigen's vectorized exp/log and row sums: within a few ulps, and log_softmax
    # and the backprops near 0 within an absolute 1e-7
    # tf1.nn.softmax(S)
    close(r["sm"], [[0.026233098, 0.13889088, 0.73535633, 0.099519655],
                    [0.51312613, 0.06944407, 0.36767092, 0.049758844]])
    # tf1.nn.log_softmax(S)
    close(r["lsm"], [[-3.6407332, -1.9740667, -0.3074001, -2.3074002],
                     [-0.6672336, -2.6672335, -1.000567, -3.000567]])
    # tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=S, labels=LABELS): (loss, backprop)
    close(r["xent:0"], [1.5574, 2.6672335])
    close(r["xent:1"], [[-0.22376691, -0.11110912, 0.23535633, 0.099519655],
                        [0.51312613, -0.93055594, 0.36767092, 0.04975884]])
    # tf.raw_ops.SparseSoftmaxCrossEntropyWithLogits(features=S, labels=[2, 0])
    close(r["sparse:0"], [0.3074001, 0.6672336])
    close(r["sparse:1"], [[0.026233098, 0.13889088, -0.26464367, 0.099519655],
                          [-0.48687387, 0.06944407, 0.36767092, 0.04975884]])


def test_l2_loss_relu6_and_elu(spec_file):
    r = run_nodes(spec_file, {"s": S, "s3": S * 3}, [
        "{name: l2, op: l2_loss, inputs: [s]}",
        "{name: r6, op: relu6, inputs: [s3]}",
        "{name: elu, op: elu, inputs: [s]}",
    ], ["l2", "r6", "elu"])
    close(r["l2"], 4.944444)  # tf1.nn.l2_loss(S): an Eigen full reduction (order by packets)
    exact(r["r6"], [[0.0, 0.0, 5.0, 0.0], [4.0, 0.0, 3.0, 0.0]])  # tf1.nn.relu6(S * 3)
    # tf1.nn.elu(S): Eigen's exp
    close(r["elu"], [[-0.8111244, 0.0, 1.6666666, -0.28346872],
                     [1.3333334, -0.48658293, 1.0, -0.63212055]])


B = seq((1, 2, 2, 3), 5, 7, 2.0)
BN = {"x": B, "scale": [1.0, 0.5, 2.0], "offset": [0.0, 1.0, -1.0], "mean": [0.5, -0.25, 0.0],
      "variance": [1.0, 2.0, 0.5]}


def test_fused_batch_norm_training_and_inference(spec_file):
    r = run_nodes(spec_file, {**BN, "empty": np.zeros([0], np.float32)}, [
        "{name: train, op: fused_batch_norm, inputs: [x, scale, offset, empty, empty], epsilon: 0.001}",
        "{name: infer, op: fused_batch_norm, inputs: [x, scale, offset, mean, variance], epsilon: 0.001, "
        "is_training: false}",
    ], ["train:0", "train:1", "train:2", "train:3", "train:4", "infer:0", "infer:1"])
    # tf.raw_ops.FusedBatchNormV3(x=B, scale, offset, mean=[], variance=[], epsilon=0.001,
    # is_training=True): y, batch_mean, batch_variance (Bessel-corrected), the saved mean and
    # variance. Eigen's column sums and rsqrt: bit for bit here, a few ulps on larger inputs
    close(r["train:0"], [[[[-1.3394992, 1.3921117, -3.6789985], [-0.44649976, 1.5881674, -1.8929995]],
                          [[0.44649976, 0.41183257, -0.10700047], [1.3394992, 0.60788834, 1.6789985]]]])
    close(r["train:1"], [-0.75, 0.0, 0.75])
    close(r["train:2"], [0.4166667, 2.1666667, 0.4166667])
    close(r["train:3"], [-0.75, 0.0, 0.75])
    close(r["train:4"], [0.3125, 1.625, 0.3125])
    # the same with mean, variance and is_training=False
    close(r["infer:0"], [[[[-1.9990008, 1.4418314, -1.0], [-1.4992507, 1.6185639, 0.4128015]],
                          [[-0.9995004, 0.55816865, 1.825603], [-0.4997502, 0.7349012, 3.2384043]]]])
    exact(r["infer:1"], BN["mean"])


def test_adjust_contrast_folds_each_image_as_tf_sums_it(spec_file):
    r = run_nodes(spec_file, {"img": seq((1, 2, 3, 2), 11, 17, 3.0)}, [
        "{name: c, op: adjust_contrast, inputs: [img, 1.7]}"], ["c"])
    # tf.raw_ops.AdjustContrastv2(images=seq((1, 2, 3, 2), 11, 17, 3.0), contrast_factor=1.7)
    exact(r["c"], [[[[-4.2611117, 1.3888888], [-1.4277778, 4.222223], [1.4055557, -2.577778]],
                    [[4.2388887, 0.2555555], [-2.561111, 3.088889], [0.27222222, -3.7111113]]]])


Y = (seq((2, 5), 3, 11, 1.0) + 5.5) / 11  # in (0, 1): sigmoid or tanh outputs
S5 = seq((2, 5), 5, 11, 3.0)


def test_relu_sigmoid_tanh_and_bias_add_grads(spec_file):
    r = run_nodes(spec_file, {"y": Y, "s": S5, "db": seq((1, 2, 2, 3), 3, 5, 1.0)}, [
        "{name: relu, op: relu_grad, inputs: [y, s]}",
        "{name: sigmoid, op: sigmoid_grad, inputs: [y, s]}",
        "{name: tanh, op: tanh_grad, inputs: [y, s]}",
        "{name: bias, op: bias_add_grad, inputs: [db]}",
    ], ["relu", "sigmoid", "tanh", "bias"])
    # tf.raw_ops.ReluGrad(gradients=Y, features=S5)
    exact(r["relu"], [[0.0, 0.0, 0.59090906, 0.0, 0.13636364],
                      [0.0, 0.6818182, 0.0, 0.22727273, 0.0]])
    # tf.raw_ops.SigmoidGrad(y=Y, dy=S5): 8 elements in an AVX packet's order, 2 in the scalar one
    exact(r["sigmoid"], [[-0.07231405, 0.0, 0.40289256, -0.039256196, 0.1570248],
                         [-0.16115704, 0.21694215, -0.043388445, 0.11707989, -0.33333334]])
    # tf.raw_ops.TanhGrad(y=Y, dy=S5)
    exact(r["tanh"], [[-1.663223, 0.0, 1.0847107, -0.08471074, 1.30854],
                      [-0.55509645, 0.53512394, -0.08884299, 0.6322314, -1.0]])
    close(r["bias"], [1.0, -2.0, 0.0])  # BiasAddGrad(out_backprop=...): an Eigen column sum


F = seq((3, 3, 2, 3), 5, 13, 4.0)
DY = seq((1, 3, 3, 3), 7, 17, 2.0)
GP = seq((1, 3, 3, 2), 3, 7, 1.0)


def test_conv2d_backprop_input_and_filter(spec_file):
    r = run_nodes(spec_file, {"x": X, "f": F, "dy": DY}, [
        "{name: dx, op: conv2d_backprop_input, inputs: [[1, 5, 5, 2], f, dy], strides: 2, padding: SAME}",
        "{name: df, op: conv2d_backprop_filter, inputs: [x, [3, 3, 2, 3], dy], strides: [1, 2, 2, 1], "
        "padding: SAME}",
    ], ["dx", "df"])
    # tf.raw_ops.Conv2DBackpropInput(input_sizes=[1, 5, 5, 2], filter=F, out_backprop=DY,
    # strides=[1, 2, 2, 1], padding="SAME"): TF sums with Eigen contractions whose order differs
    # from idrun's tensordot, so a tight tolerance (these small sums of quarters are exact anyway)
    close(r["dx"], [[[[-1.75, -2.5], [-9.625, -4.25], [7.5, 5.5], [0.625, -5.25], [4.0, 5.0]], [[4.5, -6.25],
                      [-6.125, 1.75], [-8.75, 3.375], [3.5, -2.375], [5.625, 8.75]], [[-3.75, -4.0],
                      [4.125, 3.375], [-7.25, -4.5], [-9.0, 2.375], [8.375, 5.625]], [[3.0, 1.375],
                      [-2.75, -4.25], [-3.875, -10.25], [-5.875, 6.5], [-8.625, 3.625]], [[4.875, 5.125],
                      [9.375, -6.0], [-2.875, -3.875], [2.625, 3.625], [-6.375, -4.375]]]],
                       rtol=1e-5, atol=1e-6)
    # tf.raw_ops.Conv2DBackpropFilter(input=X, filter_sizes=[3, 3, 2, 3], out_backprop=DY, ...)
    close(r["df"], [[[[1.0, -1.25, -3.5], [9.375, 4.25, 9.75]], [[-14.875, 4.125, -13.0],
                      [-4.125, 6.75, -7.875]], [[7.75, -7.25, 3.25], [3.5, -14.375, 3.875]]],
                    [[[-12.875, 6.125, -11.0], [-14.375, 6.125, -9.5]], [[15.0, 4.75, -1.25],
                      [1.875, 0.125, 2.625]], [[6.625, 12.875, -4.25], [-10.0, -2.25, 11.875]]],
                    [[[-4.25, 6.25, -8.75], [-14.625, 3.625, -14.25]], [[16.0, 11.625, -1.25],
                      [-4.25, -6.125, 2.625]], [[11.0, 0.25, -2.0], [-12.0, 4.125, 9.625]]]],
                       rtol=1e-5, atol=1e-6)


def test_pool_grads_route_as_tf_does(spec_file):
    r = run_nodes(spec_file, {"x": X, "gp": GP}, [
        "{name: mp, op: max_pool, inputs: [x], ksize: 3, strides: 2, padding: SAME}",
        "{name: mpg, op: max_pool_grad, inputs: [x, mp, gp], ksize: 3, strides: 2, padding: SAME}",
        "{name: apg, op: avg_pool_grad, inputs: [[1, 5, 5, 2], gp], ksize: 3, strides: 2, padding: SAME}",
    ], ["mpg", "apg"])
    # tf.raw_ops.MaxPoolGrad(orig_input=X, orig_output=max_pool(X), grad=GP, ksize=[1, 3, 3, 1],
    # strides=[1, 2, 2, 1], padding="SAME"): X has ties; the first maximum takes the gradient
    exact(r["mpg"], [[[[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [-3.0, -1.0],
                       [0.0, 0.0], [3.0, 0.0], [1.0, -2.0]], [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0],
                       [0.0, 0.0]], [[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 2.0]], [[0.0, 1.0],
                       [-2.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, -1.0]]]])
    # tf.raw_ops.AvgPoolGrad(orig_input_shape=[1, 5, 5, 2], grad=GP, same window)
    exact(r["apg"], [[[[-0.75, 0.0], [-0.25, -0.16666667], [0.5, -0.16666667], [1.0, -0.6666667], [0.5, -0.5]],
                      [[-0.5833333, -0.5], [-0.08333333, -0.33333334], [0.5, 0.16666667], [0.8333333, 0.0],
                       [0.3333333, -0.16666666]], [[0.16666667, -0.5], [0.16666667, -0.16666666],
                       [0.0, 0.33333334], [-0.16666667, 0.6666667], [-0.16666667, 0.33333334]],
                      [[-0.3333333, -0.25], [-0.8333333, 0.08333334], [-0.5, 0.33333334],
                       [0.08333331, 0.4166667], [0.5833333, 0.08333334]], [[-0.5, 0.25], [-1.0, 0.25],
                       [-0.5, 0.0], [0.25, -0.25], [0.75, -0.25]]]])


def test_lrn_grad_matches_tf_bit_for_bit(spec_file):
    r = run_nodes(spec_file, {"x": L, "y": LRN_CIFAR, "dy": seq((1, 2, 2, 6), 5, 9, 1.0)}, [
        "{name: g, op: lrn_grad, inputs: [dy, x, y], depth_radius: 4, bias: 1.0, alpha: 0.00011111111, "
        "beta: 0.75}"], ["g"])
    # tf.raw_ops.LRNGrad(input_grads=seq((1, 2, 2, 6), 5, 9, 1.0), input_image=L,
    # output_image=tf1.nn.lrn(L, 4, ...), depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75)
    exact(r["g"], [[[[-3.980235, 0.9955767, -2.9816673, 1.9911535, -1.9860904, 2.9919605],
                     [-0.9991039, 3.995752, -0.0016595364, -3.9882846, 0.9972786, -2.9891586]],
                    [[1.9972544, -1.9896181, 2.9937234, -0.992485, 3.9908564, 0.004648123],
                     [-3.9896488, 0.9931855, -2.988695, 1.9936819, -1.9881989, 2.995238]]]])


def test_fused_batch_norm_grad_training_and_inference(spec_file):
    r = run_nodes(spec_file, {"x": B, "dy": seq((1, 2, 2, 3), 3, 5, 1.0), "scale": BN["scale"],
                              "mean": BN["mean"], "variance": BN["variance"],
                              "saved_mean": [-0.75, 0.0, 0.75], "saved_var": [0.3125, 1.625, 0.3125],
                              "empty": np.zeros([0], np.float32)}, [
        "{name: t, op: fused_batch_norm_grad, inputs: [dy, x, scale, saved_mean, saved_var, empty], "
        "epsilon: 0.001}",
        "{name: i, op: fused_batch_norm_grad, inputs: [dy, x, scale, mean, variance, empty], "
        "epsilon: 0.001, is_training: false}",
    ], ["t:0", "t:1", "t:2", "t:3", "i:0", "i:1", "i:2"])
    # tf.raw_ops.FusedBatchNormGradV3(y_backprop=..., x=B, scale, reserve_space_1/2 = the saved
    # mean and variance of FusedBatchNormV3(B, is_training=True), epsilon=0.001, is_training=True):
    # TF's column sums are blocked (ReduceOuterDimensions): bit for bit here, a few ulps in general
    close(r["t:0"], [[[[-2.6832712, 0.3168725, 1.7689081], [3.5705738, -0.2108866, -5.363694]],
                      [[0.8944238, 0.2108866, 5.363694], [-1.7817264, -0.3168725, -1.7689081]]]])
    close(r["t:1"], [2.2324986, 3.5290046, 4.4649973])
    close(r["t:2"], [1.0, -2.0, 0.0])
    assert r["t:3"].shape == (0,)
    # the same with the population mean and variance, is_training=False
    close(r["i:0"], [[[[-1.9990008, 0.35346505, -2.825603], [1.9990008, 0.0, -5.651206]],
                      [[0.9995004, -0.35346505, 5.651206], [0.0, -0.7069301, 2.825603]]]])
    close(r["i:1"], [0.0, 2.8277204, 3.5320039])
    close(r["i:2"], [1.0, -2.0, 0.0])


X_ENTRY = "  - {name: x, op: const, value: " + str(X.tolist()) + "}\n"


@pytest.mark.parametrize("entry,where,fragment", [
    ("{name: p, op: max_pool, inputs: [x], ksize: 2, strides: 2, padding: SAME, data_format: NCHW}", "3:92",
     "data_format 'NCHW' is not supported: idrun runs NHWC only"),
    ("{name: p, op: avg_pool, inputs: [x], ksize: 7, strides: 1, padding: VALID}", "3:5",
     "Negative dimension size caused by subtracting 7 from 5"),
    ("{name: p, op: max_pool, inputs: [x], ksize: [2, 2, 2, 2], strides: 1, padding: SAME}", "3:49",
     "ksize must be N, [h, w] or [1, h, w, 1]"),
    ("{name: p, op: softmax_cross_entropy_with_logits, inputs: [[[1.0, 2.0]], [[1.0, 2.0, 3.0]]]}", "3:5",
     "logits and labels must be broadcastable: logits_size=[1,2] labels_size=[1,3]"),
    ("{name: p, op: sparse_softmax_cross_entropy_with_logits, inputs: [[[1.0, 2.0]], [0, 1]]}", "3:5",
     "logits and labels must have the same first dimension, got logits shape [1,2] and labels shape [2]"),
    ("{name: p, op: local_response_normalization, inputs: [[1.0, 2.0]]}", "3:5",
     "Shape must be rank 4 but is rank 1 for 'LRN'"),
])
def test_bad_nn_input_is_a_located_error(cli, spec_file, entry, where, fragment):
    path = spec_file("nodes:\n" + X_ENTRY + "  - " + entry + "\n")
    res = cli("run", path)
    assert res.exit_code == 2, res.stdout + res.stderr
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{where}: error: "), first
    assert fragment in first


def test_sparse_label_out_of_range_fails_the_step_in_tf_words(cli, spec_file):
    path = spec_file("nodes:\n  - {name: ids, op: placeholder, dtype: int32, shape: [2]}\n"
                     "  - {name: p, op: sparse_softmax_cross_entropy_with_logits, "
                     "inputs: [[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], ids]}\n"
                     "run: {fetch: ['p:0'], feed: {ids: [1, 5]}}\n")
    res = cli("run", path)
    assert res.exit_code == 1, res.stdout + res.stderr
    # TF: InvalidArgumentError from SparseSoftmaxCrossEntropyWithLogits with ids fed [1, 5]
    assert "Received a label value of 5 which is outside the valid range of [0, 3).  Label values: 1 5" \
        in res.stderr


NCHW_POOL = """node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "pool" op: "MaxPool" input: "x" attr { key: "T" value { type: DT_FLOAT } }
  attr { key: "data_format" value { s: "NCHW" } } attr { key: "padding" value { s: "SAME" } }
  attr { key: "ksize" value { list { i: 1 i: 1 i: 2 i: 2 } } }
  attr { key: "strides" value { list { i: 1 i: 1 i: 2 i: 2 } } } }
"""


def test_import_keeps_nchw_opaque_and_a_run_that_needs_it_fails(cli, tmp_path):
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from conftest import opaque_entry
    path, spec = tmp_path / "nchw.pbtxt", tmp_path / "nchw.yaml"
    path.write_text(NCHW_POOL)
    res = cli("import", str(path), "-o", str(spec))
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "MaxPool (1 node, first 'pool'" in res.stderr
    assert "NCHW'' is not supported: idrun runs NHWC only" in opaque_entry(spec.read_text(), "pool")  # YAML-quoted
    res = cli("run", str(spec), "--fetch", "pool")
    assert res.exit_code == 2 and "MaxPool 'pool'" in res.stderr and "Traceback" not in res.stderr


def test_graphdef_export_round_trip_keeps_attributes_and_values(spec_file, tmp_path):
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from idrun.pipeline import Pipeline
    from idrun.spec.request import RunOptions
    from idrun.tf.graphdef import export_graphdef, write_graphdef
    from idrun.tf.graphdef_import import import_graphdef
    entries = [
        "{name: mp, op: max_pool, inputs: [x], ksize: [2, 3], strides: [1, 2], padding: SAME}",
        "{name: apg, op: avg_pool_grad, inputs: [[1, 5, 5, 2], mp], ksize: [2, 3], strides: [1, 2], "
        "padding: SAME}",
        "{name: norm, op: local_response_normalization, inputs: [mp], depth_radius: 1, bias: 2.0, "
        "alpha: 0.25, beta: 0.5}",
        "{name: lg, op: lrn_grad, inputs: [norm, mp, norm], depth_radius: 1, bias: 2.0, alpha: 0.25, "
        "beta: 0.5}",
        "{name: dx, op: conv2d_backprop_input, inputs: [[1, 5, 5, 2], f, dy], strides: 2, padding: VALID}",
        "{name: bn, op: fused_batch_norm, inputs: [x, [1.0, 2.0], [0.5, 0.0], [0.0, 1.0], [1.0, 2.0]], "
        "epsilon: 0.01, is_training: false}",
        "{name: sx, op: sparse_softmax_cross_entropy_with_logits, inputs: [[[1.0, 2.0], [3.0, 0.0]], [1, 0]]}",
    ]
    fetch = ["mp", "apg", "norm", "lg", "dx", "bn:0", "sx:1"]
    dy = seq((1, 2, 2, 3), 7, 17, 2.0)
    direct = run_nodes(spec_file, {"x": X, "f": F, "dy": dy}, entries, fetch)
    spec = spec_file("nodes:\n" + "\n".join(
        [f"  - {{name: {k}, op: const, value: {v.tolist()}}}" for k, v in (("x", X), ("f", F), ("dy", dy))]
        + [f"  - {e}" for e in entries]) + "\n", "rt.yaml")
    out = tmp_path / "rt.pbtxt"
    write_graphdef(export_graphdef(Pipeline(spec)), str(out))
    imported = tmp_path / "imported.yaml"
    import_graphdef(str(out), str(imported))
    again = Pipeline(str(imported), RunOptions(fetch=fetch)).run().steps[0].values
    for name in fetch:
        np.testing.assert_array_equal(np.asarray(again[name]), direct[name])



def _infer(op: str, types, consts=None, **attrs):
    from idrun.graph import TensorType
    from idrun.ops import REGISTRY
    opdef = REGISTRY[op]
    a = {d.name: d.check(attrs[d.name]) if d.name in attrs and d.check else attrs.get(d.name, d.default)
         for d in opdef.attrs}
    ins = [TensorType(dtype, shape) for dtype, shape in types]
    return [(t.dtype, t.shape) for t in opdef.infer(a, ins, consts or [None] * len(ins))]


def test_shape_rules_keep_unknown_dims_as_tf():
    f32 = "float32"
    # TF: max_pool of [?, 5, 7, 2] (3x3, stride 2, SAME) is [?, 3, 4, 2]; VALID 2x2 at 1 gives [?, 4, 6, 2]
    assert _infer("max_pool", [(f32, (None, 5, 7, 2))], ksize=3, strides=2, padding="SAME") == \
        [(f32, (None, 3, 4, 2))]
    assert _infer("avg_pool", [(f32, (None, 5, 7, None))], ksize=2, strides=1, padding="VALID") == \
        [(f32, (None, 4, 6, None))]
    assert _infer("max_pool", [(f32, (1, 2, 2, 1))], ksize=2, strides=3, padding="VALID") == \
        [(f32, (1, 1, 1, 1))]
    assert _infer("sparse_softmax_cross_entropy_with_logits", [(f32, (None, 10)), ("int64", (8,))]) == \
        [(f32, (8,)), (f32, (8, 10))]
    # input_sizes computed at run time (a ShapeN in TF's gradient graphs): out_backprop's batch
    assert _infer("conv2d_backprop_input", [("int32", (4,)), (f32, (3, 3, 2, 4)), (f32, (1, 3, 3, 4))],
                  strides=2, padding="SAME") == [(f32, (1, None, None, None))]
    assert _infer("conv2d_backprop_filter", [(f32, (1, 6, 6, 2)), ("int32", (4,)), (f32, (1, 3, 3, 4))],
                  [None, [3, 3, 2, 4], None], strides=2, padding="SAME") == [(f32, (3, 3, 2, 4))]
    assert _infer("fused_batch_norm", [(f32, (None, 4, 4, 3))] + [(f32, (3,))] * 2 + [(f32, (0,))] * 2) == \
        [(f32, (None, 4, 4, 3))] + [(f32, (3,))] * 4 + [(f32, None)]
    assert _infer("bias_add_grad", [(f32, (None, 7))]) == [(f32, (7,))]


def test_conv2d_backprop_input_checks_out_backprop_size_when_it_runs(cli, spec_file):
    path = spec_file("nodes:\n  - {name: dy, op: placeholder, dtype: float32, shape: [1, null, null, 3]}\n"
                     "  - {name: dx, op: conv2d_backprop_input, inputs: [[1, 5, 5, 2], " + str(F.tolist())
                     + ", dy], strides: 2, padding: SAME}\n"
                     f"run: {{fetch: [dx], feed: {{dy: {np.zeros((1, 2, 3, 3)).tolist()}}}}}\n")
    res = cli("run", path)
    assert res.exit_code == 1, res.stdout + res.stderr
    # TF (shape checks pass at graph time, the kernel refuses): InvalidArgumentError
    assert ("Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = 2, computed = 3 "
            "spatial_dim: 1 input: 5 filter: 3 output: 2 stride: 2 dilation: 1") in res.stderr

# the test that runs each op's kernel (tests/test_registry.py checks every op has one)
KERNEL_TESTS = {
    "max_pool": test_max_pool_and_avg_pool_match_tf_bit_for_bit,
    "avg_pool": test_max_pool_and_avg_pool_match_tf_bit_for_bit,
    "local_response_normalization": test_lrn_with_the_cifar10_tutorial_parameters,
    "softmax": test_softmax_log_softmax_and_cross_entropies,
    "log_softmax": test_softmax_log_softmax_and_cross_entropies,
    "softmax_cross_entropy_with_logits": test_softmax_log_softmax_and_cross_entropies,
    "sparse_softmax_cross_entropy_with_logits": test_softmax_log_softmax_and_cross_entropies,
    "l2_loss": test_l2_loss_relu6_and_elu,
    "relu6": test_l2_loss_relu6_and_elu,
    "elu": test_l2_loss_relu6_and_elu,
    "fused_batch_norm": test_fused_batch_norm_training_and_inference,
    "adjust_contrast": test_adjust_contrast_folds_each_image_as_tf_sums_it,
    "relu_grad": test_relu_sigmoid_tanh_and_bias_add_grads,
    "sigmoid_grad": test_relu_sigmoid_tanh_and_bias_add_grads,
    "tanh_grad": test_relu_sigmoid_tanh_and_bias_add_grads,
    "bias_add_grad": test_relu_sigmoid_tanh_and_bias_add_grads,
    "conv2d_backprop_input": test_conv2d_backprop_input_and_filter,
    "conv2d_backprop_filter": test_conv2d_backprop_input_and_filter,
    "max_pool_grad": test_pool_grads_route_as_tf_does,
    "avg_pool_grad": test_pool_grads_route_as_tf_does,
    "lrn_grad": test_lrn_grad_matches_tf_bit_for_bit,
    "fused_batch_norm_grad": test_fused_batch_norm_grad_training_and_inference,
}


def test_conv_without_room_for_im2col_gives_the_same_values(spec_file, monkeypatch):
    """Past PATCH_BUDGET the convolutions make one pass per window offset instead of one
    matrix product over a copied patch matrix: same values (to float rounding)."""
    import idrun.ops.nn as nn_mod   # conv_block reads its PATCH_BUDGET for the gradients too
    from conftest import run_spec
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6, 5, 3)).round(2).tolist()
    f = rng.standard_normal((3, 2, 3, 4)).round(2).tolist()
    path = spec_file(f"""
    nodes:
      - {{name: x, op: const, value: {x}}}
      - {{name: f, op: const, value: {f}}}
      - {{name: y, op: conv2d, inputs: [x, f], strides: [1, 1], padding: SAME}}
      - {{name: dx, op: conv2d_backprop_input, inputs: [[2, 6, 5, 3], f, y], strides: [1, 1], padding: SAME}}
      - {{name: dx2, op: conv2d_backprop_input, inputs: [[2, 6, 5, 3], f, y2], strides: [2, 2], padding: SAME}}
      - {{name: y2, op: conv2d, inputs: [x, f], strides: [2, 2], padding: SAME}}
      - {{name: df, op: conv2d_backprop_filter, inputs: [x, [3, 2, 3, 4], y], strides: [1, 1], padding: SAME}}
    run: {{fetch: [y, dx, dx2, y2, df]}}
    """)
    fast = run_spec(path).steps[0].values
    monkeypatch.setattr(nn_mod, "PATCH_BUDGET", 0)
    slow = run_spec(path).steps[0].values
    for name in fast:
        np.testing.assert_allclose(slow[name], fast[name], rtol=1e-5, atol=1e-5, err_msg=name)


def test_a_window_past_the_limit_is_a_step_error(spec_file):
    from conftest import run_spec
    path = spec_file("""
    nodes:
      - {name: x, op: const, value: [[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]]}
      - {name: p, op: max_pool, inputs: [x], ksize: [20000, 20000], strides: [1, 1], padding: SAME}
    run: {fetch: [p]}
    """)
    err = run_spec(path).error
    assert err is not None and "400,000,000 positions, over idrun's limit" in err.message


def test_import_keeps_an_nchw_conv2d_opaque(cli, tmp_path):
    """Conv2D read its strides as NHWC whatever its data_format (strides [1, 1, 2, 2] became
    [1, 2]); it now refuses NCHW, dilations and EXPLICIT padding as its gradients do."""
    pytest.importorskip("tensorboard.compat.proto.graph_pb2")
    from conftest import opaque_entry
    path, spec = tmp_path / "c.pbtxt", tmp_path / "c.yaml"
    path.write_text(NCHW_POOL.split("\nnode { name: \"pool\"")[0] + "\n" +
                    'node { name: "f" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }\n'
                    'node { name: "c" op: "Conv2D" input: "x" input: "f" attr { key: "T" value { type: DT_FLOAT } } '
                    'attr { key: "strides" value { list { i: 1 i: 1 i: 2 i: 2 } } } '
                    'attr { key: "padding" value { s: "SAME" } } attr { key: "data_format" value { s: "NCHW" } } }\n')
    assert cli("import", str(path), "-o", str(spec)).exit_code == 0
    assert "runs NHWC only" in opaque_entry(spec.read_text(), "c")
