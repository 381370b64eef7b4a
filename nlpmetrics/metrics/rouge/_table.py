"""ROUGE counts of short pairs in a padded ``pairs x columns`` table, one row per pair.

A pair's prediction tokens fill columns ``0..len_p-1`` and its reference
tokens follow.  Keys pack ``(token id * 2 + side) << 7 | column``, so one
row-wise ``np.sort`` (vectorised, no argsort) groups equal tokens of a pair,
prediction copies first; run lengths give the clipped unigram matches, the run
ranks give dense per-pair token ids (which keep bigram and longer keys small),
and the prediction columns of each run give every reference token's match mask
for the bit-parallel LCS, all pairs in step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlpmetrics.metrics.rouge._batch import TokenBatch
from nlpmetrics.metrics.rouge._lcs import WORD_BITS

#: Pairs whose two sides together have at most this many tokens, and whose prediction at most
#: ``SHORT_PREDICTION_TOKENS`` (a few ``uint64`` words of LCS bits), are counted in a padded
#: ``pairs x columns`` table, one row per pair.
SHORT_PAIR_TOKENS = 255
SHORT_PREDICTION_TOKENS = 192
#: Short pairs are counted this many at a time (bounds the padded table at a few MiB).
SHORT_PAIR_CHUNK = 4096
_COLUMN_BITS = 8  # columns < 256
_PAD = np.iinfo(np.int32).max


def _sorted_runs(keys: np.ndarray, counts: np.ndarray, want_rank: bool) -> dict[str, np.ndarray]:
    """Sort each row of ``keys`` (``(value * 2 + side) << 8 | column``, then padding) and find the runs.

    ``counts[k]`` is the number of real entries in row ``k``.  A run is the set
    of entries of one row with the same value (prediction entries first, as
    their side bit is 0); per run this gives how many come from each side, and
    per entry (with ``want_rank``) its run's rank in the row: a dense id of the
    value, local to the pair.
    """
    n_rows = counts.size
    # numpy's vectorised row sort (packing the column in avoids an argsort); padding sorts last
    table = np.sort(keys, axis=1)
    flat = table[:, : int(counts.max())][np.arange(int(counts.max()))[None, :] < counts[:, None]]
    row_starts = np.cumsum(counts) - counts
    value = flat >> (_COLUMN_BITS + 1)
    first = np.empty(flat.size, dtype=bool)
    first[:1] = True
    np.not_equal(value[1:], value[:-1], out=first[1:])
    first[row_starts[counts > 0]] = True
    starts = np.flatnonzero(first)
    side = (flat >> _COLUMN_BITS) & 1
    reference_before = np.concatenate(([0], np.cumsum(side)))
    ends = np.append(starts[1:], flat.size)
    in_reference = reference_before[ends] - reference_before[starts]
    clipped = np.minimum(in_reference, (ends - starts) - in_reference)
    row = np.repeat(np.arange(n_rows), counts)
    runs_per_row = np.bincount(row[starts], minlength=n_rows)
    matches = np.bincount(row[starts], weights=clipped, minlength=n_rows).astype(np.int64)
    out = {"matches": matches, "row": row, "column": flat & ((1 << _COLUMN_BITS) - 1), "side": side,
           "starts": starts, "ends": ends, "first": first}
    if want_rank:
        out["rank"] = (np.cumsum(first) - 1 - np.repeat(np.cumsum(runs_per_row) - runs_per_row, counts)).astype(np.int32)
    return out


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
    pred_row = np.repeat(np.arange(n_pairs), pred_len)
    pred_col = np.arange(pred_row.size) - np.repeat(prediction.offsets, pred_len)
    ref_row = np.repeat(np.arange(n_pairs), ref_len)
    ref_col = np.arange(ref_row.size) - np.repeat(reference.offsets, ref_len) + pred_len[ref_row]
    largest_id = max(int(prediction.ids.max(initial=0)), int(reference.ids.max(initial=0)))
    key_type = np.int32 if (largest_id + 1) << (_COLUMN_BITS + 1) < _PAD else np.int64
    keys = np.full((n_pairs, width), np.iinfo(key_type).max, dtype=key_type)
    keys[pred_row, pred_col] = (prediction.ids << (_COLUMN_BITS + 1)) | pred_col
    keys[ref_row, ref_col] = (((reference.ids << 1) | 1) << _COLUMN_BITS) | ref_col
    runs = _sorted_runs(keys, pred_len + ref_len, want_rank=highest > 1)
    matches = {1: runs["matches"]}
    if highest > 1:
        local = np.zeros((n_pairs, width), dtype=np.int32)
        local[runs["row"], runs["column"]] = runs["rank"]
        gram = local
        for n in range(2, highest + 1):
            pred_grams = np.maximum(pred_len - n + 1, 0)
            ref_grams = np.maximum(ref_len - n + 1, 0)
            if width - n + 1 <= 0 or not (pred_grams.any() or ref_grams.any()):
                matches[n] = np.zeros(n_pairs, dtype=np.int64)
                continue
            span = width - n + 1
            gram = gram[:, :span] * width + local[:, n - 1:]
            rows = np.concatenate((np.repeat(np.arange(n_pairs), pred_grams), np.repeat(np.arange(n_pairs), ref_grams)))
            pred_cols = np.arange(int(pred_grams.sum())) - np.repeat(np.cumsum(pred_grams) - pred_grams, pred_grams)
            ref_cols = (np.arange(int(ref_grams.sum())) - np.repeat(np.cumsum(ref_grams) - ref_grams, ref_grams)
                        + np.repeat(pred_len, ref_grams))
            cols = np.concatenate((pred_cols, ref_cols))
            sides = np.concatenate((np.zeros(pred_cols.size, np.int32), np.ones(ref_cols.size, np.int32)))
            order_keys = np.full((n_pairs, span), _PAD, dtype=np.int32)
            order_keys[rows, cols] = (((gram[rows, cols] << 1) | sides) << _COLUMN_BITS) | cols
            order_runs = _sorted_runs(order_keys, pred_grams + ref_grams, want_rank=n < highest)
            matches[n] = order_runs["matches"]
            if n < highest:
                gram = np.zeros((n_pairs, span), dtype=np.int32)
                gram[order_runs["row"], order_runs["column"]] = order_runs["rank"]
    lcs = _short_lcs(runs, pred_len, ref_len, n_pairs) if want_lcs else None
    return {n: matches[n] for n in orders}, lcs


def _short_lcs(runs: dict[str, np.ndarray], pred_len: np.ndarray, ref_len: np.ndarray, n_pairs: int) -> np.ndarray:
    """LCS lengths from the unigram runs: bit-parallel over prediction positions, all pairs in step.

    A prediction of up to 192 tokens is a bit vector of up to three ``uint64``
    words; the addition carries from word to word (the subtraction never
    borrows, as ``U`` is a subset of ``V``).  Pairs are ordered by reference
    length (longest first), so step ``i`` only touches the prefix of pairs whose
    reference has an ``i``-th token.
    """
    side, column, starts, ends = runs["side"], runs["column"], runs["starts"], runs["ends"]
    n_words = max(1, -(-int(pred_len.max()) // WORD_BITS))
    order = np.argsort(-ref_len, kind="stable")
    rank = np.empty(n_pairs, dtype=np.int64)
    rank[order] = np.arange(n_pairs)
    from_reference = side == 1
    rows = runs["row"][from_reference]
    positions = column[from_reference] - pred_len[rows]
    run_of_entry = (np.cumsum(runs["first"]) - 1)[from_reference]
    longest = int(ref_len.max())
    match = np.zeros((max(longest, 1), n_words, n_pairs), dtype=np.uint64)
    word_of = column // WORD_BITS
    bit_of = np.left_shift(np.uint64(1), (column % WORD_BITS).astype(np.uint64))
    for word in range(n_words):
        bits = np.where((side == 0) & (word_of == word), bit_of, np.uint64(0))
        before = np.concatenate(([np.uint64(0)], np.cumsum(bits, dtype=np.uint64)))
        run_mask = before[ends] - before[starts]  # distinct bits: the sum is their union (mod 2**64 is exact)
        match[positions, word, rank[rows]] = run_mask[run_of_entry]
    sorted_ref_len = ref_len[order]
    active_counts = n_pairs - np.searchsorted(sorted_ref_len[::-1], np.arange(longest), side="right")
    vector = np.full((n_words, n_pairs), np.iinfo(np.uint64).max, dtype=np.uint64)
    for i in range(longest):
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
        width = np.clip(lengths - word * WORD_BITS, 0, WORD_BITS).astype(np.uint64)
        mask = np.where(width > 0, np.right_shift(np.iinfo(np.uint64).max, np.uint64(WORD_BITS) - np.maximum(width, 1)),
                        np.uint64(0)).astype(np.uint64)
        lcs_sorted += np.bitwise_count(~vector[word] & mask)
    lcs = np.empty(n_pairs, dtype=np.int64)
    lcs[order] = lcs_sorted
    return lcs
