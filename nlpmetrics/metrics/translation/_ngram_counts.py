"""n-gram counts for a whole batch at once, with numpy: BLEU's clipped matches and chrF's per-reference matches.

sacrebleu counts n-grams one sentence at a time with ``Counter`` objects.
Here every token (a word for BLEU, a character or a word for chrF) of the
batch gets a dense integer id, and every n-gram start an exact integer key:
the example, then the ids of the n-gram's tokens packed side by side
(``key << bits | next id``).  When the next token would no longer fit in 62
bits, the keys are first re-numbered densely (which keeps them exact).  The
counts of one order are then a single ``np.sort`` of ``key << slot_bits |
slot`` and a scan for runs of equal values.  The numbers are exactly
sacrebleu's; no hashing, so no collisions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import Any

import numpy as np

from nlpmetrics.metrics.text import reference_counts_column

#: Examples counted per pass: bounds the working memory of a batch (about 40 MiB for 2,048 English pairs) and
#: the bits an example takes in a key; smaller passes are no slower (they stay in the CPU caches).
CHUNK_EXAMPLES = 2048
#: Bits a key may use, so that ``key << slot_bits | slot`` stays a non-negative int64.
_KEY_BITS = 62


def _bits(n_values: int) -> int:
    """Bits needed to write the numbers ``0 .. n_values - 1`` (at least 1)."""
    return max(1, (int(n_values) - 1).bit_length())


# ---------------------------------------------------------------------------- layout
def layout(n_refs: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Return example and slot of every segment when each example lists its hypothesis, then its ``n_refs`` references.

    Returns
    -------
    example, slot : ndarray of int64, one entry per segment
        Slot 0 is the hypothesis, slots 1.. the references.
    n_slots : int
        One more than the most references of an example.
    """
    n_refs = np.asarray(n_refs, dtype=np.int64)
    per_example = n_refs + 1
    example = np.repeat(np.arange(n_refs.size), per_example)
    starts = np.cumsum(per_example) - per_example
    slot = np.arange(example.size) - np.repeat(starts, per_example)
    return example, slot, int(per_example.max(initial=1))


def interleave(hypotheses: Sequence, references: Sequence[Sequence]) -> list:
    """Each example's hypothesis followed by its references, in one list (the segment layout)."""
    if all(len(group) == 1 for group in references):
        out: list = [None] * (2 * len(hypotheses))
        out[0::2] = hypotheses
        out[1::2] = [group[0] for group in references]
        return out
    out = []
    for hypothesis, group in zip(hypotheses, references, strict=True):
        out.append(hypothesis)
        out.extend(group)
    return out


def dense_ids(items: Iterator, total: int) -> tuple[np.ndarray, list]:
    """Dense ids (order of first appearance) of ``total`` hashable items, and the distinct items.

    The dictionary work runs in C (``map(dict.setdefault, ...)``); the ids it
    hands out are positions of first appearance, renumbered here with numpy.
    """
    vocabulary: dict = {}
    first = np.fromiter(map(vocabulary.setdefault, items, count()), dtype=np.int64, count=total)
    renumber = np.zeros(max(total, 1), dtype=np.int64)
    renumber[np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))] = np.arange(len(vocabulary))
    return renumber[first], list(vocabulary)


@dataclass
class Segments:
    """The token-id sequences of a chunk: each example's hypothesis (slot 0) then its references (slots 1..).

    ``token_ids`` are dense (``0 <= id < n_ids``) and concatenated in segment
    order; ``lengths`` gives each segment's number of tokens.
    """

    token_ids: np.ndarray
    n_ids: int
    lengths: np.ndarray
    example: np.ndarray
    slot: np.ndarray
    n_examples: int
    n_slots: int

    @classmethod
    def from_ids(cls, token_ids: np.ndarray, n_ids: int, lengths: np.ndarray, n_refs: np.ndarray) -> Segments:
        """Segments from concatenated dense ids, segment lengths (in layout order) and references per example."""
        example, slot, n_slots = layout(n_refs)
        return cls(token_ids, n_ids, lengths, example, slot, len(n_refs), n_slots)

    @classmethod
    def from_tokens(
        cls, hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]]
    ) -> Segments:
        """Segments of string tokens (one token list per hypothesis, a list of them per example's references)."""
        segments = interleave(hypotheses, references)
        lengths = np.fromiter(map(len, segments), dtype=np.int64, count=len(segments))
        ids, vocabulary = dense_ids(chain.from_iterable(segments), int(lengths.sum()))
        return cls.from_ids(ids, len(vocabulary), lengths, reference_counts_column(references))

    @classmethod
    def from_words(
        cls, lines: Sequence[str], n_refs: np.ndarray, split_word: Callable[[list[str]], list[list[str]]] | None = None,
    ) -> Segments:
        """Segments of whitespace-separated words of ``lines`` (in layout order).

        ``split_word``, when given, maps the list of distinct words to the
        tokens each one becomes (a tokenizer whose rules never look across
        whitespace, such as 13a), so each distinct word is tokenized once.
        """
        split = list(map(str.split, lines))
        word_counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        word_ids, words = dense_ids(chain.from_iterable(split), int(word_counts.sum()))
        if split_word is None:
            return cls.from_ids(word_ids, len(words), word_counts, n_refs)
        pieces = split_word(words)
        piece_counts = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        piece_ids, tokens = dense_ids(chain.from_iterable(pieces), int(piece_counts.sum()))
        # Each word becomes its pieces: a ragged gather of piece_ids.
        token_counts = piece_counts[word_ids]
        first_piece = (np.cumsum(piece_counts) - piece_counts)[word_ids]
        within = np.arange(int(token_counts.sum())) - np.repeat(np.cumsum(token_counts) - token_counts, token_counts)
        token_ids = piece_ids[np.repeat(first_piece, token_counts) + within]
        line_ends = np.cumsum(word_counts)
        token_ends = np.concatenate(([0], np.cumsum(token_counts)))[line_ends]
        lengths = np.diff(np.concatenate(([0], token_ends)))
        return cls.from_ids(token_ids, len(tokens), lengths, n_refs)

    @classmethod
    def from_characters(cls, hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> Segments:
        """Segments of characters; ids are the distinct code points of the chunk, numbered in code point order."""
        segments = interleave(hypotheses, references)
        codes = np.frombuffer("".join(segments).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if codes.size:
            present = np.bincount(codes, minlength=int(codes.max()) + 1) > 0
            ids = (np.cumsum(present) - 1)[codes]
            n_ids = int(present.sum())
        else:
            ids, n_ids = np.zeros(0, dtype=np.int64), 1
        lengths = np.fromiter(map(len, segments), dtype=np.int64, count=len(segments))
        return cls.from_ids(ids, n_ids, lengths, reference_counts_column(references))

    def ngram_totals(self, max_order: int) -> np.ndarray:
        """n-grams per segment and order, shape (n_segments, max_order)."""
        return np.maximum(self.lengths[:, None] - np.arange(max_order)[None, :], 0)


# ---------------------------------------------------------------------------- counting
@dataclass
class OrderTable:
    """Counts of one n-gram order: one row per distinct (example, n-gram) of the chunk."""

    order: int
    #: (n_slots, n_groups): occurrences in the hypothesis (row 0) and in each reference (rows 1..).
    #: Groups that occur once in the whole chunk may be left out (they cannot match).
    counts: np.ndarray
    #: (n_groups,): the example of each row.
    example: np.ndarray


def count_by_order(segments: Segments, max_order: int, method: str = "auto",
                   key_bits: int = _KEY_BITS) -> Iterator[OrderTable]:
    """Per order 1..max_order, how often each n-gram occurs in each segment.

    With few distinct tokens (characters), one key holds the example and all
    ``max_order`` tokens that follow a position, and one sort serves every
    order (:func:`_count_by_prefixes`); otherwise each order packs one more
    token into the keys of the previous one and sorts again
    (:func:`_count_order_by_order`).  ``method`` (``"prefixes"``,
    ``"orders"``) and ``key_bits`` (fewer bits: more re-numbering) force a
    path, for tests; the counts are the same.
    """
    if segments.token_ids.size == 0:
        return
    if method == "auto":
        needed = _bits(segments.n_examples) + max_order * _bits(segments.n_ids + 1) + _bits(segments.n_slots)
        method = "prefixes" if needed <= _KEY_BITS else "orders"
    if method == "prefixes":
        yield from _count_by_prefixes(segments, max_order)
    else:
        yield from _count_order_by_order(segments, max_order, key_bits)


def _count_by_prefixes(segments: Segments, max_order: int) -> Iterator[OrderTable]:
    """All orders from one sort: each position's key is (example, its next ``max_order`` tokens + 1, slot).

    A token past the end of its segment is 0, so sorting the keys sorts every
    n-gram prefix too: the (example, n-gram) groups of order ``n`` are the
    runs of equal ``key >> shift``, and positions whose n-gram would run past
    the segment end have a 0 in that prefix's last token.
    """
    token_bits, slot_bits = _bits(segments.n_ids + 1), _bits(segments.n_slots)
    lengths = segments.lengths
    # Segments separated by max_order zeros, so the tokens after a position never reach the next segment.
    padded_lengths = lengths + max_order
    n_padded = int(padded_lengths.sum())
    real = np.ones(n_padded, dtype=bool)
    real[(np.cumsum(padded_lengths)[:, None] - np.arange(1, max_order + 1)[None, :]).ravel()] = False
    tokens = np.zeros(n_padded + max_order, dtype=np.int64)
    tokens[:n_padded][real] = segments.token_ids + 1
    key = np.repeat(segments.example, padded_lengths)
    for offset in range(max_order):
        key <<= token_bits
        key |= tokens[offset:offset + n_padded]
    key <<= slot_bits
    key |= np.repeat(segments.slot, padded_lengths)
    values = np.sort(key[real])
    n_values = values.size
    # A group of order n starts where two neighbouring keys differ above that order's last token.
    difference = values[1:] ^ values[:-1]
    refs_before = [np.concatenate(([0], np.cumsum((values & ((1 << slot_bits) - 1)) == j, dtype=np.int64)))
                   for j in range(1, segments.n_slots)]  # positions before each index in reference slot j
    last_token = (1 << token_bits) - 1
    for order in range(1, max_order + 1):
        shift = (max_order - order) * token_bits + slot_bits
        starts = np.flatnonzero(difference >= (1 << shift)) + 1
        # Only groups of two or more positions can match; the n-gram totals come from the segment lengths.
        sizes = np.diff(starts, prepend=0, append=n_values)
        begin = np.concatenate(([0], starts))
        shared = sizes >= 2
        begin, sizes = begin[shared], sizes[shared]
        heads = values[begin] >> shift
        valid = (heads & last_token) != 0  # a 0 token: the n-gram would run past its segment
        begin, sizes, heads = begin[valid], sizes[valid], heads[valid]
        end = begin + sizes
        counts = np.empty((segments.n_slots, begin.size), dtype=np.int64)
        counts[0] = sizes
        for j, before in enumerate(refs_before, start=1):
            counts[j] = before[end] - before[begin]
            counts[0] -= counts[j]
        yield OrderTable(order, counts, heads >> (order * token_bits))


def _count_order_by_order(segments: Segments, max_order: int, key_limit: int = _KEY_BITS) -> Iterator[OrderTable]:
    """One sort per order; keys are re-numbered densely when the next token would not fit."""
    ids = segments.token_ids.astype(np.int64, copy=False)
    n_tokens = ids.size
    lengths = segments.lengths
    segment_of_token = np.repeat(np.arange(lengths.size), lengths)
    # For every token: how many tokens of its segment start at it (itself included).
    remaining = np.cumsum(lengths)[segment_of_token] - np.arange(n_tokens)
    slot = segments.slot[segment_of_token]
    slot_bits = _bits(segments.n_slots)
    token_bits = _bits(segments.n_ids)
    positions = np.arange(n_tokens)
    # key: the example, then the ids of the n-gram so far; exact while it fits in _KEY_BITS - slot_bits.
    key = segments.example[segment_of_token]
    key_bits = _bits(segments.n_examples)
    examples_of_number: np.ndarray | None = None  # after re-numbering: the example of each number
    appended_bits = 0  # bits appended since the key was an example (or a dense number)
    for order in range(1, max_order + 1):
        if order > 1:
            keep = remaining >= order
            if not keep.any():
                return
            positions, key, slot, remaining = positions[keep], key[keep], slot[keep], remaining[keep]
        if key_bits + token_bits + slot_bits > key_limit:
            numbers, key = np.unique(key, return_inverse=True)
            key = key.reshape(-1)
            examples_of_number = _example_of(numbers, appended_bits, examples_of_number)
            key_bits, appended_bits = _bits(numbers.size), 0
        key = (key << token_bits) | ids[positions + order - 1]
        key_bits += token_bits
        appended_bits += token_bits
        yield _order_table(order, key, slot, slot_bits, segments.n_slots, appended_bits, examples_of_number)


def _example_of(keys: np.ndarray, appended_bits: int, examples_of_number: np.ndarray | None) -> np.ndarray:
    """Return the example of each key (its top bits, or the example of the dense number in them)."""
    prefix = keys >> appended_bits
    return prefix if examples_of_number is None else examples_of_number[prefix]


def _order_table(order: int, key: np.ndarray, slot: np.ndarray, slot_bits: int, n_slots: int, appended_bits: int,
                 examples_of_number: np.ndarray | None) -> OrderTable:
    """Count equal keys per slot with one sort: runs of equal ``key << slot_bits | slot``."""
    values = np.sort((key << slot_bits) | slot)
    boundary = np.empty(values.size, dtype=bool)
    boundary[0] = True
    np.not_equal(values[1:], values[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary)
    run_counts = np.diff(np.append(starts, values.size))
    heads = values[starts]
    run_keys = heads >> slot_bits
    new_group = np.empty(run_keys.size, dtype=bool)
    new_group[0] = True
    np.not_equal(run_keys[1:], run_keys[:-1], out=new_group[1:])
    group = np.cumsum(new_group.view(np.int8), dtype=np.int64) - 1
    counts = np.zeros((n_slots, int(group[-1]) + 1), dtype=np.int64)
    counts[heads & ((1 << slot_bits) - 1), group] = run_counts
    return OrderTable(order, counts, _example_of(run_keys[new_group], appended_bits, examples_of_number))


# ---------------------------------------------------------------------------- BLEU
def clipped_counts(segments: Segments, max_order: int, **counting: Any) -> tuple[np.ndarray, np.ndarray]:
    """BLEU's clipped n-gram matches and hypothesis n-gram totals per example of ``segments``.

    Returns
    -------
    correct, total : ndarray of int64, shape (n_examples, max_order)
        ``correct[i, n-1]``: n-grams of hypothesis ``i`` also in a reference,
        each clipped to the largest count it has in any single reference
        (sacrebleu's ``BLEU._compute_segment_statistics``); ``total[i, n-1]``:
        n-grams in hypothesis ``i``.  ``counting``: options of :func:`count_by_order`.
    """
    n = segments.n_examples
    correct = np.zeros((n, max_order), dtype=np.int64)
    total = segments.ngram_totals(max_order)[segments.slot == 0]
    for table in count_by_order(segments, max_order, **counting):
        matched = np.minimum(table.counts[0], table.counts[1:].max(axis=0))
        correct[:, table.order - 1] = np.bincount(table.example, weights=matched, minlength=n).astype(np.int64)
    return correct, total


def clipped_ngram_counts(
    hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[Sequence[str]]], max_order: int
) -> tuple[np.ndarray, np.ndarray]:
    """BLEU's clipped n-gram matches and hypothesis n-gram totals of tokenized examples (see :func:`clipped_counts`).

    Parameters
    ----------
    hypotheses : sequence of token lists
        One tokenized hypothesis per example.
    references : sequence of sequences of token lists
        The tokenized references of each example (any number, at least one).
    max_order : int
        Highest n-gram order counted.
    """
    n = len(hypotheses)
    correct = np.zeros((n, max_order), dtype=np.int64)
    total = np.zeros((n, max_order), dtype=np.int64)
    for start in range(0, n, CHUNK_EXAMPLES):
        stop = min(n, start + CHUNK_EXAMPLES)
        segments = Segments.from_tokens(hypotheses[start:stop], references[start:stop])
        correct[start:stop], total[start:stop] = clipped_counts(segments, max_order)
    return correct, total


# ---------------------------------------------------------------------------- chrF
def reference_match_statistics(segments: Segments, max_order: int, **counting: Any) -> np.ndarray:
    """Return the chrF ``[hyp, ref, match]`` per order for every (example, reference) pair of a chunk.

    Returns
    -------
    ndarray of int64, shape (n_examples, n_slots - 1, max_order, 3)
        For reference ``j`` of example ``i`` and order ``n``: the hypothesis
        n-gram count (0 when the reference has no n-gram of that order, as
        sacrebleu's ``CHRF._get_match_statistics``), the reference n-gram
        count and the matches (each n-gram counted up to its count on the
        other side).  Slots beyond an example's references are zeros.
        ``counting``: options of :func:`count_by_order`.
    """
    n_examples, n_references = segments.n_examples, segments.n_slots - 1
    stats = np.zeros((n_examples, n_references, max_order, 3), dtype=np.int64)
    totals = segments.ngram_totals(max_order)
    is_hypothesis = segments.slot == 0
    hypothesis_totals = totals[is_hypothesis]  # (n_examples, max_order)
    references = ~is_hypothesis
    stats[segments.example[references], segments.slot[references] - 1, :, 1] = totals[references]
    has_ngrams = stats[..., 1] > 0
    stats[..., 0] = np.where(has_ngrams, hypothesis_totals[:, None, :], 0)
    pair_base = np.arange(n_references)[:, None]
    for table in count_by_order(segments, max_order, **counting):
        matched = np.minimum(table.counts[:1], table.counts[1:])  # (n_references, n_groups)
        pair = table.example[None, :] * n_references + pair_base
        stats[:, :, table.order - 1, 2] = np.bincount(
            pair.ravel(), weights=matched.ravel(), minlength=n_examples * n_references,
        ).astype(np.int64).reshape(n_examples, n_references)
    return stats
