"""BLEU's clipped n-gram counts for a whole batch at once, with numpy.

sacrebleu counts n-grams one sentence at a time with ``Counter`` objects of
token tuples.  Here every token of the batch gets an integer id, every n-gram
an exact integer code (built order by order: an n-gram is its (n-1)-gram
prefix plus one token, re-numbered densely so codes never overflow), and the
per-sentence counts, the maximum over references and the clipping are a few
sorts over integer arrays.  The numbers are exactly sacrebleu's
(``_compute_segment_statistics``); no hashing, so no collisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, count

import numpy as np

#: Examples counted per pass: bounds memory and keeps the integer keys far below 2**63.
_CHUNK_EXAMPLES = 4096


def clipped_ngram_counts(
    hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]], max_order: int
) -> tuple[np.ndarray, np.ndarray]:
    """Clipped n-gram matches and hypothesis n-gram totals per example.

    Parameters
    ----------
    hypotheses : sequence of token lists
        One tokenized hypothesis per example.
    references : sequence of sequences of token lists
        The tokenized references of each example (any number, at least one).
    max_order : int
        Highest n-gram order counted.

    Returns
    -------
    correct, total : ndarray of int64, shape (n_examples, max_order)
        ``correct[i, n-1]``: n-grams of hypothesis ``i`` also in a reference,
        each clipped to the largest count it has in any single reference;
        ``total[i, n-1]``: n-grams in hypothesis ``i``.
    """
    n = len(hypotheses)
    correct = np.zeros((n, max_order), dtype=np.int64)
    total = np.zeros((n, max_order), dtype=np.int64)
    for start in range(0, n, _CHUNK_EXAMPLES):
        stop = min(n, start + _CHUNK_EXAMPLES)
        correct[start:stop], total[start:stop] = _count_chunk(hypotheses[start:stop], references[start:stop], max_order)
    return correct, total


def _count_chunk(hypotheses, references, max_order: int) -> tuple[np.ndarray, np.ndarray]:
    n_examples = len(hypotheses)
    segments: list[Sequence[str]] = []
    segment_example: list[int] = []
    segment_slot: list[int] = []  # 0 = the hypothesis, 1.. = its references
    most_references = 1
    for example, (hypothesis, refs) in enumerate(zip(hypotheses, references, strict=True)):
        most_references = max(most_references, len(refs))
        segments.append(hypothesis)
        segments.extend(refs)
        segment_example.extend([example] * (len(refs) + 1))
        segment_slot.extend(range(len(refs) + 1))
    segment_lengths = list(map(len, segments))
    # Token ids: a token's id is the position where it first appears (unique, not dense, all in C).
    vocabulary: dict[str, int] = {}
    ids = list(map(vocabulary.setdefault, chain.from_iterable(segments), count()))

    lengths = np.asarray(segment_lengths, dtype=np.int64)
    hyp_lengths = lengths[np.asarray(segment_slot) == 0]
    total = np.maximum(hyp_lengths[:, None] - np.arange(max_order)[None, :], 0)
    correct = np.zeros((n_examples, max_order), dtype=np.int64)
    if not ids:
        return correct, total

    token_ids = np.asarray(ids, dtype=np.int64)
    n_tokens = token_ids.size
    # For every token: how many tokens of its segment start at it (itself included).
    segment_of_token = np.repeat(np.arange(lengths.size), lengths)
    remaining = np.cumsum(lengths)[segment_of_token] - np.arange(n_tokens)
    n_slots = most_references + 1
    example_of_token = np.asarray(segment_example, dtype=np.int64)[segment_of_token]
    slot_of_token = np.asarray(segment_slot, dtype=np.int64)[segment_of_token]

    # codes[i]: dense number of (example, n-gram starting at token i); order 0 is the example alone.
    # Keys stay below n_tokens**2 * n_slots, far from 2**63 for any chunk that fits in memory.
    codes = example_of_token
    for order in range(1, max_order + 1):
        starts = np.flatnonzero(remaining[: n_tokens - order + 1] >= order)
        if starts.size == 0:
            break
        # One sort per order: by (example, n-gram), then slot (0 = hypothesis first, then references).
        key = (codes[starts] * n_tokens + token_ids[starts + order - 1]) * n_slots + slot_of_token[starts]
        unique_keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        ngram_key = unique_keys // n_slots
        new_ngram = np.empty(ngram_key.size, dtype=bool)
        new_ngram[0] = True
        np.not_equal(ngram_key[1:], ngram_key[:-1], out=new_ngram[1:])
        ngram_of_key = np.cumsum(new_ngram) - 1
        n_ngrams = int(ngram_of_key[-1]) + 1

        is_reference = (unique_keys % n_slots) > 0
        reference_max = np.zeros(n_ngrams, dtype=np.int64)
        np.maximum.at(reference_max, ngram_of_key[is_reference], counts[is_reference])
        hypothesis_count = np.zeros(n_ngrams, dtype=np.int64)
        hypothesis_count[ngram_of_key[~is_reference]] = counts[~is_reference]
        example_of_ngram = np.empty(n_ngrams, dtype=np.int64)
        example_of_ngram[ngram_of_key[inverse]] = example_of_token[starts]
        matched = np.minimum(hypothesis_count, reference_max)
        correct[:, order - 1] = np.bincount(example_of_ngram, weights=matched, minlength=n_examples).astype(np.int64)

        next_codes = np.full(n_tokens - order + 1, -1, dtype=np.int64)
        next_codes[starts] = ngram_of_key[inverse]
        codes = next_codes
    return correct, total
