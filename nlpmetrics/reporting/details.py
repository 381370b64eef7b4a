"""Generic readings of a result's ``details`` and ``per_example``: tables, low scorers, plot data.

No metric is special-cased: a details entry that is a mapping of equal-length
columns becomes a table (a per-class or per-type table), a mapping of labels
plus a square count matrix becomes a confusion matrix, and per-example scores
that take more than two values give a distribution and the worst examples.  A details entry
with ``x`` and ``y`` columns is a curve (one line per system); a metric whose per-example
score is right or wrong and that declares ``report_wrong_examples`` gets its wrong examples
listed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlpmetrics.reporting.model import PlotSpec, Table, WorstExample
from nlpmetrics.reporting.text import key_name, phrase, value_text

#: Longest table shown (rows beyond are cut, with the biggest classes kept).
MAX_TABLE_ROWS = 50
#: Largest confusion matrix shown.
MAX_MATRIX_LABELS = 20
#: Characters of a prediction or reference shown in the worst-examples table.
MAX_TEXT = 300


def _is_column(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, str)


#: A details table is shown to readers when it has one of these label columns (a per-class or per-type breakdown).
LABEL_COLUMNS = ("label", "type", "class")


def column_tables(details: Mapping[str, Any]) -> dict[str, dict[str, Sequence]]:
    """Details entries that are breakdowns: mappings of equal-length 1-D columns, one of them a label column."""
    tables = {}
    for name, value in details.items():
        if not isinstance(value, Mapping) or not any(c in value for c in LABEL_COLUMNS):
            continue
        columns = list(value.values())
        if not all(_is_column(c) and np.ndim(c) == 1 for c in columns):
            continue
        lengths = {len(c) for c in columns}
        if len(lengths) == 1 and lengths.pop() > 0:
            tables[name] = dict(value)
    return tables


def matrices(details: Mapping[str, Any]) -> dict[str, tuple[list, np.ndarray]]:
    """Details entries that are labelled square matrices (e.g. a confusion matrix)."""
    found = {}
    for name, value in details.items():
        if not isinstance(value, Mapping) or len(value) != 2:
            continue
        arrays = [np.asarray(v) for v in value.values() if _is_column(v)]
        if len(arrays) != 2:
            continue
        labels = next((a for a in arrays if a.ndim == 1), None)
        counts = next((a for a in arrays if a.ndim == 2), None)
        if labels is not None and counts is not None and counts.shape == (labels.size, labels.size):
            found[name] = (labels.tolist(), counts)
    return found


def _cell(column: str, value: Any, scale: str) -> str:
    if column in LABEL_COLUMNS:
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "n/a"
        if column in ("support", "count") or (float(value).is_integer() and abs(float(value)) > 1):
            return f"{value:,.0f}"
        return value_text(float(value), scale)
    return str(value)


def column_name(column: str, lang: str, metric: str = "") -> str:
    """Return a readable column heading in ``lang``: the cards' shared column names, else the metric's score name."""
    from nlpmetrics.explanations import common
    from nlpmetrics.explanations.scores import base_score_name

    shared = common(lang).get("columns", {})
    if column in shared:
        return str(shared[column])
    return base_score_name(metric, column, lang) if metric else column


def column_scale(column: str, metric: str) -> str:
    """How a table column's fractions are written: as the metric's score of that name, else as a percentage."""
    from nlpmetrics.explanations.scores import score_entry, score_scale

    return score_scale(metric, column) if metric and score_entry(metric, column) else "percent"


def to_table(title: str, columns: Mapping[str, Sequence], lang: str, metric: str = "") -> Table:
    """Format a column mapping as a :class:`Table` (largest rows first when it must be cut)."""
    names = list(columns)
    length = len(columns[names[0]])
    order = np.arange(length)
    if length > MAX_TABLE_ROWS:
        size = next((np.asarray(columns[c]) for c in ("support", "count") if c in columns), None)
        order = np.argsort(-size, kind="stable")[:MAX_TABLE_ROWS] if size is not None else order[:MAX_TABLE_ROWS]
    scales = {c: column_scale(c, metric) for c in names}
    rows = tuple(tuple(_cell(c, columns[c][i], scales[c]) for c in names) for i in order.tolist())
    return Table(title=title, columns=tuple(column_name(c, lang, metric) for c in names), rows=rows)


def largest_classes(labels: list, counts: np.ndarray) -> tuple[list, np.ndarray]:
    """At most :data:`MAX_MATRIX_LABELS` labels, the most frequent references first kept, in their order."""
    counts = np.asarray(counts)
    if len(labels) <= MAX_MATRIX_LABELS:
        return labels, counts
    keep = np.sort(np.argsort(-counts.sum(axis=1), kind="stable")[:MAX_MATRIX_LABELS])
    return [labels[i] for i in keep], counts[np.ix_(keep, keep)]


def matrix_table(title: str, labels: list, counts: np.ndarray, lang: str) -> Table:
    """Return a confusion matrix as a table: one row per reference label (the largest classes when there are many)."""
    labels, counts = largest_classes(labels, counts)
    rows = tuple((str(label), *(f"{int(c):,}" for c in counts[i])) for i, label in enumerate(labels))
    return Table(title=title, columns=("", *(str(label) for label in labels)), rows=rows)


def per_class_plot(columns: Mapping[str, Sequence], lang: str) -> PlotSpec | None:
    """Bars of F1 per class, when a table has a label column and an ``f1`` column."""
    label_column = next((c for c in LABEL_COLUMNS if c in columns), None)
    if label_column is None or "f1" not in columns:
        return None
    labels = [str(v) for v in columns[label_column]][:MAX_TABLE_ROWS]
    values = [float(v) for v in columns["f1"]][:MAX_TABLE_ROWS]
    return PlotSpec("per_class", phrase("plot_per_class", lang), {"labels": labels, "values": values})


def example_key(per_example: Mapping[str, np.ndarray] | None, main_key: str) -> str | None:
    """Return the per-example score that matches the main score (or the first one)."""
    if not per_example:
        return None
    return main_key if main_key in per_example else next(iter(per_example))


def is_graded(scores: np.ndarray) -> bool:
    """Whether per-example scores take values other than 0 and 1 (text metrics; not right/wrong labels)."""
    finite = scores[~np.isnan(scores)]
    return finite.size > 0 and bool(np.any((finite != 0) & (finite != 1)))


def shorten(value: Any) -> str:
    """Shorten a prediction or reference to one line of at most :data:`MAX_TEXT` characters."""
    if isinstance(value, (list, tuple)):
        # Tokens (tags of a sentence) read best spaced; several reference texts need a visible separator.
        separator = " | " if any(" " in str(v) for v in value) else " "
        text = separator.join(str(v) for v in value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def worst_examples(scores: np.ndarray, predictions: Sequence, references: Sequence, *, count: int,
                   higher_is_better: bool, scale: str) -> tuple[WorstExample, ...]:
    """Return the ``count`` examples with the worst per-example score (ties: earliest first)."""
    keyed = np.where(np.isnan(scores), np.inf, scores if higher_is_better else -scores)
    order = np.argsort(keyed, kind="stable")[:count]
    return tuple(
        WorstExample(index=int(i) + 1, prediction=shorten(predictions[i]), reference=shorten(references[i]),
                     score_text=value_text(float(scores[i]), scale))
        for i in order
    )


def curves(details: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the details entries that are curves, such as Recall@k over k.

    A curve is a mapping with equal-length numeric ``x`` and ``y`` (and the score keys ``x_key``/``y_key`` that
    name the axes).
    """
    found = {}
    for name, value in details.items():
        if not isinstance(value, Mapping) or "x" not in value or "y" not in value:
            continue
        x, y = numeric(value["x"]), numeric(value["y"])
        if x is not None and y is not None and x.size == y.size and x.size > 1:
            found[name] = {"x": x, "y": y, "x_key": str(value.get("x_key", "x")), "y_key": str(value.get("y_key", "y"))}
    return found


def curve_plot(per_system: Mapping[str, Mapping[str, Any]], lang: str, metric: str = "") -> PlotSpec:
    """One line per system of a details curve (see :func:`curves`)."""
    first = next(iter(per_system.values()))
    x_name, y_name = column_name(first["x_key"], lang, metric), column_name(first["y_key"], lang, metric)
    return PlotSpec("curve", phrase("plot_curve", lang, x=x_name, y=y_name),
                    {"series": {name: (c["x"], c["y"]) for name, c in per_system.items()}, "x_label": x_name,
                     "y_label": y_name})


def wrong_examples(scores: np.ndarray, predictions: Sequence, references: Sequence, *, count: int,
                   scale: str) -> tuple[WorstExample, ...]:
    """Return the first ``count`` examples whose right-or-wrong per-example score is 0, in file order."""
    wrong = np.flatnonzero(scores == 0)[:count]
    return tuple(
        WorstExample(index=int(i) + 1, prediction=shorten(predictions[i]), reference=shorten(references[i]),
                     score_text=value_text(float(scores[i]), scale))
        for i in wrong
    )


def distribution_plot(per_system: Mapping[str, np.ndarray], key: str, lang: str, metric: str = "",
                      options: Mapping[str, Any] | None = None) -> PlotSpec:
    """Histogram data of per-example scores, one series per system (on the score's scale)."""
    from nlpmetrics.explanations.scores import score_scale

    name = key_name(metric, key, lang, options) if metric else key
    return PlotSpec("distribution", phrase("plot_distribution", lang, key=name),
                    {"series": {system: np.asarray(v, dtype=float) for system, v in per_system.items()},
                     "scale": score_scale(metric, key) if metric else "percent"})


def numeric(values: Sequence) -> np.ndarray | None:
    """``values`` as floats, or ``None`` when they are not numbers."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.ndim == 1 else None
