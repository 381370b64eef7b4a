"""Greedy matching of token vectors: each token's best cosine similarity in the other text, idf-weighted.

Every token of one side is matched to its most similar token of the other side (the special
tokens take part), and the similarities are averaged with the token weights.  A token's best
similarity is floored at 0, as bert-score's zero padding does for every pair except the longest
texts of each batch of 64 (whose negative similarities it keeps): that only shows when all of a
token's similarities to the other text are negative, and flooring keeps the number independent of
batch composition and input order.

Pairs of similar lengths are matched together, one gather and one batched matrix product per
group; the groups are cut with array operations, not a Python loop over pairs.  torch is
imported inside the functions.
"""

from __future__ import annotations

import math

import numpy as np


def gather_index(offsets: np.ndarray, lengths: np.ndarray, padding_row: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the flat token table for each text (padded with ``padding_row``) and the real-token mask."""
    positions = np.arange(int(lengths.max()))[None, :]
    mask = positions < lengths[:, None]
    index = np.where(mask, offsets[:, None] + positions, padding_row)
    return index, mask


def match_groups(hyp_len: np.ndarray, ref_len: np.ndarray, width: int, match_budget: int,
                 gather_budget: int) -> tuple[np.ndarray, list[slice]]:
    """Pairs in length order and the slices of that order matched together.

    A group of ``k`` pairs whose longest texts have ``h`` and ``r`` tokens holds ``k*h*r``
    similarities (at most ``match_budget``, unless one pair alone is larger) and gathers
    ``k*(h+r)*width`` vector elements (at most ``gather_budget``).
    """
    order = np.lexsort((ref_len, hyp_len))  # by prediction length, then reference length
    h, r = hyp_len[order], ref_len[order]
    groups: list[slice] = []
    start, n = 0, len(order)
    while start < n:
        window = min(n - start, max(1, match_budget // max(1, int(h[start]) * int(r[start]))))
        longest_h = h[start:start + window]  # sorted: the last pair's length is the longest
        longest_r = np.maximum.accumulate(r[start:start + window])
        count = np.arange(1, window + 1)
        fits = (count * longest_h * longest_r <= match_budget) & (count * (longest_h + longest_r) * width
                                                                  <= gather_budget)
        size = max(1, int(np.argmin(fits)) if not fits.all() else window)
        groups.append(slice(start, start + size))
        start += size
    return order, groups


def to_whole_numbers_(vectors) -> None:
    """Scale each row by a power of two and round it to whole numbers of at most :func:`vector_bits` bits, in place.

    The scale (set by the row's largest component) cancels in a cosine, and the rounding moves
    a cosine by about 1e-7, a float32 model output's own precision; the whole numbers stay
    exact in float32 (at most 22 bits).  What it buys: every dot product of two such rows is a
    sum of whole numbers below 2**53, which float64 computes exactly in any order, so a pair's
    similarities do not depend on the shape of the batch the matrix product runs in (BLAS
    rounds differently for different shapes).
    """
    import torch

    _, exponent = torch.frexp(vectors.abs().amax(dim=-1, keepdim=True))
    vectors.mul_(torch.ldexp(torch.ones_like(exponent, dtype=vectors.dtype), vector_bits(vectors.shape[-1]) - exponent))
    vectors.round_()


def vector_bits(width: int) -> int:
    """Bits per component that keep a dot product of ``width`` components exact in float64 (22 for 384)."""
    return (53 - math.ceil(math.log2(max(width, 2)))) // 2


def _segment_means(values: np.ndarray, weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per pair, the weighted mean of its tokens' values: each pair's own tokens, summed in their own order."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):  # an empty text weighs 0 in all: NaN, scored 0 later
        return np.add.reduceat(values * weights, starts) / np.add.reduceat(weights, starts)


def greedy_match(flat, flat_weights, offsets: np.ndarray, lengths: np.ndarray, hyp_index: np.ndarray,
                 ref_index: np.ndarray, *, match_budget: int, gather_budget: int) -> tuple[np.ndarray, np.ndarray]:
    """Idf-weighted mean of each token's best cosine similarity (floored at 0), per pair: (precision, recall).

    ``flat`` holds every text's token vectors (text ``t`` at rows ``offsets[t]:offsets[t] + lengths[t]``)
    plus a last row used for padding; ``flat_weights`` the matching weights, in the dtype the
    matching runs in (float64 except on Apple GPUs), so a text matched with itself scores 1 to 1e-15.

    In float64 a pair's numbers are bit for bit the same whichever other pairs share its group:
    the rows of ``flat`` are turned into whole numbers in place (:func:`to_whole_numbers_`), so
    similarities are exact dot products over exact norms, and each pair's weighted mean sums
    its own tokens in order.  ``flat`` is overwritten.
    """
    import torch

    n = len(hyp_index)
    precision = np.empty(n, dtype=np.float64)
    recall = np.empty(n, dtype=np.float64)
    if n == 0:
        return precision, recall
    hyp_len, ref_len = lengths[hyp_index], lengths[ref_index]
    padding_row = flat.shape[0] - 1
    device, dtype, width = flat.device, flat_weights.dtype, flat.shape[1]
    order, groups = match_groups(hyp_len, ref_len, width, match_budget, gather_budget)
    with torch.inference_mode():
        if dtype == torch.float64:
            to_whole_numbers_(flat)
        norms = flat.to(dtype).square().sum(dim=-1).sqrt()  # exact sums of whole numbers, one rounding
        for group in groups:
            pairs = order[group]
            h_rows, h_real = gather_index(offsets[hyp_index[pairs]], hyp_len[pairs], padding_row)
            r_rows, r_real = gather_index(offsets[ref_index[pairs]], ref_len[pairs], padding_row)
            h_index, r_index = torch.from_numpy(h_rows).to(device), torch.from_numpy(r_rows).to(device)
            h_mask, r_mask = torch.from_numpy(h_real).to(device), torch.from_numpy(r_real).to(device)
            sim = torch.bmm(flat[h_index].to(dtype), flat[r_index].to(dtype).transpose(1, 2))
            sim = sim / (norms[h_index][:, :, None] * norms[r_index][:, None, :])
            sim = sim.masked_fill(~(h_mask[:, :, None] & r_mask[:, None, :]), float("-inf"))
            word_precision = sim.max(dim=2).values.clamp_min(0.0)[h_mask]
            word_recall = sim.max(dim=1).values.clamp_min(0.0)[r_mask]
            hyp_w, ref_w = flat_weights[h_index][h_mask], flat_weights[r_index][r_mask]
            precision[pairs] = _segment_means(word_precision.cpu().double().numpy(), hyp_w.cpu().double().numpy(),
                                              hyp_len[pairs])
            recall[pairs] = _segment_means(word_recall.cpu().double().numpy(), ref_w.cpu().double().numpy(),
                                           ref_len[pairs])
    return precision, recall


def f1_scores(precision: np.ndarray, recall: np.ndarray, hyp_len: np.ndarray, ref_len: np.ndarray) -> np.ndarray:
    """``(n, 3)`` precision, recall, F1 as bert-score reports them.

    ``F = 2PR / (P + R)`` (NaN -> 0), and when either text is empty (two tokens: only the
    specials) ``P`` and ``R`` are 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = 2 * precision * recall / (precision + recall)
    f1 = np.where(np.isnan(f1), 0.0, f1)
    empty = (hyp_len == 2) | (ref_len == 2)
    precision = np.where(empty, 0.0, precision)
    recall = np.where(empty, 0.0, recall)
    return np.stack([precision, recall, f1], axis=1)
