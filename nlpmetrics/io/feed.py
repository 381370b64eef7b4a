"""Feeding chunks read from a file to metrics, with errors located at ``file:line``.

Shared by the command line (one process) and the Dask engine (each partition),
so a partitioned file gives the same rows and the same messages as one process.

CSV, TSV and plain-text cells are text; what a metric reads decides how they
are taken (``Metric.input_kind``):

``"numbers"`` (Pearson, Spearman)
    every cell must be a number written plainly (``3``, ``-0.25``, ``1e-3``;
    not ``1_000``, ``nan`` or ``inf``) and is read as one.
``"labels"`` (accuracy, precision, recall, F1)
    when every cell of both columns in the first chunk read (10,000 examples
    on the command line) is a whole number (``1``, ``1.0``, ``1e0``), the
    labels are compared as numbers, so ``1.0`` and ``1`` are one class and
    ``pos_label=1`` finds it; a later cell that is not a whole number is then
    an error.  Otherwise they are compared as text, and two spellings of one
    number (``1`` and ``1.0``) are an error instead of two classes.
anything else (text, tags)
    the cells as they are.

A metric's :class:`~nlpmetrics.errors.InputError` about ``predictions[i]`` or
``references[i][j]`` is restated with the file and line of example ``i``
(from its ``argument`` and ``index`` fields).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nlpmetrics.errors import InputError

#: A number as a data file writes it: digits with an optional sign, fraction and exponent (no ``_``, no words).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Integers below this magnitude are exact as floats, so ``"3.0"`` can safely become ``3``.
_EXACT = 2.0**53
#: Digits of an integer literal converted exactly with ``int`` (beyond, a float or an error).
_INT_DIGITS = 18


def parse_number(text: str) -> int | float | None:
    """Return the number written in ``text``, or ``None`` when it is not one.

    Whole numbers become ``int`` (``"1"``, ``"1.0"``, ``"1e3"``), others
    ``float``; a number too large for a float gives ``inf`` (the caller
    refuses it).  Spaces and tabs around the number are allowed; digit
    separators (``1_000``), ``nan``, ``inf`` and non-ASCII digits are not,
    although Python's ``float`` accepts them.
    """
    if text.isdigit() and text.isascii() and len(text) <= _INT_DIGITS:  # the usual label: "3"
        return int(text)
    text = text.strip(" \t")
    if not _NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("+-")
    if digits.isdigit() and len(digits) <= _INT_DIGITS:
        return int(text)
    value = float(text)
    if value.is_integer() and abs(value) < _EXACT:
        return int(value)
    return value


def is_number_text(value: str) -> bool:
    """Whether a string is a finite number written plainly (``"3"``, ``"0.25"``; not ``"1_000"`` or ``"nan"``)."""
    number = parse_number(value)
    return number is not None and math.isfinite(number)


def _is_whole(number: Any) -> bool:
    return type(number) is int


def _parsed(chunk: Any) -> tuple[list, list]:
    """Every cell of the chunk as :func:`parse_number` reads it (``None`` for text and non-strings), cached."""
    cached = chunk.views.get("numbers")
    if cached is None:
        cached = (_parse_cells(chunk.predictions), _parse_cells(chunk.references))
        chunk.views["numbers"] = cached
    return cached


def _parse_cells(cells: list) -> list:
    """:func:`parse_number` of every cell; each distinct string parsed once (label columns repeat a few values)."""
    try:
        distinct: dict[Any, int | float | None] = dict.fromkeys(cells)
    except TypeError:  # an unhashable cell (a list of references): not a number
        return [parse_number(v) if isinstance(v, str) else None for v in cells]
    for cell in distinct:
        distinct[cell] = parse_number(cell) if isinstance(cell, str) else None
    return [distinct[cell] for cell in cells]


def label_cells_are_numbers(chunk: Any) -> bool:
    """Whether every label cell of both columns of ``chunk`` is a whole number written as text."""
    predictions, references = _parsed(chunk)
    return bool(predictions) and all(map(_is_whole, predictions)) and all(map(_is_whole, references))


@dataclass
class MetricEntry:
    """One selected metric: the key its result is shown under, the configured metric, how it reads cells.

    Attributes
    ----------
    key : str
        The name the result is shown under (``f1_macro``).
    metric : Metric
    label_numbers : bool or None
        For a ``"labels"`` metric reading CSV/TSV/text: whether the cells are
        compared as numbers (decided from the first chunk when ``None``).
    """

    key: str
    metric: Any
    label_numbers: bool | None = None
    _spellings: dict = field(default_factory=dict, repr=False)

    @property
    def input_kind(self) -> str:
        """Return the input kind of the metric (``labels`` when it declares none)."""
        return getattr(self.metric, "input_kind", "labels")

    def update(self, chunk: Any, path: Any, convertible: bool) -> None:
        """Add a chunk's rows (cells taken as the metric reads them); errors name ``file:line``."""
        predictions, references = self.values(chunk, path, convertible)
        try:
            rows = self.metric.rows_for(predictions=predictions, references=references)
        except InputError as error:
            raise located(error, chunk, path) from None
        self.metric.add_rows(rows)

    def reading(self, convertible: bool) -> Any:
        """How this metric reads a chunk's cells: entries that read them alike get the same :meth:`values`."""
        if not convertible or self.input_kind not in ("numbers", "labels"):
            return "cells"
        return self.input_kind if self.input_kind == "numbers" else ("labels", self.label_numbers)

    def converts(self, convertible: bool) -> bool:
        """Whether this metric reads the cells of a CSV/TSV/text file as numbers (once its first chunk was seen)."""
        numbers = self.input_kind == "numbers" or (self.input_kind == "labels" and bool(self.label_numbers))
        return convertible and numbers

    def values(self, chunk: Any, path: Any, convertible: bool) -> tuple[Sequence[Any], Sequence[Any]]:
        """Return the chunk's predictions and references as this metric reads them (see the module docstring)."""
        if not convertible:
            return chunk.predictions, chunk.references
        if self.input_kind == "numbers":
            return numbers_of(chunk, path, self.metric.name, whole=False)
        if self.input_kind != "labels":
            return chunk.predictions, chunk.references
        if self.label_numbers is None:
            self.label_numbers = label_cells_are_numbers(chunk)
        if self.label_numbers:
            return numbers_of(chunk, path, self.metric.name, whole=True)
        self._check_spellings(chunk, path)
        return chunk.predictions, chunk.references

    def _check_spellings(self, chunk: Any, path: Any) -> None:
        """Text labels: refuse one number written two ways (``1`` and ``1.0`` would be two classes)."""
        from nlpmetrics.io.source import where

        for side, cells, numbers in zip(("prediction", "reference"), (chunk.predictions, chunk.references),
                                        _parsed(chunk), strict=True):
            if numbers.count(None) == len(numbers):
                continue  # no number written as text on this side
            for index, number in enumerate(numbers):
                if number is None or not math.isfinite(number):
                    continue
                spelling = cells[index]
                first = self._spellings.setdefault(number, (spelling, side, chunk.line_of(index)))
                if first[0] != spelling:
                    raise InputError(
                        f"{where(path, chunk.line_of(index))}: the {side} {spelling!r} and the {first[1]} "
                        f"{first[0]!r} on line {first[2]} are the same number written two ways, but this file's "
                        "labels are compared as text (not all of them are whole numbers), so they would count as "
                        "two classes; write each label one way"
                    )


class Feed:
    """Every selected metric of a run as one :class:`~nlpmetrics.collection.MetricCollection`, fed chunk by chunk.

    The one path from a file to the metrics, for ``score``, ``report`` and
    ``compare`` and for each Dask partition: the entries that read the cells
    the same way (see :meth:`MetricEntry.values`) get them read once, and a
    collection converts and checks each chunk once for the metrics that
    share a conversion (label codes for every classification metric).
    """

    def __init__(self, entries: Sequence[MetricEntry]) -> None:
        self.entries = list(entries)
        self._groups: dict[Any, tuple[list[MetricEntry], Any]] = {}

    def _grouped(self, convertible: bool) -> list[tuple[list[MetricEntry], Any]]:
        """Group the entries by way of reading: (the entries that read the cells alike, a collection of them)."""
        from nlpmetrics.collection import MetricCollection

        ways: dict[Any, list[MetricEntry]] = {}
        for entry in self.entries:
            ways.setdefault(entry.reading(convertible), []).append(entry)
        out = []
        for way, members in ways.items():
            cached = self._groups.get(way)
            if cached is None or [e.metric for e in members] != list(cached[1].values()):
                cached = self._groups[way] = (members, MetricCollection({e.key: e.metric for e in members}))
            out.append(cached)
        return out

    def update(self, chunk: Any, path: Any, convertible: bool) -> None:
        """Add a chunk to every metric (every metric checks it before any keeps it); errors name ``file:line``."""
        staged = []
        for members, collection in self._grouped(convertible):
            predictions, references = members[0].values(chunk, path, convertible)  # the first reads for all
            for entry in members[1:]:
                entry.label_numbers = members[0].label_numbers
            try:
                staged.append((collection, collection.rows_for(predictions=predictions, references=references)))
            except InputError as error:
                raise located(error, chunk, path) from None
        for collection, rows in staged:
            collection.add_rows(rows)

    def check(self, chunk: Any, path: Any, convertible: bool) -> None:
        """Validate a chunk as :meth:`update` would, without computing statistics (no model runs)."""
        for members, collection in self._grouped(convertible):
            predictions, references = members[0].values(chunk, path, convertible)
            for entry in members[1:]:
                entry.label_numbers = members[0].label_numbers
            try:
                collection.check(predictions=predictions, references=references)
            except InputError as error:
                raise located(error, chunk, path) from None

    @property
    def collection(self) -> Any:
        """Every entry's metric under its key, as a :class:`~nlpmetrics.collection.MetricCollection`."""
        from nlpmetrics.collection import MetricCollection

        return MetricCollection({entry.key: entry.metric for entry in self.entries})

    def compute(self, **arguments: Any) -> dict[str, Any]:
        """``{key: Result}`` of every metric (see :meth:`MetricCollection.compute`)."""
        return self.collection.compute(**arguments)


def numbers_of(chunk: Any, path: Any, metric: str, *, whole: bool) -> tuple[list, list]:
    """Both sides of a chunk as numbers; the first cell that is not one (a whole one for labels) names its line."""
    from nlpmetrics.io.source import where

    out = []
    for side, cells, numbers in zip(("prediction", "reference"), (chunk.predictions, chunk.references),
                                    _parsed(chunk), strict=True):
        types = set(map(type, numbers))
        if types == {int} or (not whole and types <= {int, float} and all(map(math.isfinite, numbers))):
            out.append(numbers)  # the usual case, checked at C speed
            continue
        for index, number in enumerate(numbers):
            if number is not None and math.isfinite(number) and (_is_whole(number) or not whole):
                continue
            value = cells[index]
            place = where(path, chunk.line_of(index))
            if number is not None and not math.isfinite(number):
                raise InputError(f"{place}: the {side} {_cut(value)} is too large for a 64-bit float")
            if whole:
                raise InputError(
                    f"{place}: the {side} {_cut(value)} is not a whole number, but the label columns of the first "
                    f"lines held only whole numbers, so {metric} compares the labels as numbers; write every label "
                    "as a whole number, or make the labels text that is not a number (e.g. 'class_1')"
                )
            raise InputError(f"{place}: the {side} {_cut(value)} is not a number ({metric} compares numbers; write "
                             "them plainly, e.g. 1000 or -0.25, without digit separators)")
        out.append(numbers)
    return out[0], out[1]


def _cut(value: Any, limit: int = 60) -> str:
    from nlpmetrics.validation import shown

    return shown(value, limit)


# ----------------------------------------------------------------------------- locating errors

#: ``predictions[i]`` or ``references[i][j]`` in a message of a metric that does not yet fill
#: ``InputError.argument``/``index``, with what may restate it: a ``(sentence i, position j)`` note and an
#: ``= value`` after it.
_INDEX = re.compile(
    r"\b(predictions|references)\[(\d+)\](?:\[(\d+)\])?(?: \(sentence \d+, position \d+\))?( = )?"
)
#: A message that opens with the example's index (``sentence 3: ...``), which means nothing in a file.
_LEADING_INDEX = re.compile(r"^(?:sentence|example) (\d+): ")


def located(error: InputError, chunk: Any, path: Any) -> InputError:
    """Restate a metric's error about ``predictions[i]`` of a chunk with the file and line.

    The index within the chunk means nothing to the reader of the file, so
    ``predictions[3]`` becomes *the prediction* on its line, and
    ``references[3][1]`` *item 2 of the reference* (counted from 1, as lines
    are; in a CoNLL file, where every item has its own line, the line of that
    tag).  The place comes from the error's ``argument`` and ``index``; a
    message without them (a metric not converted yet) is read for
    ``predictions[i]`` as a fallback.
    """
    from nlpmetrics.io.source import where

    side = {"predictions": "prediction", "references": "reference"}.get(error.argument or "")
    if side is not None and error.index and error.detail is not None:
        example, *inner = error.index
        line = chunk.line_of(example)
        name = f"the {side}"
        if inner and getattr(chunk, "token_lines", False) and line is not None:
            line += inner[0]
            name = "the gold tag" if side == "reference" else "the predicted tag"
        elif inner:
            name = " of ".join([*(f"item {i + 1}" for i in reversed(inner)), name])
        detail = error.detail[2:] if error.detail.startswith("= ") else error.detail  # "predictions[3] = 'x' ..."
        return InputError(f"{where(path, line)}: {name} {detail}", argument=error.argument, detail=error.detail)
    return _located_by_message(error, chunk, path)


def _located_by_message(error: InputError, chunk: Any, path: Any) -> InputError:
    """Find ``predictions[i]`` in the message itself (the fallback of :func:`located`)."""
    from nlpmetrics.io.source import where

    message = str(error)
    match = _INDEX.search(message)
    if match is None:
        return InputError(f"{where(path, None)}: {message}", argument=error.argument)
    first_line = chunk.line_of(int(match[2]))
    leading = _LEADING_INDEX.match(message)
    if leading is not None and leading[1] == match[2]:
        message = message[leading.end():]

    def name(m: re.Match) -> str:
        side = m[1][:-1]
        text = f"item {int(m[3]) + 1} of the {side}" if m[3] else f"the {side}"
        line = chunk.line_of(int(m[2]))
        if line != first_line:
            text += f" on line {line}"
        return text + (" " if m[4] else "")

    return InputError(f"{where(path, first_line)}: {_INDEX.sub(name, message)}", argument=error.argument)
