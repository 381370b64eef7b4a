"""Eval loops under ``torch.distributed``: every rank gets the one-process result.

:func:`gather_rows` collects every rank's rows; :func:`sync_metric` does the
same and removes the duplicated examples that ``DistributedSampler`` pads the
last ranks with (by the dataset size, or by example ids).  ``Metric.sync()``
and ``Metric.compute(sync=True)`` need only :mod:`nlpmetrics.distributed.gather`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpmetrics.distributed.gather import gather_objects
from nlpmetrics.errors import InputError
from nlpmetrics.rows import Rows, concat_rows, n_rows, take_rows

if TYPE_CHECKING:
    from nlpmetrics.base import Metric

__all__ = ["drop_duplicate_ids", "drop_sampler_padding", "gather_rows", "sync_metric"]


def gather_rows(rows: Rows, *, group: Any = None) -> list[Rows]:
    """Every rank's statistics rows, in rank order.

    Parameters
    ----------
    rows : dict of str to ndarray
        This rank's rows (``{}`` for a rank that saw no data).
    group : torch.distributed.ProcessGroup, optional
        The group to gather over (default: the whole world).

    Returns
    -------
    list of rows
        One entry per rank, rank 0 first; ``[rows]`` when no process group is
        initialised, so the same eval code runs unchanged on one process.

    Notes
    -----
    This is a collective call: every rank of the group must make it, or the
    others wait forever.  With the NCCL backend, ``all_gather_object`` needs
    ``torch.cuda.set_device(local_rank)`` to have been called on each rank.
    """
    return gather_objects(rows, group)


def drop_sampler_padding(rows_per_rank: Sequence[Rows], dataset_size: int) -> Rows:
    """Undo ``DistributedSampler``'s padding and interleaving: rows in dataset order, no duplicates.

    With ``drop_last=False`` (the default), ``DistributedSampler`` gives each of
    the ``W`` ranks ``ceil(N / W)`` examples, the global position ``i * W + r``
    going to rank ``r`` as its ``i``-th example, and fills the positions past
    ``N`` by repeating the first examples.  Those repeats would count twice in
    the score.  Given every rank's rows in the order the rank saw them, this
    puts the rows back at their global position and keeps the first ``N``.

    Parameters
    ----------
    rows_per_rank : sequence of rows
        Every rank's rows, in rank order (what :func:`gather_rows` returns).
    dataset_size : int
        ``len(dataset)`` — the number of distinct examples.

    Returns
    -------
    rows
        The ``N`` rows in the sampler's global order (dataset order when the
        sampler does not shuffle).

    Raises
    ------
    InputError
        When the ranks' row counts do not match one pass of a sampler over
        ``dataset_size`` examples (for instance a metric updated over two
        epochs without ``reset()``, or a different sampler).
    """
    world = len(rows_per_rank)
    counts = [n_rows(rows) for rows in rows_per_rank]
    if isinstance(dataset_size, bool) or not isinstance(dataset_size, (int, np.integer)) or dataset_size < 0:
        raise InputError(f"dataset_size must be a whole number >= 0 (len(dataset)), not {dataset_size!r}")
    per_rank = counts[0] if counts else 0
    if any(c != per_rank for c in counts) or (per_rank > 0 and (per_rank - 1) * world >= dataset_size):
        raise InputError(
            f"the ranks hold {counts} examples, which is not one pass of a DistributedSampler over "
            f"dataset_size={dataset_size} examples on {world} ranks (each rank should hold "
            f"{math.ceil(dataset_size / max(world, 1))}); call metric.reset() before each evaluation pass, "
            "or pass example_ids instead of dataset_size"
        )
    merged = concat_rows(rows_per_rank)
    if not merged:
        return merged
    rank = np.repeat(np.arange(world), counts)
    local = np.concatenate([np.arange(c) for c in counts])
    position = local * world + rank
    order = np.argsort(position, kind="stable")
    order = order[position[order] < dataset_size]
    return take_rows(merged, order)


def drop_duplicate_ids(rows_per_rank: Sequence[Rows], ids_per_rank: Sequence[np.ndarray]) -> tuple[Rows, np.ndarray]:
    """Merge every rank's rows keeping one row per example id, ordered by id.

    Parameters
    ----------
    rows_per_rank : sequence of rows
        Every rank's rows, in rank order.
    ids_per_rank : sequence of 1-D arrays
        Each rank's example ids, one per row (integers or strings).  Rows with
        an id already seen (in rank order) are dropped: they are the padding
        repeats of ``DistributedSampler`` or any other duplicated example.

    Returns
    -------
    rows : rows
        One row per distinct id, sorted by id.
    ids : ndarray
        The distinct ids, sorted (``rows`` row ``i`` belongs to ``ids[i]``).
    """
    if len(ids_per_rank) != len(rows_per_rank):
        raise InputError(f"got example ids from {len(ids_per_rank)} ranks but rows from {len(rows_per_rank)}")
    arrays = []
    for rank, (rows, ids) in enumerate(zip(rows_per_rank, ids_per_rank, strict=True)):
        ids = np.asarray(ids)
        if ids.ndim != 1 or ids.dtype.kind not in "biuUS":
            raise InputError(
                f"example_ids on rank {rank} must be a flat list of integers or strings (one per example), "
                f"got an array of shape {ids.shape} and type {ids.dtype}"
            )
        if ids.size != n_rows(rows):
            raise InputError(
                f"rank {rank} passed {ids.size} example_ids for {n_rows(rows)} examples; pass one id per "
                "example given to update(), in the same order"
            )
        arrays.append(ids)
    kinds = {"text" if a.dtype.kind in "US" else "number" for a in arrays if a.size}
    if len(kinds) > 1:
        raise InputError("example_ids are text on some ranks and numbers on others; use one type everywhere")
    merged = concat_rows(rows_per_rank)
    if not merged:
        return merged, np.asarray([], dtype=np.int64)
    all_ids = np.concatenate([a for a in arrays if a.size])
    distinct, first = np.unique(all_ids, return_index=True)
    return take_rows(merged, first), distinct


def sync_metric(
    metric: Metric,
    *,
    dataset_size: int | None = None,
    example_ids: Iterable | None = None,
    group: Any = None,
) -> Metric:
    """Replace ``metric``'s state by every rank's rows, without the sampler's padding duplicates.

    ``metric.sync()`` / ``metric.compute(sync=True)`` gather every row of
    every rank.  Under ``DistributedSampler(drop_last=False)`` some of those
    rows are padding repeats, and the score then counts a few examples twice
    (a small, silent error that changes with the number of GPUs).  Pass one of:

    ``dataset_size=len(dataset)``
        The rows of each rank must be its sampler shard, in order (one
        evaluation pass since the last ``reset()``).  Rows come out in the
        sampler's global order (dataset order without shuffling).
    ``example_ids=...``
        This rank's example ids, one per example given to ``update()`` since
        the last ``reset()``, in order.  Works with any sampler; rows come out
        sorted by id.

    With neither, this is ``metric.sync()``.  Validation happens after the
    gather, on every rank alike, so a mistake raises the same error on every
    rank instead of leaving the others waiting.

    Returns
    -------
    Metric
        ``metric`` itself; call ``metric.compute()`` (without ``sync=True``) next.
    """
    if dataset_size is not None and example_ids is not None:
        raise InputError("pass dataset_size or example_ids to sync_metric, not both")
    if dataset_size is None and example_ids is None and group is None:
        return metric.sync()
    rows = metric.rows()
    if example_ids is None:
        gathered = gather_objects(rows, group)
        merged = concat_rows(gathered) if dataset_size is None else drop_sampler_padding(gathered, dataset_size)
    else:
        ids = _ids_array(example_ids)
        gathered = gather_objects((rows, ids), group)
        merged, _ = drop_duplicate_ids([g[0] for g in gathered], [g[1] for g in gathered])
    metric.reset()
    if merged:
        metric.add_rows(merged)
    return metric


def _ids_array(example_ids: Iterable) -> np.ndarray:
    """Return example ids as a flat numpy array (a torch tensor is moved to the CPU first)."""
    if hasattr(example_ids, "detach") and hasattr(example_ids, "cpu"):
        example_ids = example_ids.detach().cpu().numpy()
    if isinstance(example_ids, np.ndarray):
        return example_ids
    return np.asarray(list(example_ids))
