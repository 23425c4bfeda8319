"""`idrun run SPEC --summaries DIR`: the fetched summaries in an events file TensorBoard reads.

What a TF1 script's `writer.add_summary(sess.run(merged), step)` writes with
`tf.compat.v1.summary.FileWriter(DIR)`: the file `DIR/events.out.tfevents.<time>.idrun-run`
starts with a `file_version` event, then holds, for each step and each fetched value that a
summary op made (`SUMMARY_OPS`: TF's serialized `Summary`), one `Event{wall_time, step,
summary}` with idrun's step number. Each step's events are written and flushed when the step
ends, so a run that stops keeps the steps it finished. Records are written by TensorBoard's
own `RecordWriter` (TFRecord framing); it and the protos need `idrun[tensorboard]`.
"""

from __future__ import annotations

import time
from pathlib import Path

from idrun.errors import UsageError

SUMMARY_OPS = ("scalar_summary", "histogram_summary", "image_summary", "merge_summary")


def summary_fetches(graph, request) -> list[str]:
    """The fetch names whose tensor is the output of a summary op."""
    return [name for name, ref in zip(request.fetch_names, request.fetch)
            if graph.nodes[ref.node].op in SUMMARY_OPS]


class SummaryFile:
    """A run observer writing each step's fetched summaries as events. The file is created
    before the run (a directory that cannot be written is a usage error then); a write that
    fails later is kept as `error` (a UsageError) for the command to report after the values."""

    def __init__(self, directory: str, graph, request) -> None:
        from idrun.tf.tensorboard import require_writer
        require_writer()
        from tensorboard.compat.proto import event_pb2, summary_pb2
        self.event_pb2, self.summary_pb2 = event_pb2, summary_pb2
        self.names = summary_fetches(graph, request)
        if not self.names:
            raise UsageError("--summaries: no fetched tensor is a summary (fetch the output of "
                             + ", ".join(SUMMARY_OPS) + ")")
        self.error: UsageError | None = None
        self.events = 0
        out = Path(directory)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--summaries: {directory}: not a directory")
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.path, self.file = new_events_file(out)
        except OSError as exc:
            raise UsageError(f"--summaries: cannot write into {directory}: {exc.strerror or exc}") from None
        self._write([event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2")])

    def on_step_end(self, step) -> None:
        if self.error is not None:
            return
        now, events = time.time(), []
        for name in self.names:
            event = self.event_pb2.Event(wall_time=now, step=step.step)
            # as FileWriter.add_summary: the serialized Summary parsed into the event
            event.summary.ParseFromString(bytes(step.values[name][()]))
            events.append(event)
        self._write(events)

    def on_finish(self, result) -> None:
        self.file.close()

    def _write(self, events) -> None:
        from idrun.tf.tensorboard import write_events
        try:
            write_events(self.file, events)
            self.file.flush()
            self.events += len(events)
        except OSError as exc:
            self.error = UsageError(f"--summaries: cannot write {self.path}: {exc.strerror or exc}")


def new_events_file(directory: Path, kind: str = "idrun-run"):
    """A new events file (never another run's or export's: a suffix when one of this second
    exists), opened for writing."""
    stamp = int(time.time())
    for k in range(1000):
        path = directory / (f"events.out.tfevents.{stamp}.{kind}" + (f".{k}" if k else ""))
        try:
            return path, open(path, "xb")
        except FileExistsError:
            continue
    raise OSError(f"too many events files of second {stamp}")
