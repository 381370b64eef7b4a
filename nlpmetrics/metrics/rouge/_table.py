"""ROUGE counts of short pairs in a padded ``pairs x columns`` table, one row per pair.

A pair's prediction tokens fill columns ``0..len_p-1`` and its reference
tokens follow.  Keys pack ``(token id * 2 + side) << 9 | column``, so one
row-wise ``np.sort`` (vectorised, no argsort) groups equal tokens of a pair,
prediction copies first, and padding (the largest key) last.  Everything else
is a handful of passes over the sorted table, still two-dimensional:

* a run is the entries of one token; it adds ``min(prediction entries,
  reference entries)`` clipped matches, counted from a cumsum of the
  prediction flags at the run boundaries;
* the run's rank in the row is a dense per-pair id of the token, which keeps
  bigram and longer keys small (they are sorted the same way);
* a reference entry's LCS match mask, the bits of the prediction columns of its
  run, is a row-wise cumsum of those bits minus its value at the run's start.

The LCS is then the bit-parallel recurrence over reference positions, all pairs in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlpmetrics.metrics.rouge._batch import TokenBatch
from nlpmetrics.metrics.rouge._lcs import WORD_BITS

#: Pairs whose two sides together have at most this many tokens, and whose prediction at most
#: ``SHORT_PREDICTION_TOKENS`` (a few ``uint64`` words of LCS bits), are counted in a padded
#: ``pairs x columns`` table, one row per pair.
SHORT_PAIR_TOKENS = 511
SHORT_PREDICTION_TOKENS = 320
#: Short pairs are counted a chunk at a time, about this many table cells (the arrays stay in cache).
SHORT_PAIR_CELLS = 1 << 16
_COLUMN_BITS = 9  # columns < 512
_SIDE = 1 << _COLUMN_BITS
_COLUMN_MASK = _SIDE - 1
_ALL_ONES = np.uint64(np.iinfo(np.uint64).max)


def short_pair_counts(
    prediction: TokenBatch, reference: TokenBatch, orders: Sequence[int], want_lcs: bool
) -> tuple[dict[int, np.ndarray], np.ndarray | None]:
    """Clipped n-gram matches for each order, and LCS lengths, of short pairs.

    Every pair is one row: prediction tokens in columns ``0..len_p-1``, reference
    tokens after them.  One row-wise sort of unigram keys gives unigram matches,
    a dense per-pair id of each token (so higher-order n-gram keys stay small)
    and, for the LCS, each reference token's match mask over prediction positions.
    """
    n_pairs = prediction.lengths.size
    pred_len, ref_len = prediction.lengths, reference.lengths
    width = int((pred_len + ref_len).max()) if n_pairs else 0
    highest = max(orders, default=1)
    if width == 0:
        return {n: np.zeros(n_pairs, dtype=np.int64) for n in orders}, np.zeros(n_pairs, dtype=np.int64)
    keys, _, _ = _key_table(prediction, reference, width)
    runs = _Runs(np.sort(keys, axis=1))
    matches = {1: runs.matches()}
    if highest > 1:
        columns = np.arange(width, dtype=np.int32)[None, :]
        local = runs.ranks_by_column()
        gram = local
        for n in range(2, highest + 1):
            span = width - n + 1
            if span <= 0:
                matches[n] = np.zeros(n_pairs, dtype=np.int64)
                continue
            gram = gram[:, :span] * width + local[:, n - 1:width]
            column = columns[:, :span]
            on_reference = column >= pred_len[:, None]
            on_prediction_gram = column < (pred_len - n + 1)[:, None]
            valid = on_prediction_gram | (on_reference & (column < (pred_len + ref_len - n + 1)[:, None]))
            keys = (((gram << 1) | on_reference) << _COLUMN_BITS) | column
            order_keys = np.where(valid, keys, np.iinfo(np.int32).max)
            order_runs = _Runs(np.sort(order_keys, axis=1))
            matches[n] = order_runs.matches()
            if n < highest:
                gram = order_runs.ranks_by_column()
    lcs = _short_lcs(runs, pred_len, ref_len) if want_lcs else None
    return {n: matches[n] for n in orders}, lcs


def _key_table(prediction: TokenBatch, reference: TokenBatch, width: int) -> tuple[np.ndarray, ...]:
    """Return the ``pairs x width`` key table (unsorted, padded) and the flat cells of the pairs' tokens."""
    n_pairs = prediction.lengths.size
    pred_len, ref_len = prediction.lengths, reference.lengths
    largest_id = max(int(prediction.ids.max(initial=0)), int(reference.ids.max(initial=0)))
    key_type = np.int32 if (largest_id + 1) << (_COLUMN_BITS + 1) < np.iinfo(np.int32).max else np.int64
    keys = np.full((n_pairs, width), np.iinfo(key_type).max, dtype=key_type)
    flat = keys.reshape(-1)
    row_start = np.arange(n_pairs, dtype=np.int64) * width
    pred_at = _positions(row_start, pred_len)
    ref_at = _positions(row_start + pred_len, ref_len)
    pred_ids, ref_ids = prediction.ids.astype(key_type), reference.ids.astype(key_type)
    flat[pred_at] = np.left_shift(pred_ids, _COLUMN_BITS + 1) | (pred_at % width).astype(key_type)
    flat[ref_at] = np.left_shift(np.left_shift(ref_ids, 1) | 1, _COLUMN_BITS) | (ref_at % width).astype(key_type)
    return keys, pred_at, ref_at


def _positions(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``first[k] + 0, ..., first[k] + count[k] - 1`` for every ``k``, concatenated."""
    return np.repeat(first - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))


class _Runs:
    """The runs (equal values) of a row-sorted key table, worked on flat.

    Keys are ``((value * 2 + side) << 9) | column`` with side 0 for the
    prediction, then padding (the dtype's largest value: side bit set, so it
    never counts as a prediction entry, and it is told apart from reference
    entries by value).  Cumulative sums run over the flattened table, across
    rows: only their differences within a run are used, and a run never
    crosses a row (every row start opens a run).
    """

    def __init__(self, table: np.ndarray) -> None:
        self.shape = table.shape
        _, width = table.shape
        self.flat = flat = table.reshape(-1)
        value = flat >> (_COLUMN_BITS + 1)
        new = np.empty(flat.size, dtype=bool)  # first entry of its run
        new[0] = True
        np.not_equal(value[1:], value[:-1], out=new[1:])
        new[::width] = True
        self.prediction = (flat & _SIDE) == 0
        self.reference = ~self.prediction & (flat != np.iinfo(flat.dtype).max)
        self.run = np.cumsum(new, dtype=np.int32 if flat.size < 2**31 else np.int64) - 1  # run of each entry
        self.first = np.flatnonzero(new)  # first entry of each run

    def matches(self) -> np.ndarray:
        """Per row, the clipped matches: sum over runs of min(prediction entries, reference entries)."""
        before = np.concatenate(([0], np.cumsum(self.prediction)))  # prediction entries before each position
        bounds = np.append(self.first, self.flat.size)
        in_prediction = before[bounds[1:]] - before[bounds[:-1]]
        # padding runs count as reference entries with no prediction entry: they add min(0, k) = 0
        clipped = np.minimum(in_prediction, np.diff(bounds) - in_prediction)
        return np.bincount(self.first // self.shape[1], weights=clipped, minlength=self.shape[0]).astype(np.int64)

    def ranks_by_column(self) -> np.ndarray:
        """``out[row, column]``: the rank of the entry's run in its row (a dense per-row id of its value)."""
        n_rows, width = self.shape
        run: np.ndarray = self.run.reshape(self.shape)
        rank = run - run[:, :1]
        out = np.zeros((n_rows, _SIDE), dtype=np.int32)  # padding writes to the last column, never read
        target = (self.flat & _COLUMN_MASK).reshape(self.shape) + (np.arange(n_rows, dtype=np.int64) * _SIDE)[:, None]
        out.reshape(-1)[target] = rank
        return out[:, :width]


#: ``_BIT[c]`` is ``1 << c`` for ``c < 64``; ``_BIT[64]`` is 0 (for entries that contribute no bit).
_BIT = np.append(np.left_shift(np.uint64(1), np.arange(WORD_BITS, dtype=np.uint64)), np.uint64(0))


def _short_lcs(runs: _Runs, pred_len: np.ndarray, ref_len: np.ndarray) -> np.ndarray:
    """LCS lengths from the unigram runs: bit-parallel over prediction positions, all pairs in step.

    A prediction of up to 320 tokens is a bit vector of up to five ``uint64``
    words; the addition carries from word to word (the subtraction never
    borrows, as ``U`` is a subset of ``V``).  Pairs are ordered by reference
    length (longest first), so step ``i`` only touches the prefix of pairs whose
    reference has an ``i``-th token.
    """
    n_pairs = pred_len.size
    width = runs.shape[1]
    n_words = max(1, -(-int(pred_len.max()) // WORD_BITS))
    order = np.argsort(-ref_len, kind="stable")
    rank = np.empty(n_pairs, dtype=np.int64)
    rank[order] = np.arange(n_pairs)
    longest = int(ref_len.max())
    column = runs.flat & _COLUMN_MASK
    entry = np.flatnonzero(runs.reference)
    row = entry // width
    positions = column[entry] - pred_len[row]
    # match[i, word, pair]: bits of the prediction positions holding the pair's i-th reference token
    match = np.zeros((max(longest, 1), n_words, n_pairs), dtype=np.uint64)
    target = positions * (n_words * n_pairs) + rank[row]  # flat index of word 0
    start = runs.first[runs.run[entry]]
    for word in range(n_words):
        in_word = runs.prediction if n_words == 1 else runs.prediction & (column // WORD_BITS == word)
        bits = _BIT[np.where(in_word, column % WORD_BITS, WORD_BITS)]
        upto = np.cumsum(bits, dtype=np.uint64)  # mod 2**64: differences stay exact
        # prediction entries precede the reference entries of their run: distinct bits, so sums are unions
        match.reshape(-1)[target + word * n_pairs] = upto[entry] - (upto[start] - bits[start])
    sorted_ref_len = ref_len[order]
    active_counts = n_pairs - np.searchsorted(sorted_ref_len[::-1], np.arange(longest), side="right")
    vector = np.full((n_words, n_pairs), _ALL_ONES, dtype=np.uint64)
    if n_words == 1:
        _one_word_steps(vector[0], match[:, 0, :], active_counts)
    for i in range(longest if n_words > 1 else 0):
        active = int(active_counts[i])
        carry = np.zeros(active, dtype=np.uint64)
        for word in range(n_words):
            v = vector[word, :active]
            unchanged = v & match[i, word, :active]
            total = v + unchanged
            overflow = total < v
            with_carry = total + carry
            carry = (overflow | (with_carry < total)).astype(np.uint64)
            vector[word, :active] = with_carry | (v - unchanged)
    lengths = pred_len[order]
    lcs_sorted = np.zeros(n_pairs, dtype=np.int64)
    for word in range(n_words):
        bits_used = np.clip(lengths - word * WORD_BITS, 0, WORD_BITS).astype(np.uint64)
        mask = np.where(bits_used > 0, np.right_shift(_ALL_ONES, np.uint64(WORD_BITS) - np.maximum(bits_used, 1)),
                        np.uint64(0)).astype(np.uint64)
        lcs_sorted += np.bitwise_count(~vector[word] & mask)
    lcs = np.empty(n_pairs, dtype=np.int64)
    lcs[order] = lcs_sorted
    return lcs


def _one_word_steps(vector: np.ndarray, match: np.ndarray, active_counts: np.ndarray) -> None:
    """``V = (V + U) | (V - U)`` with ``U = V & match[i]`` for each row ``i``, in place, on the active prefix."""
    unchanged = np.empty_like(vector)
    total = np.empty_like(vector)
    for i, active in enumerate(active_counts.tolist()):
        v, u, t = vector[:active], unchanged[:active], total[:active]
        np.bitwise_and(v, match[i, :active], out=u)
        np.add(v, u, out=t)
        np.subtract(v, u, out=u)
        np.bitwise_or(t, u, out=v)
