"""CoNLL files (one token per line, blank lines between sentences) for the ``seqeval`` metric.

Each non-blank line holds whitespace-separated columns: by default the token,
the gold tag and the predicted tag (``Tokyo B-LOC B-LOC``).  ``-DOCSTART-``
lines (document boundaries in CoNLL-2003) are skipped and end the current
sentence.  The reader streams: it holds one chunk of sentences at a time, and
every error names ``file:line``.

>>> from nlpmetrics.io.conll import read_conll
>>> for predictions, references in read_conll("dev.conll"):   # doctest: +SKIP
...     metric.update(predictions=predictions, references=references)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import numbered_lines, where

DOCSTART = "-DOCSTART-"


def read_conll(
    path_or_stream: Any,
    *,
    token_column: int = 0,
    gold_column: int = 1,
    pred_column: int = 2,
    encoding: str = "utf-8",
    chunk_size: int = 1000,
    with_lines: bool = False,
) -> Iterator[tuple[list[list[str]], list[list[str]]]]:
    """Stream a CoNLL file as chunks of ``(predicted sentences, gold sentences)``.

    Parameters
    ----------
    path_or_stream : str, PathLike, ``"-"`` or file object
        The file (``-`` reads standard input); a binary or text stream also works.
    token_column, gold_column, pred_column : int
        Column of the token, the gold tag and the predicted tag (0-based;
        negative counts from the end of the line, e.g. ``-1`` for the last).
    encoding : str
        Text encoding of a path or binary stream.
    chunk_size : int
        Sentences per chunk.
    with_lines : bool
        Also yield, per chunk, the line number where each sentence starts
        (so an error found when scoring can name the line).

    Yields
    ------
    tuple
        ``(predictions, references)``: lists of tag lists, one per sentence
        (``(predictions, references, first_lines)`` with ``with_lines=True``).

    Raises
    ------
    InputError
        ``"file.conll:57: expected at least 3 columns, got 2"`` for a short
        line; bad encoding and missing or empty files likewise name the file.
    """
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1:
        raise InputError(f"chunk_size must be a positive integer, not {chunk_size!r}")
    columns = {"token_column": token_column, "gold_column": gold_column, "pred_column": pred_column}
    for name, value in columns.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise InputError(f"{name} must be an integer column index, not {value!r}")
    needed = max(c + 1 if c >= 0 else -c for c in columns.values())

    predictions: list[list[str]] = []
    references: list[list[str]] = []
    first_lines: list[int] = []
    pred: list[str] = []
    gold: list[str] = []
    start = 0
    for number, line in _lines(path_or_stream, encoding):
        fields = line.split()
        if not fields or fields[0] == DOCSTART:
            if gold:
                predictions.append(pred)
                references.append(gold)
                first_lines.append(start)
                pred, gold = [], []
                if len(references) >= chunk_size:
                    yield _chunk(predictions, references, first_lines, with_lines)
                    predictions, references, first_lines = [], [], []
            continue
        if len(fields) < needed:
            raise InputError(
                f"{where(path_or_stream, number)}: expected at least {needed} columns, got {len(fields)} "
                f"(token, gold tag and predicted tag, separated by whitespace; blank lines between sentences)"
            )
        if not gold:
            start = number
        gold.append(fields[gold_column])
        pred.append(fields[pred_column])
    if gold:
        predictions.append(pred)
        references.append(gold)
        first_lines.append(start)
    if references:
        yield _chunk(predictions, references, first_lines, with_lines)


def _chunk(predictions: list, references: list, first_lines: list, with_lines: bool) -> tuple:
    return (predictions, references, first_lines) if with_lines else (predictions, references)


def _lines(source: Any, encoding: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` pairs; a text stream without a byte buffer (``io.StringIO``) is read as is."""
    if isinstance(source, io.TextIOBase) and not hasattr(source, "buffer"):
        for number, text in enumerate(source, start=1):
            yield number, text.rstrip("\r\n")
        return
    yield from numbered_lines(source, encoding=encoding)
