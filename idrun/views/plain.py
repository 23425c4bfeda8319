"""Plain-text pieces shared by the views: device labels, the simulated-GPU note, trace lines."""

from __future__ import annotations


from idrun.result import RunResult, StepResult, control_flow_text
from idrun.views.fmt import format_bytes, format_seconds


def device_label(result: RunResult, name: str) -> str:
    """`gpu:0 (simulated)` for a simulated device, else the name."""
    return f"{name} (simulated)" if result.devices.get(name) == "simulated" else name


def simulated_note(result: RunResult) -> str | None:
    """The stderr note for simulated GPUs, with the reason CUDA is not used."""
    sims = [d for d, kind in result.devices.items() if kind == "simulated"]
    if not sims:
        return None
    from idrun.devices import cuda_reason
    return (f"note: {', '.join(sims)} simulated: no CUDA GPU here ({cuda_reason()}); numpy memory "
            "with real copies: values and transfer counts are real, GPU speed is not")


def trace_lines(step: StepResult, result: RunResult | None = None, timings: bool = True) -> list[str]:
    """A step's transfers and op order, readable at a glance (a transfer's time `-` without
    `timings`: run --no-timings)."""
    label = (lambda d: device_label(result, d)) if result else (lambda d: d)
    lines = [f"step {step.step}: {len(step.transfers)} transfer"
             f"{'s' * (len(step.transfers) != 1)}, {format_bytes(sum(t.bytes for t in step.transfers))}"]
    rows = [(t.kind, t.tensor, label(t.src), label(t.dst), format_bytes(t.bytes),
             format_seconds(t.seconds if timings else None))
            for t in step.transfers]
    if rows:   # columns as wide as this step's widest cell: long names and /job: devices line up
        w = [max(len(r[i]) for r in rows) for i in range(5)]
        for kind, tensor, src, dst, size, seconds in rows:
            lines.append(f"  {kind:<{max(7, w[0])}} {tensor:<{max(32, w[1])}} {src:<{w[2]}} -> {dst:<{w[3]}}  "
                         f"{size:>{max(9, w[4])}}  {seconds}")
    if step.control_flow:
        lines.append("  control flow: " + "; ".join(control_flow_text(d) for d in step.control_flow))
    if step.ops:
        lines.append("  ops: " + ", ".join(f"{n} @{label(d)}" for n, d in step.ops))
    return lines
