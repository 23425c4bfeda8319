"""`idrun check --schedules K`: run K random legal orders and show what each unordered read saw."""

from __future__ import annotations

from idrun.analysis.diagnostic import Diagnostic
from idrun.errors import IdrunError
from idrun.records import replace


def prove(pipeline_factory, base_options, request, diagnostics: list[Diagnostic], k: int) -> None:
    """For each unordered-read-write diagnostic, the distinct values its read saw in step 1 of
    K runs (`RunOptions(schedule="random", seed=s)` for s in 0..K-1), added to it as data and
    a note. Runs only when there is such a diagnostic; a run that fails is said, not raised."""
    races = [d for d in diagnostics if d.code == "unordered-read-write"]
    if not races or k <= 0:
        return
    readers = list(dict.fromkeys(d.data["reader"] for d in races))
    seen: dict[str, dict[str, list[int]]] = {r: {} for r in readers}
    failures = []
    for seed in range(k):
        fetch = list(dict.fromkeys(list(request.fetch_names) + readers))
        options = replace(base_options, schedule="random", seed=seed, steps=1, fetch=fetch,
                          targets=list(request.targets))
        try:
            result = pipeline_factory(options).run()
        except IdrunError as err:
            failures.append(f"seed {seed}: {err.message}")
            continue
        if result.error is not None or not result.steps:
            failures.append(f"seed {seed}: {result.error.message if result.error else 'no step'}")
            continue
        values = result.steps[0].values
        for r in readers:
            if r in values:
                seen[r].setdefault(_text(values[r]), []).append(seed)
    for d in races:
        by_value = seen[d.data["reader"]]
        d.data["schedules"] = {"runs": k, "distinct": len(by_value),
                               "values": [{"value": v, "seeds": s} for v, s in by_value.items()]}
        shown = "; ".join(f"{v} (seed{'s' * (len(s) > 1)} {', '.join(map(str, s[:8]))}"
                          f"{', ...' if len(s) > 8 else ''})" for v, s in by_value.items())
        if len(by_value) > 1:
            d.message += f". Proof: {k} random schedules read {len(by_value)} distinct values: {shown}"
        else:
            d.message += (f". {k} random schedules all read {shown or 'nothing'} (the race is still "
                          f"there: no path orders them)")
        if failures:
            d.message += f"; {len(failures)} run(s) failed ({failures[0]})"


def _text(value) -> str:
    from idrun.result import to_json_value
    import json
    return json.dumps(to_json_value(value))
