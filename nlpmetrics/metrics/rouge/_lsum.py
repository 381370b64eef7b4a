"""rougeLsum (summary-level LCS) of many multi-sentence pairs at once, identical to rouge-score.

rouge-score's ``_summary_level_lcs`` takes, for each reference sentence, the
union of the reference positions of the LCS it reads out (``lcs_ind``) with
every prediction sentence, then counts a union token as a hit while both texts
still have an unused copy of it.  Because a token's hits only use up that
token's own counts, the hits of a pair are ``sum over tokens t of min(u_t, c_t)``
with ``u_t`` the copies of ``t`` in the unions and ``c_t`` in the prediction:
a clipped overlap, counted like ROUGE-1.

The unions need the very positions rouge-score's traceback picks, so for every
(reference sentence, prediction sentence) combination the bit-parallel LCS rows
are kept and the traceback runs for all combinations in step, in numpy:
off the diagonal, ``t[i][j-1]`` is the current value minus bit ``j-1`` of row
``i``, and ``t[i-1][j]`` a popcount of row ``i-1``.
"""

from __future__ import annotations

import numpy as np

from nlpmetrics.metrics.rouge._batch import TokenBatch
from nlpmetrics.metrics.rouge._lcs import WORD_BITS, lcs_ref_indices

#: Combinations whose prediction sentence is longer than ``WORD_BITS`` (one uint64 of bits) or whose
#: reference sentence is longer than this take the per-combination Python path.
_LONGEST_ROWS = 256
#: Combinations traced back together (bounds the stored rows at ~16 MiB).
_CHUNK = 8192
_ALL_ONES = np.iinfo(np.uint64).max


def summary_level_scores(
    sentences: TokenBatch, ref_first: np.ndarray, ref_count: np.ndarray, pred_first: np.ndarray,
    pred_count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """rougeLsum precision, recall and F-measure of each pair, as ``rouge_scorer._summary_level_lcs``.

    Parameters
    ----------
    sentences : TokenBatch
        Token ids of every sentence involved.
    ref_first, ref_count, pred_first, pred_count : ndarray
        Per pair, where its reference's / prediction's sentences start in
        ``sentences`` and how many there are (consecutive).
    """
    from nlpmetrics.metrics.rouge._scores import fmeasure, ngram_overlaps

    n_pairs = ref_count.size
    ref_sentence = np.repeat(ref_first, ref_count) + (
        np.arange(int(ref_count.sum())) - np.repeat(np.cumsum(ref_count) - ref_count, ref_count))
    pred_sentence = np.repeat(pred_first, pred_count) + (
        np.arange(int(pred_count.sum())) - np.repeat(np.cumsum(pred_count) - pred_count, pred_count))
    ref_batch, pred_batch = sentences.take(ref_sentence), sentences.take(pred_sentence)
    ref_first = np.cumsum(ref_count) - ref_count
    pred_first = np.cumsum(pred_count) - pred_count

    # Every (pair, reference sentence, prediction sentence) combination.
    per_pair = ref_count * pred_count
    combo_pair = np.repeat(np.arange(n_pairs), per_pair)
    within = np.arange(combo_pair.size) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    combo_ref = ref_first[combo_pair] + within // np.maximum(pred_count[combo_pair], 1)
    combo_pred = pred_first[combo_pair] + within % np.maximum(pred_count[combo_pair], 1)

    selected = np.zeros(ref_batch.ids.size, dtype=bool)  # reference tokens in some union
    ref_len, pred_len = ref_batch.lengths[combo_ref], pred_batch.lengths[combo_pred]
    useful = (ref_len > 0) & (pred_len > 0)
    fast = useful & (pred_len <= WORD_BITS) & (ref_len <= _LONGEST_ROWS)
    fast_index = np.flatnonzero(fast)
    for start in range(0, fast_index.size, _CHUNK):
        chunk = fast_index[start:start + _CHUNK]
        _trace_in_step(ref_batch, pred_batch, combo_ref[chunk], combo_pred[chunk], selected)
    for c in np.flatnonzero(useful & ~fast).tolist():
        ref_ids = _tokens(ref_batch, combo_ref[c])
        positions = lcs_ref_indices(ref_ids, _tokens(pred_batch, combo_pred[c]))
        selected[ref_batch.offsets[combo_ref[c]] + np.asarray(positions, dtype=np.int64)] = True

    # hits = clipped overlap of the union tokens with all prediction tokens, per pair
    ref_pair = np.repeat(np.repeat(np.arange(n_pairs), ref_count), ref_batch.lengths)
    pred_pair = np.repeat(np.repeat(np.arange(n_pairs), pred_count), pred_batch.lengths)
    unions = TokenBatch(ref_batch.ids[selected], np.bincount(ref_pair[selected], minlength=n_pairs))
    predictions = TokenBatch(pred_batch.ids, np.bincount(pred_pair, minlength=n_pairs))
    hits = ngram_overlaps(predictions, unions, 1)[0]
    m = np.bincount(ref_pair, minlength=n_pairs)
    n = predictions.lengths
    empty = (m == 0) | (n == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(empty, 0.0, hits / m)
        precision = np.where(empty, 0.0, hits / n)
    return precision, recall, fmeasure(precision, recall)


def _tokens(batch: TokenBatch, index: int) -> list[int]:
    start = int(batch.offsets[index])
    return batch.ids[start:start + int(batch.lengths[index])].tolist()


def _padded(batch: TokenBatch, which: np.ndarray, width: int) -> np.ndarray:
    """Token ids of texts ``which`` in a ``len(which) x width`` table, padded with -1."""
    part = batch.take(which)
    table = np.full((which.size, max(width, 1)), -1, dtype=np.int64)
    rows = np.repeat(np.arange(which.size), part.lengths)
    cols = np.arange(rows.size) - np.repeat(part.offsets, part.lengths)
    table[rows, cols] = part.ids
    return table


def _trace_in_step(
    ref_batch: TokenBatch, pred_batch: TokenBatch, ref_which: np.ndarray, pred_which: np.ndarray,
    selected: np.ndarray,
) -> None:
    """Mark in ``selected`` the reference positions of rouge-score's LCS for each combination."""
    n = ref_which.size
    ref_len, pred_len = ref_batch.lengths[ref_which], pred_batch.lengths[pred_which]
    longest_ref, longest_pred = int(ref_len.max()), int(pred_len.max())
    ref_tokens = _padded(ref_batch, ref_which, longest_ref)
    pred_tokens = _padded(pred_batch, pred_which, longest_pred)
    combos = np.arange(n)

    # rows[i] = increments of table row i over prediction positions (bit j-1: t[i][j] = t[i][j-1] + 1)
    full = np.right_shift(np.uint64(_ALL_ONES), (np.uint64(WORD_BITS) - pred_len.astype(np.uint64)))
    weights = np.left_shift(np.uint64(1), np.arange(longest_pred, dtype=np.uint64))
    rows = np.zeros((longest_ref + 1, n), dtype=np.uint64)
    vector = full.copy()
    for i in range(longest_ref):
        # Past its end a reference sentence is padding (-1): masked out, it matches nothing and
        # leaves the row unchanged.
        equal = (pred_tokens == ref_tokens[:, i:i + 1]) & (pred_tokens >= 0)
        match = (equal * weights).sum(axis=1, dtype=np.uint64)
        unchanged = vector & match
        vector = ((vector + unchanged) | (vector - unchanged)) & full
        rows[i + 1] = full ^ vector

    # the traceback, all combinations in step
    i, j = ref_len.copy(), pred_len.copy()
    value = np.bitwise_count(rows[i, combos]).astype(np.int64)
    active = np.flatnonzero(value > 0)
    ref_start = ref_batch.offsets[ref_which]
    while active.size:
        ia, ja = i[active], j[active]
        diagonal = ref_tokens[active, ia - 1] == pred_tokens[active, ja - 1]
        row_here = rows[ia, active]
        bit = (row_here >> (ja - 1).astype(np.uint64)) & np.uint64(1)
        above_mask = np.right_shift(np.uint64(_ALL_ONES), (np.uint64(WORD_BITS) - ja.astype(np.uint64)))
        above = np.bitwise_count(rows[ia - 1, active] & above_mask).astype(np.int64)
        up = ~diagonal & ((bit == 1) | (above >= value[active]))
        left = ~diagonal & ~up
        taken = active[diagonal]
        selected[ref_start[taken] + i[taken] - 1] = True
        i[active] -= diagonal | up
        j[active] -= diagonal | left
        value[taken] -= 1
        active = active[(value[active] > 0) & (i[active] > 0) & (j[active] > 0)]
