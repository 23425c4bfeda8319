"""A session's variables to and from TF V2 checkpoints (`idrun run --save/--restore`).

Keys are the variables' node names (TF's Saver keys: `conv1/weights`). `restore` sets every
variable of the session from a checkpoint before step 1 (in place of initializing it); a
variable the checkpoint lacks, or holds with another shape or dtype, is a SpecError at the
variable's spec entry (exit 2), naming it. `CheckpointWriter` is a session observer that
saves every N steps and after the last one (`tf/checkpoint.py` writes atomically).
"""

from __future__ import annotations

import re

from idrun.errors import SpecError, UsageError
from idrun.tf import checkpoint
from idrun.tf.checkpoint import CheckpointError


def checkpoint_step(prefix: str) -> int:
    """The global step a prefix names (`model.ckpt-3` -> 3), 0 if none."""
    match = re.search(r"-(\d+)$", prefix)
    return int(match.group(1)) if match else 0


def restore(session, path: str) -> str:
    """Every variable of `session` from the checkpoint at `path` (a directory with a
    `checkpoint` file, or a prefix); returns the prefix read."""
    import numpy
    try:
        prefix = checkpoint.resolve_prefix(path)
        bundle = checkpoint.Bundle(prefix)
    except CheckpointError as exc:
        raise UsageError(f"--restore: {exc}") from None
    graph = session.graph
    values = {}
    for name in session.cells:
        node = graph.nodes[name]
        out = node.outputs[0]
        entry = bundle.entries.get(name)
        if entry is None:
            raise SpecError(f"variable '{name}' is not in the checkpoint {prefix} (it holds "
                            f"{_some(bundle.entries)})", node.loc)
        if entry.dtype != out.dtype:
            raise SpecError(f"variable '{name}' is {out.dtype}, the checkpoint {prefix} holds "
                            f"{entry.dtype} (shape {list(entry.shape)})", node.loc)
        if out.shape is not None and (len(out.shape) != len(entry.shape) or any(
                d is not None and d != e for d, e in zip(out.shape, entry.shape))):
            raise SpecError(f"variable '{name}' has shape {list(out.shape)}, the checkpoint {prefix} "
                            f"holds shape {list(entry.shape)}", node.loc)
        try:
            values[name] = bundle.tensor(name)
        except CheckpointError as exc:
            raise UsageError(f"--restore: {exc}") from None
    for name, value in values.items():   # all checked before any is set
        device = session.devices[session.placement.device[name]]
        session.cells[name].value = device.put(numpy.array(value, copy=True, order="C"))
    return prefix


def _some(entries) -> str:
    names = sorted(entries)
    if not names:
        return "no tensors"
    shown = ", ".join(repr(n) for n in names[:8])
    return shown + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def variable_tensors(session) -> dict:
    """Every initialized variable's (dtype, host value), by name."""
    import numpy
    out = {}
    for name, cell in session.cells.items():
        if cell.value is None:
            continue
        device = session.devices[session.placement.device[name]]
        out[name] = (session.graph.nodes[name].outputs[0].dtype, numpy.asarray(device.get(cell.value)))
    return out


class CheckpointWriter:
    """Saves DIR/model.ckpt-STEP every `every` steps (0: only after the last step) and after
    the last step, keeping the last `keep`. STEP counts on from `start` (the restored one).
    A write that fails ends nothing: `error` holds it for the command to report."""

    def __init__(self, session, folder: str, every: int = 0, keep: int = 5, start: int = 0) -> None:
        self.session, self.folder, self.every, self.keep, self.start = session, folder, every, keep, start
        self.saved: list[str] = []
        self.last_step = 0
        self.error: UsageError | None = None

    def on_step_end(self, result) -> None:
        self.last_step = result.step
        if self.every and result.step % self.every == 0:
            self._save(result.step)

    def on_finish(self, result) -> None:
        if result.error is None and self.last_step and not (self.every and self.last_step % self.every == 0):
            self._save(self.last_step)
        elif result.error is None and not self.last_step and not self.saved:
            self._save(0)   # --steps 0: the initial (or restored) values

    def _save(self, step: int) -> None:
        if self.error is not None:
            return
        try:
            self.saved.append(checkpoint.save(self.folder, self.start + step,
                                              variable_tensors(self.session), self.keep))
        except (OSError, CheckpointError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.error = UsageError(f"--save {self.folder}: {reason}")
