"""Queues, readers, DecodeRaw and count_up_to (idrun/ops/queues.py): TF 2.21's values and
messages. Each expected value was printed by a tf.compat.v1 Session running the TF calls
named beside it, one `sess.run` per idrun step (queues live in the session)."""

import pytest

from idrun.graph import TensorRef
from idrun.errors import SpecError
from idrun.pipeline import Pipeline
from idrun.tfrecord import tfrecord
from idrun.spec.request import RunOptions, RunRequest

FIFO = """
nodes:
  - {name: fifo_queue, op: fifo_queue, component_types: [float32, int32], shapes: [[2], []], capacity: 10}
  - {name: rows, op: const, value: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
  - {name: labels, op: const, value: [7, 8, 9]}
  - {name: fifo_queue_EnqueueMany, op: queue_enqueue_many, inputs: [fifo_queue, rows, labels]}
  - {name: n, op: const, value: 2}
  - {name: fifo_queue_DequeueMany, op: queue_dequeue_many, component_types: [float32, int32],
     inputs: [fifo_queue, n]}
  - {name: fifo_queue_Dequeue, op: queue_dequeue, component_types: [float32, int32], inputs: [fifo_queue]}
  - {name: fifo_queue_Size, op: queue_size, inputs: [fifo_queue]}
  - {name: fifo_queue_Close, op: queue_close, inputs: [fifo_queue]}
"""


class Sess:
    """One idrun session, run a request at a time as `sess.run(fetches or targets)`."""

    def __init__(self, path: str) -> None:
        self.pipeline = Pipeline(path, RunOptions())
        self.session = self.pipeline.session
        self.session.initialize()

    def run(self, *names: str):
        fetch = [TensorRef(n.split(":")[0], int(n.split(":")[1])) for n in names if ":" in n]
        targets = [n for n in names if ":" not in n]
        result = self.session.run(RunRequest(fetch, [str(f) for f in fetch], targets, init=False))
        if result.error is not None:
            return result.error.message
        values = result.steps[0].values
        return [values[str(f)].tolist() for f in fetch]


def test_fifo_queue_enqueue_many_dequeue_close_as_tf(spec_file):
    """TF: q = tf1.FIFOQueue(10, [tf.float32, tf.int32], shapes=[[2], []]); run
    q.enqueue_many(...), q.dequeue_many(2), q.size(), q.close(), q.dequeue(), then
    q.dequeue_many(2) (OutOfRange) and q.enqueue_many(...) (Cancelled)."""
    s = Sess(spec_file("variables: resource\n" + FIFO))
    s.run("fifo_queue_EnqueueMany")
    assert s.run("fifo_queue_DequeueMany:0", "fifo_queue_DequeueMany:1") == [[[1.0, 2.0], [3.0, 4.0]], [7, 8]]
    assert s.run("fifo_queue_Size:0") == [1]
    s.run("fifo_queue_Close")
    assert s.run("fifo_queue_Dequeue:0", "fifo_queue_Dequeue:1") == [[5.0, 6.0], 9]
    assert s.run("fifo_queue_DequeueMany:0") == ("FIFOQueue '_0_fifo_queue' is closed and has insufficient "
                                                 "elements (requested 2, current size 0)")
    assert s.run("fifo_queue_EnqueueMany") == "FIFOQueue '_0_fifo_queue' is closed."


def test_a_dequeue_runs_the_queues_runner_until_it_is_exhausted(spec_file):
    """The enqueue op whose queue input is this queue is its runner: each dequeue of 2 runs it
    as often as it needs. Fed by count_up_to (limit 2: two enqueues of 3), the sixth element is
    the last; then the runner's OutOfRange closes the queue and TF's message applies."""
    s = Sess(spec_file("""
    variables: resource
    nodes:
      - {name: q, op: fifo_queue, component_types: [int32], shapes: [[]], capacity: 4}
      - {name: epochs, op: variable, value: 0}
      - {name: count, op: count_up_to, limit: 2, inputs: [epochs]}
      - {name: base, op: const, value: [10, 20, 30]}
      - {name: rows, op: add, inputs: [base, count]}
      - {name: fill, op: queue_enqueue_many, inputs: [q, rows]}
      - {name: n, op: const, value: 2}
      - {name: take, op: queue_dequeue_many, component_types: [int32], inputs: [q, n]}
      - {name: size, op: queue_size, inputs: [q]}
    """))
    assert [s.run("take:0") for _ in range(3)] == [[[10, 20]], [[30, 11]], [[21, 31]]]
    assert s.run("size:0") == [0]
    assert s.run("take:0") == "FIFOQueue '_0_q' is closed and has insufficient elements (requested 2, current size 0)"


def test_an_enqueue_past_capacity_waits_for_room(spec_file):
    """Capacity 4, five rows enqueued: the fifth enters when a dequeue makes room (TF's blocked
    enqueue); the size never exceeds the capacity; closing drops what still waits (TF's
    waiting enqueue then fails Cancelled). No TF run: TF's own session would block here."""
    s = Sess(spec_file("""
    variables: resource
    nodes:
      - {name: q, op: fifo_queue, component_types: [int32], capacity: 4}
      - {name: rows, op: const, value: [1, 2, 3, 4, 5]}
      - {name: fill, op: queue_enqueue_many, inputs: [q, rows]}
      - {name: six, op: const, value: 6}
      - {name: put_one, op: queue_enqueue, inputs: [q, six]}
      - {name: take, op: queue_dequeue, component_types: [int32], inputs: [q]}
      - {name: size, op: queue_size, inputs: [q]}
      - {name: close, op: queue_close, inputs: [q]}
    """))
    s.run("fill")
    assert s.run("size:0") == [4]
    assert s.run("take:0") == [1]
    s.run("put_one")
    assert s.run("size:0") == [4]
    s.run("close")
    assert [s.run("take:0") for _ in range(5)] == [[2], [3], [4], [5], (
        "FIFOQueue '_0_q' is closed and has insufficient elements (requested 1, current size 0)")]


def test_random_shuffle_queue_draws_tfs_philox_order(spec_file):
    """TF: rq = tf1.RandomShuffleQueue(20, 2, [tf.int32], shapes=[[]], seed=7) (attributes seed
    87654321, seed2 7); rq.enqueue_many([tf.range(10)]); dequeue_many(3) twice: [7 1 5], [6 4 3];
    rq.close(); dequeue_many(3): [2 0 9]; then OutOfRange with one left. (The second queue the
    session made: `_1_`.)"""
    s = Sess(spec_file("variables: resource\n" + FIFO + """
  - {name: random_shuffle_queue, op: random_shuffle_queue, component_types: [int32], shapes: [[]],
     capacity: 20, min_after_dequeue: 2, seed: 7}
  - {name: ten, op: const, value: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}
  - {name: put, op: queue_enqueue_many, inputs: [random_shuffle_queue, ten]}
  - {name: three, op: const, value: 3}
  - {name: draw, op: queue_dequeue_many, component_types: [int32], inputs: [random_shuffle_queue, three]}
  - {name: shut, op: queue_close, inputs: [random_shuffle_queue]}
"""))
    s.run("fifo_queue_Size:0")   # TF's script made the FIFO queue first: `_0_`
    s.run("put")
    assert s.run("draw:0") == [[7, 1, 5]]
    assert s.run("draw:0") == [[6, 4, 3]]
    s.run("shut")
    assert s.run("draw:0") == [[2, 0, 9]]
    assert s.run("draw:0") == ("RandomShuffleQueue '_1_random_shuffle_queue' is closed and has insufficient "
                               "elements (requested 3, current size 1)")


def test_dequeue_up_to_takes_what_a_closed_queue_has_left(spec_file):
    """TF: q.dequeue_up_to(2) after enqueue_many([1, 2, 3]): [1 2]; close: [3]; then OutOfRange.
    RandomShuffleQueue(10, 1, [tf.int32], shapes=[[]], seed=3) with 1..5: [3 4]; close: [2 1], [5]."""
    s = Sess(spec_file("""
    variables: resource
    nodes:
      - {name: fifo_queue, op: fifo_queue, component_types: [int32], shapes: [[]], capacity: 10}
      - {name: three, op: const, value: [1, 2, 3]}
      - {name: fill, op: queue_enqueue_many, inputs: [fifo_queue, three]}
      - {name: two, op: const, value: 2}
      - {name: some, op: queue_dequeue_up_to, component_types: [int32], inputs: [fifo_queue, two]}
      - {name: close, op: queue_close, inputs: [fifo_queue]}
      - {name: random_shuffle_queue, op: random_shuffle_queue, component_types: [int32], shapes: [[]],
         capacity: 10, min_after_dequeue: 1, seed: 3}
      - {name: five, op: const, value: [1, 2, 3, 4, 5]}
      - {name: put, op: queue_enqueue_many, inputs: [random_shuffle_queue, five]}
      - {name: draw, op: queue_dequeue_up_to, component_types: [int32], inputs: [random_shuffle_queue, two]}
      - {name: shut, op: queue_close, inputs: [random_shuffle_queue]}
    """))
    assert [str(t) for t in s.pipeline.spec.graph.nodes["some"].outputs] == ["int32[?]"]
    s.run("fill")
    assert s.run("some:0") == [[1, 2]]
    s.run("close")
    assert s.run("some:0") == [[3]]
    assert s.run("some:0") == ("FIFOQueue '_0_fifo_queue' is closed and has insufficient elements "
                               "(requested 2, current size 0)")
    s.run("put")
    assert s.run("draw:0") == [[3, 4]]
    s.run("shut")
    assert [s.run("draw:0") for _ in range(3)] == [[[2, 1]], [[5]], (
        "RandomShuffleQueue '_1_random_shuffle_queue' is closed and has insufficient elements "
        "(requested 2, current size 0)")]


def test_random_shuffle_queue_keeps_min_after_dequeue_until_closed(spec_file):
    """min_after_dequeue 2 with 4 elements and no runner: a dequeue of 3 would wait forever in
    TF; idrun says so instead of hanging."""
    s = Sess(spec_file("""
    variables: resource
    nodes:
      - {name: rq, op: random_shuffle_queue, component_types: [int32], capacity: 10, min_after_dequeue: 2,
         seed: 7}
      - {name: four, op: const, value: [0, 1, 2, 3]}
      - {name: three, op: const, value: 3}
      - {name: draw, op: queue_dequeue_many, component_types: [int32], inputs: [rq, three]}
    """))
    s.run("rq:0")
    assert "would wait forever" in s.run("draw:0")


def test_readers_give_tfs_keys_and_records(spec_file, tmp_path, monkeypatch):
    """TF: a FixedLengthRecordReader(4, header_bytes=1, footer_bytes=3) over bytes 1..12 gives
    `f.bin:0` -> 02 03 04 05 and `f.bin:1` -> 06 07 08 09, then, its filename queue closed and
    empty, that queue's OutOfRange at the ReaderRead; a TFRecordReader over records
    b"ab", b"cdef", b"g" (tf1.python_io.TFRecordWriter) gives keys `r.tfrecord:0`, `:18`, `:38`;
    a file whose first record's data CRC is wrong: DataLoss "corrupted record at 12" (TF's
    RecordReader: the data's offset), again at each read, as TF's reader stays on the file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.bin").write_bytes(bytes(range(1, 13)))
    (tmp_path / "r.tfrecord").write_bytes(b"".join(tfrecord(r) for r in (b"ab", b"cdef", b"g")))
    (tmp_path / "bad.tfrecord").write_bytes(tfrecord(b"ab")[:-1] + b"?")
    s = Sess(spec_file("""
    variables: resource
    collections: {queue_runners: []}   # no runners: enqueues run by the steps alone
    nodes:
      - {name: files, op: fifo_queue, component_types: [string], shapes: [[]], capacity: 5}
      - {name: names, op: const, value: [f.bin], dtype: string}
      - {name: add_files, op: queue_enqueue_many, inputs: [files, names]}
      - {name: fixed, op: fixed_length_record_reader, record_bytes: 4, header_bytes: 1, footer_bytes: 3}
      - {name: read_fixed, op: reader_read, inputs: [fixed, files]}
      - {name: close_files, op: queue_close, inputs: [files]}
      - {name: records, op: fifo_queue, component_types: [string], shapes: [[]], capacity: 5}
      - {name: rec_names, op: const, value: [r.tfrecord, bad.tfrecord], dtype: string}
      - {name: add_records, op: queue_enqueue_many, inputs: [records, rec_names]}
      - {name: close_records, op: queue_close, inputs: [records]}
      - {name: tfrecord, op: tf_record_reader}
      - {name: read_tfrecord, op: reader_read, inputs: [tfrecord, records]}
    """))
    s.run("add_files")
    assert s.run("read_fixed:0", "read_fixed:1") == [b"f.bin:0", b"\x02\x03\x04\x05"]
    assert s.run("read_fixed:0", "read_fixed:1") == [b"f.bin:1", b"\x06\x07\x08\t"]
    s.run("close_files")
    assert s.run("read_fixed:0") == ("FIFOQueue '_0_files' is closed and has insufficient elements "
                                     "(requested 1, current size 0)")
    s.run("add_records")
    s.run("close_records")
    assert [s.run("read_tfrecord:0", "read_tfrecord:1") for _ in range(3)] == [
        [b"r.tfrecord:0", b"ab"], [b"r.tfrecord:18", b"cdef"], [b"r.tfrecord:38", b"g"]]
    assert [s.run("read_tfrecord:0") for _ in range(2)] == ["corrupted record at 12"] * 2  # TF stays on it


def test_decode_raw_as_tf(spec_file):
    """TF: tf1.decode_raw([b"\\x01\\x02\\x03\\x04", b"\\x05\\x06\\x07\\x08"], tf.int16, little_endian=False)
    -> [[258, 772], [1286, 1800]]; tf1.decode_raw(b"\\x01\\x02\\x03\\x04", tf.int32) -> [67305985]."""
    s = Sess(spec_file("""
    variables: resource
    nodes:
      - {name: two, op: const, value: ["\\x01\\x02\\x03\\x04", "\\x05\\x06\\x07\\x08"], dtype: string}
      - {name: be, op: decode_raw, out_type: int16, little_endian: false, inputs: [two]}
      - {name: one, op: const, value: "\\x01\\x02\\x03\\x04", dtype: string}
      - {name: le, op: decode_raw, out_type: int32, inputs: [one]}
      - {name: odd, op: const, value: ["\\x01\\x02\\x03"], dtype: string}
      - {name: bad, op: decode_raw, out_type: int32, inputs: [odd]}
    """))
    assert s.run("be:0", "le:0") == [[[258, 772], [1286, 1800]], [67305985]]
    assert s.run("bad:0") == "Input to DecodeRaw has length 3 that is not a multiple of 4, the size of int32"


@pytest.mark.parametrize("variables", ["resource", "ref"])
def test_count_up_to_as_tf(spec_file, variables):
    """TF: tf1.count_up_to(v, 2) on a variable of 0 (ResourceCountUpTo / CountUpTo): 0, 1, then
    OutOfRange 'Reached limit of 2'."""
    s = Sess(spec_file(f"""
    variables: {variables}
    nodes:
      - {{name: v, op: variable, value: 0}}
      - {{name: c, op: count_up_to, limit: 2, inputs: [v]}}
    """))
    assert [s.run("c:0") for _ in range(3)] == [[0], [1], "Reached limit of 2"]


def test_handle_types_check_enqueues_and_give_dequeues_their_shapes(spec_file):
    """The queue's handle carries its component types and shapes (TF's handle data): a
    dequeue_many of 2 from a queue of [2]-vectors is [2, 2]; an enqueue of the wrong dtype is
    TF's type mismatch, at build time."""
    s = Sess(spec_file("variables: resource\n" + FIFO))
    graph = s.pipeline.spec.graph
    assert [str(t) for t in graph.nodes["fifo_queue_DequeueMany"].outputs] == ["float32[2,2]", "int32[2]"]
    bad = spec_file("variables: resource\n" + FIFO.replace("inputs: [fifo_queue, rows, labels]",
                                                          "inputs: [fifo_queue, labels, labels]"), "bad.yaml")
    with pytest.raises(SpecError, match="Type mismatch in tuple component 0. Expected float, got int32"):
        Pipeline(bad, RunOptions()).spec


def test_only_the_collections_queue_runners_run(spec_file):
    """With a QUEUE_RUNNERS collection (a .meta), only its queues have runners: an enqueue op
    of another queue is the user's, and a dequeue that TF would wait on forever says so."""
    text = """
    variables: resource
    collections: {queue_runners: [%s]}
    nodes:
      - {name: q, op: fifo_queue, component_types: [int32], shapes: [[]]}
      - {name: rows, op: const, value: [1, 2, 3]}
      - {name: fill, op: queue_enqueue_many, inputs: [q, rows]}
      - {name: n, op: const, value: 2}
      - {name: take, op: queue_dequeue_many, component_types: [int32], inputs: [q, n]}
    """
    assert Sess(spec_file(text % "q", "runner.yaml")).run("take:0") == [[1, 2]]
    message = Sess(spec_file(text % "", "none.yaml")).run("take:0")
    assert message == ("FIFOQueue '_0_q' has 0 elements and no queue runner enqueues to it: TF's dequeue of 2 "
                       "would wait forever")


def test_a_runner_that_needs_a_node_idrun_cannot_run_fails_before_the_run(spec_file):
    """An imported node idrun keeps but cannot run (tf_opaque) in what a queue's runner runs:
    named before step 1, as one in the step itself is."""
    result = Pipeline(spec_file("""
    variables: resource
    nodes:
      - {name: q, op: fifo_queue, component_types: [int32], shapes: [[]]}
      - {name: rows, op: tf_opaque, tf_op: Fill, outputs: [{dtype: int32, shape: [3]}]}
      - {name: fill, op: queue_enqueue_many, inputs: [q, rows]}
      - {name: take, op: queue_dequeue, component_types: [int32], inputs: [q]}
    """), RunOptions(fetch=["take:0"]))
    with pytest.raises(SpecError, match=r"the run needs 1 node that idrun cannot run .*rows"):
        result.run()


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def test_the_cifar10_pipeline_from_its_meta_graph_runs_its_epochs_as_tf(tmp_path, monkeypatch):
    """tests/fixtures/graphdefs/input_pipeline_cifar10.meta: tf1.train.export_meta_graph of
    scripts/graphdef_cases/input_pipeline.py's cifar10_binary_batch (string_input_producer with
    num_epochs=2 over 5 records, FixedLengthRecordReader, tf.train.batch of 2). TF, with
    start_queue_runners: labels [0, 1], [2, 3], [4, 0], [1, 2], [3, 4], then OutOfRange
    "FIFOQueue '_1_batch/fifo_queue' is closed and has insufficient elements (requested 2,
    current size 0)" (its runners' threads made input_producer's queue first)."""
    pytest.importorskip("tensorboard.compat.proto.meta_graph_pb2")
    from idrun.tf.graphdef_import import import_graphdef
    monkeypatch.chdir(ROOT)   # the graph names its records file from the repository root, as TF ran it
    spec = tmp_path / "cifar.yaml"
    text = import_graphdef(str(ROOT / "tests/fixtures/graphdefs/input_pipeline_cifar10.meta"), str(spec))
    assert "queue_runners: [input_producer, batch/fifo_queue]" in text and "tf_opaque" not in text
    result = Pipeline(str(spec), RunOptions(fetch=["labels:0"], steps=6)).run()
    assert [s.values["labels:0"].tolist() for s in result.steps] == [[0, 1], [2, 3], [4, 0], [1, 2], [3, 4]]
    assert result.error.step == 6 and result.error.node == "batch"
    assert result.error.message == ("FIFOQueue '_1_batch/fifo_queue' is closed and has insufficient elements "
                                    "(requested 2, current size 0)")


KERNEL_TESTS = {
    "fifo_queue": test_fifo_queue_enqueue_many_dequeue_close_as_tf,
    "queue_enqueue_many": test_fifo_queue_enqueue_many_dequeue_close_as_tf,
    "queue_dequeue_many": test_fifo_queue_enqueue_many_dequeue_close_as_tf,
    "queue_dequeue": test_fifo_queue_enqueue_many_dequeue_close_as_tf,
    "queue_dequeue_up_to": test_dequeue_up_to_takes_what_a_closed_queue_has_left,
    "queue_size": test_fifo_queue_enqueue_many_dequeue_close_as_tf,
    "queue_close": test_fifo_queue_enqueue_many_dequeue_close_as_tf,
    "queue_enqueue": test_an_enqueue_past_capacity_waits_for_room,
    "random_shuffle_queue": test_random_shuffle_queue_draws_tfs_philox_order,
    "fixed_length_record_reader": test_readers_give_tfs_keys_and_records,
    "tf_record_reader": test_readers_give_tfs_keys_and_records,
    "reader_read": test_readers_give_tfs_keys_and_records,
    "decode_raw": test_decode_raw_as_tf,
    "count_up_to": test_count_up_to_as_tf,
}
