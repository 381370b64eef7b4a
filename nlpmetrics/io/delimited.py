"""CSV and TSV files with a header row.

Quoted fields may hold newlines and delimiters, a UTF-8 byte-order mark and
CRLF line ends are accepted.  Values are returned as strings: a cell has no
type in CSV, so turning ``"0.5"`` into a number is left to the caller that
knows which metric reads it (see :func:`nlpmetrics.io.to_numbers`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import Chunk, chunked, missing_name_error, numbered_lines, where


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
    """Stream ``(predictions, references)`` chunks of strings from a CSV/TSV file with a header.

    With ``byte_range``, the header still comes from the start of the file and
    only records whose first line starts in the range are returned.  To stay
    correct when a quoted field spans a range boundary, the records before the
    range are parsed (not kept): constant memory, time proportional to
    ``start``.  With the default ``ref_field="reference"``, a header without
    ``reference`` but with ``reference_1``, ``reference_2``... gives several
    references per prediction.
    """
    format_name = "TSV" if delimiter == "\t" else "CSV"
    feed = _LineFeed(numbered_lines(path, encoding=encoding, keepends=True))
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{where(path, None)}: the file is empty; it needs a header row and at least one row") from None
    except csv.Error as error:
        raise InputError(f"{where(path, feed.current)}: invalid {format_name}: {error}") from None
    header = [h.strip() for h in header]
    pred_index = _header_index(header, pred_field, "--pred-field", path)
    multi = [i for i, h in enumerate(header) if h.startswith("reference_") and h[10:].isdigit()]
    if ref_field == "reference" and "reference" not in header and multi:
        ref_indexes = multi
    else:
        ref_indexes = [_header_index(header, ref_field, "--ref-field", path)]
    return chunked(_examples(reader, feed, header, pred_index, ref_indexes, path, format_name, byte_range), chunk_size)


def _examples(reader: Any, feed: _LineFeed, header: list[str], pred_index: int, ref_indexes: list[int], path: Any,
              format_name: str, byte_range: tuple[int, int] | None) -> Iterator[tuple[int, str, Any]]:
    """``(line, prediction, reference)`` for every record after the header (blank lines skipped)."""
    offsets = _RecordOffsets(path) if byte_range is not None else None
    start, end = byte_range if byte_range is not None else (0, None)
    try:
        while True:
            record_line = feed.current + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise InputError(f"{where(path, record_line)}: invalid {format_name}: {error}") from None
            if offsets is not None:
                record_offset = offsets(record_line)
                if record_offset < start:
                    continue
                if end is not None and record_offset >= end:
                    break
            if not row or (len(row) == 1 and not row[0].strip() and len(header) > 1):
                continue  # a blank line
            if len(row) != len(header):
                tab = " (a tab)" if format_name == "TSV" else ""
                raise InputError(
                    f"{where(path, record_line)}: this row has {len(row)} columns but the header has {len(header)}; "
                    f"quote fields that contain the delimiter{tab} or newlines"
                )
            refs = [row[i] for i in ref_indexes]
            yield record_line, row[pred_index], refs if len(ref_indexes) > 1 else refs[0]
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
