"""Every ranking measure of every query at once, from a :class:`~._judgements.Judged` batch.

The arithmetic is trec_eval's, operation for operation, so the per-query
numbers are the same doubles: ``P_k = rel_so_far / k``; ``recall_k =
rel_so_far / num_rel``; ``success_k``; ``recip_rank = 1 / rank``; average
precision adds ``rel_so_far / rank`` at each relevant document in rank order
and divides by ``num_rel`` (``map_cut_k``: only within the top ``k``);
``ndcg_cut_k`` adds ``gain / log2(rank + 1)`` in rank order for the ranking
and for the ideal ranking (the relevance values, best first) and divides;
``Rprec`` counts the relevant documents in the top ``num_rel``.  Sums are
added in rank order (a C loop's order), not numpy's pairwise order, and
``log2`` is the C library's (:func:`math.log2`).
"""

from __future__ import annotations

import math

import numpy as np

from nlpmetrics.metrics.retrieval._judgements import Judged
from nlpmetrics.metrics.retrieval._measures import Measure

#: Segments longer than this are summed one at a time (shorter ones as columns of padded matrices).
_WIDE = 64
_BLOCK_CELLS = 1 << 22
_LOG2: list[float] = []


def log2_ranks(size: int) -> np.ndarray:
    """``log2(i + 2)`` for ranks ``i = 0 .. size - 1`` (rank ``i + 1``), by the C library's ``log2``."""
    if len(_LOG2) < size:
        _LOG2.extend(math.log2(i + 2) for i in range(len(_LOG2), size))
    return np.asarray(_LOG2[:size], dtype=np.float64)


def sums_in_order(values: np.ndarray, segment: np.ndarray, n: int) -> np.ndarray:
    """Per segment, the sum of its ``values`` added one by one in order (``values`` sorted by ``segment``).

    ``np.add.reduce`` sums in a pairwise order, which can differ from a C
    loop in the last bit.  Here the ``j``-th values of all segments form one
    row of a zero-padded matrix (a column per segment) and the rows are added
    one after the other, so every segment is summed in its own order.
    Segments longer than ``_WIDE`` are summed one by one with
    ``np.add.accumulate``, which is sequential too.
    """
    out = np.zeros(n, dtype=np.float64)
    if values.size == 0:
        return out
    counts = np.bincount(segment, minlength=n)
    ends = np.cumsum(counts)
    starts = ends - counts
    within = np.arange(values.size) - starts[segment]
    wide = counts > _WIDE
    any_wide = bool(wide.any())
    width = int(counts[~wide].max(initial=0)) if any_wide else int(counts.max())
    step = max(1, _BLOCK_CELLS // max(width, 1))
    for first in range(0, n, step):
        last = min(first + step, n)
        part = slice(int(starts[first]), int(ends[last - 1]))
        owner, position, value = segment[part], within[part], values[part]
        if any_wide:
            narrow = ~wide[owner]
            owner, position, value = owner[narrow], position[narrow], value[narrow]
        columns = np.zeros((width, last - first))
        columns[position, owner - first if first else owner] = value
        total = out[first:last]
        for row in columns:
            total += row
    for long_segment in np.flatnonzero(wide):
        out[long_segment] = np.add.accumulate(values[starts[long_segment]:ends[long_segment]])[-1]
    return out


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` as doubles, 0 where the denominator is 0 (trec_eval leaves the value at 0)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(numerator, denominator, out=np.zeros(np.broadcast(numerator, denominator).shape),
                     where=denominator != 0)


class Computer:
    """The measures of one judged batch; intermediate results shared between measures are computed once."""

    def __init__(self, judged: Judged) -> None:
        self.j = judged
        self.n = len(judged)
        rank = judged.hit_rank
        counts = np.bincount(judged.hit_query, minlength=self.n)
        starts = np.cumsum(counts) - counts
        #: 1-based count of relevant documents up to and including each hit (trec_eval's rel_so_far).
        self.so_far = np.arange(rank.size) - starts[judged.hit_query] + 1
        self._first: np.ndarray | None = None
        self._found: dict[int, np.ndarray] = {}

    def found_within(self, k: int | np.ndarray) -> np.ndarray:
        """Relevant documents ranked in the top ``k`` (a number, or one per query), per query."""
        j = self.j
        if isinstance(k, np.ndarray):
            return np.bincount(j.hit_query[j.hit_rank < k[j.hit_query]], minlength=self.n)
        if k not in self._found:
            self._found[k] = np.bincount(j.hit_query[j.hit_rank < k], minlength=self.n)
        return self._found[k]

    def first_rank(self) -> np.ndarray:
        """0-based rank of each query's first relevant document (the ranking's length where there is none)."""
        if self._first is None:
            first = self.j.lengths.astype(np.int64).copy()
            start = self.so_far == 1
            first[self.j.hit_query[start]] = self.j.hit_rank[start]
            self._first = first
        return self._first

    def measure(self, measure: Measure) -> np.ndarray:
        """One measure for every query (a float64 array of length ``n``)."""
        j, k = self.j, measure.k
        if measure.name in ("precision", "recall", "hit_rate"):
            if k is None:  # parse_measure gives these measures a cut-off
                raise AssertionError(f"{measure.name} needs a cut-off k")
            found = self.found_within(k)
            if measure.name == "precision":
                return found / float(k)
            if measure.name == "recall":
                return _divide(found, j.num_rel)
            return (found > 0).astype(np.float64)
        if measure.name == "r_precision":
            return _divide(self.found_within(j.num_rel), j.num_rel)
        if measure.name == "mrr":
            first = self.first_rank()
            found = first < (j.lengths if k is None else np.minimum(j.lengths, k))
            return np.where(found, 1.0 / (first + 1.0), 0.0)
        if measure.name == "map":
            keep = slice(None) if k is None else j.hit_rank < k
            terms = self.so_far[keep] / (j.hit_rank[keep] + 1.0)
            return _divide(sums_in_order(terms, j.hit_query[keep], self.n), j.num_rel)
        if measure.name == "ndcg":
            return self.ndcg(k)
        raise AssertionError(measure.name)

    def ndcg(self, k: int | None) -> np.ndarray:
        """NDCG (at ``k``): DCG of the ranking over DCG of the ideal ranking, both summed in rank order."""
        j = self.j
        keep = slice(None) if k is None else j.hit_rank < k
        rank = j.hit_rank[keep]
        log2 = log2_ranks(int(max(rank.max(initial=0), j.num_rel.max(initial=0))) + 1)
        dcg = sums_in_order(j.hit_gain[keep] / log2[rank], j.hit_query[keep], self.n)
        counts = np.bincount(j.ideal_query, minlength=self.n)
        position = np.arange(j.ideal_query.size) - (np.cumsum(counts) - counts)[j.ideal_query]
        ideal_keep = slice(None) if k is None else position < k
        ideal = sums_in_order(j.ideal_gain[ideal_keep] / log2[position[ideal_keep]], j.ideal_query[ideal_keep],
                              self.n)
        return _divide(dcg, ideal)  # no relevant document: the ideal and the ranking both score 0

    def recall_curve(self, depth: int) -> np.ndarray:
        """Recall at every cut-off ``1 .. depth``, one row per query (shape ``(n, depth)``)."""
        j = self.j
        keep = j.hit_rank < depth
        cells = np.bincount(j.hit_query[keep] * depth + j.hit_rank[keep], minlength=self.n * depth)
        found = np.cumsum(cells.reshape(self.n, depth), axis=1)
        return _divide(found, j.num_rel[:, None])
