"""ROUGE precision / recall / F-measure for many (prediction, reference) pairs at once.

The numbers are rouge-score's (``rouge_scorer._score_ngrams``, ``_score_lcs``,
``_summary_level_lcs``) to the last bit: the same integer counts divided in the
same order of floating-point operations.  The counting is vectorised over
integer token ids: short pairs (nearly all) in the padded per-pair table of
:mod:`._table`; the others with one sort of ``(pair, n-gram, side)``
keys and the bit-parallel LCS of :mod:`._lcs`.  rougeLsum of multi-sentence
texts is :mod:`._lsum`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlpmetrics.metrics.rouge._batch import TokenBatch
from nlpmetrics.metrics.rouge._lcs import WORD_BITS, lcs_length, lcs_lengths
from nlpmetrics.metrics.rouge._table import (
    SHORT_PAIR_CELLS,
    SHORT_PAIR_TOKENS,
    SHORT_PREDICTION_TOKENS,
    short_pair_counts,
)

__all__ = ["TokenBatch", "ngram_overlaps", "pair_counts", "short_pair_counts"]

#: Largest key a sort key may reach (kept well inside int64).
_KEY_LIMIT = 1 << 62


def fmeasure(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    """``rouge_score.scoring.fmeasure`` elementwise (same operations, same order)."""
    total = precision + recall
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 2 * precision * recall / total
    return np.where(total > 0, value, 0.0)


def _ngram_ids(ids: np.ndarray, lengths: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids of every n-gram (one id per distinct n-gram) and the number of n-grams per text."""
    counts = np.maximum(lengths - n + 1, 0)
    if n == 1 or ids.size == 0:
        return ids, counts
    starts = np.cumsum(lengths) - lengths
    positions = np.arange(int(counts.sum())) + np.repeat(starts - (np.cumsum(counts) - counts), counts)
    gram = ids[positions]
    size = int(ids.max()) + 1
    for k in range(1, n):
        if gram.size and (int(gram.max()) + 1) * size >= _KEY_LIMIT:
            _, gram = np.unique(gram, return_inverse=True)
            gram = gram.reshape(-1)
        gram = gram * size + ids[positions + k]
    return gram, counts


def ngram_overlaps(prediction: TokenBatch, reference: TokenBatch, n: int) -> tuple[np.ndarray, ...]:
    """Per pair: clipped n-gram matches, prediction n-grams, reference n-grams.

    ``matches[k]`` is rouge-score's ``sum(min(target[g], prediction[g]))`` over
    the reference's n-grams ``g`` of pair ``k``.
    """
    n_pairs = prediction.lengths.size
    ids = np.concatenate((prediction.ids, reference.ids))
    lengths = np.concatenate((prediction.lengths, reference.lengths))
    gram, counts = _ngram_ids(ids, lengths, n)
    pred_counts, ref_counts = counts[:n_pairs], counts[n_pairs:]
    matches = np.zeros(n_pairs, dtype=np.int64)
    if gram.size == 0:
        return matches, pred_counts, ref_counts
    if gram.size and (int(gram.max()) + 1) * n_pairs * 2 >= _KEY_LIMIT:
        _, gram = np.unique(gram, return_inverse=True)
        gram = gram.reshape(-1)
    width = int(gram.max()) + 1
    pair = np.concatenate((np.repeat(np.arange(n_pairs), pred_counts), np.repeat(np.arange(n_pairs), ref_counts)))
    side = np.concatenate((np.zeros(int(pred_counts.sum()), np.int64), np.ones(int(ref_counts.sum()), np.int64)))
    keys = np.sort((pair * width + gram) * 2 + side, kind="stable")  # runs by pair: timsort is fast
    group = keys >> 1
    starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    size = np.diff(np.append(starts, keys.size))
    in_reference = np.add.reduceat(keys & 1, starts)
    clipped = np.minimum(in_reference, size - in_reference)
    matches = np.bincount(group[starts] // width, weights=clipped, minlength=n_pairs).astype(np.int64)
    return matches, pred_counts, ref_counts


def pair_counts(
    prediction: TokenBatch, reference: TokenBatch, orders: Sequence[int], want_lcs: bool
) -> tuple[dict[int, np.ndarray], np.ndarray | None]:
    """Clipped n-gram matches per order and LCS lengths of every pair.

    Short pairs (the common case) go through :func:`short_pair_counts`; the
    others through the general sort-based counting and :func:`pair_lcs_lengths`.
    """
    n_pairs = prediction.lengths.size
    total = prediction.lengths + reference.lengths
    short = (prediction.lengths <= SHORT_PREDICTION_TOKENS) & (total <= SHORT_PAIR_TOKENS)
    matches = {n: np.zeros(n_pairs, dtype=np.int64) for n in orders}
    lcs = np.zeros(n_pairs, dtype=np.int64)
    short_index, long_index = np.flatnonzero(short), np.flatnonzero(~short)
    # Chunks of pairs of similar length: little padding, and tables of about SHORT_PAIR_CELLS cells (cache-sized).
    short_index = short_index[np.argsort(total[short_index], kind="stable")]
    sorted_total = total[short_index]
    start = 0
    while start < short_index.size:
        guess = min(start + SHORT_PAIR_CELLS // max(int(sorted_total[start]), 1), short_index.size)
        size = max(1, SHORT_PAIR_CELLS // max(int(sorted_total[guess - 1]), 1))
        chunk = short_index[start:start + size]
        start += chunk.size
        part, part_lcs = short_pair_counts(prediction.take(chunk), reference.take(chunk), orders, want_lcs)
        for n in orders:
            matches[n][chunk] = part[n]
        if part_lcs is not None:
            lcs[chunk] = part_lcs
    if long_index.size:
        long_pred, long_ref = prediction.take(long_index), reference.take(long_index)
        for n in orders:
            matches[n][long_index] = ngram_overlaps(long_pred, long_ref, n)[0]
        if want_lcs:
            lcs[long_index] = pair_lcs_lengths(long_pred, long_ref)
    return matches, (lcs if want_lcs else None)


def ngram_scores_from(matches: np.ndarray, prediction: TokenBatch, reference: TokenBatch, n: int):
    """rouge-score's ``rouge<n>`` precision, recall and F-measure per pair, from the clipped matches."""
    pred_counts = np.maximum(prediction.lengths - n + 1, 0)
    ref_counts = np.maximum(reference.lengths - n + 1, 0)
    precision = matches / np.maximum(pred_counts, 1)
    recall = matches / np.maximum(ref_counts, 1)
    return precision, recall, fmeasure(precision, recall)


def lcs_scores_from(lcs: np.ndarray, prediction: TokenBatch, reference: TokenBatch):
    """rouge-score's ``rougeL`` precision, recall and F-measure per pair, from the LCS lengths."""
    empty = (prediction.lengths == 0) | (reference.lengths == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(empty, 0.0, lcs / prediction.lengths)
        recall = np.where(empty, 0.0, lcs / reference.lengths)
    return precision, recall, fmeasure(precision, recall)


def pair_lcs_lengths(prediction: TokenBatch, reference: TokenBatch) -> np.ndarray:
    """LCS length of every pair (the side of at most 64 tokens is the bit vector)."""
    n_pairs = prediction.lengths.size
    lcs = np.zeros(n_pairs, dtype=np.int64)
    pred_fits = prediction.lengths <= WORD_BITS
    ref_fits = ~pred_fits & (reference.lengths <= WORD_BITS)
    neither = np.flatnonzero(~pred_fits & ~ref_fits)
    for fits, bits, rows in ((pred_fits, prediction, reference), (ref_fits, reference, prediction)):
        which = np.flatnonzero(fits)
        if which.size:
            row_part, bit_part = rows.take(which), bits.take(which)
            lcs[which] = lcs_lengths(row_part.ids, row_part.lengths, bit_part.ids, bit_part.lengths)
    for k in neither.tolist():
        pred = prediction.ids[prediction.offsets[k]: prediction.offsets[k] + prediction.lengths[k]].tolist()
        ref = reference.ids[reference.offsets[k]: reference.offsets[k] + reference.lengths[k]].tolist()
        lcs[k] = lcs_length(ref, pred)
    return lcs
