r"""Line-aligned plain-text files: one file of hypotheses, one (or more) of references.

sacrebleu's conventions: lines are split on ``"\n"`` only (``\u2028``,
``\x85`` and other Unicode separators stay inside a line), one ``"\r"``
before it is dropped, exactly one final newline ends the file (it does not
start an extra empty example), and a blank line is a valid empty prediction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import Chunk, chunked, display_name, numbered_lines


def _lines(path: Any, encoding: str) -> Iterator[str]:
    """Yield the lines of a text file as sacrebleu sees them: a final newline does not add a line."""
    return (text for _, text in numbered_lines(path, encoding=encoding))


def _count_rest(lines: Iterator[str]) -> int:
    return sum(1 for _ in lines)


def read_text_pair(
    path: Any,
    ref_file: Any | Sequence[Any],
    *,
    encoding: str = "utf-8",
    chunk_size: int = 10_000,
) -> Iterator[Chunk]:
    """Stream chunks from a hypothesis file and its line-aligned reference file(s).

    Parameters
    ----------
    path : str or ``"-"``
        Hypotheses, one per line.
    ref_file : str or list of str
        References; several files give several references per line.

    Raises
    ------
    InputError
        When the files have different numbers of lines (both counts named).
    """
    if ref_file is None:
        raise InputError(
            f"{display_name(path)}: a plain-text file of predictions needs its references: pass --ref-file REF "
            "(one reference per line), or use a JSONL/CSV file with both fields"
        )
    single = isinstance(ref_file, (str, bytes)) or not isinstance(ref_file, Sequence)
    ref_paths = [ref_file] if single else list(ref_file)
    if "-" in ref_paths and path == "-":
        raise InputError("standard input can hold the predictions or the references, not both")
    return chunked(_aligned(path, ref_paths, encoding), chunk_size)


def _aligned(path: Any, ref_paths: list[Any], encoding: str) -> Iterator[tuple[int, str, Any]]:
    """``(line, hypothesis, reference or references)`` for every line; files of unequal length raise."""
    hyp_lines = _lines(path, encoding)
    ref_lines = [_lines(r, encoding) for r in ref_paths]
    line = 0
    while True:
        hyp = next(hyp_lines, None)
        refs = [next(r, None) for r in ref_lines]
        present = [r for r in refs if r is not None]
        if hyp is None or len(present) < len(refs):
            ended = [hyp is None] + [r is None for r in refs]
            if all(ended):
                return
            counts = [line + (0 if e else 1) for e in ended]
            counts[0] += 0 if ended[0] else _count_rest(hyp_lines)
            for i, lines in enumerate(ref_lines):
                counts[i + 1] += 0 if ended[i + 1] else _count_rest(lines)
            named = [f"{display_name(p)} has {c} lines" for p, c in zip([path, *ref_paths], counts, strict=True)]
            raise InputError(
                f"{display_name(path)}:{line + 1}: the files are not line-aligned: {', '.join(named)}; "
                "each line of the predictions needs the reference on the same line"
            )
        line += 1
        yield line, hyp, present[0] if len(present) == 1 else present
