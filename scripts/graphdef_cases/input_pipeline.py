"""TF1 input pipelines: the CIFAR-10 tutorial's binary reader (cifar10_input.py) feeding
`tf.train.batch`, and plain queues filled by enqueue_many. TF runs them with its queue runners
started (`tf1.train.start_queue_runners`, as the tutorial's train loop does); idrun runs each
runner's enqueue op when a dequeue needs it (idrun/ops/queues.py).

Only orders TF always gives are fixtures: FIFO queues with one runner thread each
(string_input_producer with shuffle=False, tf.train.batch with num_threads=1), and a
RandomShuffleQueue whose dequeue waits on its enqueue by a control dependency.

The CIFAR-10 records live in a file next to the fixture (written here, from a seeded
generator), named in the graph by its path relative to the repository root, as TF opens it:
the fixture script, `make conformance` and the tests run from the repository root."""

import os
from pathlib import Path

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1

ROOT = Path(__file__).resolve().parent.parent.parent
RECORDS = "tests/fixtures/graphdefs/input_pipeline_cifar10.bin"
LABEL_BYTES, HEIGHT, WIDTH, DEPTH = 1, 8, 8, 3
COUNT = 5


def _write_records() -> None:
    """COUNT records of cifar10's binary format: a label byte, then the image depth-major."""
    rng = np.random.default_rng(10)
    rows = [bytes([k % 10]) + rng.integers(0, 256, DEPTH * HEIGHT * WIDTH, dtype=np.uint8).tobytes()
            for k in range(COUNT)]
    (ROOT / RECORDS).write_bytes(b"".join(rows))


def cifar10_binary_batch():
    """cifar10_input.read_cifar10 as the tutorial writes it (FixedLengthRecordReader, decode_raw,
    strided_slice, reshape, transpose, cast) over two epochs of a 5-record file, then
    tf.train.batch of 2 with one thread; the batch's keys are fetched too."""
    os.chdir(ROOT)
    _write_records()
    filename_queue = tf1.train.string_input_producer([RECORDS], shuffle=False, num_epochs=2)
    image_bytes = HEIGHT * WIDTH * DEPTH
    reader = tf1.FixedLengthRecordReader(record_bytes=LABEL_BYTES + image_bytes)
    key, value = reader.read(filename_queue)
    record_bytes = tf1.decode_raw(value, tf.uint8)
    label = tf.cast(tf.strided_slice(record_bytes, [0], [LABEL_BYTES]), tf.int32)
    depth_major = tf.reshape(tf.strided_slice(record_bytes, [LABEL_BYTES], [LABEL_BYTES + image_bytes]),
                             [DEPTH, HEIGHT, WIDTH])
    uint8image = tf.transpose(depth_major, [1, 2, 0])
    reshaped_image = tf.cast(uint8image, tf.float32)
    reshaped_image.set_shape([HEIGHT, WIDTH, DEPTH])
    label.set_shape([1])
    images, label_batch, keys = tf1.train.batch([reshaped_image, label, key], batch_size=2, num_threads=1,
                                                capacity=8)
    labels = tf.reshape(label_batch, [2], name="labels")
    return {"fetch": [images, labels, keys], "steps": 4}


def fifo_runner():
    """A FIFOQueue filled by a QueueRunner of enqueue_many of constants, dequeued two at a time."""
    q = tf1.FIFOQueue(5, [tf.float32, tf.int32], shapes=[[2], []], name="examples")
    enqueue = q.enqueue_many([tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), tf.constant([7, 8, 9])])
    tf1.train.add_queue_runner(tf1.train.QueueRunner(q, [enqueue]))
    x, y = q.dequeue_many(2, name="pair")
    return {"fetch": [x, y], "steps": 4}


def explicit_queues():
    """Enqueue and dequeue run by the step itself: a FIFOQueue (3 in, 2 out each step) and a
    seeded RandomShuffleQueue whose dequeue waits on its enqueue (TF's Philox draws)."""
    q = tf1.FIFOQueue(20, [tf.int32], shapes=[[]], name="fifo")
    enqueue = q.enqueue_many([tf.constant([10, 20, 30])], name="fifo_in")
    out = q.dequeue_many(2, name="fifo_out")
    rq = tf1.RandomShuffleQueue(30, 2, [tf.float32], shapes=[[2]], seed=7, name="shuffle")
    rows = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    shuffle_in = rq.enqueue_many([rows], name="shuffle_in")
    with tf.control_dependencies([shuffle_in]):
        drawn = tf.reshape(rq.dequeue_many(2), [-1], name="drawn")
    return {"fetch": [out, drawn], "targets": [enqueue], "steps": 3}


CASES = {
    "input_pipeline_cifar10_binary": cifar10_binary_batch,
    "input_pipeline_fifo_runner": fifo_runner,
    "input_pipeline_explicit": explicit_queues,
}
