"""JSON Lines: one JSON object per line, fields picked by (dotted) name.

JSON types are kept (a string stays a string, ``3`` stays an int, a list of
tags stays a list), so the metric's own input checks decide what is valid.
The parser is strict where Python's ``json`` is lenient: ``NaN``/``Infinity``
and duplicate keys are errors, since both silently change a score.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from nlpmetrics.errors import InputError
from nlpmetrics.io.source import Chunk, chunked, missing_name_error, numbered_lines, where
from nlpmetrics.validation import a_type

_MISSING = object()


class _JSONValueError(ValueError):
    """A JSON document that parses but must be refused (NaN, duplicate key)."""


def _refuse_constant(name: str) -> Any:
    raise _JSONValueError(f"{name} is not valid JSON (use null, or remove the example)")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONValueError(f"duplicate key {key!r} (which value is meant is ambiguous)")
        out[key] = value
    return out


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=_no_duplicates)
_SCAN = _DECODER.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__; typeshed omits it


def _fast_decode(text: str) -> Any:
    """``_DECODER.decode(text)`` without its two regex passes on the common, well-formed line."""
    try:
        record, end = _SCAN(text, 0)
    except StopIteration:
        return _DECODER.decode(text)  # raises the full JSONDecodeError
    if end != len(text) and not text[end:].isspace():
        return _DECODER.decode(text)
    return record


def parse_record(text: str, path: Any, line: int) -> dict[str, Any]:
    """One JSON object from one line; anything else raises an InputError naming ``file:line``.

    The line's own newline is left out first, so a line that stops short
    (a missing ``}``) is reported at its last column, not at column 1 of a
    line that does not exist.  Nesting deeper than Python's recursion limit
    and integers longer than Python converts (4,300 digits) are refused too.
    """
    body = text[:-1] if text.endswith("\n") else text
    body = body[:-1] if body.endswith("\r") else body
    try:
        record = _fast_decode(body)
    except _JSONValueError as error:
        raise InputError(f"{where(path, line)}: invalid JSON: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{where(path, line)}: invalid JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise InputError(f"{where(path, line)}: invalid JSON: nested too deeply (lists or objects inside each "
                         "other beyond Python's recursion limit); flatten the record") from None
    except ValueError:  # int("1" * 5000): more digits than Python converts
        limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
        raise InputError(f"{where(path, line)}: invalid JSON: a number has more than {limit} digits, more than "
                         "Python reads; write it as a string if it is an identifier") from None
    if not isinstance(record, dict):
        raise InputError(
            f"{where(path, line)}: expected a JSON object like {{\"prediction\": ..., \"reference\": ...}}, "
            f"got {a_type(record)}"
        )
    return record


def get_field(record: dict[str, Any], dotted: str) -> Any:
    """Return the value at a dotted path (``"output.text"``), or ``_MISSING``.

    A key that itself contains dots is found too (``{"a.b": 1}``).
    """
    if dotted in record:
        return record[dotted]
    value: Any = record
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def field_paths(record: dict[str, Any], prefix: str = "", depth: int = 8) -> list[str]:
    """Every dotted field path in ``record`` down to ``depth`` levels (for "did you mean" hints)."""
    paths: list[str] = []
    for key, value in record.items():
        path = f"{prefix}{key}"
        paths.append(path)
        if isinstance(value, dict) and depth > 1:
            paths.extend(field_paths(value, f"{path}.", depth - 1))
    return paths


def check_surrogates(value: Any, side: str, path: Any, line: int) -> None:
    r"""Refuse a string inside ``value`` that holds a lone surrogate (a ``\ud800`` escape with no pair).

    Such a string is not Unicode text: it cannot be written to a UTF-8 report
    and tokenizers treat it differently, so the line is named instead.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise InputError(
                    f"{where(path, line)}: the {side} holds a lone surrogate {item[error.start]!r} (a \\u escape "
                    "with no pair), which is not valid Unicode; fix the escape (a pair such as \\ud83d\\ude00 "
                    "is fine) or remove it"
                ) from None
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def missing_field_error(record: dict[str, Any], wanted: str, option: str, path: Any, line: int) -> InputError:
    """Build the error for a record without the wanted field: it lists the fields there and the closest one."""
    return missing_name_error(path, line, "field", wanted, field_paths(record), option)


def reference_field_candidates(ref_field: str) -> tuple[str, ...]:
    """Return the fields tried for the references: the given one, then for the default, three more.

    The default ``reference`` is followed by ``references`` (a list), ``answers``
    (question answering) and ``relevant`` (retrieval).
    """
    return (ref_field, "references", "answers", "relevant") if ref_field == "reference" else (ref_field,)


def prediction_field_candidates(pred_field: str) -> tuple[str, ...]:
    """Fields tried for the predictions: the given one, then ``ranking`` (retrieval) for the default."""
    return (pred_field, "ranking") if pred_field == "prediction" else (pred_field,)


#: What a record's field says about the examples (``Chunk.kind``): the metrics that read them are chosen by it.
FIELD_KINDS = {"answers": "answers", "relevant": "rankings", "ranking": "rankings"}


def read_jsonl(
    path: Any,
    *,
    pred_field: str = "prediction",
    ref_field: str = "reference",
    encoding: str = "utf-8",
    chunk_size: int = 10_000,
    byte_range: tuple[int, int] | None = None,
) -> Iterator[Chunk]:
    """Stream ``(predictions, references)`` chunks from a JSONL file.

    Blank lines are skipped.  With the default ``ref_field="reference"``, a
    record that has no ``reference`` but a ``references`` list is read as
    several references for one prediction; ``answers`` (SQuAD-style) and
    ``relevant`` (with a ``ranking`` for the prediction) are read too, and
    mark the chunks' :attr:`~nlpmetrics.io.source.Chunk.kind`.
    """
    found: dict[str, str] = {}
    for chunk in chunked(_examples(path, pred_field, ref_field, encoding, byte_range, found), chunk_size):
        chunk.kind = found.get("kind")
        yield chunk


def _examples(path: Any, pred_field: str, ref_field: str, encoding: str,
              byte_range: tuple[int, int] | None, found: dict[str, str]) -> Iterator[tuple[int, Any, Any]]:
    """``(line, prediction, reference)`` for every non-blank line (``found["kind"]``: what a field name says)."""
    ref_candidates = reference_field_candidates(ref_field)
    pred_candidates = prediction_field_candidates(pred_field)
    for line, text in numbered_lines(path, encoding=encoding, byte_range=byte_range, keepends=True):
        if text.isspace() or not text:
            continue
        record = parse_record(text, path, line)
        prediction = _MISSING
        for candidate in pred_candidates:
            prediction = get_field(record, candidate)
            if prediction is not _MISSING:
                break
        if prediction is _MISSING:
            raise missing_field_error(record, pred_field, "--pred-field", path, line)
        if candidate in FIELD_KINDS:
            found.setdefault("kind", FIELD_KINDS[candidate])
        reference = _MISSING
        for candidate in ref_candidates:
            reference = get_field(record, candidate)
            if reference is not _MISSING:
                break
        if candidate in FIELD_KINDS:
            found.setdefault("kind", FIELD_KINDS[candidate])
        if reference is _MISSING:
            raise missing_field_error(record, ref_field, "--ref-field", path, line)
        if "\\u" in text:  # only a \u escape can make a lone surrogate (bad bytes fail to decode)
            check_surrogates(prediction, "prediction", path, line)
            check_surrogates(reference, "reference", path, line)
        yield line, prediction, reference
