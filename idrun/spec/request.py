"""From a loaded spec and command-line choices to a RunRequest.

Resolves fetch, target and feed names (aliases followed, variables fetched
through their own read, B7 wording for bad names) and reads feed values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from idrun.dtypes import RESOURCE, VARIANT
from idrun.errors import SourceLoc, SpecError, SpecWarning, UsageError, did_you_mean
from idrun.records import FACTORY, Record
from idrun.spec.expect import ERROR_KEY, TRANSFERS_KEY
from idrun.graph import Graph, TensorRef
from idrun.spec import Located, Spec


class RunRequest(Record):
    """What to run: resolved tensors and nodes, and how."""

    fetch: list[TensorRef]
    fetch_names: list[str]
    targets: list[str]
    feeds: dict[TensorRef, Any]    # host arrays
    steps: int
    schedule: str                  # | "random"
    seed: int
    record_ops: bool
    record_times: bool             # per-op and per-transfer start/end times (--trace-out)
    init: bool
    init_targets: list[str]        # run.init's ops, run once before step 1 (an imported initializer)
    late: frozenset[str]           # nodes the order runs only when nothing else is ready

    def __init__(self, fetch: list[TensorRef], fetch_names: list[str], targets: list[str] = FACTORY,
                 feeds: dict[TensorRef, Any] = FACTORY, steps: int = 1, schedule: str = "declaration",
                 seed: int = 0, record_ops: bool = False, record_times: bool = False,
                 init: bool = True, init_targets: list[str] = FACTORY, late: frozenset[str] = frozenset()) -> None:
        self.fetch = fetch
        self.fetch_names = fetch_names
        self.targets = [] if targets is FACTORY else targets
        self.feeds = {} if feeds is FACTORY else feeds
        self.steps = steps
        self.schedule = schedule
        self.seed = seed
        self.record_ops = record_ops
        self.record_times = record_times
        self.init = init
        self.init_targets = [] if init_targets is FACTORY else init_targets
        self.late = late


class RunOptions(Record):
    """What the command line asked for; None means "use the spec's `run:`"."""

    fetch: list[str] | None
    targets: list[str] | None
    feeds: dict[str, Any]              # name -> literal or "@path"
    steps: int | None
    schedule: str
    seed: int
    record_ops: bool
    record_times: bool
    soft_placement: bool
    allow_outside_files: bool          # a spec's file feeds may leave its directory
    late: frozenset[str]               # nodes to run as late as the graph allows (check --schedules)
    parallel: str                      # devices side by side: auto, on (where it can), off (compile/lanes.py)

    def __init__(self, fetch: list[str] | None = None, targets: list[str] | None = None,
                 feeds: dict[str, Any] = FACTORY, steps: int | None = None, schedule: str = "declaration",
                 seed: int = 0, record_ops: bool = False, record_times: bool = False,
                 soft_placement: bool = False, allow_outside_files: bool = False,
                 late: frozenset[str] = frozenset(), parallel: str = "auto") -> None:
        self.fetch = fetch
        self.targets = targets
        self.feeds = {} if feeds is FACTORY else feeds
        self.steps = steps
        self.schedule = schedule
        self.seed = seed
        self.record_ops = record_ops
        self.record_times = record_times
        self.soft_placement = soft_placement
        self.allow_outside_files = allow_outside_files
        self.late = late
        self.parallel = parallel


def resolve_tensor(graph: Graph, text: str, redirect: bool = True) -> TensorRef:
    """A fetch or feed name as a tensor; LookupError((message, hints)) in TF's words (B7).

    With `redirect`, a resource variable (or assign) names the read that fetching it runs;
    without, the node itself (what the TF exporter holds in its table)."""
    name, sep, index = text.rpartition(":")
    if not (sep and index.isdigit()):
        name, index = text, "0"
    if name in graph.aliases and index == "0":
        target = graph.aliases[name]
        return _redirect(graph, target) if redirect else target
    if name not in graph.nodes:
        raise LookupError((f"The name '{text}' refers to a Tensor which does not exist. The "
                           f"operation, '{name}', does not exist in the graph.", close_names(graph, name)))
    ref = TensorRef(name, int(index))
    count = len(graph.nodes[name].outputs)
    if ref.index >= count:
        raise LookupError((f"The name '{text}' refers to a Tensor which does not exist. The "
                           f"operation, '{name}', exists but only has {count} "
                           f"output{'s' * (count != 1)}.", [f"{name}:{i}" for i in range(min(count, 3))]))
    return _redirect(graph, ref) if redirect else ref


def close_names(graph: Graph, name: str) -> list[str]:
    """Node and alias names close to `name`, best first; the names the builder made (a
    literal's `tower/z/y`) are left out unless one of them is the best."""
    nodes = graph.nodes
    close = did_you_mean(name, list(nodes) + list(graph.aliases))
    if close and (close[0] not in nodes or not nodes[close[0]].role):
        close = [c for c in close if c not in nodes or not nodes[c].role]
    return close


def _redirect(graph: Graph, ref: TensorRef) -> TensorRef:
    """Fetching a resource variable fetches its own read (C2)."""
    return graph.fetch_redirects.get(ref.node, ref) if ref.index == 0 else ref


def _text_loc(item: Located | str) -> tuple[str, SourceLoc | None]:
    """A name from the spec (with where it was written) or from the command line."""
    return (item.value, item.loc) if isinstance(item, Located) else (item, None)


def _resolve(graph: Graph, item: Located | str, option: str = "--fetch") -> TensorRef:
    """A fetch or feed; `option` names where a command-line name came from."""
    text, loc = _text_loc(item)
    try:
        ref = resolve_tensor(graph, text)
    except LookupError as exc:
        message, hints = exc.args[0]
        raise _error(loc, message, hints, option) from None
    out = graph.nodes[ref.node].outputs
    dtype = out[ref.index].dtype if ref.index < len(out) and out[ref.index] is not None else None
    if dtype in HANDLE_DT:
        raise _error(loc, f"'{text}' is {HANDLE_DT[dtype]}: its ops pass it on, a step cannot fetch or "
                          "feed it (fetch what is read from it: a gather, a stack)", (), option)
    return ref


HANDLE_DT = {RESOURCE: "a TensorArray's or stack's handle (DT_RESOURCE)", VARIANT: "a TensorList (DT_VARIANT)"}


def _error(loc: SourceLoc | None, message: str, hints=(), option: str = "") -> SpecError:
    """Located at the spec's entry, or, for a name given on the command line, its option."""
    if loc:
        return SpecError(message, loc, hints)
    return UsageError(f"{option}: {message}" if option else message, None, hints)


def _target(graph: Graph, item: Located | str, option: str = "--target") -> str:
    text, loc = _text_loc(item)
    name = graph.aliases[text].node if text in graph.aliases else text
    if name not in graph.nodes:
        raise _error(loc, f"target '{text}': the operation does not exist", close_names(graph, text), option)
    return name


def build_request(spec: Spec, opts: RunOptions) -> RunRequest:
    graph = spec.graph
    fetch_items = opts.fetch if opts.fetch is not None else (
        spec.run.fetch if spec.run.fetch_given else
        [Located(k, v.loc) for k, v in spec.expect.items() if k not in (TRANSFERS_KEY, ERROR_KEY)])
    target_items = opts.targets if opts.targets is not None else spec.run.targets
    targets = [_target(graph, t) for t in target_items]
    fetch, names = [], []
    for item in fetch_items:
        text = _text_loc(item)[0]
        if _is_op_name(graph, text):
            targets.append(_target(graph, item, "--fetch"))  # an op with no outputs runs as a target (B3)
            continue
        fetch.append(_resolve(graph, item))
        names.append(text)
    feeds = read_feeds(spec, opts)
    steps = opts.steps if opts.steps is not None else spec.run.steps
    init_targets = [_target(graph, t) for t in spec.run.init_targets]
    return RunRequest(fetch, names, targets, feeds, steps, opts.schedule, opts.seed,
                      opts.record_ops, opts.record_times, spec.run.init, init_targets, opts.late)


def _is_op_name(graph: Graph, text: str) -> bool:
    node = graph.nodes.get(text)
    return node is not None and not node.outputs


def read_feeds(spec: Spec, opts: RunOptions) -> dict[TensorRef, Any]:
    """Spec feeds, then command-line feeds over them; values converted to the tensor's type."""
    from idrun.spec.feeds import feed_value  # numpy: only when something is fed
    items: dict[str, tuple[Any, SourceLoc | None, Path | None]] = {}
    base = Path(spec.path).resolve().parent  # a symlinked spec reads below its real home
    for name, located in spec.run.feed.items():
        items[name] = (located.value, located.loc, base)
    for name, value in opts.feeds.items():
        items[name] = (value, None, None)
    out = {}
    for name, (value, loc, rel) in items.items():
        name_loc = spec.run.feed_names.get(name, loc) if loc else None
        ref = _resolve(spec.graph, Located(name, name_loc) if loc else name, "--feed")
        _check_variable_feed(spec, name, ref, loc)
        out[ref] = feed_value(spec.graph, ref, value, loc, rel, opts.allow_outside_files)
    return out


def _check_variable_feed(spec: Spec, name: str, ref: TensorRef, loc: SourceLoc | None) -> None:
    """Feeding a variable does what TF does, said out loud. Resource mode feeds the variable's
    own read (what fetching it returns): ops that read it read anew, unaffected, so a warning.
    Ref mode replaces its value for the step; an update of it could then write nothing, so
    that is refused."""
    from idrun.ops import REGISTRY
    graph = spec.graph
    if graph.fetch_redirects.get(name.partition(":")[0]) == ref and REGISTRY[
            graph.nodes[graph.nodes[ref.node].inputs[0].node].op].source == "variable":
        spec.warnings.append(SpecWarning(
            f"feeding variable '{name}' replaces only its own read {ref} (what fetching it returns); "
            "ops that read it are not affected (assign to change it)", loc))
        return
    node = graph.nodes[ref.node]
    if REGISTRY[node.op].source != "variable":
        return
    updates = [n.name for n in graph.nodes.values() if n.ref_inputs and REGISTRY[n.op].assigns
               and any(n.inputs[i].node == node.name for i in n.ref_inputs)]
    if updates:
        raise _error(loc, f"cannot feed variable '{node.name}': {updates[0]} updates it, and a fed "
                          "value cannot be updated (feed a read of it, or assign instead)", (), "--feed")
