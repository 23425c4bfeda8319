"""`idrun check --schedules K`: run K random legal orders, and the read then the write as late as
the graph allows, and show what each unordered read saw."""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic
from idrun.errors import IdrunError
from idrun.records import replace


def prove(pipeline_factory, base_options, request, diagnostics: list[Diagnostic], k: int) -> None:
    """For each unordered-read-write diagnostic, the distinct values its read saw in step 1 of
    K runs (`RunOptions(schedule="random", seed=s)` for s in 0..K-1) and of two chosen legal
    orders: the read as late as the graph allows, then the write as late (a uniformly random
    order rarely delays an op that is ready early, as an EMA's read of a variable is, past a
    long gradient chain). Added to each as data and a note. Runs only when there is such a
    diagnostic; a run that fails is said, not raised."""
    races = [d for d in diagnostics if d.code == "unordered-read-write"]
    if not races or k <= 0:
        return
    readers = list(dict.fromkeys(d.data["reader"] for d in races))
    fetch = list(dict.fromkeys(list(request.fetch_names) + readers))
    common = dict(steps=1, fetch=fetch, targets=list(request.targets))
    runs = [(str(seed), replace(base_options, schedule="random", seed=seed, **common)) for seed in range(k)]
    for who, late in (("read last", readers), ("write last", [d.data["writer"] for d in races])):
        runs.append((who, replace(base_options, schedule="declaration", late=frozenset(late), **common)))
    seen: dict[str, dict[str, list[str]]] = {r: {} for r in readers}
    failures = []
    for label, options in runs:
        try:
            result = pipeline_factory(options).run()
        except IdrunError as err:
            failures.append(f"{label}: {err.message}")
            continue
        if result.error is not None or not result.steps:
            failures.append(f"{label}: {result.error.message if result.error else 'no step'}")
            continue
        values = result.steps[0].values
        for r in readers:
            if r in values:
                seen[r].setdefault(_text(values[r]), []).append(label)
    for d in races:
        by_value = seen[d.data["reader"]]
        d.data["schedules"] = {"runs": len(runs), "distinct": len(by_value),
                               "values": [{"value": v, "seeds": [int(x) for x in s if x.isdigit()],
                                           "orders": s} for v, s in by_value.items()]}
        shown = "; ".join(f"{_clip(v)} ({_labels(s)})" for v, s in by_value.items())
        if len(by_value) > 1:
            d.message += (f". Proof: {k} random schedules and 2 chosen orders read {len(by_value)} distinct "
                          f"values: {shown}")
        else:
            d.message += (f". {k} random schedules and 2 chosen orders all read {shown or 'nothing'} (the race "
                          f"is still there: no path orders them)")
        if failures:
            d.message += f"; {len(failures)} run(s) failed ({failures[0]})"


def _clip(text: str, limit: int = 120) -> str:
    """A value in the message: its start, when long (the JSON's `schedules` has it whole)."""
    return text if len(text) <= limit else text[:limit] + "..."


def _labels(labels: list[str]) -> str:
    seeds = [x for x in labels if x.isdigit()]
    parts = [f"seed{'s' * (len(seeds) > 1)} {', '.join(seeds[:8])}{', ...' if len(seeds) > 8 else ''}"] if seeds else []
    return ", ".join(parts + [x for x in labels if not x.isdigit()])


def _text(value) -> str:
    from idrun.result import to_json_value
    import json
    return json.dumps(to_json_value(value))
