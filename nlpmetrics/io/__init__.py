"""Readers for prediction files: JSONL, CSV, TSV, line-aligned text pairs, CoNLL, TREC runs and SQuAD pairs.

Every reader streams :class:`Chunk` objects (``predictions``, ``references``,
``first_line``), so memory stays constant in the file size, and every error is
an :class:`~nlpmetrics.errors.InputError` that starts with ``file:line``.

>>> from nlpmetrics.io import read_examples
>>> for chunk in read_examples("preds.jsonl"):          # doctest: +SKIP
...     metric.update(predictions=chunk.predictions, references=chunk.references)

Where values get their type: JSONL keeps JSON types; CSV, TSV and text files
give strings.  The command line turns those strings into numbers by what the
metric reads (:mod:`nlpmetrics.io.feed`): always for a metric of numbers
(Pearson, Spearman), and for class labels when both columns hold whole numbers.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterator
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import Chunk, check_encoding, display_name

__all__ = ["FORMATS", "Chunk", "check_conll_columns", "detect_format", "read_all", "read_examples"]

#: Input formats and the file extensions that select them.
FORMATS = {
    "jsonl": (".jsonl", ".ndjson", ".json"),
    "csv": (".csv",),
    "tsv": (".tsv", ".tab"),
    "text": (".txt", ".hyp", ".ref", ".detok", ".sgm"),
    "conll": (".conll", ".conllu", ".bio", ".iob", ".iob2"),
    "trec": (".trec", ".run"),  # a TREC run, scored against the qrels of --qrels
    "squad": (),  # an official predictions.json, scored against the dataset of --dataset
}
#: Formats read with a second file, and the option that names it.
_PAIRED = {"trec": "qrels", "squad": "dataset"}


def detect_format(path: Any, input_format: str | None = None, ref_file: Any = None, *, qrels: Any = None,
                  dataset: Any = None) -> str:
    """Detect the input format: ``input_format`` if given, else from the extension.

    A file with an unknown extension is read as plain text when ``ref_file``
    is given; ``-`` (stdin) without ``input_format`` is JSONL, or text with
    ``ref_file``.  With ``qrels`` the file is a TREC run (``"trec"``), with
    ``dataset`` an official SQuAD ``predictions.json`` (``"squad"``), whatever
    its extension.
    """
    given = [option for option, value in (("qrels", qrels), ("dataset", dataset)) if value is not None]
    if len(given) > 1:
        raise InputError("--qrels (a TREC run) and --dataset (SQuAD predictions) read different files; pass one")
    if given:
        kind = next(k for k, option in _PAIRED.items() if option == given[0])
        if input_format is not None and detect_format(path, input_format, ref_file) != kind:
            raise InputError(f"--{given[0]} goes with a {kind} file, but --input-format says {input_format}; "
                             "drop one of them")
        return kind
    if input_format is not None:
        key = str(input_format).lower()
        if key in ("txt", "plain"):
            key = "text"
        if key in ("json", "ndjson"):
            key = "jsonl"
        if key not in FORMATS:
            from nlpmetrics.options import closest

            raise InputError(
                f"unknown input format {input_format!r}{closest(key, FORMATS)} (formats: {', '.join(FORMATS)})"
            )
        return key
    if path in (None, "-") or hasattr(path, "read"):
        return "text" if ref_file is not None else "jsonl"
    name = os.fspath(path).lower()
    if os.path.isdir(name):
        raise InputError(f"{display_name(path)}: is a directory; "
                         "pass a file of predictions (JSONL, CSV, TSV, text or CoNLL)")
    if name.endswith(".gz"):
        raise InputError(f"{display_name(path)}: compressed input is not read directly; decompress it or pipe it: "
                         f"zcat {display_name(path)} | nlpmetrics score - ...")
    for key, extensions in FORMATS.items():
        if name.endswith(extensions):
            return key
    if ref_file is not None:
        return "text"
    raise InputError(
        f"{display_name(path)}: cannot tell the format from the extension; pass --input-format "
        f"({', '.join(FORMATS)})"
    )


def read_examples(
    path: Any,
    *,
    input_format: str | None = None,
    pred_field: str = "prediction",
    ref_field: str = "reference",
    ref_file: Any = None,
    encoding: str = "utf-8",
    chunk_size: int = 10_000,
    byte_range: tuple[int, int] | None = None,
    conll_columns: tuple[int, int] | None = None,
    qrels: Any = None,
    dataset: Any = None,
) -> Iterator[Chunk]:
    """Stream a prediction file as chunks of ``(predictions, references)``.

    Parameters
    ----------
    path : str, PathLike or ``"-"``
        The file (``-`` reads standard input).
    input_format : {"jsonl", "csv", "tsv", "text", "conll", "trec", "squad"}, optional
        Overrides the format guessed from the extension (``"trec"`` needs
        ``qrels``, ``"squad"`` needs ``dataset``).
    pred_field, ref_field : str
        JSONL fields (dotted paths reach nested ones) or CSV/TSV columns.  The
        default reference field also accepts a ``references`` list (JSONL) or
        ``reference_1``, ``reference_2``... columns (CSV/TSV).
    ref_file : str or list of str, optional
        The reference file(s) of a plain-text prediction file.
    encoding : str
        Text encoding of the input(s).
    chunk_size : int
        Examples per chunk.
    byte_range : (int, int), optional
        JSONL/CSV/TSV only: read the records whose line starts at a byte
        offset in ``[start, end)``; line numbers in errors stay absolute.  An
        empty range yields nothing (no error), so partitions can be cut anywhere.
    conll_columns : (int, int), optional
        CoNLL only: the 0-based columns of the gold and the predicted tag
        (negative counts from the end).  Default ``(-2, -1)``: the last two
        columns, as conlleval reads them.
    qrels : str or PathLike, optional
        The relevance judgements of a TREC run (``path`` is then the run;
        :mod:`nlpmetrics.io.trec`): one example per query.
    dataset : str or PathLike, optional
        The SQuAD-format dataset of an official ``predictions.json``
        (``path``; :mod:`nlpmetrics.io.squad`): one example per question.

    Yields
    ------
    Chunk
        ``.predictions``, ``.references`` (lists), ``.first_line`` (1-based).

    Raises
    ------
    InputError
        Missing/empty file, bad JSON or CSV, missing field, bad encoding,
        misaligned text files; the message starts with ``file:line``.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InputError(f"chunk_size must be a whole number >= 1, not {chunk_size!r}", argument="chunk_size")
    for name, value in (("pred_field", pred_field), ("ref_field", ref_field)):
        if not isinstance(value, str) or not value:
            option = "--" + name.replace("_", "-")
            raise InputError(f"{name} ({option}) must name a field or column, not {value!r}", argument=name)
    check_encoding(encoding)
    if byte_range is not None:
        byte_range = _check_byte_range(byte_range)
    kind = detect_format(path, input_format, ref_file, qrels=qrels, dataset=dataset)
    if kind in _PAIRED and qrels is None and dataset is None:
        what = ("a TREC run is scored against relevance judgements" if kind == "trec" else
                "a SQuAD predictions.json is scored against its dataset")
        raise InputError(f"{display_name(path)}: {what}; name that file with --{_PAIRED[kind]} FILE")
    if ref_file is not None and kind != "text":
        raise InputError(
            f"{display_name(path)}: --ref-file is for a plain-text file of predictions, but this input is {kind}; "
            "drop --ref-file (the references are in the file) or pass --input-format text"
        )
    if byte_range is not None and kind not in ("jsonl", "csv", "tsv"):
        raise InputError(f"{display_name(path)}: byte ranges are supported for JSONL, CSV and TSV, not {kind}")
    if kind == "jsonl":
        from nlpmetrics.io.jsonl import read_jsonl

        chunks = read_jsonl(path, pred_field=pred_field, ref_field=ref_field, encoding=encoding,
                            chunk_size=chunk_size, byte_range=byte_range)
    elif kind in ("csv", "tsv"):
        from nlpmetrics.io.delimited import read_delimited

        chunks = read_delimited(path, delimiter="," if kind == "csv" else "\t", pred_field=pred_field,
                                ref_field=ref_field, encoding=encoding, chunk_size=chunk_size, byte_range=byte_range)
    elif kind == "trec":
        from nlpmetrics.io.trec import read_trec

        chunks = read_trec(path, qrels, encoding=encoding, chunk_size=chunk_size)
    elif kind == "squad":
        from nlpmetrics.io.squad import read_squad_pair

        chunks = read_squad_pair(path, dataset, encoding=encoding, chunk_size=chunk_size)
    elif kind == "text":
        from nlpmetrics.io.text import read_text_pair

        chunks = read_text_pair(path, ref_file, encoding=encoding, chunk_size=chunk_size)
    else:
        chunks = _read_conll_chunks(path, encoding=encoding, chunk_size=chunk_size, columns=conll_columns)
    seen = False
    for chunk in chunks:
        seen = True
        yield chunk
    if not seen and byte_range is None:
        raise InputError(f"{display_name(path)}: no examples found (the file holds only blank lines)")


def _read_conll_chunks(path: Any, *, encoding: str, chunk_size: int,
                       columns: tuple[int, int] | None) -> Iterator[Chunk]:
    """CoNLL sentences (token, ..., gold tag, predicted tag) as chunks of tag lists, via :mod:`nlpmetrics.io.conll`.

    One example is one sentence; its line number is the line where the sentence starts.
    """
    from nlpmetrics.io.conll import read_conll

    gold, pred = check_conll_columns(columns)
    for predictions, references, lines in read_conll(path, encoding=encoding, chunk_size=chunk_size, with_lines=True,
                                                     gold_column=gold, pred_column=pred):
        yield Chunk(list(predictions), list(references), lines[0] if lines else 0, list(lines), token_lines=True)


def _check_byte_range(byte_range: Any) -> tuple[int, int]:
    """``(start, end)`` as two whole numbers with ``0 <= start <= end``, else an InputError."""
    try:
        start, end = byte_range
    except (TypeError, ValueError):
        start = end = None
    if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in (start, end)) or not 0 <= start <= end:
        raise InputError(f"byte_range must be (start, end) with whole numbers 0 <= start <= end, not {byte_range!r}",
                         argument="byte_range")
    return int(start), int(end)


def check_conll_columns(columns: Any) -> tuple[int, int]:
    """``(gold, predicted)`` 0-based CoNLL columns; ``None`` is the last two, as conlleval reads them."""
    if columns is None:
        return -2, -1
    try:
        gold, pred = columns
    except (TypeError, ValueError):
        raise InputError(f"conll_columns must be two column numbers (gold, predicted), not {columns!r}",
                         argument="conll_columns") from None
    for value in (gold, pred):
        if isinstance(value, bool) or not isinstance(value, int) or value == 0:
            raise InputError(f"conll_columns must be two column numbers other than the token's (0), not "
                             f"{columns!r}", argument="conll_columns")
    if gold == pred:
        raise InputError(f"conll_columns names one column for both the gold and the predicted tag ({gold})",
                         argument="conll_columns")
    return gold, pred


def read_all(path: Any, **options: Any) -> tuple[list, list]:
    """Read the whole file as ``(predictions, references)`` lists, for code that needs every example at once.

    ``nlpmetrics.report`` and ``nlpmetrics.compare`` take such lists; the
    command line reads them chunk by chunk instead, so that errors found by a
    metric's checks can name the line.
    """
    predictions: list = []
    references: list = []
    for chunk in read_examples(path, **options):
        predictions.extend(chunk.predictions)
        references.extend(chunk.references)
    return predictions, references

