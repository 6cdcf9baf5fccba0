"""Running a Whoosh collector until a deadline: the page of a search and its feedback pass share it."""

from __future__ import annotations

import time
from typing import Any

from whoosh import query as wq
from whoosh.collectors import TimeLimit, TimeLimitCollector

__all__ = ["run_until"]


def run_until(
    searcher: Any, q: wq.Query, collector: Any, deadline: float
) -> tuple[TimeLimitCollector, bool]:
    """Run ``collector`` until it is done or ``deadline`` (``time.perf_counter()``) passes.

    Returns (the time-limited collector, cut short?); what was collected until
    then stays in ``collector``.
    """
    limited = TimeLimitCollector(
        collector,
        timelimit=max(0.0, deadline - time.perf_counter()),
        use_alarm=False,  # signals only work in the main thread; a flag works anywhere
    )
    try:
        searcher.search_with_collector(q, limited)
    except TimeLimit:
        return limited, True
    finally:
        if limited.timer is not None:
            limited.timer.cancel()
    return limited, False
