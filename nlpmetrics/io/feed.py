"""Feeding chunks read from a file to metrics, with errors located at ``file:line``.

Shared by the command line (one process) and the Dask engine (each partition),
so a partitioned file gives the same rows and the same messages as one process.
Text columns (CSV/TSV/plain text) become numbers for a metric that refuses
text, such as a correlation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlpmetrics.errors import InputError


def is_number_text(value: str) -> bool:
    """Whether a string is a finite number written as text (``"3"``, ``"0.25"``)."""
    try:
        float(value)
    except ValueError:
        return False
    return value.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity", "+inf")


#: ``predictions[i]`` or ``references[i][j]`` in a metric's message, with what may restate it: a
#: ``(sentence i, position j)`` note and an ``= value`` after it.
_INDEX = re.compile(
    r"\b(predictions|references)\[(\d+)\](?:\[(\d+)\])?(?: \(sentence \d+, position \d+\))?( = )?"
)
#: A message that opens with the example's index (``sentence 3: ...``), which means nothing in a file.
_LEADING_INDEX = re.compile(r"^(?:sentence|example) (\d+): ")


@dataclass
class MetricEntry:
    """One selected metric: the key its result is shown under and the configured metric."""

    key: str
    metric: Any
    numeric: bool = False

    def update(self, chunk: Any, path: Any, convertible: bool) -> None:
        """Add a chunk's rows; CSV/TSV/text strings become numbers for a metric that refuses text."""
        self.metric.add_rows(self._apply(chunk, path, convertible, self._rows))

    def check(self, chunk: Any, path: Any, convertible: bool) -> None:
        """Validate a chunk as :meth:`update` would, without computing statistics (no model runs)."""
        self._apply(chunk, path, convertible, self._check_only)

    def _rows(self, predictions: Sequence[Any], references: Sequence[Any]) -> Any:
        return self.metric.rows_for(predictions=predictions, references=references)

    def _check_only(self, predictions: Sequence[Any], references: Sequence[Any]) -> None:
        from nlpmetrics.validation import as_sequence, check_same_length

        predictions = as_sequence(predictions, "predictions")
        references = as_sequence(references, "references")
        check_same_length(predictions, references)
        if len(predictions):
            self.metric.check_inputs(predictions, references)

    def _apply(self, chunk: Any, path: Any, convertible: bool, action) -> Any:
        """``action(predictions, references)``, with errors located at ``file:line`` and numbers parsed when needed."""
        from nlpmetrics.io import to_numbers

        predictions, references = chunk.predictions, chunk.references
        if self.numeric:
            predictions = to_numbers(predictions, chunk, path, "prediction")
            references = to_numbers(references, chunk, path, "reference")
        try:
            return action(predictions, references)
        except InputError as error:
            if self.numeric or not convertible or not _refused_number_text(error, predictions, references):
                raise located(error, chunk, path) from None
        predictions = to_numbers(predictions, chunk, path, "prediction")
        references = to_numbers(references, chunk, path, "reference")
        try:
            result = action(predictions, references)
        except InputError as number_error:
            raise located(number_error, chunk, path) from None
        self.numeric = True
        return result


def _refused_number_text(error: InputError, predictions: Sequence[Any], references: Sequence[Any]) -> bool:
    """Whether the metric refused a value that is a number written as text (so it wants numbers)."""
    match = _INDEX.search(str(error))
    if match is None:
        return False
    side = predictions if match[1] == "predictions" else references
    index = int(match[2])
    return index < len(side) and isinstance(side[index], str) and is_number_text(side[index])


def located(error: InputError, chunk: Any, path: Any) -> InputError:
    """A metric's error about ``predictions[i]`` of a chunk, restated with the file and line.

    The index within the chunk means nothing to the reader of the file, so
    ``predictions[3]`` becomes *the prediction* (its line starts the message),
    ``references[3][1]`` becomes *item 2 of the reference* (counted from 1,
    as lines are), and an index of another example names that example's line.
    """
    from nlpmetrics.io.source import where

    message = str(error)
    match = _INDEX.search(message)
    if match is None:
        return InputError(f"{where(path, None)}: {message}")
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

    return InputError(f"{where(path, first_line)}: {_INDEX.sub(name, message)}")
