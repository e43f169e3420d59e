"""Summarise repeated timings: median and 95th percentile.

In: a list of seconds. Out: floats. Pure.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p95(xs: list[float]) -> float:
    """Return the 95th percentile (nearest rank).

    >>> p95([float(i) for i in range(1, 101)])
    95.0
    """
    ordered = sorted(xs)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]


def repeat(fn: Callable[[], object], times: int, warmup: int = 1) -> list[float]:
    """Call ``fn`` ``warmup`` + ``times`` times; return the last ``times`` durations in seconds."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out
