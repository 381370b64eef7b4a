"""Scoring across processes and machines, with exactly the single-process numbers.

Every metric's state moves as rows or summaries (:mod:`nlpmetrics.state`), so
scaling out is always the same three steps: compute statistics where the
data is, bring them together in a fixed order, score once.

:mod:`nlpmetrics.distributed.gather`
    The one all-gather ``Metric.sync()`` needs (imports nothing heavy).
:mod:`nlpmetrics.distributed.torch`
    Eval loops under ``torch.distributed``: gathering rows, and undoing
    ``DistributedSampler``'s padding duplicates (:func:`sync_metric`).
:mod:`nlpmetrics.distributed.dask`
    Files too big for one process: :func:`score_files` maps byte-range
    partitions (:mod:`nlpmetrics.io.partitions`) to state parts on Dask
    workers and merges them in file order.

Neither torch nor dask is imported until a function that needs it runs.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "drop_duplicate_ids",
    "drop_sampler_padding",
    "gather_rows",
    "line_aligned_ranges",
    "score_files",
    "sync_metric",
]

_HOMES = {
    "drop_duplicate_ids": "nlpmetrics.distributed.torch",
    "drop_sampler_padding": "nlpmetrics.distributed.torch",
    "gather_rows": "nlpmetrics.distributed.torch",
    "sync_metric": "nlpmetrics.distributed.torch",
    "score_files": "nlpmetrics.distributed.dask",
    "line_aligned_ranges": "nlpmetrics.io.partitions",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'nlpmetrics.distributed' has no attribute {name!r}")
