"""The one way the benchmark scripts time things: the median of repeated runs, in ms."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(action: Callable[[], object], repeat: int, warmup: int = 0) -> float:
    for _ in range(min(warmup, repeat)):
        action()  # warm caches and allocators before measuring
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
