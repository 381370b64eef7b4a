"""What every benchmark shares: interleaved best-of timing, and the row format ``run_all.py`` publishes.

Each ``benchmarks/bench_<topic>.py`` has a ``run(quick: bool) -> list[dict]``
returning rows such as::

    {"name": "BLEU corpus, 10,000 pairs", "ours_s": 0.21, "reference_s": 1.3,
     "ratio": 6.2, "identical": True, "goal": ">= 4x", "meets_goal": True, "headline": True}

``ratio`` is how many times faster nlpmetrics is (reference time / ours);
rows that are not a race give ``value`` (a figure with its unit) instead.
``headline`` rows go into the table of ``docs/performance.md`` and the README.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping


def interleaved_best(functions: Mapping[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Best wall time of each function over ``repeats`` rounds, the functions taking turns in every round.

    Taking turns means a burst of load from elsewhere hits both sides alike,
    and the minimum (as ``timeit`` advises) is the figure least inflated by it.
    """
    for _ in range(warmup):
        for function in functions.values():
            function()
    best = {name: float("inf") for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def race(name: str, ours: Callable[[], object], reference: Callable[[], object], *, repeats: int,
         identical: bool | None, goal: float | None = None, note: str = "", headline: bool = False,
         warmup: int = 1) -> dict:
    """One published row: nlpmetrics against the reference, timed in turns, with the goal (a minimum ratio)."""
    times = interleaved_best({"ours": ours, "reference": reference}, repeats, warmup)
    ratio = times["reference"] / times["ours"]
    return {
        "name": name, "ours_s": times["ours"], "reference_s": times["reference"], "ratio": ratio,
        "identical": identical, "goal": None if goal is None else f">= {goal:g}x",
        "meets_goal": None if goal is None else ratio >= goal, "note": note, "headline": headline,
    }


def figure(name: str, value: str, *, goal: str | None = None, meets_goal: bool | None = None, note: str = "",
           headline: bool = False) -> dict:
    """Return a published row that is a measurement with its unit rather than a race (``"52 MiB"``, ``"18 us"``)."""
    return {"name": name, "value": value, "goal": goal, "meets_goal": meets_goal, "note": note, "headline": headline}
