r"""CSV and TSV files with a header row.

The two formats have different rules, as the tools that write them do:

CSV (RFC 4180)
    A comma separates cells; a cell in double quotes may hold commas,
    newlines and doubled quotes (``""``).  Read with Python's :mod:`csv`
    module in strict mode.
TSV (literal, as GLUE/JGLUE files and ``pandas.read_csv(sep="\t", quoting=csv.QUOTE_NONE)``)
    Every character is text: a tab separates cells, a newline ends the
    record, and a double quote is an ordinary character (a sentence may
    start with ``"``).  There is no quoting, so a cell cannot hold a tab or
    a newline.

Both: the first row names the columns (a name given twice is an error, as a
duplicate JSON key is), blank lines are skipped, a UTF-8 byte-order mark and
CRLF line ends are accepted, and every cell is returned as a string: a cell
has no type, so turning ``"0.5"`` into a number is left to the caller that
knows which metric reads it (:mod:`nlpmetrics.io.feed`).  With the default
reference column, ``reference_1``, ``reference_2``... columns give several
references per prediction; an empty cell there is *no* reference, not an
empty one.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import Chunk, chunked, missing_name_error, numbered_lines, where

#: A cell may be as long as this (Python's csv module stops at 131,072 characters by default).
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


class _LineFeed:
    """Feeds numbered lines to :mod:`csv` and remembers which line each record started on."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.current = 0

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        self.current, text = next(self._lines)
        return text


def _header_index(header: list[str], wanted: str, option: str, path: Any) -> int:
    if wanted in header:
        return header.index(wanted)
    raise missing_name_error(path, 1, "column", wanted, header, option)


def _check_unique(header: list[str], path: Any) -> None:
    """Refuse a column name given twice (which cell is meant would be a guess)."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name and name in seen:
            raise InputError(
                f"{where(path, 1)}: column {name!r} appears twice in the header (columns {seen[name]} and "
                f"{position}), so which one is meant is ambiguous; rename or remove one of them"
            )
        seen[name] = position


def reference_columns(header: list[str], ref_field: str, path: Any) -> list[int]:
    """Return the columns holding the references: ``ref_field``, or ``reference_1``, ``reference_2``... by default."""
    multi = [i for i, h in enumerate(header) if h.startswith("reference_") and h[10:].isdigit()]
    if ref_field == "reference" and "reference" not in header and multi:
        return multi
    return [_header_index(header, ref_field, "--ref-field", path)]


def read_delimited(
    path: Any,
    *,
    delimiter: str = ",",
    pred_field: str = "prediction",
    ref_field: str = "reference",
    encoding: str = "utf-8",
    chunk_size: int = 10_000,
    byte_range: tuple[int, int] | None = None,
) -> Iterator[Chunk]:
    r"""Stream ``(predictions, references)`` chunks of strings from a CSV (``","``) or TSV (``"\t"``) file.

    With ``byte_range``, the header still comes from the start of the file
    and only records whose first line starts in the range are returned.  A
    CSV record may span lines (a quoted newline), so the records before the
    range are parsed (not kept) to stay correct: constant memory, time
    proportional to ``start``.  A TSV record is one line, so its range is read
    directly.
    """
    if delimiter == "\t":
        _, header, records = _tsv_records(path, encoding, byte_range)
        format_name = "TSV"
    else:
        _, header, records = _csv_records(path, delimiter, encoding, byte_range)
        format_name = "CSV"
    if header is None:
        raise InputError(f"{where(path, None)}: the file is empty; it needs a header row and at least one row")
    header = [h.strip() for h in header]
    _check_unique(header, path)
    pred_index = _header_index(header, pred_field, "--pred-field", path)
    ref_indexes = reference_columns(header, ref_field, path)
    return chunked(_examples(records, header, pred_index, ref_indexes, path, format_name), chunk_size)


def _examples(records: Iterator[tuple[int, list[str]]], header: list[str], pred_index: int, ref_indexes: list[int],
              path: Any, format_name: str) -> Iterator[tuple[int, str, Any]]:
    """``(line, prediction, reference)`` for every record after the header (blank lines skipped)."""
    several = len(ref_indexes) > 1
    for line, row in records:
        if not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
            continue  # a blank line
        if len(row) != len(header):
            if format_name == "TSV":
                fix = ("TSV has no quoting, so a text cannot hold the delimiter (a tab) or a newline: remove them, "
                       "or write the file as CSV or JSONL")
            else:
                fix = "quote fields that contain the delimiter or newlines"
            raise InputError(
                f"{where(path, line)}: this row has {len(row)} columns but the header has {len(header)}; {fix}")
        if not several:
            yield line, row[pred_index], row[ref_indexes[0]]
            continue
        references = [row[i] for i in ref_indexes if row[i] != ""]
        if not references:
            names = ", ".join(header[i] for i in ref_indexes)
            raise InputError(f"{where(path, line)}: every reference column ({names}) is empty; an empty cell "
                             "means no reference, and each example needs at least one")
        yield line, row[pred_index], references


def _tsv_records(path: Any, encoding: str,
                 byte_range: tuple[int, int] | None) -> tuple[int, list[str] | None, Iterator[tuple[int, list[str]]]]:
    """TSV read literally: the header cells, then ``(line, cells)`` for every line after it (split on tabs only)."""
    lines = numbered_lines(path, encoding=encoding)
    first = next(lines, None)
    if byte_range is not None:
        if hasattr(lines, "close"):
            lines.close()
        lines = numbered_lines(path, encoding=encoding, byte_range=byte_range)
    if first is None:
        return 0, None, iter(())
    header_line, header_text = first
    return header_line, header_text.split("\t"), ((n, text.split("\t")) for n, text in lines if n > header_line)


def _csv_records(path: Any, delimiter: str, encoding: str,
                 byte_range: tuple[int, int] | None) -> tuple[int, list[str] | None, Iterator[tuple[int, list[str]]]]:
    """CSV read by :mod:`csv` (RFC 4180 quoting): the header cells, then ``(first line, cells)`` of every record."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    feed = _LineFeed(numbered_lines(path, encoding=encoding, keepends=True))
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return 0, None, iter(())
    except csv.Error as error:
        raise InputError(f"{where(path, feed.current)}: invalid CSV: {error}") from None
    return 1, header, _csv_rows(reader, feed, path, byte_range)


def _csv_rows(reader: Any, feed: _LineFeed, path: Any,
              byte_range: tuple[int, int] | None) -> Iterator[tuple[int, list[str]]]:
    offsets = _RecordOffsets(path) if byte_range is not None else None
    start, end = byte_range if byte_range is not None else (0, None)
    try:
        while True:
            record_line = feed.current + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise InputError(f"{where(path, record_line)}: invalid CSV: {error}") from None
            if offsets is not None:
                record_offset = offsets(record_line)
                if record_offset < start:
                    continue
                if end is not None and record_offset >= end:
                    return
            yield record_line, row
    finally:
        if offsets is not None:
            offsets.close()


class _RecordOffsets:
    """Byte offset where a line starts, for increasing line numbers (one pass over a second handle)."""

    def __init__(self, path: Any) -> None:
        from nlpmetrics.io.source import open_binary

        self._stream = open_binary(path)
        self._line = 1
        self._offset = 0

    def __call__(self, line: int) -> int:
        while self._line < line:
            raw = self._stream.readline()
            if not raw:
                break
            self._offset += len(raw)
            self._line += 1
        return self._offset

    def close(self) -> None:
        self._stream.close()
