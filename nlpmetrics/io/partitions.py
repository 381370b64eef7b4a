"""Reading one partition of a large input: byte ranges that start on record boundaries.

The Dask engine (:mod:`nlpmetrics.distributed.dask`) cuts a JSONL/CSV/TSV file
into line-aligned byte ranges, and a prediction file with its reference files
into the same line ranges; each partition is read by a picklable reader that
yields the same :class:`~nlpmetrics.io.source.Chunk` objects as reading the
whole file, with absolute line numbers.  CoNLL and encodings whose newline is
not one byte are read whole by one reader.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError

__all__ = ["line_aligned_ranges", "partition_readers"]


def _next_boundary(handle, offset: int, size: int, blank_separated: bool) -> int:
    """Return the first record start at or after byte ``offset`` (a line start, or the line after a blank line)."""
    if offset <= 0:
        return 0
    if offset >= size:
        return size
    handle.seek(offset - 1)
    handle.readline()  # finishes the line that byte offset-1 belongs to (nothing if it is a newline)
    if blank_separated:
        while True:
            line = handle.readline()
            if not line or not line.strip():
                break
    return handle.tell()


def line_aligned_ranges(
    path: str | os.PathLike,
    partitions: int,
    *,
    blank_separated: bool = False,
) -> list[tuple[int, int]]:
    """Split a file into at most ``partitions`` byte ranges that start on line boundaries.

    Parameters
    ----------
    path : path-like
        The file.
    partitions : int
        Number of ranges wanted; fewer come back when the file has fewer lines.
    blank_separated : bool
        Cut only after a blank line (CoNLL: a sentence spans several lines).

    Returns
    -------
    list of (start, end)
        Contiguous, non-empty, half-open byte ranges covering the file in order.
    """
    if isinstance(partitions, bool) or not isinstance(partitions, (int, np.integer)) or partitions < 1:
        raise InputError(f"partitions must be a whole number >= 1, not {partitions!r}")
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        cuts = [0]
        for i in range(1, int(partitions)):
            target = size * i // int(partitions)
            cuts.append(max(cuts[-1], _next_boundary(handle, target, size, blank_separated)))
        cuts.append(size)
    return [(s, e) for s, e in pairwise(cuts) if e > s]


class ByteRangeReader:
    """Picklable reader of one byte range of a JSONL/CSV/TSV file (what a Dask task runs)."""

    def __init__(self, path: str, byte_range: tuple[int, int] | None, read_options: dict[str, Any]) -> None:
        self.path, self.byte_range, self.read_options = path, byte_range, read_options

    def __call__(self):
        from nlpmetrics.io import read_examples

        return read_examples(self.path, byte_range=self.byte_range, **self.read_options)


class _TextPairReader:
    """Picklable reader of one line range of line-aligned text files (predictions + reference files)."""

    def __init__(self, paths: list[str], byte_ranges: list[tuple[int, int]], encoding: str, chunk_size: int) -> None:
        self.paths, self.byte_ranges, self.encoding, self.chunk_size = paths, byte_ranges, encoding, chunk_size

    def __call__(self):
        from nlpmetrics.io.source import chunked, numbered_lines

        streams = [numbered_lines(p, encoding=self.encoding, byte_range=r)
                   for p, r in zip(self.paths, self.byte_ranges, strict=True)]
        return chunked(self._examples(streams), self.chunk_size)

    @staticmethod
    def _examples(streams: list) -> Iterable[tuple[int, str, Any]]:
        for (line, hypothesis), *references in zip(*streams, strict=True):
            texts = [text for _, text in references]
            yield line, hypothesis, texts[0] if len(texts) == 1 else texts


def _count_lines(path: str) -> int:
    """Lines as sacrebleu counts them: a final newline does not start another line."""
    size = os.path.getsize(path)
    newlines = 0
    last = b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            newlines += block.count(b"\n")
            last = block[-1:]
    return newlines + (1 if size and last != b"\n" else 0)


def _line_start_offsets(path: str, line_indexes: Sequence[int]) -> list[int]:
    """Byte offset where each 0-based line of ``line_indexes`` (increasing, >= 1) starts."""
    offsets: list[int] = []
    wanted = list(line_indexes)
    seen = 0  # newlines before the current block
    position = 0
    with open(path, "rb") as handle:
        while wanted and (block := handle.read(1 << 22)):
            found = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            while wanted and wanted[0] - 1 < seen + found.size:
                offsets.append(position + int(found[wanted.pop(0) - 1 - seen]) + 1)
            seen += found.size
            position += len(block)
    return offsets + [position] * len(wanted)


def _text_pair_readers(path: str, read_options: dict[str, Any], partitions: int) -> list[Any] | None:
    """One reader per line range of a prediction file and its reference file(s); ``None`` to read whole.

    Files that are not line-aligned (or empty) are read whole by one task, so
    the error is exactly the single-process one.
    """
    ref_file = read_options.get("ref_file")
    if ref_file is None:  # read whole: the reader then says that plain text needs --ref-file
        return None
    refs = [ref_file] if isinstance(ref_file, (str, os.PathLike)) else list(ref_file)
    paths = [path] + [os.fspath(r) for r in refs]
    if any(p == "-" or not os.path.isfile(p) for p in paths):
        return None
    counts = [_count_lines(p) for p in paths]
    if len(set(counts)) != 1 or counts[0] == 0:
        return None
    total = counts[0]
    cuts = sorted({total * k // partitions for k in range(1, partitions)} - {0, total})
    bounds = [[0, *_line_start_offsets(p, cuts), os.path.getsize(p)] for p in paths]
    encoding = read_options.get("encoding", "utf-8")
    chunk_size = read_options.get("chunk_size", 10_000)
    return [
        _TextPairReader(paths, [(b[k], b[k + 1]) for b in bounds], encoding, chunk_size)
        for k in range(len(cuts) + 1)
    ]


def _newline_is_one_byte(encoding: str) -> bool:
    r"""Whether ``encoding`` writes a newline as the single byte ``\n`` (so lines can be cut by bytes)."""
    try:
        return "\n".encode(encoding) == b"\n"
    except (LookupError, UnicodeError):
        return False  # the reader reports an unknown encoding


def partition_readers(path: str, read_options: dict[str, Any], partitions: int) -> tuple[str, list[Any]]:
    """Return the input format and the readers, one per partition, in file order."""
    from nlpmetrics.io import detect_format

    kind = detect_format(path, read_options.get("input_format"), read_options.get("ref_file"),
                         qrels=read_options.get("qrels"), dataset=read_options.get("dataset"))
    readers = None
    cuttable = _newline_is_one_byte(read_options.get("encoding", "utf-8"))  # not UTF-16 and friends
    if cuttable and kind in ("jsonl", "csv", "tsv"):
        ranges = line_aligned_ranges(path, partitions)
        readers = [ByteRangeReader(path, r, read_options) for r in ranges] or None
    elif cuttable and kind == "text":
        readers = _text_pair_readers(path, read_options, partitions)
    # CoNLL, a TREC run or SQuAD pair (read with a second file), UTF-16 (anything that cannot be cut by bytes)
    # is read whole by one task.
    return kind, readers or [ByteRangeReader(path, None, read_options)]


