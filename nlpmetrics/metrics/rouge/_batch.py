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
