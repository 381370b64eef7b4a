"""CoNLL files (one token per line, blank lines between sentences) for the ``seqeval`` metric.

Each non-blank line holds whitespace-separated columns: the token first, any
other columns (part of speech, chunk tag...), and the gold tag and the
predicted tag in the **last two** columns, as ``conlleval`` reads them
(``Tokyo NNP B-LOC B-LOC``).  Other columns can be chosen
(``gold_column``/``pred_column``; ``--conll-columns`` on the command line).
Counted from the end, every line must have as many columns as the first, as
conlleval requires, so a shifted line cannot move the tags silently.
``-DOCSTART-`` lines (document boundaries in CoNLL-2003) are skipped and end
the current sentence.  The reader streams: it holds one chunk of sentences at
a time, and every error names ``file:line``.

>>> from nlpmetrics.io.conll import read_conll
>>> for predictions, references in read_conll("dev.conll"):   # doctest: +SKIP
...     metric.update(predictions=predictions, references=references)
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, Literal, overload

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import numbered_lines, where

DOCSTART = "-DOCSTART-"


@overload
def read_conll(
    path_or_stream: Any, *, token_column: int = ..., gold_column: int = ..., pred_column: int = ...,
    encoding: str = ..., chunk_size: int = ..., with_lines: Literal[False] = ...,
) -> Iterator[tuple[list[list[str]], list[list[str]]]]: ...


@overload
def read_conll(
    path_or_stream: Any, *, token_column: int = ..., gold_column: int = ..., pred_column: int = ...,
    encoding: str = ..., chunk_size: int = ..., with_lines: Literal[True],
) -> Iterator[tuple[list[list[str]], list[list[str]], list[int]]]: ...


def read_conll(
    path_or_stream: Any,
    *,
    token_column: int = 0,
    gold_column: int = -2,
    pred_column: int = -1,
    encoding: str = "utf-8",
    chunk_size: int = 1000,
    with_lines: bool = False,
) -> Iterator[tuple[list[list[str]], list[list[str]]] | tuple[list[list[str]], list[list[str]], list[int]]]:
    """Stream a CoNLL file as chunks of ``(predicted sentences, gold sentences)``.

    Parameters
    ----------
    path_or_stream : str, PathLike, ``"-"`` or file object
        The file (``-`` reads standard input); a binary or text stream also works.
    token_column, gold_column, pred_column : int
        Column of the token, the gold tag and the predicted tag (0-based;
        negative counts from the end of the line: the default reads the gold
        tag from the next-to-last column and the prediction from the last,
        as conlleval does).  The three must name different columns.
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
            raise InputError(f"{name} must be an integer column index, not {value!r}", argument=name)
    from_end = any(c < 0 for c in columns.values())
    if not from_end and len(set(columns.values())) < len(columns):
        raise InputError(f"token_column, gold_column and pred_column must be different columns, not {columns}",
                         argument="pred_column")
    needed = max(max(c + 1 if c >= 0 else -c for c in columns.values()), 3)
    width = 0  # columns of the first line (lines must match it when columns count from the end)

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
        if from_end:
            if not width:
                width = len(fields)
                _check_distinct(columns, width, path_or_stream, number)
            elif len(fields) != width:
                raise InputError(
                    f"{where(path_or_stream, number)}: this line has {len(fields)} columns but the first line has "
                    f"{width}; the tags are read from the end of the line (the gold tag next-to-last, the "
                    "prediction last, as conlleval), so every line needs the same columns"
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


def _check_distinct(columns: dict[str, int], width: int, path: Any, line: int) -> None:
    """Check that the token, gold and predicted columns are three different columns of a ``width``-column line."""
    resolved = {name: c if c >= 0 else width + c for name, c in columns.items()}
    if len(set(resolved.values())) < len(resolved):
        shown = ", ".join(f"{name}={c + 1}" for name, c in resolved.items())
        raise InputError(f"{where(path, line)}: the token, gold and predicted tags must be different columns, but "
                         f"on this {width}-column line they are columns {shown} (counted from 1)")


def _chunk(predictions: list, references: list, first_lines: list, with_lines: bool) -> tuple:
    return (predictions, references, first_lines) if with_lines else (predictions, references)


def _lines(source: Any, encoding: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` pairs; a text stream without a byte buffer (``io.StringIO``) is read as is."""
    if isinstance(source, io.TextIOBase) and not hasattr(source, "buffer"):
        for number, text in enumerate(source, start=1):
            yield number, text.rstrip("\r\n")
        return
    yield from numbered_lines(source, encoding=encoding)
