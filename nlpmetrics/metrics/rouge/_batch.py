"""Token ids of a list of texts, concatenated: the input of ROUGE's vectorised counting."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


class TokenBatch:
    """Token ids of a list of texts, concatenated, with each text's offset and length."""

    def __init__(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        self.ids = ids
        self.lengths = lengths
        self.offsets = np.cumsum(lengths) - lengths

    def split(self, first: int) -> tuple[TokenBatch, TokenBatch]:
        """Return the first ``first`` texts and the rest, as two batches (no copy)."""
        cut = int(self.lengths[:first].sum())
        return TokenBatch(self.ids[:cut], self.lengths[:first]), TokenBatch(self.ids[cut:], self.lengths[first:])

    def take(self, which: np.ndarray) -> TokenBatch:
        """Return the texts at positions ``which`` (repeats allowed), in that order."""
        lengths = self.lengths[which]
        starts = self.offsets[which]
        index = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return TokenBatch(self.ids[index], lengths)


class Sentences:
    """rougeLsum's sentences of a list of texts: their tokens, and where each text's sentences are.

    Parameters
    ----------
    batch : TokenBatch
        Token ids of every sentence, text after text.
    first, count : ndarray of int64
        Per text, the index of its first sentence in ``batch`` and how many it has.
    """

    def __init__(self, batch: TokenBatch, first: np.ndarray, count: np.ndarray) -> None:
        self.batch = batch
        self.first = first
        self.count = count

    @classmethod
    def from_lengths(cls, lengths: np.ndarray, count: np.ndarray, ids: np.ndarray) -> Sentences:
        """Sentences from their token counts (``count[t]`` consecutive ones per text); empty ones are left out.

        A sentence with no token changes no ROUGE count, so leaving it out
        changes no number, and a text's sentence count is then the number that matter.
        """
        text = np.repeat(np.arange(count.size), count)
        kept = lengths > 0
        count = np.bincount(text[kept], minlength=count.size).astype(np.int64)
        return cls(TokenBatch(ids, lengths[kept].astype(np.int64)), np.cumsum(count) - count, count)


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
