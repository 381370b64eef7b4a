"""Per-example statistics rows: the one data shape every metric's state takes.

A :class:`Rows` value is a ``dict[str, numpy.ndarray]`` whose arrays all have
the same first dimension, one entry per example, plus two facts the engine
needs to combine rows safely:

``origin``
    The :class:`~nlpmetrics.signature.Signature` (metric and options) of the
    metric that made them: rows made with other options cannot be mixed in.
``categories``
    For metrics whose rows hold *codes* (class labels), the values the codes
    stand for, shared by the columns named in ``coded``.  A long label costs
    its own bytes once, not once per example, and combining rows re-codes them
    into one category list.

Streaming appends rows, merging workers concatenates them, and resampling
takes weighted subsets of them, so these few functions are all the engine
needs to know about any metric's state.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from nlpmetrics.errors import InputError

if TYPE_CHECKING:
    from nlpmetrics.signature import Signature


class Categories:
    """An ordered list of distinct values and the code of each (its position).

    Values are compared as Python values (``1`` and ``1.0`` are the same
    category, ``"1"`` is another); text and numbers never mix.
    """

    __slots__ = ("index", "kind", "values")

    def __init__(self, values: Iterable[Hashable] = (), kind: str | None = None) -> None:
        self.values: list[Hashable] = []
        self.index: dict[Hashable, int] = {}
        self.kind = kind
        for value in values:
            self.add(value)

    def add(self, value: Hashable) -> int:
        """Return the code of ``value``, adding it at the end when new."""
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
        return code

    def __len__(self) -> int:
        """Return the number of categories."""
        return len(self.values)

    def __eq__(self, other: object) -> bool:
        """Compare the values and their kind."""
        return isinstance(other, Categories) and self.values == other.values and self.kind == other.kind

    __hash__ = None  # type: ignore[assignment]  # unhashable (mutable), Python's idiom that mypy does not model

    def __reduce__(self):
        """Pickle as the list of values and the kind."""
        return (Categories, (list(self.values), self.kind))

    def __repr__(self) -> str:
        """Show the values."""
        return f"Categories({self.values!r})"

    def recode(self, other: Categories, column: str = "labels") -> np.ndarray:
        """Array mapping each code of ``other`` to a code of ``self`` (values of ``other`` added as needed).

        Raises
        ------
        InputError
            When one holds text and the other numbers.
        """
        self.join_kind(other.kind, column)
        return np.fromiter((self.add(v) for v in other.values), dtype=np.int64, count=len(other))

    def join_kind(self, kind: str | None, column: str = "labels") -> None:
        """Take in the kind of other labels (``None`` and ``"sets"``, no label yet, agree with any like them).

        Raises
        ------
        InputError
            When one holds text and the other numbers, or one single labels and the other sets.
        """
        if self.kind is None or (self.kind == "sets" and kind is not None and kind.endswith("sets")):
            self.kind = kind  # multi-label rows say "text sets", "number sets", or "sets" when they hold no label
        elif kind is not None and kind != self.kind and not (kind == "sets" and self.kind.endswith("sets")):
            if self.kind.endswith("sets") != kind.endswith("sets"):
                raise InputError(
                    "the batches disagree on the shape of the labels: some give one label per example and some "
                    "a set of labels per example (multi-label); use one shape for every update()"
                )
            raise InputError(
                f"the batches disagree on the type of {column!r}: some hold text labels and some numbers; "
                "use one type for every update() (e.g. convert all labels with str())"
            )


class Rows(dict):
    """Statistics rows: named arrays with one entry per example, with their origin and categories.

    Parameters
    ----------
    columns : mapping of str to ndarray
        Equal-length arrays.
    origin : Signature, optional
        Metric and options that made the rows.
    categories : Categories, optional
        What the codes in the ``coded`` columns stand for.
    coded : tuple of str
        Columns holding codes into ``categories``.
    """

    def __init__(self, columns: Mapping[str, np.ndarray] | None = None, *, origin: Signature | None = None,
                 categories: Categories | None = None, coded: Sequence[str] = ()) -> None:
        super().__init__(columns or {})
        self.origin = origin
        self.categories = categories
        self.coded = tuple(coded)

    def derive(self, columns: Mapping[str, np.ndarray]) -> Rows:
        """Return new rows with these columns and this origin and categories (e.g. a subset of the examples)."""
        return Rows(columns, origin=self.origin, categories=self.categories, coded=self.coded)

    def __reduce__(self):
        """Pickle the columns with the origin and categories."""
        return (_rebuild_rows, (dict(self), self.origin, self.categories, self.coded))

    def __repr__(self) -> str:
        """Show the number of rows and the column names."""
        return f"Rows({n_rows(self)} rows: {', '.join(self)})"


def _rebuild_rows(columns, origin, categories, coded) -> Rows:
    return Rows(columns, origin=origin, categories=categories, coded=coded)


def categories_of(rows: Mapping[str, np.ndarray]) -> Categories:
    """Return what the codes of coded label rows stand for (the :class:`Categories` of a label metric's rows)."""
    categories = getattr(rows, "categories", None)
    if categories is None:
        raise TypeError("these rows hold no label codes: they were not made by a label metric's statistics")
    return categories


def as_rows(rows: Mapping[str, np.ndarray]) -> Rows:
    """``rows`` as :class:`Rows` (a plain dict gets no origin and no categories)."""
    return rows if isinstance(rows, Rows) else Rows(rows)


def n_rows(rows: Mapping[str, np.ndarray]) -> int:
    """Return the number of examples in ``rows`` (0 for an empty mapping)."""
    for column in rows.values():
        return int(column.shape[0])
    return 0


def concat_rows(batches: Sequence[Mapping[str, np.ndarray]]) -> Rows:
    """Concatenate batches of rows in order.

    A column missing from some batch counts as zeros there (a metric whose
    columns are keyed by something data-dependent, such as an entity type,
    relies on this).  Numeric and text columns never mix: that would silently
    turn ``1`` into ``"1"``.  Coded columns are re-coded into the categories of
    the first batch, extended by the values the later batches add.
    """
    nonempty = [as_rows(b) for b in batches if n_rows(b)]
    if not nonempty:
        return Rows()
    first = nonempty[0]
    if len(nonempty) == 1:
        return first
    categories = None
    if first.categories is not None:
        categories = Categories(first.categories.values, first.categories.kind)
        nonempty = [_recoded(b, categories) for b in nonempty]
    names: dict[str, None] = {}
    for batch in nonempty:
        names.update(dict.fromkeys(batch))
    out: dict[str, np.ndarray] = {}
    for name in names:
        present = [b[name] for b in nonempty if name in b]
        _check_same_kind(name, present)
        template = present[0]
        parts = []
        for batch in nonempty:
            if name in batch:
                parts.append(batch[name])
            else:
                parts.append(np.zeros((n_rows(batch), *template.shape[1:]), dtype=template.dtype))
        out[name] = np.concatenate(parts)
    return Rows(out, origin=first.origin, categories=categories, coded=first.coded)


def _recoded(batch: Rows, categories: Categories) -> Rows:
    """``batch`` with its coded columns mapped into ``categories`` (which grows as needed)."""
    if batch.categories is None:
        return batch
    column = batch.coded[0] if batch.coded else "prediction"
    if batch.categories.values == categories.values[: len(batch.categories)]:
        categories.recode(batch.categories, column)  # same prefix: codes stay, only the type is checked
        return batch
    lookup = categories.recode(batch.categories, column)
    columns = {name: (lookup[column] if name in batch.coded else column) for name, column in batch.items()}
    return Rows(columns, origin=batch.origin, categories=categories, coded=batch.coded)


def check_compatible(existing: Mapping[str, np.ndarray], new: Mapping[str, np.ndarray]) -> None:
    """Raise if a new batch's columns mix text and numbers with the existing state's."""
    old_categories = getattr(existing, "categories", None)
    new_categories = getattr(new, "categories", None)
    if (old_categories is not None and new_categories is not None
            and None not in (old_categories.kind, new_categories.kind)
            and old_categories.kind != new_categories.kind):
        coded = getattr(new, "coded", ())
        column = coded[0] if coded else "prediction"
        Categories(kind=old_categories.kind).recode(new_categories, column)  # raises, naming the column
    for name, column in new.items():
        if name in existing:
            _check_same_kind(name, [existing[name], column])


def joined_kind(kind: str | None, new: Mapping[str, np.ndarray]) -> str | None:
    """Return the label kind of a state whose labels so far are of ``kind`` once the rows ``new`` are added.

    Every batch is checked against what all earlier batches resolved, not only
    the last one: a batch of empty label sets (kind ``"sets"``) agrees with any
    multi-label batch, so text, then nothing, then numbers must still be refused.

    Raises
    ------
    InputError
        When ``new`` holds text labels and the earlier ones numbers (or the
        reverse), naming the column, or one gives single labels and the other sets.
    """
    categories = getattr(new, "categories", None)
    if categories is None:
        return kind
    coded = getattr(new, "coded", ())
    resolved = Categories(kind=kind)
    resolved.join_kind(categories.kind, coded[0] if coded else "prediction")
    return resolved.kind


def _check_same_kind(name: str, arrays: Sequence[np.ndarray]) -> None:
    kinds = {"text" if a.dtype.kind in "US" else "number" for a in arrays}
    if len(kinds) > 1:
        raise InputError(
            f"the batches disagree on the type of {name!r}: some hold text labels and some "
            "numbers; use one type for every update() (e.g. convert all labels with str())"
        )


def take_rows(rows: Mapping[str, np.ndarray], index: np.ndarray) -> Rows:
    """Rows at positions ``index`` (with repeats, in that order)."""
    return as_rows(rows).derive({name: column[index] for name, column in rows.items()})


def group_identical_rows(rows: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find the distinct rows.

    Returns
    -------
    first : ndarray of shape (n_groups,)
        Index of one representative row per group.
    inverse : ndarray of shape (n_rows,)
        Group number of every row.
    counts : ndarray of shape (n_groups,)
        How many rows each group holds.

    Resampling works on groups with weights, which makes the bootstrap of a
    classification metric over a million rows cost as much as one over its
    handful of distinct (prediction, reference) pairs.  Groups come in an
    order fixed by the rows' values (codes by the order of what they stand
    for), so the same examples give the same groups however they were batched.
    """
    n = n_rows(rows)
    code = np.zeros(n, dtype=np.int64)
    n_codes = 1
    rank = _category_ranks(rows)
    coded = getattr(rows, "coded", ())
    for name in sorted(rows):  # the groups' order must not depend on how the columns happen to be ordered
        column = rows[name]
        if rank is not None and name in coded:
            column = rank[column]
        flat = column.reshape(n, -1) if column.ndim > 1 else column
        _, column_code = np.unique(flat, axis=0 if flat.ndim > 1 else None, return_inverse=True)
        column_code = column_code.reshape(n)
        width = int(column_code.max()) + 1 if n else 1
        if n_codes * width >= 2**62:
            _, code = np.unique(code, return_inverse=True)
            n_codes = int(code.max()) + 1
        code = code * width + column_code
        n_codes *= width
    _, first, inverse, counts = np.unique(code, return_index=True, return_inverse=True, return_counts=True)
    return first, inverse.reshape(n), counts


def _category_ranks(rows: Mapping[str, np.ndarray]) -> np.ndarray | None:
    """For coded rows, the rank of each category's value among all of them (``None`` for other rows)."""
    categories = getattr(rows, "categories", None)
    if categories is None or not len(categories):
        return None
    order = sorted(range(len(categories)), key=categories.values.__getitem__)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def distinct_rows(rows: Mapping[str, np.ndarray], counts: np.ndarray | None = None) -> tuple[Rows, np.ndarray]:
    """Return the distinct rows of ``rows`` and how many times each occurs (each row counting ``counts[i]``)."""
    if not n_rows(rows):
        return as_rows(rows), np.zeros(0, dtype=np.int64)
    first, inverse, group_sizes = group_identical_rows(rows)
    if counts is not None:
        group_sizes = np.bincount(inverse, weights=counts, minlength=first.size).astype(np.int64)
    return take_rows(rows, first), group_sizes

