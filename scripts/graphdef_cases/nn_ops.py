"""Programs of the nn ops, on public TF1 patterns: the CIFAR-10 tutorial's conv1 block
(conv2d -> bias_add -> relu -> max_pool 3x3/2 SAME -> lrn(4, 1.0, 0.001/9, 0.75)) with its
sparse softmax cross-entropy loss, MNIST softmax regression, fused batch norm in training and
inference, and the gradient kernels `tf.gradients` builds for them.

Every program scales its input by a step counter (`step = assign_add(counter, 1)` read under
control_dependencies, as the seed programs do), so each step's values differ. Variables start
from constants (what `idrun import` folds). Gradients are taken with explicit `grad_ys` and
with respect to tensors on the path, so the graphs hold the nn gradient kernels and no
broadcasting bookkeeping (BroadcastGradientArgs, Fill, Tile).

"""

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def _seq(shape, mul=37, mod=23, scale=8.0):
    n = int(np.prod(shape))
    return (((np.arange(n) * mul % mod) - mod // 2) / scale).astype(np.float32).reshape(shape)


def _counter(resource: bool):
    """1.0, 2.0, 3.0, ... per step: the step's scale for the fed input."""
    counter = tf1.Variable(0.0, name="counter", use_resource=resource)
    tick = tf1.assign_add(counter, 1.0, name="tick")
    with tf1.control_dependencies([tick]):
        return tf.identity(counter, name="step")


def _scaled_images(resource: bool, shape):
    images = tf1.placeholder(tf.float32, shape=shape, name="images")
    return images, tf.multiply(images, _counter(resource), name="scaled_images")


def cifar10_conv1(resource: bool):
    """cifar10.inference's conv1/pool1/norm1 and softmax_linear, cifar10.loss's cross entropy, and
    the gradient of norm1 for the conv1 biases (LRNGrad, MaxPoolGrad, ReluGrad, BiasAddGrad)."""
    images, x = _scaled_images(resource, [2, 6, 6, 3])
    with tf1.variable_scope("conv1"):
        kernel = tf1.Variable(_seq((3, 3, 3, 4), 5, 13), name="weights", use_resource=resource)
        biases = tf1.Variable(np.full(4, 0.1, np.float32), name="biases", use_resource=resource)
        conv = tf1.nn.conv2d(x, kernel, [1, 1, 1, 1], padding="SAME")
        pre_activation = tf1.nn.bias_add(conv, biases)
        conv1 = tf1.nn.relu(pre_activation, name="conv1")
    pool1 = tf1.nn.max_pool(conv1, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME", name="pool1")
    norm1 = tf1.nn.lrn(pool1, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm1")
    with tf1.variable_scope("softmax_linear"):
        weights = tf1.Variable(_seq((36, 5), 3, 11, 4.0), name="weights", use_resource=resource)
        sm_biases = tf1.Variable(np.zeros(5, np.float32), name="biases", use_resource=resource)
        logits = tf.add(tf.matmul(tf.reshape(norm1, [2, -1]), weights), sm_biases, name="softmax_linear")
    labels = tf1.placeholder(tf.int32, shape=[2], name="labels")
    cross_entropy = tf1.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits, name="cross_entropy_per_example")
    loss = tf.reduce_mean(cross_entropy, name="cross_entropy")
    bias_grad, biases_grad = tf1.gradients(norm1, [pre_activation, biases],
                                           grad_ys=tf.constant(_seq((2, 3, 3, 4), 7, 17)))
    return {"fetch": [loss, tf.nn.softmax(logits, name="probabilities"), bias_grad, biases_grad],
            "feeds": {images: _seq((2, 6, 6, 3)).tolist(), labels: [1, 3]}, "steps": 3}


def mnist_softmax(resource: bool):
    """The MNIST beginners' tutorial: y = softmax(xW + b) and -sum(y_ * log(y)), and
    log_softmax, on 4 tiny 'images' of 12 pixels and 5 classes."""
    images, x = _scaled_images(resource, [4, 12])
    w = tf1.Variable(_seq((12, 5), 5, 11, 8.0), name="W", use_resource=resource)
    b = tf1.Variable(np.zeros(5, np.float32), name="b", use_resource=resource)
    logits = tf.add(tf.matmul(x, w), b, name="logits")
    y = tf1.nn.softmax(logits, name="y")
    y_ = tf1.placeholder(tf.float32, [4, 5], name="y_")
    cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf1.log(y), axis=[1]), name="cross_entropy")
    log_probs = tf1.nn.log_softmax(logits, name="log_probs")
    onehot = np.eye(5, dtype=np.float32)[[0, 2, 4, 1]].tolist()
    return {"fetch": [y, cross_entropy, log_probs], "feeds": {images: _seq((4, 12)).tolist(), y_: onehot},
            "steps": 3}


def mnist_softmax_xent(resource: bool):
    """The later MNIST tutorial's tf.nn.softmax_cross_entropy_with_logits (TF's Python wraps the
    op in Shape/Slice/ConcatV2/Reshape and, in v1, a StopGradient of the labels)."""
    images, x = _scaled_images(resource, [4, 12])
    w = tf1.Variable(_seq((12, 5), 5, 11, 8.0), name="W", use_resource=resource)
    logits = tf.matmul(x, w, name="logits")
    y_ = tf1.placeholder(tf.float32, [4, 5], name="y_")
    xent = tf1.nn.softmax_cross_entropy_with_logits(labels=y_, logits=logits, name="xent")
    loss = tf.reduce_mean(xent, name="cross_entropy")
    onehot = np.eye(5, dtype=np.float32)[[0, 2, 4, 1]].tolist()
    return {"fetch": [loss], "feeds": {images: _seq((4, 12)).tolist(), y_: onehot}, "steps": 3}


def fused_batch_norm(resource: bool, grads: bool = False):
    """tf.nn.fused_batch_norm in training (batch statistics) and inference (population
    statistics), and (grads) FusedBatchNormGradV3 of the training output: tf.gradients gives
    the outputs it was not asked about a ZerosLike gradient."""
    images, x = _scaled_images(resource, [2, 3, 3, 4])
    scale = tf1.Variable([1.0, 0.5, 2.0, 1.5], name="gamma", use_resource=resource)
    offset = tf1.Variable([0.0, 0.1, -0.1, 0.2], name="beta", use_resource=resource)
    y, mean, variance = tf1.nn.fused_batch_norm(x, scale, offset, epsilon=0.001, is_training=True,
                                                name="bn_train")
    y_inf, _, _ = tf1.nn.fused_batch_norm(x, scale, offset, mean=tf.constant([0.1, -0.2, 0.0, 0.3]),
                                          variance=tf.constant([1.0, 2.0, 0.5, 4.0]), epsilon=0.001,
                                          is_training=False, name="bn_infer")
    fetch = [y, mean, variance, y_inf]
    if grads:
        fetch += tf1.gradients(y, [x, scale, offset], grad_ys=tf.constant(_seq((2, 3, 3, 4), 3, 7)))
    return {"fetch": fetch,
            "feeds": {images: _seq((2, 3, 3, 4)).tolist()}, "steps": 3}


def activation_grads(resource: bool):
    """avg_pool, sigmoid, tanh, softmax, relu6, elu, l2_loss and adjust_contrast, and the gradients
    tf.gradients builds for the first ones (AvgPoolGrad, SigmoidGrad, TanhGrad, softmax's)."""
    images, x = _scaled_images(resource, [1, 4, 4, 2])
    pooled = tf1.nn.avg_pool(x, [1, 2, 2, 1], [1, 1, 1, 1], "SAME", name="pooled")
    sig = tf.sigmoid(pooled, name="sig")
    tnh_in = tf.multiply(pooled, 0.25, name="tnh_in")  # unsaturated: 1 - tanh^2 keeps its digits
    tnh = tf.tanh(tnh_in, name="tnh")
    rows = tf.reshape(pooled, [4, 8], name="rows")
    probs = tf1.nn.softmax(rows, name="probs")
    others = [tf1.nn.relu6(x * 3.0, name="relu6"), tf1.nn.elu(x, name="elu"), tf1.nn.l2_loss(x, name="l2"),
              tf1.image.adjust_contrast(x, 1.5)]
    g = tf.constant(_seq((1, 4, 4, 2), 5, 9))
    (d_sig,) = tf1.gradients(sig, [pooled], grad_ys=g)
    (d_tnh,) = tf1.gradients(tnh, [tnh_in], grad_ys=g)
    (d_x,) = tf1.gradients(sig, [x], grad_ys=g)
    (d_rows,) = tf1.gradients(probs, [rows], grad_ys=tf.constant(_seq((4, 8), 3, 7)))
    return {"fetch": [sig, tnh, probs, d_sig, d_tnh, d_x, d_rows, *others],
            "feeds": {images: _seq((1, 4, 4, 2)).tolist()}, "steps": 3}


def conv_transpose(resource: bool):
    """DCGAN's deconv2d: tf.nn.conv2d_transpose (Conv2DBackpropInput with a constant output
    shape), and tf.nn.conv2d_backprop_filter, as a generator and its filter gradient use them."""
    z, x = _scaled_images(resource, [1, 3, 3, 4])
    w = tf1.Variable(_seq((3, 3, 2, 4), 5, 13), name="w", use_resource=resource)
    deconv = tf1.nn.conv2d_transpose(x, w, output_shape=[1, 6, 6, 2], strides=[1, 2, 2, 1], name="deconv")
    act = tf1.nn.relu(deconv, name="act")
    dw = tf1.nn.conv2d_backprop_filter(act, [3, 3, 2, 4], x, strides=[1, 2, 2, 1], padding="SAME", name="dw")
    return {"fetch": [act, dw], "feeds": {z: _seq((1, 3, 3, 4)).tolist()}, "steps": 3}


def cifar10_conv1_grads(resource: bool):
    """The gradients of the conv1 block for the images and the conv1 weights: Conv2D's gradient
    takes its shapes from a ShapeN."""
    images, x = _scaled_images(resource, [2, 6, 6, 3])
    kernel = tf1.Variable(_seq((3, 3, 3, 4), 5, 13), name="weights", use_resource=resource)
    conv = tf1.nn.conv2d(x, kernel, [1, 2, 2, 1], padding="SAME")
    norm1 = tf1.nn.lrn(tf1.nn.relu(conv), 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm1")
    dx, dk = tf1.gradients(norm1, [x, kernel], grad_ys=tf.constant(_seq((2, 3, 3, 4), 7, 17)))
    return {"fetch": [dx, dk], "feeds": {images: _seq((2, 6, 6, 3)).tolist()}, "steps": 3}


CASES = {
    "nn_cifar10_conv1_resource": lambda: cifar10_conv1(True),
    "nn_cifar10_conv1_ref": lambda: cifar10_conv1(False),
    "nn_mnist_softmax_resource": lambda: mnist_softmax(True),
    "nn_fused_batch_norm_resource": lambda: fused_batch_norm(True),
    "nn_activation_grads_resource": lambda: activation_grads(True),
    "nn_conv_transpose_ref": lambda: conv_transpose(False),
    "nn_mnist_softmax_xent_resource": lambda: mnist_softmax_xent(True),
    "nn_cifar10_conv1_grads_resource": lambda: cifar10_conv1_grads(True),
    "nn_fused_batch_norm_grads_resource": lambda: fused_batch_norm(True, grads=True),
}

