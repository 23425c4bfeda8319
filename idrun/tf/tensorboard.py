"""`idrun export SPEC --format tensorboard -o DIR`: an events file TensorBoard shows.

The file (`DIR/events.out.tfevents.<time>.idrun`) holds, as TF's FileWriter
writes them: a `file_version` event, the placed graph as a GraphDef (every
node with TF's op type, full name, device, inputs and ^controls, plus the
`_Send`/`_Recv` pairs of the partitioned step, consumers reading the
`_Recv`), and one `TaggedRunMetadata` per step (`step_1`, ...) whose
step_stats list, per device, the ops of a real run in the order they ran and
the transfers with their measured times. idrun times a step as a whole, not
each op, so an op's slice is its share of the step's time in run order.

Every node carries `_output_shapes` (one shape per output, unknown dims -1, unknown
rank `unknown_rank: true`), as `FileWriter(logdir, graph)` writes them
(`as_graph_def(add_shapes=True)`): TensorBoard draws an edge's width from it and
dashes control edges only when shapes are present.

Records go through TensorBoard's own `RecordWriter` (TFRecord framing: length,
masked CRC-32C of it, data, masked CRC-32C of the data), the code its reader
pairs with; it ships in the `tensorboard` package with the protos, so without
the `idrun[tensorboard]` extra the command stops with exit 2 and says to install
it (there is nothing to write the events with). No writer thread, no TF import.
"""

from __future__ import annotations

import time
from pathlib import Path

from idrun.errors import UsageError



def require_writer():
    """TensorBoard's protos and its RecordWriter, or a usage error (exit 2) naming the extra."""
    from idrun.protos import tensorboard_protos
    from idrun.tf.graphdef import require_protos
    require_protos()
    tensorboard_protos("compat.proto.event_pb2", "summary.writer.record_writer",
                       what="an events file (TensorBoard)")
    from tensorboard.summary.writer.record_writer import RecordWriter
    return RecordWriter


def write_events(fh, events) -> None:
    """`events` (Event protos) as TFRecords through TensorBoard's RecordWriter."""
    from tensorboard.summary.writer.record_writer import RecordWriter
    writer = RecordWriter(fh)
    for event in events:
        writer.write(event.SerializeToString())


class _StepClock:
    """Observer: when each step ended (a step starts where the previous one ended)."""

    def __init__(self) -> None:
        self.marks = [time.time()]

    def on_step_end(self, result) -> None:
        self.marks.append(time.time())

    def on_finish(self, result) -> None:
        pass


def _tb_device(name: str) -> str:
    from idrun.devices.names import parse_device
    spec = parse_device(name)
    job = "localhost" if spec.is_local else spec.job
    return f"/job:{job}/replica:0/task:{spec.task or 0}/device:{(spec.type or 'cpu').upper()}:{spec.index or 0}"


def _run_metadata(step, start: float, end: float, device_of: dict[str, str]):
    from tensorboard.compat.proto import config_pb2
    md = config_pb2.RunMetadata()
    per_device = {}
    span = max(end - start, 1e-6)
    ops = step.ops or []
    share = span / max(len(ops), 1)
    for k, (node, device) in enumerate(ops):
        dev = per_device.get(device)
        if dev is None:
            dev = per_device[device] = md.step_stats.dev_stats.add(device=_tb_device(device))
        begin = int((start + k * share) * 1e6)
        micros = max(int(share * 1e6), 1)
        ns = dev.node_stats.add(node_name=node, all_start_micros=begin, op_start_rel_micros=0,
                                op_end_rel_micros=micros, all_end_rel_micros=micros,
                                timeline_label=node)
        ns.all_start_nanos = begin * 1000
    for t in step.transfers:
        dev = per_device.get(t.dst)
        if dev is None:
            dev = per_device[t.dst] = md.step_stats.dev_stats.add(device=_tb_device(t.dst))
        micros = max(int(t.seconds * 1e6), 1)
        dev.node_stats.add(node_name=f"{t.tensor} (recv from {t.src})", all_start_micros=int(start * 1e6),
                           op_end_rel_micros=micros, all_end_rel_micros=micros,
                           timeline_label=f"{t.kind} {t.tensor} {t.src} -> {t.dst}, {t.bytes} bytes")
    return md


def export_tensorboard(pipeline, directory: str) -> str:
    """Write the events file for a spec's run into `directory`; returns its path."""
    from idrun.tf.graphdef import add_transfers, build_graphdef
    require_writer()
    from tensorboard.compat.proto import event_pb2
    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{directory}: not a directory (--format tensorboard writes an events file into -o DIR)")
    graph = pipeline.spec.graph
    gd = build_graphdef(graph, pipeline.placement.device, _tb_device, init=False, shapes=True)
    add_transfers(gd, graph, pipeline.step, _tb_device)
    clock = _StepClock()
    result = pipeline.run((clock,))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {directory}: {exc.strerror or exc}") from None
    now = time.time()
    records = [event_pb2.Event(wall_time=now, file_version="brain.Event:2"),
               event_pb2.Event(wall_time=now, graph_def=gd.SerializeToString())]
    for k, step in enumerate(result.steps):
        md = _run_metadata(step, clock.marks[k] if k < len(clock.marks) else now,
                           clock.marks[k + 1] if k + 1 < len(clock.marks) else now, pipeline.placement.device)
        tagged = event_pb2.TaggedRunMetadata(tag=f"step_{step.step}", run_metadata=md.SerializeToString())
        records.append(event_pb2.Event(wall_time=now, step=step.step, tagged_run_metadata=tagged))
    from idrun.tf.summaries import new_events_file
    path = out
    try:   # a new file each export, even two in one second (TensorBoard reads every one)
        path, fh = new_events_file(out, "idrun")
        with fh:
            write_events(fh, records)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return str(path)
