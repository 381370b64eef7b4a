"""Longest common subsequence, bit-parallel (Allison-Dix / Hyyro), in pure Python and numpy.

rouge-score fills an ``(m+1) x (n+1)`` table of Python ints for every pair; that
is nearly all of its running time.  The bit-parallel recurrence computes one
whole table row per step as a bit vector (bit ``j-1`` of row ``i`` is set when
``t[i][j] = t[i][j-1] + 1``):

    U = V & match_mask(ref[i]);  V = (V + U) | (V - U)     (V starts all ones; row = ~V)

so a row costs a few machine-word operations instead of ``n`` Python steps.
Three forms live here:

* :func:`lcs_lengths` - lengths for many pairs at once, one numpy ``uint64`` per
  pair (the side used as bits must have at most 64 tokens);
* :func:`lcs_length` - one pair, Python big ints as bit vectors (any length);
* :func:`lcs_ref_indices` - the positions in the reference of the very LCS that
  rouge-score's ``_backtrack_norec`` reads out (rougeLsum's union LCS needs the
  tokens, not only the length), from the stored rows and the same tie rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

#: Longest side that fits one ``uint64`` bit vector.
WORD_BITS = 64


def _match_masks(tokens: Sequence[Hashable]) -> dict[Hashable, int]:
    """Bit ``j`` of ``masks[t]`` is set where ``tokens[j] == t``."""
    masks: dict[Hashable, int] = {}
    for position, token in enumerate(tokens):
        masks[token] = masks.get(token, 0) | (1 << position)
    return masks


def lcs_rows(ref: Sequence[Hashable], can: Sequence[Hashable]) -> list[int]:
    """Row ``i`` (``0..len(ref)``) of the LCS table as increments over ``can`` positions.

    ``t[i][j]`` of rouge-score's table is ``(rows[i] & ((1 << j) - 1)).bit_count()``.
    """
    masks = _match_masks(can)
    full = (1 << len(can)) - 1
    vector = full
    rows = [0]
    for token in ref:
        match = masks.get(token, 0)
        if match:
            unchanged = vector & match
            vector = ((vector + unchanged) | (vector - unchanged)) & full
        rows.append(full ^ vector)
    return rows


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (any lengths)."""
    if len(b) > len(a):
        a, b = b, a
    if not b:
        return 0
    masks = _match_masks(b)
    full = (1 << len(b)) - 1
    vector = full
    for token in a:
        match = masks.get(token, 0)
        if match:
            unchanged = vector & match
            vector = ((vector + unchanged) | (vector - unchanged)) & full
    return len(b) - vector.bit_count()


def lcs_ref_indices(ref: Sequence[Hashable], can: Sequence[Hashable]) -> list[int]:
    """Return indices into ``ref`` of the LCS that ``rouge_score.rouge_scorer.lcs_ind(ref, can)`` returns.

    rouge-score walks back from the table's corner: a match goes diagonally,
    else it moves left when ``t[i][j-1] > t[i-1][j]`` and up otherwise.  The
    same walk over the bit rows gives the same LCS in ``O(len(ref) + len(can))``
    steps.  Only the diagonal changes the current cell's value ``t``; off the
    diagonal ``t[i][j-1]`` is ``t`` minus bit ``j-1`` of row ``i``, so a cell
    above needs counting only when that bit is clear.
    """
    if not ref or not can:
        return []
    rows = lcs_rows(ref, can)
    i, j = len(ref), len(can)
    value = rows[i].bit_count()
    found: list[int] = []
    while value and i > 0 and j > 0:
        if ref[i - 1] == can[j - 1]:
            found.append(i - 1)
            i -= 1
            j -= 1
            value -= 1
        elif (rows[i] >> (j - 1)) & 1 or (rows[i - 1] & ((1 << j) - 1)).bit_count() >= value:
            i -= 1  # t[i][j-1] is not above t[i-1][j]
        else:
            j -= 1
    found.reverse()
    return found


def lcs_lengths(
    row_ids: np.ndarray, row_lengths: np.ndarray, bit_ids: np.ndarray, bit_lengths: np.ndarray
) -> np.ndarray:
    """LCS lengths of many pairs of integer token sequences at once.

    Parameters
    ----------
    row_ids, bit_ids : ndarray of int64
        Tokens of every pair's two sides, concatenated pair after pair.
    row_lengths, bit_lengths : ndarray of int64
        Tokens per pair on each side; every ``bit_lengths[k]`` is at most 64.

    Returns
    -------
    ndarray of int64
        ``lcs[k]`` for each pair.

    Notes
    -----
    Each pair's bit vector is one ``uint64``; the loop runs over row positions
    with all pairs in step (pairs sorted by row length, so the active ones are
    a shrinking prefix).  Match masks come from one sort of the bit side's
    ``(pair, token)`` keys: positions within a pair are distinct bits, so their
    sum is their union.
    """
    n_pairs = row_lengths.size
    lcs = np.zeros(n_pairs, dtype=np.int64)
    if n_pairs == 0 or row_ids.size == 0 or bit_ids.size == 0:
        return lcs
    order = np.argsort(-row_lengths, kind="stable")  # longest rows first
    rank = np.empty(n_pairs, dtype=np.int64)
    rank[order] = np.arange(n_pairs)
    vocabulary = int(max(row_ids.max(), bit_ids.max())) + 1

    bit_pair = rank[np.repeat(np.arange(n_pairs), bit_lengths)]
    bit_keys = bit_pair * vocabulary + bit_ids
    bit_positions = np.arange(bit_ids.size) - np.repeat(np.cumsum(bit_lengths) - bit_lengths, bit_lengths)
    bit_values = np.left_shift(np.uint64(1), bit_positions.astype(np.uint64))
    by_key = np.argsort(bit_keys, kind="stable")
    sorted_keys = bit_keys[by_key]
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    distinct_keys = sorted_keys[starts]
    masks = np.add.reduceat(bit_values[by_key], starts)

    row_pair = rank[np.repeat(np.arange(n_pairs), row_lengths)]
    row_keys = row_pair * vocabulary + row_ids
    row_positions = np.arange(row_ids.size) - np.repeat(np.cumsum(row_lengths) - row_lengths, row_lengths)
    slot = np.minimum(np.searchsorted(distinct_keys, row_keys), distinct_keys.size - 1)
    hit = distinct_keys[slot] == row_keys
    longest = int(row_lengths.max())
    match = np.zeros((longest, n_pairs), dtype=np.uint64)
    match[row_positions[hit], row_pair[hit]] = masks[slot[hit]]

    sorted_row_lengths = row_lengths[order]
    active_counts = n_pairs - np.searchsorted(sorted_row_lengths[::-1], np.arange(longest), side="right")
    vector = np.full(n_pairs, np.iinfo(np.uint64).max, dtype=np.uint64)
    for i in range(longest):
        active = int(active_counts[i])
        current = vector[:active]
        unchanged = current & match[i, :active]
        vector[:active] = (current + unchanged) | (current - unchanged)
    sorted_bit_lengths = bit_lengths[order].astype(np.uint64)
    width_mask = np.where(
        sorted_bit_lengths > 0,
        np.right_shift(np.iinfo(np.uint64).max, np.uint64(WORD_BITS) - np.maximum(sorted_bit_lengths, 1)),
        np.uint64(0),
    ).astype(np.uint64)
    lcs[order] = np.bitwise_count(~vector & width_mask).astype(np.int64)
    return lcs
