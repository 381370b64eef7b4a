"""BERTScore's idf weights: document frequencies of token ids over the references.

bert-score weighs each token by ``log((N + 1) / (df + 1))`` where ``N`` is the
number of reference texts and ``df`` the number of them holding the token id
(a token no reference holds gets ``log(N + 1)``).  The weights depend on *all*
references, so scoring in several passes (streaming, workers, Dask) stays
exact by a first pass: count :class:`DocumentFrequencies` per shard, merge
them, and pass ``idf=frequencies.idf()`` to the metric.  No torch here.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np


class IdfWeights(Mapping):
    """An immutable token-id -> weight table with a default for unseen ids.

    Parameters
    ----------
    table : mapping of int to float
        Weight of each token id.
    default : float
        Weight of an id not in ``table``.
    """

    def __init__(self, table: Mapping[int, float], default: float) -> None:
        self._table = {int(k): float(v) for k, v in table.items()}
        self.default = float(default)

    @classmethod
    def from_mapping(cls, value: Mapping) -> IdfWeights:
        """Wrap a user's dict; a ``defaultdict`` keeps its default, a plain dict gives unseen ids 0."""
        if isinstance(value, IdfWeights):
            return value
        default = value.default_factory() if isinstance(value, defaultdict) and value.default_factory else 0.0
        for key, weight in value.items():
            if not isinstance(key, int) or isinstance(key, bool):
                raise ValueError(f"idf keys must be token ids (int), got {key!r}")
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not math.isfinite(weight):
                raise ValueError(f"idf[{key}] = {weight!r} is not a finite number")
        return cls(value, default)

    def __getitem__(self, token_id: int) -> float:
        """Return the weight of ``token_id`` (the default for an id not in the table)."""
        return self._table.get(token_id, self.default)

    def __contains__(self, token_id: object) -> bool:
        """Tell whether the table lists ``token_id``."""
        return token_id in self._table

    def __iter__(self) -> Iterator[int]:
        """Iterate over the listed token ids."""
        return iter(self._table)

    def __len__(self) -> int:
        """Return how many token ids the table lists."""
        return len(self._table)

    def __eq__(self, other: object) -> bool:
        """Compare the tables and the defaults."""
        if not isinstance(other, IdfWeights):
            return NotImplemented
        return self.default == other.default and self._table == other._table

    def __hash__(self) -> int:
        """Hash the content (see :meth:`digest`)."""
        return hash(self.digest())

    def digest(self) -> str:
        """Return a short content hash, used in signatures instead of the whole table."""
        text = repr((self.default, sorted(self._table.items())))
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def __str__(self) -> str:
        """Show the size and the content hash, not the whole table."""
        return f"idf-table({len(self._table)} ids, sha1 {self.digest()})"

    __repr__ = __str__

    def __reduce__(self):
        """Pickle as the table and the default."""
        return (IdfWeights, (self._table, self.default))


class DocumentFrequencies:
    """Counts, over reference texts, how many hold each token id (a first pass for exact idf).

    Make it with :func:`document_frequencies`, add shards with :meth:`update`,
    combine workers with :meth:`merge`, then call :meth:`idf`.
    """

    def __init__(self, counts: Mapping[int, int] | None = None, n_documents: int = 0) -> None:
        self.counts: Counter = Counter(counts or {})
        self.n_documents = int(n_documents)

    def add_token_ids(self, documents: Iterable[Iterable[int]]) -> DocumentFrequencies:
        """Count already-tokenized documents (each an iterable of token ids)."""
        for ids in documents:
            self.counts.update(set(ids))
            self.n_documents += 1
        return self

    def add_token_arrays(self, flat_ids: np.ndarray, lengths: np.ndarray,
                         repeats: np.ndarray | None = None) -> DocumentFrequencies:
        """Count documents given as one flat array of token ids cut by ``lengths`` (no Python loop per document).

        ``repeats[d]`` says how many documents have the ids of document ``d``
        (a reference text that occurs several times counts once per occurrence,
        as in bert-score); by default each counts once.
        """
        flat_ids = np.asarray(flat_ids, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        repeats = np.ones(len(lengths), dtype=np.int64) if repeats is None else np.asarray(repeats, dtype=np.int64)
        self.n_documents += int(repeats.sum())
        if flat_ids.size == 0:
            return self
        width = int(flat_ids.max()) + 1
        document = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        present = np.unique(document * width + flat_ids)  # each (document, id) once
        counts = np.bincount(present % width, weights=repeats[present // width], minlength=width)
        held = np.flatnonzero(counts)
        self.counts.update(dict(zip(held.tolist(), counts[held].astype(np.int64).tolist(), strict=True)))
        return self

    def merge(self, other: DocumentFrequencies) -> DocumentFrequencies:
        """Add another shard's counts; returns ``self``."""
        self.counts.update(other.counts)
        self.n_documents += other.n_documents
        return self

    def idf(self) -> IdfWeights:
        """bert-score's weights: ``log((N + 1) / (df + 1))``, unseen ids ``log(N + 1)``."""
        n = self.n_documents
        table = {token: math.log((n + 1) / (count + 1)) for token, count in self.counts.items()}
        return IdfWeights(table, math.log(n + 1))

    def __eq__(self, other: object) -> bool:
        """Compare the counts and the numbers of documents."""
        if not isinstance(other, DocumentFrequencies):
            return NotImplemented
        return self.n_documents == other.n_documents and self.counts == other.counts

    def __repr__(self) -> str:
        """Show the number of ids and of documents."""
        return f"DocumentFrequencies({len(self.counts)} ids over {self.n_documents} documents)"


def check_idf_option(value: Any) -> bool | IdfWeights:
    """Check the ``idf`` option: ``True``/``False`` or a precomputed token-id -> weight mapping."""
    if isinstance(value, bool):
        return value
    if isinstance(value, DocumentFrequencies):
        return value.idf()
    if isinstance(value, Mapping):
        return IdfWeights.from_mapping(value)
    raise ValueError("idf must be True, False, or a precomputed table such as document_frequencies(...).idf()")
