"""Topological orders of a dependency graph.

Policy: the default order is deterministic: among the items whose
dependencies have all run, the one declared first runs next (declaration
order breaks ties, as dask's scheduler does). `random_order` picks uniformly
among the ready items with a seeded `random.Random`, to expose races (C5).
Both are iterative. Items are identified by their position in `order`.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import random


def _indegrees(deps: Sequence[Sequence[int]]) -> tuple[list[int], list[list[int]]]:
    users: list[list[int]] = [[] for _ in deps]
    indegree = [0] * len(deps)
    for item, item_deps in enumerate(deps):
        for d in set(item_deps):
            users[d].append(item)
            indegree[item] += 1
    return indegree, users


def declaration_order(deps: Sequence[Sequence[int]], late: frozenset[int] = frozenset()) -> list[int]:
    """Items 0..n-1 in a legal order, lowest ready index first; raises on a cycle. An item in
    `late` runs only when nothing else is ready (`check --schedules` delays a race's read or
    its write this way, to show both values)."""
    indegree, users = _indegrees(deps)
    ready = [(i in late, i) for i, n in enumerate(indegree) if n == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        item = heapq.heappop(ready)[1]
        out.append(item)
        for user in users[item]:
            indegree[user] -= 1
            if indegree[user] == 0:
                heapq.heappush(ready, (user in late, user))
    _check_complete(out, deps)
    return out


def random_order(deps: Sequence[Sequence[int]], rng: random.Random) -> list[int]:
    """A uniformly chosen ready item at each step; raises on a cycle."""
    indegree, users = _indegrees(deps)
    ready = [i for i, n in enumerate(indegree) if n == 0]
    out = []
    while ready:
        pick = rng.randrange(len(ready))
        ready[pick], ready[-1] = ready[-1], ready[pick]
        item = ready.pop()
        out.append(item)
        for user in users[item]:
            indegree[user] -= 1
            if indegree[user] == 0:
                ready.append(user)
    _check_complete(out, deps)
    return out


def _check_complete(out: list[int], deps: Sequence[Sequence[int]]) -> None:
    if len(out) != len(deps):
        raise ValueError("dependency cycle")
