"""ROUGE precision / recall / F-measure for many (prediction, reference) pairs at once.

The numbers are rouge-score's (``rouge_scorer._score_ngrams``, ``_score_lcs``,
``_summary_level_lcs``) to the last bit: the same integer counts divided in the
same order of floating-point operations.  The counting is vectorised: tokens
are integer ids, and a pair's n-gram overlap comes from one sort of
``(pair, n-gram, side)`` keys over the whole batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np

from nlpmetrics.metrics._lcs import WORD_BITS, lcs_length, lcs_lengths, lcs_ref_indices

#: Largest key a sort key may reach (kept well inside int64).
_KEY_LIMIT = 1 << 62


class TokenBatch:
    """Token ids of a list of texts, concatenated, with each text's offset and length."""

    def __init__(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        self.ids = ids
        self.lengths = lengths
        self.offsets = np.cumsum(lengths) - lengths

    def split(self, first: int) -> tuple[TokenBatch, TokenBatch]:
        """The first ``first`` texts and the rest, as two batches (no copy)."""
        cut = int(self.lengths[:first].sum())
        return TokenBatch(self.ids[:cut], self.lengths[:first]), TokenBatch(self.ids[cut:], self.lengths[first:])

    def take(self, which: np.ndarray) -> TokenBatch:
        """The texts at positions ``which`` (repeats allowed), in that order."""
        lengths = self.lengths[which]
        starts = self.offsets[which]
        index = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return TokenBatch(self.ids[index], lengths)


def encode(token_lists: Sequence[Sequence[Hashable]], vocabulary: dict[Hashable, int]) -> TokenBatch:
    """Token lists as a :class:`TokenBatch`, adding unseen tokens to ``vocabulary``."""
    from itertools import chain

    for token in dict.fromkeys(chain.from_iterable(token_lists)):
        if token not in vocabulary:
            vocabulary[token] = len(vocabulary)
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    ids = np.fromiter(
        map(vocabulary.__getitem__, chain.from_iterable(token_lists)), dtype=np.int64, count=int(lengths.sum())
    )
    return TokenBatch(ids, lengths)


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
    short = (prediction.lengths <= WORD_BITS) & (total <= SHORT_PAIR_TOKENS)
    matches = {n: np.zeros(n_pairs, dtype=np.int64) for n in orders}
    lcs = np.zeros(n_pairs, dtype=np.int64) if want_lcs else None
    short_index, long_index = np.flatnonzero(short), np.flatnonzero(~short)
    # Chunks of pairs of similar length: little padding, bounded memory, cache-sized arrays.
    short_index = short_index[np.argsort(total[short_index], kind="stable")]
    for start in range(0, short_index.size, SHORT_PAIR_CHUNK):
        chunk = short_index[start:start + SHORT_PAIR_CHUNK]
        part, part_lcs = short_pair_counts(prediction.take(chunk), reference.take(chunk), orders, want_lcs)
        for n in orders:
            matches[n][chunk] = part[n]
        if want_lcs:
            lcs[chunk] = part_lcs
    if long_index.size:
        long_pred, long_ref = prediction.take(long_index), reference.take(long_index)
        for n in orders:
            matches[n][long_index] = ngram_overlaps(long_pred, long_ref, n)[0]
        if want_lcs:
            lcs[long_index] = pair_lcs_lengths(long_pred, long_ref)
    return matches, lcs


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


def ngram_scores(prediction: TokenBatch, reference: TokenBatch, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """rouge-score's ``rouge<n>`` precision, recall and F-measure per pair."""
    matches, pred_counts, ref_counts = ngram_overlaps(prediction, reference, n)
    precision = matches / np.maximum(pred_counts, 1)
    recall = matches / np.maximum(ref_counts, 1)
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


def lcs_scores(prediction: TokenBatch, reference: TokenBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """rouge-score's ``rougeL`` precision, recall and F-measure per pair."""
    lcs = pair_lcs_lengths(prediction, reference)
    empty = (prediction.lengths == 0) | (reference.lengths == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(empty, 0.0, lcs / prediction.lengths)
        recall = np.where(empty, 0.0, lcs / reference.lengths)
    return precision, recall, fmeasure(precision, recall)


def summary_level_lcs(
    reference_sentences: Sequence[Sequence[Hashable]], prediction_sentences: Sequence[Sequence[Hashable]]
) -> tuple[float, float, float]:
    """rouge-score's ``_summary_level_lcs``: rougeLsum precision, recall, F-measure of one pair.

    For each reference sentence, the union of the reference positions of its
    LCS with every prediction sentence is taken; each of those tokens counts
    as a hit while both texts still have an unused copy of it.
    """
    if not reference_sentences or not prediction_sentences:
        return 0.0, 0.0, 0.0
    m = sum(map(len, reference_sentences))
    n = sum(map(len, prediction_sentences))
    if not n or not m:
        return 0.0, 0.0, 0.0
    left_in_reference: Counter = Counter()
    left_in_prediction: Counter = Counter()
    for sentence in reference_sentences:
        left_in_reference.update(sentence)
    for sentence in prediction_sentences:
        left_in_prediction.update(sentence)
    hits = 0
    for sentence in reference_sentences:
        union: set[int] = set()
        for candidate in prediction_sentences:
            union.update(lcs_ref_indices(sentence, candidate))
        for index in sorted(union):
            token = sentence[index]
            if left_in_prediction[token] > 0 and left_in_reference[token] > 0:
                hits += 1
                left_in_prediction[token] -= 1
                left_in_reference[token] -= 1
    recall = hits / m
    precision = hits / n
    f = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f


# ---------------------------------------------------------------------------- short pairs, padded
#: Pairs whose two sides together have at most this many tokens (and whose prediction fits one
#: ``uint64``) are counted in a padded ``pairs x columns`` table, one row per pair.
SHORT_PAIR_TOKENS = 128
#: Short pairs are counted this many at a time (bounds the padded table at ~2 MiB of int32 keys).
SHORT_PAIR_CHUNK = 4096
_COLUMN_BITS = 7  # columns < 128
_PAD = np.iinfo(np.int32).max


def _sorted_runs(keys: np.ndarray, counts: np.ndarray, want_rank: bool) -> dict[str, np.ndarray]:
    """Sort each row of ``keys`` (``(value * 2 + side) << 7 | column``, then padding) and find the runs.

    ``counts[k]`` is the number of real entries in row ``k``.  A run is the set
    of entries of one row with the same value (prediction entries first, as
    their side bit is 0); per run this gives how many come from each side, and
    per entry (with ``want_rank``) its run's rank in the row: a dense id of the
    value, local to the pair.
    """
    n_rows = counts.size
    table = np.sort(keys, axis=1)  # padding (the dtype's largest value) sorts last  # numpy's vectorised sort; packing the column in avoids an argsort
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

    Pairs are ordered by reference length (longest first), so step ``i`` only
    touches the prefix of pairs whose reference has an ``i``-th token.
    """
    side, column, starts, ends = runs["side"], runs["column"], runs["starts"], runs["ends"]
    bits = np.where(side == 0, np.left_shift(np.uint64(1), np.minimum(column, 63).astype(np.uint64)), np.uint64(0))
    before = np.concatenate(([np.uint64(0)], np.cumsum(bits, dtype=np.uint64)))
    run_mask = before[ends] - before[starts]  # distinct bits: the sum is their union (mod 2**64 is exact)
    run_of_entry = np.cumsum(runs["first"]) - 1
    order = np.argsort(-ref_len, kind="stable")
    rank = np.empty(n_pairs, dtype=np.int64)
    rank[order] = np.arange(n_pairs)
    from_reference = side == 1
    rows = runs["row"][from_reference]
    positions = column[from_reference] - pred_len[rows]
    longest = int(ref_len.max())
    match = np.zeros((max(longest, 1), n_pairs), dtype=np.uint64)
    match[positions, rank[rows]] = run_mask[run_of_entry[from_reference]]
    sorted_ref_len = ref_len[order]
    active_counts = n_pairs - np.searchsorted(sorted_ref_len[::-1], np.arange(longest), side="right")
    vector = np.full(n_pairs, np.iinfo(np.uint64).max, dtype=np.uint64)
    unchanged = np.empty_like(vector)
    total = np.empty_like(vector)
    for i in range(longest):
        active = int(active_counts[i])
        v, u, t = vector[:active], unchanged[:active], total[:active]
        np.bitwise_and(v, match[i, :active], out=u)
        np.add(v, u, out=t)
        np.subtract(v, u, out=v)
        np.bitwise_or(v, t, out=v)
    widths = pred_len[order].astype(np.uint64)
    mask = np.where(widths > 0, np.right_shift(np.iinfo(np.uint64).max, np.uint64(64) - np.maximum(widths, 1)),
                    np.uint64(0)).astype(np.uint64)
    lcs = np.empty(n_pairs, dtype=np.int64)
    lcs[order] = np.bitwise_count(~vector & mask)
    return lcs
