r"""Opening an input (a path or ``-`` for standard input) and reading it line by line.

Every reader in :mod:`nlpmetrics.io` goes through :func:`numbered_lines`, which
yields ``(line_number, text)`` pairs with *absolute* 1-based line numbers, so
an error can always name ``file:line`` — also when only a byte range of the
file is read (a Dask partition).  Lines are split on ``"\n"`` only: ``\u2028``,
``\x85`` and other Unicode separators stay inside a line, as sacrebleu reads
them.  Nothing is held in memory beyond the current line.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from nlpmetrics.errors import InputError

#: Bytes read at a time when counting the newlines before a byte range.
_BLOCK = 1 << 20


@dataclass
class Chunk:
    """A batch of examples read from a file.

    Attributes
    ----------
    predictions, references : list
        One entry per example (JSON types are kept; CSV/TSV/text give strings).
    first_line : int
        1-based line number of the first example in the file.
    lines : list of int
        Line number of every example (a CSV record may span several lines,
        a CoNLL sentence always does), so errors found later name the line.
    token_lines : bool
        Whether item ``j`` of example ``i`` sits on line ``lines[i] + j`` (CoNLL:
        one tag per line), so an error about one tag can name its line.
    views : dict
        The cells as a metric reads them (numbers...), computed once per
        chunk for every metric that asks (:mod:`nlpmetrics.io.feed`).
    kind : str or None
        What the reader knows the examples are, when the file says it
        (``"answers"``: SQuAD-style answers; ``"rankings"``: a TREC run or
        ``ranking``/``relevant`` fields); the command line then chooses the
        metrics by it instead of guessing from the values.
    """

    predictions: list
    references: list
    first_line: int
    lines: list[int] = field(default_factory=list)
    token_lines: bool = False
    views: dict = field(default_factory=dict, repr=False, compare=False)
    kind: str | None = None

    def __len__(self) -> int:
        """Return the number of examples in the chunk."""
        return len(self.predictions)

    def line_of(self, index: int) -> int | None:
        """Line number of example ``index`` of this chunk (``None`` where unknown)."""
        if 0 <= index < len(self.lines):
            return self.lines[index]
        return self.first_line + index if self.first_line > 0 else None


def chunked(examples: Iterable[tuple[int, Any, Any]], chunk_size: int, *, kind: str | None = None) -> Iterator[Chunk]:
    """Group ``(line, prediction, reference)`` triples into chunks of at most ``chunk_size`` examples.

    Every reader builds its chunks here, so a chunk's ``first_line`` and
    ``lines`` mean the same whatever the format; ``kind`` is the chunks'
    :attr:`Chunk.kind`.
    """
    chunk = Chunk([], [], 0, kind=kind)
    for line, prediction, reference in examples:
        if not chunk.lines:
            chunk.first_line = line
        chunk.predictions.append(prediction)
        chunk.references.append(reference)
        chunk.lines.append(line)
        if len(chunk.lines) >= chunk_size:
            yield chunk
            chunk = Chunk([], [], 0, kind=kind)
    if chunk.lines:
        yield chunk


def display_name(path: Any) -> str:
    """How a source is named in messages: the path as given, or ``<stdin>``."""
    if path in (None, "-"):
        return "<stdin>"
    return os.fspath(path) if isinstance(path, (str, os.PathLike)) else getattr(path, "name", "<stream>")


def where(path: Any, line: int | None) -> str:
    """``file:line`` (or just ``file``) for the start of an error message."""
    name = display_name(path)
    return f"{name}:{line}" if line else name


def check_encoding(encoding: str) -> str:
    """Return the codec's canonical name; an unknown encoding, or a codec that is not a text encoding, is an InputError.

    ``rot13``, ``base64``, ``hex``, ``zlib``... are Python codecs, but they
    transform bytes or text into more of the same instead of decoding a file.
    """
    if not isinstance(encoding, str):
        raise InputError(f"encoding must be a codec name such as 'utf-8', not {type(encoding).__name__}",
                         argument="encoding")
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; use a Python codec name such as utf-8, cp932 or latin-1 "
                         "(--encoding)", argument="encoding") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(f"encoding {encoding!r} is not a text encoding (it transforms data, it does not decode "
                         "text); pass a text encoding such as utf-8, cp932 or latin-1 (--encoding)",
                         argument="encoding")
    return info.name


def _ascii_compatible(encoding: str) -> bool:
    try:
        return "\n".encode(encoding) == b"\n" and "a".encode(encoding) == b"a"
    except (UnicodeError, LookupError):
        return False


def open_binary(path: Any) -> IO[bytes]:
    """Open a binary stream for ``path`` (``-`` = stdin); missing files and folders are InputErrors.

    Raises
    ------
    InputError
        For a missing file, a directory, an unreadable file or an empty file.
    """
    if path in (None, "-"):
        return _stdin()
    if hasattr(path, "read"):
        # typeshed's TextIOBase declares no ``buffer``; the text streams passed here (sys.stdin, open(...)) have one
        return path.buffer if isinstance(path, io.TextIOBase) else path  # type: ignore[attr-defined]
    name = os.fspath(path)
    if os.path.isdir(name):
        raise InputError(f"{name}: is a directory; pass a file of predictions (JSONL, CSV, TSV, text or CoNLL)")
    if not os.path.exists(name):
        folder = os.path.dirname(name)
        hint = f" (folder {folder!r} does not exist either)" if folder and not os.path.isdir(folder) else ""
        raise InputError(f"{name}: no such file{hint}")
    try:
        stream = open(name, "rb")  # noqa: SIM115 - returned open: the caller closes it
    except OSError as error:
        raise InputError(f"{name}: cannot be read ({error.strerror})") from None
    if os.fstat(stream.fileno()).st_size == 0 and not _is_fifo(stream):
        stream.close()
        raise InputError(f"{name}: the file is empty; it must hold at least one example")
    return stream


def _stdin() -> IO[bytes]:
    """Return standard input as bytes; an InputError when there is none (the shell closed it: ``<&-``)."""
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise InputError("<stdin>: standard input is closed; pass a file path instead of '-', or pipe the data in")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        raise InputError("<stdin>: standard input is not a byte stream; pass a file path instead of '-'")
    return buffer


def _is_fifo(stream: IO[bytes]) -> bool:
    import stat

    try:
        return not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError):
        return True


def newlines_before(stream: IO[bytes], offset: int) -> int:
    r"""Count ``\n`` bytes in ``[0, offset)`` of a seekable stream (reads in blocks, constant memory)."""
    stream.seek(0)
    count = 0
    remaining = offset
    while remaining > 0:
        block = stream.read(min(_BLOCK, remaining))
        if not block:
            break
        count += block.count(b"\n")
        remaining -= len(block)
    return count


def decode_line(raw: bytes, encoding: str, path: Any, line: int) -> str:
    """Decode one line; bad bytes raise an InputError naming the line and byte column."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        snippet = raw[error.start:error.start + 4]
        raise InputError(
            f"{where(path, line)}: invalid {encoding.upper()} at byte column {error.start + 1} ({snippet!r}); "
            "pass --encoding (e.g. cp932, latin-1) if the file uses another encoding"
        ) from None
    except UnicodeError as error:  # a codec's own error, with no byte to point at
        raise InputError(
            f"{where(path, line)}: invalid {encoding.upper()} ({error}); "
            "pass --encoding (e.g. cp932, latin-1) if the file uses another encoding"
        ) from None


def numbered_lines(
    path: Any,
    *,
    encoding: str = "utf-8",
    byte_range: tuple[int, int] | None = None,
    keepends: bool = False,
) -> Iterator[tuple[int, str]]:
    r"""Yield ``(line_number, text)`` for every line of ``path``, split on ``\n`` only.

    Parameters
    ----------
    path : str, PathLike, ``"-"`` or binary stream
        The input.
    encoding : str
        Text encoding; a UTF-8 byte-order mark at the start of the file is dropped.
    byte_range : (int, int), optional
        Read only the lines that *start* at a byte offset in ``[start, end)``;
        line numbers stay absolute.  Needs a seekable file.
    keepends : bool
        Keep the ``"\n"`` (and any ``"\r"``) at the end of each line.  Without
        it, one ``"\r"`` before the ``"\n"`` is dropped too (CRLF files).
    """
    encoding = check_encoding(encoding)
    stream = open_binary(path)
    owned = path not in (None, "-") and not hasattr(path, "read")
    try:
        if _ascii_compatible(encoding):
            yield from _binary_lines(stream, path, encoding, byte_range, keepends)
        else:
            if byte_range is not None:
                raise InputError(f"{display_name(path)}: byte ranges need an ASCII-compatible encoding, not {encoding}")
            yield from _text_lines(stream, path, encoding, keepends)
    finally:
        if owned:
            stream.close()


def _strip(text: str, keepends: bool) -> str:
    if keepends:
        return text
    if text.endswith("\n"):
        text = text[:-1]
        if text.endswith("\r"):
            text = text[:-1]
    return text


def _binary_lines(stream, path, encoding, byte_range, keepends) -> Iterator[tuple[int, str]]:
    line = 1
    offset = 0
    end = None
    if byte_range is not None:
        start, end = (int(v) for v in byte_range)
        if start < 0 or end < start:
            raise InputError(f"{display_name(path)}: invalid byte range {byte_range!r}")
        if start > 0:
            try:
                line += newlines_before(stream, start - 1)
                stream.seek(start - 1)
            except (OSError, io.UnsupportedOperation):
                raise InputError(f"{display_name(path)}: byte ranges need a seekable file, not a pipe") from None
            skipped = stream.readline()  # the rest of the line holding byte start-1
            offset = start - 1 + len(skipped)
            if skipped.endswith(b"\n"):
                line += 1
        else:
            stream.seek(0)
    if offset == 0:
        if end is not None and end <= 0:
            return
        raw = stream.readline()
        if not raw:
            return
        text = decode_line(raw[3:] if encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8) else raw,
                           encoding, path, line)
        yield line, text if keepends else _strip(text, False)
        offset, line = len(raw), line + 1
    for raw in stream:
        if end is not None and offset >= end:
            return
        try:
            text = raw.decode(encoding)
        except UnicodeError:
            decode_line(raw, encoding, path, line)  # raises with the line (and byte column)
            raise
        yield line, text if keepends else _strip(text, False)
        offset += len(raw)
        line += 1


def _text_lines(stream, path, encoding, keepends) -> Iterator[tuple[int, str]]:
    reader = io.TextIOWrapper(stream, encoding=encoding, newline="\n")
    line = 1
    try:
        for text in reader:
            if line == 1:
                text = text.lstrip("\ufeff")
            yield line, _strip(text, keepends)
            line += 1
    except UnicodeError as error:  # UnicodeDecodeError, or a codec's own (UTF-16 without a byte-order mark)
        reason = getattr(error, "reason", None) or str(error)
        raise InputError(
            f"{where(path, line)}: invalid {encoding.upper()} ({reason}); pass the right --encoding"
        ) from None
    finally:
        reader.detach()


def missing_name_error(path: Any, line: int | None, what: str, wanted: str, present: list[str],
                       option: str) -> InputError:
    """Build the error for a JSONL field or CSV column that is not there: names present, the closest one, the option.

    ``what`` is ``"field"`` or ``"column"``; at most 12 names are listed.
    """
    from nlpmetrics.options import closest

    shown = ", ".join(repr(name) for name in present[:12]) + (", ..." if len(present) > 12 else "") or "none"
    return InputError(
        f"{where(path, line)}: no {what} {wanted!r}{closest(wanted, present)} ({what}s: {shown}); "
        f"choose the {what} with {option}"
    )
