"""The one pipeline every command drives: load -> build -> place -> compile -> run.

    spec      = load_spec(path, variables, observer)   spec/: YAML with locations -> Graph
    request   = build_request(spec, options)           spec/request: fetch, targets, feeds
    placement = place(graph, devices, soft, fed)        compile/placement: a device per node
    step      = partition_step(graph, placement, ...)   compile/plan: what a step runs and moves
    session   = Session(graph, placement)               runtime/: compiles plans, runs steps
    result    = session.run(request, observers)

`Pipeline` computes each product once, on first use, so a command asks only for
what it needs: `show` the placement and the step, `run` the result, `export` the
build with an observer watching it. Nothing here prints.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from idrun.compile.placement import Placement, place
from idrun.records import FACTORY, Record
from idrun.spec import Spec, load_spec
from idrun.spec.request import RunOptions, RunRequest, build_request
from idrun.spec.yamlsrc import paused_gc


class Pipeline(Record):
    """One spec through the stages, each computed when first asked for."""

    path: str
    options: RunOptions
    variables: str | None
    observer: Any         # watches the build entry by entry (the TF exporter)

    def __init__(self, path: str, options: RunOptions = FACTORY, variables: str | None = None,
                 observer: Any = None) -> None:
        self.path = path
        self.options = RunOptions() if options is FACTORY else options
        self.variables = variables
        self.observer = observer

    @cached_property
    def spec(self) -> Spec:
        """The loaded and built spec (raises SpecError with a location)."""
        return load_spec(self.path, self.variables, self.observer)

    @cached_property
    def request(self) -> RunRequest:
        """Fetches, targets and feeds resolved against the graph."""
        return build_request(self.spec, self.options)

    @cached_property
    def placement(self) -> Placement:
        """A device for every node, for the request's feeds (TF places after its feed rewrite)."""
        spec, feeds = self.spec, list(self.request.feeds)
        with paused_gc():
            return place(spec.graph, spec.devices, self.options.soft_placement, feeds)

    @cached_property
    def step(self):
        """What one step of the request runs and moves; the whole graph when it names nothing."""
        from idrun.compile.plan import partition_step
        req, graph, device = self.request, self.spec.graph, self.placement.device
        with paused_gc():
            if req.fetch or req.targets:
                return partition_step(graph, device, req.fetch, req.targets, list(req.feeds))
            return partition_step(graph, device, [], self._whole_step(), [])

    def _whole_step(self) -> list[str]:
        """Every node, less the initializer subgraph `run.init` runs once before step 1 (TF
        runs `init` in a session.run of its own, never in a training step)."""
        graph, init = self.spec.graph, self.spec.run.init_targets
        if not init:
            return list(graph.nodes)
        only_init = graph.closure([t.value for t in init], frozenset())
        step = graph.closure([n for n in graph.nodes if n not in only_init], frozenset())
        return [n for n in graph.nodes if n not in only_init or n in step]

    @cached_property
    def session(self):
        """Devices and variables for the placed graph (imports numpy)."""
        from idrun.runtime.session import Session
        session = Session(self.spec.graph, self.placement, self.spec.name,
                          queue_runners=self.spec.collections.get("queue_runners"))
        session.lanes = self.options.parallel
        if "step" in self.__dict__:  # partitioned already (`show`, the bench): not twice
            req = self.request
            if req.fetch or req.targets:
                session.adopt_step(req.fetch, req.targets, list(req.feeds), self.step)
        return session

    def run(self, observers: tuple = ()):
        """Run the request; the RunResult keeps every finished step, and the error if any."""
        return self.session.run(self.request, observers)

    @property
    def warnings(self) -> list:
        return self.spec.warnings + self.placement.warnings
