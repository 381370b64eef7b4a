"""Per-example statistics rows: the one data shape every metric's state takes.

A *rows* value is a ``dict[str, numpy.ndarray]`` whose arrays all have the same
first dimension: one entry per example.  Streaming appends rows, merging workers
concatenates them, and resampling takes subsets of them, so these few functions
are all the engine needs to know about any metric's state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

Rows = dict[str, np.ndarray]


def n_rows(rows: Mapping[str, np.ndarray]) -> int:
    """Number of examples in ``rows`` (0 for an empty mapping)."""
    for column in rows.values():
        return int(column.shape[0])
    return 0


def concat_rows(batches: Sequence[Mapping[str, np.ndarray]]) -> Rows:
    """Concatenate batches of rows in order.

    A column missing from some batch counts as zeros there (a metric whose
    columns are keyed by something data-dependent, such as an entity type,
    relies on this).  Numeric and text columns never mix: that would silently
    turn ``1`` into ``"1"``.
    """
    batches = [b for b in batches if n_rows(b)]
    if not batches:
        return {}
    if len(batches) == 1:
        return dict(batches[0])
    names: dict[str, None] = {}
    for batch in batches:
        names.update(dict.fromkeys(batch))
    out: Rows = {}
    for name in names:
        present = [b[name] for b in batches if name in b]
        _check_same_kind(name, present)
        template = present[0]
        parts = []
        for batch in batches:
            if name in batch:
                parts.append(batch[name])
            else:
                parts.append(np.zeros((n_rows(batch),) + template.shape[1:], dtype=template.dtype))
        out[name] = np.concatenate(parts)
    return out


def check_compatible(existing: Mapping[str, np.ndarray], new: Mapping[str, np.ndarray]) -> None:
    """Raise if a new batch's columns mix text and numbers with the existing state's."""
    for name, column in new.items():
        if name in existing:
            _check_same_kind(name, [existing[name], column])


def _check_same_kind(name: str, arrays: Sequence[np.ndarray]) -> None:
    from nlpmetrics.errors import InputError

    kinds = {"text" if a.dtype.kind in "US" else "number" for a in arrays}
    if len(kinds) > 1:
        raise InputError(
            f"the batches disagree on the type of {name!r}: some hold text labels and some "
            "numbers; use one type for every update() (e.g. convert all labels with str())"
        )


def take_rows(rows: Mapping[str, np.ndarray], index: np.ndarray) -> Rows:
    """Rows at positions ``index`` (with repeats, in that order)."""
    return {name: column[index] for name, column in rows.items()}


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
    handful of distinct (prediction, reference) pairs.
    """
    n = n_rows(rows)
    code = np.zeros(n, dtype=np.int64)
    n_codes = 1
    for column in rows.values():
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
