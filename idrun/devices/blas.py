"""The BLAS under numpy: how many threads one thread's matrix products may use.

When a step's lanes run side by side (compile/lanes.py), each lane's products must not
also spread over every core: OpenBLAS's own threads then wait on each other and on the
lanes (measured on 2 cores, the CIFAR-10 two-tower step: 600 ms a step with OpenBLAS's
default threads in each lane, 340 ms with one). OpenBLAS (0.3.27 and later, as numpy's
wheels ship it) has a per-thread setting, `openblas_set_num_threads_local`, so a lane
limits its own products and nothing else in the process changes.

Where the library or the call is not found (another BLAS, another platform), nothing is
limited: the lanes still run, only slower.
"""

from __future__ import annotations

import os
from typing import Callable

_set_local: Callable[[int], int] | None | bool = None   # False: looked, not found


def _find() -> Callable[[int], int] | None:
    """OpenBLAS's per-thread setter, from the libraries this process has loaded."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split(None, 5)[5].strip() for line in maps if "openblas" in line.lower()
                     and len(line.split(None, 5)) == 6}
    except OSError:
        return None
    import ctypes
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        fn = getattr(lib, "openblas_set_num_threads_local", None)
        if fn is not None:
            fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
            return fn
    return None


def limit_this_thread(threads: int) -> int | None:
    """Limit the calling thread's BLAS calls to `threads` threads; the previous setting
    (0: the process's), or None where it cannot be set."""
    global _set_local
    if _set_local is None:
        import numpy  # noqa: F401 - loads the BLAS before the search
        _set_local = _find() or False
    if _set_local is False:
        return None
    return _set_local(threads)


def threads_per_lane(lanes: int) -> int:
    """The cores this process may use, shared between `lanes` lanes (at least one each)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, lanes))
