"""n-gram counts for a whole batch at once, with numpy: BLEU's clipped matches and chrF's per-reference matches.

sacrebleu counts n-grams one sentence at a time with ``Counter`` objects.
Here every token (a word for BLEU, a character or a word for chrF) of the
batch gets an integer id, every n-gram an exact integer code (built order by
order: an n-gram is its (n-1)-gram prefix plus one token, re-numbered densely
so codes never overflow), and the per-sentence counts are one sort per order
over integer arrays.  The numbers are exactly sacrebleu's; no hashing, so no
collisions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count

import numpy as np

#: Examples counted per pass: bounds memory and keeps the integer keys far below 2**63.
_CHUNK_EXAMPLES = 4096


@dataclass
class Segments:
    """The token-id sequences of a chunk: each example's hypothesis (slot 0) then its references (slots 1..)."""

    token_ids: np.ndarray
    lengths: np.ndarray
    example: np.ndarray
    slot: np.ndarray
    n_examples: int
    n_slots: int

    @classmethod
    def from_tokens(cls, hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]]) -> Segments:
        """Segments of string tokens; a token's id is where it first appears (unique, not dense, all in C)."""
        segments, example, slot, n_slots = _layout(hypotheses, references)
        vocabulary: dict[str, int] = {}
        ids = list(map(vocabulary.setdefault, chain.from_iterable(segments), count()))
        return cls(np.asarray(ids, dtype=np.int64), np.fromiter(map(len, segments), np.int64, len(segments)),
                   example, slot, len(hypotheses), n_slots)

    @classmethod
    def from_characters(cls, hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> Segments:
        """Segments of characters; a character's id is its code point."""
        segments, example, slot, n_slots = _layout(hypotheses, references)
        joined = "".join(segments).encode("utf-32-le", "surrogatepass")
        ids = np.frombuffer(joined, dtype=np.uint32).astype(np.int64)
        return cls(ids, np.fromiter(map(len, segments), np.int64, len(segments)), example, slot,
                   len(hypotheses), n_slots)

    def ngram_totals(self, max_order: int) -> np.ndarray:
        """n-grams per segment and order, shape (n_segments, max_order)."""
        return np.maximum(self.lengths[:, None] - np.arange(max_order)[None, :], 0)


def _layout(hypotheses, references) -> tuple[list, np.ndarray, np.ndarray, int]:
    segments: list = []
    example: list[int] = []
    slot: list[int] = []
    most_references = 1
    for index, (hypothesis, refs) in enumerate(zip(hypotheses, references, strict=True)):
        most_references = max(most_references, len(refs))
        segments.append(hypothesis)
        segments.extend(refs)
        example.extend([index] * (len(refs) + 1))
        slot.extend(range(len(refs) + 1))
    return segments, np.asarray(example, dtype=np.int64), np.asarray(slot, dtype=np.int64), most_references + 1


@dataclass
class OrderCounts:
    """Counts of one n-gram order: one entry per distinct (example, n-gram, slot), sorted in that order."""

    order: int
    ngram: np.ndarray  # dense number of the (example, n-gram) of each entry
    slot: np.ndarray
    count: np.ndarray
    example_of_ngram: np.ndarray
    n_ngrams: int


def count_by_order(segments: Segments, max_order: int) -> Iterator[OrderCounts]:
    """Per order 1..max_order, how often each n-gram occurs in each segment (orders with none are skipped)."""
    ids = segments.token_ids
    n_tokens = ids.size
    if n_tokens == 0:
        return
    segment_of_token = np.repeat(np.arange(segments.lengths.size), segments.lengths)
    # For every token: how many tokens of its segment start at it (itself included).
    remaining = np.cumsum(segments.lengths)[segment_of_token] - np.arange(n_tokens)
    example_of_token = segments.example[segment_of_token]
    slot_of_token = segments.slot[segment_of_token]
    n_slots = segments.n_slots
    id_range = int(ids.max()) + 1
    # codes[i]: dense number of (example, n-gram starting at token i); order 0 is the example alone.
    # Keys stay below n_tokens * id_range * n_slots, far from 2**63 for any chunk that fits in memory.
    codes = example_of_token
    for order in range(1, max_order + 1):
        starts = np.flatnonzero(remaining[: n_tokens - order + 1] >= order)
        if starts.size == 0:
            return
        # One sort per order: by (example, n-gram), then slot (0 = hypothesis first, then references).
        key = (codes[starts] * id_range + ids[starts + order - 1]) * n_slots + slot_of_token[starts]
        unique_keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        ngram_key = unique_keys // n_slots
        new_ngram = np.empty(ngram_key.size, dtype=bool)
        new_ngram[0] = True
        np.not_equal(ngram_key[1:], ngram_key[:-1], out=new_ngram[1:])
        ngram_of_key = np.cumsum(new_ngram) - 1
        n_ngrams = int(ngram_of_key[-1]) + 1
        example_of_ngram = np.empty(n_ngrams, dtype=np.int64)
        example_of_ngram[ngram_of_key[inverse]] = example_of_token[starts]
        yield OrderCounts(order, ngram_of_key, unique_keys % n_slots, counts, example_of_ngram, n_ngrams)
        next_codes = np.full(n_tokens - order + 1, -1, dtype=np.int64)
        next_codes[starts] = ngram_of_key[inverse]
        codes = next_codes


def _hypothesis_count(counts: OrderCounts) -> np.ndarray:
    """Count of each (example, n-gram) in the hypothesis (0 where only references have it)."""
    out = np.zeros(counts.n_ngrams, dtype=np.int64)
    in_hypothesis = counts.slot == 0
    out[counts.ngram[in_hypothesis]] = counts.count[in_hypothesis]
    return out


# ---------------------------------------------------------------------------- BLEU
def clipped_ngram_counts(
    hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]], max_order: int
) -> tuple[np.ndarray, np.ndarray]:
    """BLEU's clipped n-gram matches and hypothesis n-gram totals per example.

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
        each clipped to the largest count it has in any single reference
        (sacrebleu's ``BLEU._compute_segment_statistics``); ``total[i, n-1]``:
        n-grams in hypothesis ``i``.
    """
    n = len(hypotheses)
    correct = np.zeros((n, max_order), dtype=np.int64)
    total = np.zeros((n, max_order), dtype=np.int64)
    for start in range(0, n, _CHUNK_EXAMPLES):
        stop = min(n, start + _CHUNK_EXAMPLES)
        segments = Segments.from_tokens(hypotheses[start:stop], references[start:stop])
        total[start:stop] = segments.ngram_totals(max_order)[segments.slot == 0]
        for counts in count_by_order(segments, max_order):
            is_reference = counts.slot > 0
            reference_max = np.zeros(counts.n_ngrams, dtype=np.int64)
            np.maximum.at(reference_max, counts.ngram[is_reference], counts.count[is_reference])
            matched = np.minimum(_hypothesis_count(counts), reference_max)
            correct[start:stop, counts.order - 1] = np.bincount(
                counts.example_of_ngram, weights=matched, minlength=stop - start).astype(np.int64)
    return correct, total


# ---------------------------------------------------------------------------- chrF
def reference_match_statistics(segments: Segments, max_order: int) -> np.ndarray:
    """chrF's ``[hyp, ref, match]`` per order for every (example, reference) pair of a chunk.

    Returns
    -------
    ndarray of int64, shape (n_examples, n_slots - 1, max_order, 3)
        For reference ``j`` of example ``i`` and order ``n``: the hypothesis
        n-gram count (0 when the reference has no n-gram of that order, as
        sacrebleu's ``CHRF._get_match_statistics``), the reference n-gram
        count and the matches (each n-gram counted up to its count on the
        other side).  Slots beyond an example's references are zeros.
    """
    n_examples, n_references = segments.n_examples, segments.n_slots - 1
    stats = np.zeros((n_examples, n_references, max_order, 3), dtype=np.int64)
    totals = segments.ngram_totals(max_order)
    is_hypothesis = segments.slot == 0
    hypothesis_totals = totals[is_hypothesis]  # (n_examples, max_order)
    references = ~is_hypothesis
    ref_example, ref_slot = segments.example[references], segments.slot[references] - 1
    stats[ref_example, ref_slot, :, 1] = totals[references]
    has_ngrams = stats[..., 1] > 0
    stats[..., 0] = np.where(has_ngrams, hypothesis_totals[:, None, :], 0)
    for counts in count_by_order(segments, max_order):
        is_reference = counts.slot > 0
        hypothesis_count = _hypothesis_count(counts)[counts.ngram[is_reference]]
        matched = np.minimum(counts.count[is_reference], hypothesis_count)
        pair = counts.example_of_ngram[counts.ngram[is_reference]] * n_references + counts.slot[is_reference] - 1
        stats[:, :, counts.order - 1, 2] = np.bincount(
            pair, weights=matched, minlength=n_examples * n_references).astype(np.int64).reshape(n_examples, n_references)
    return stats
