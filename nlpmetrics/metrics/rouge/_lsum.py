"""rougeLsum (summary-level LCS) of many multi-sentence pairs at once, identical to rouge-score.

rouge-score's ``_summary_level_lcs`` takes, for each reference sentence, the
union of the reference positions of the LCS it reads out (``lcs_ind``) with
every prediction sentence, then counts a union token as a hit while both texts
still have an unused copy of it.  Because a token's hits only use up that
token's own counts, the hits of a pair are ``sum over tokens t of min(u_t, c_t)``
with ``u_t`` the copies of ``t`` in the unions and ``c_t`` in the prediction.

The unions need the very positions rouge-score's traceback picks.  For every
(reference sentence, prediction sentence) combination the bit-parallel LCS runs
over the reference tokens (rows), with one ``uint64`` of bits over the
prediction positions (columns), all combinations in step.  The traceback then
takes one step per row, not per cell, from this fact: with
``d_j = t[i][j] - t[i-1][j]`` (0 or 1), rouge-score's walk in row ``i`` moves
left from column ``j`` exactly while there is no match at ``j`` and ``d_j = 1``
(then ``t[i][j-1] = t[i][j] > t[i-1][j]``).  So it stops at the highest column
``<= j`` whose bit is set in ``M_i | ~D_i`` (``M_i``: the columns holding the
row's token; ``D_i``: the columns where ``d_j = 1``), and goes diagonally if
that column matches, else up.  ``D_i`` comes with the forward step for free:
with ``U = V & M_i``, it is ``(V & ~(V + U)) | U`` (the carry chain of each
run of ``V`` that holds a match), so the stopping columns are
``M_i | ~V | (V + U)`` (``U`` lies inside ``M_i``).
"""

from __future__ import annotations

import numpy as np

from nlpmetrics.metrics.rouge._batch import TokenBatch
from nlpmetrics.metrics.rouge._lcs import WORD_BITS, lcs_ref_indices

#: Combinations traced back together are bounded so that ``rows x combinations`` stays near this many
#: cells (two ``uint64`` tables of ~2 MiB: they stay in cache).
_CELLS = 1 << 18
_ALL_ONES = np.uint64(np.iinfo(np.uint64).max)
#: Largest key a (pair, token) sort key may reach (kept well inside int64).
_KEY_LIMIT = 1 << 62


def _ranges(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``first[k], first[k] + 1, ..., first[k] + count[k] - 1`` for every ``k``, concatenated."""
    starts = np.cumsum(count) - count
    return np.repeat(first - starts, count) + np.arange(int(count.sum()))


def summary_level_scores(
    sentences: TokenBatch, ref_first: np.ndarray, ref_count: np.ndarray, pred_first: np.ndarray,
    pred_count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the rougeLsum precision, recall and F-measure of each pair, as ``rouge_scorer._summary_level_lcs``.

    Parameters
    ----------
    sentences : TokenBatch
        Token ids of every sentence involved.
    ref_first, ref_count, pred_first, pred_count : ndarray
        Per pair, where its reference's / prediction's sentences start in
        ``sentences`` and how many there are (consecutive).  Sentences with no
        token may be included: they change nothing, as in rouge-score.
    """
    from nlpmetrics.metrics.rouge._scores import fmeasure

    n_pairs = ref_count.size
    ref_batch = sentences.take(_ranges(ref_first, ref_count))
    pred_batch = sentences.take(_ranges(pred_first, pred_count))
    ref_token_pair = np.repeat(np.repeat(np.arange(n_pairs), ref_count), ref_batch.lengths)
    pred_token_pair = np.repeat(np.repeat(np.arange(n_pairs), pred_count), pred_batch.lengths)
    m = np.bincount(ref_token_pair, minlength=n_pairs)
    n = np.bincount(pred_token_pair, minlength=n_pairs)
    # u: one id per distinct (pair, token); tokens of different pairs never share one
    pair_token, token_pair = _pair_token_ids(
        np.concatenate((pred_token_pair, ref_token_pair)), np.concatenate((pred_batch.ids, ref_batch.ids)), n_pairs)
    pred_u, ref_u = pair_token[: pred_batch.ids.size], pair_token[pred_batch.ids.size:]

    selected = _union_positions(ref_batch, pred_batch, ref_count, pred_count, pred_u, ref_u, token_pair)

    # hits = clipped overlap of the union tokens with all prediction tokens, per pair
    n_ids = token_pair.size
    in_unions = np.bincount(ref_u[selected], minlength=n_ids)
    in_prediction = np.bincount(pred_u, minlength=n_ids)
    hits = np.bincount(token_pair, weights=np.minimum(in_unions, in_prediction), minlength=n_pairs)
    empty = (m == 0) | (n == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        recall = np.where(empty, 0.0, hits / m)
        precision = np.where(empty, 0.0, hits / n)
    return precision, recall, fmeasure(precision, recall)


def _pair_token_ids(pair: np.ndarray, ids: np.ndarray, n_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """Return a dense id per distinct ``(pair, token id)``, for every token, and the pair of each dense id."""
    if ids.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    size = int(ids.max()) + 1
    if size * max(n_pairs, 1) >= _KEY_LIMIT:
        _, ids = np.unique(ids, return_inverse=True)
        ids = ids.reshape(-1)
        size = int(ids.max()) + 1
    keys = pair * size + ids
    if size * max(n_pairs, 1) < np.iinfo(np.int32).max:
        keys = keys.astype(np.int32)  # a faster sort
    distinct, dense = np.unique(keys, return_inverse=True)
    return dense.reshape(-1), distinct.astype(np.int64) // size


def _union_positions(
    ref_batch: TokenBatch, pred_batch: TokenBatch, ref_count: np.ndarray, pred_count: np.ndarray,
    pred_u: np.ndarray, ref_u: np.ndarray, token_pair: np.ndarray,
) -> np.ndarray:
    """Per reference token, whether it is in the union of its sentence's LCS with some prediction sentence."""
    n_pairs = ref_count.size
    selected = np.zeros(ref_batch.ids.size, dtype=bool)
    # Every (pair, reference sentence, prediction sentence) combination.
    per_pair = ref_count * pred_count
    combo_pair = np.repeat(np.arange(n_pairs), per_pair)
    within = np.arange(combo_pair.size) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    divisor = np.maximum(pred_count[combo_pair], 1)
    combo_ref = np.repeat(np.cumsum(ref_count) - ref_count, per_pair) + within // divisor
    slot_in_pair = within % divisor  # which prediction sentence of its pair
    combo_pred = np.repeat(np.cumsum(pred_count) - pred_count, per_pair) + slot_in_pair
    ref_len, pred_len = ref_batch.lengths[combo_ref], pred_batch.lengths[combo_pred]
    useful = (ref_len > 0) & (pred_len > 0)
    fast = useful & (pred_len <= WORD_BITS)

    if fast.any():
        # Match masks: masks[base[u] + s] has bit p set where prediction sentence s of u's pair holds u at p.
        slots = pred_count[token_pair]
        base = np.cumsum(slots) - slots
        pred_sentence = np.repeat(np.arange(pred_batch.lengths.size), pred_batch.lengths)
        pred_slot = pred_sentence - np.repeat(np.cumsum(pred_count) - pred_count, pred_count)[pred_sentence]
        position = np.arange(pred_sentence.size) - pred_batch.offsets[pred_sentence]
        fits = position < WORD_BITS
        masks = np.zeros(int(slots.sum()), dtype=np.uint64)
        np.bitwise_or.at(masks, base[pred_u[fits]] + pred_slot[fits],
                         np.left_shift(np.uint64(1), position[fits].astype(np.uint64)))
        ref_slot_base = base[ref_u]  # per reference token: where its masks start

        which = np.flatnonzero(fast)
        which = which[np.argsort(-ref_len[which], kind="stable")]  # longest reference sentences first
        start = 0
        while start < which.size:
            rows = int(ref_len[which[start]])
            chunk = which[start:start + max(1, _CELLS // rows)]
            start += chunk.size
            _trace_rows(ref_batch.offsets[combo_ref[chunk]], ref_len[chunk], pred_len[chunk],
                        slot_in_pair[chunk], ref_slot_base, masks, selected)
    for c in np.flatnonzero(useful & ~fast).tolist():
        ref_ids = _tokens(ref_batch, combo_ref[c])
        positions = lcs_ref_indices(ref_ids, _tokens(pred_batch, combo_pred[c]))
        selected[ref_batch.offsets[combo_ref[c]] + np.asarray(positions, dtype=np.int64)] = True
    return selected


def _tokens(batch: TokenBatch, index: int) -> list[int]:
    start = int(batch.offsets[index])
    return batch.ids[start:start + int(batch.lengths[index])].tolist()


def _trace_rows(
    ref_start: np.ndarray, ref_len: np.ndarray, pred_len: np.ndarray, pred_slot: np.ndarray,
    ref_slot_base: np.ndarray, masks: np.ndarray, selected: np.ndarray,
) -> None:
    """Mark in ``selected`` the reference positions of rouge-score's LCS for each combination.

    Combinations come longest reference sentence first, so row ``i`` concerns
    a prefix of them.  ``ref_start`` is where each one's reference sentence
    starts among the reference tokens, ``pred_slot`` which prediction sentence
    of its pair it pairs with (an offset into ``masks`` from ``ref_slot_base``).
    """
    n = ref_len.size
    rows = int(ref_len[0])
    active_counts = n - np.searchsorted(ref_len[::-1], np.arange(rows), side="right")
    # match[i, c]: the prediction columns holding reference token i of combination c
    combo = np.repeat(np.arange(n), ref_len)
    row = np.arange(combo.size) - np.repeat(np.cumsum(ref_len) - ref_len, ref_len)
    match = np.zeros((rows, n), dtype=np.uint64)
    match.reshape(-1)[row * n + combo] = masks[ref_slot_base[ref_start[combo] + row] + pred_slot[combo]]

    # forward: the bit-parallel LCS rows, keeping where each row's walk stops (M_i | ~D_i)
    full = np.right_shift(_ALL_ONES, (WORD_BITS - pred_len).astype(np.uint64))
    vector = full.copy()
    stop = np.empty((rows, n), dtype=np.uint64)
    for i in range(rows):
        active = int(active_counts[i])
        v, m = vector[:active], match[i, :active]
        unchanged = v & m
        total = v + unchanged
        stop[i, :active] = m | ~v | total
        vector[:active] = (total | (v - unchanged)) & full[:active]

    # backward: one step per row; column j (1-based, as in rouge-score's table) is bit j - 1
    column = pred_len.astype(np.uint64)
    diagonal = np.zeros((rows, n), dtype=bool)
    for i in range(rows - 1, -1, -1):
        active = int(active_counts[i])
        j = column[:active]
        reach = stop[i, :active] & np.right_shift(_ALL_ONES, np.uint64(WORD_BITS) - j)
        for shift in (1, 2, 4, 8, 16, 32):  # smear the highest bit downwards
            reach |= reach >> np.uint64(shift)
        highest = reach ^ (reach >> np.uint64(1))
        took = (match[i, :active] & highest) != 0
        diagonal[i, :active] = took
        column[:active] = np.bitwise_count(reach) - took
    hit = np.flatnonzero(diagonal)
    selected[ref_start[hit % n] + hit // n] = True
