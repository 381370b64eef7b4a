"""JSON Lines: one JSON object per line, fields picked by (dotted) name.

JSON types are kept (a string stays a string, ``3`` stays an int, a list of
tags stays a list), so the metric's own input checks decide what is valid.
The parser is strict where Python's ``json`` is lenient: ``NaN``/``Infinity``
and duplicate keys are errors, since both silently change a score.
"""

from __future__ import annotations

import json
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
_SCAN = _DECODER.scan_once


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
    """One JSON object from one line; anything else raises an InputError naming ``file:line``."""
    try:
        record = _fast_decode(text)
    except _JSONValueError as error:
        raise InputError(f"{where(path, line)}: invalid JSON: {error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{where(path, line)}: invalid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(record, dict):
        raise InputError(
            f"{where(path, line)}: expected a JSON object like {{\"prediction\": ..., \"reference\": ...}}, "
            f"got {a_type(record)}"
        )
    return record


def get_field(record: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path (``"output.text"``), or ``_MISSING``.

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


def field_paths(record: dict[str, Any], prefix: str = "") -> list[str]:
    """Every dotted field path in ``record`` (for "did you mean" hints)."""
    paths: list[str] = []
    for key, value in record.items():
        path = f"{prefix}{key}"
        paths.append(path)
        if isinstance(value, dict):
            paths.extend(field_paths(value, f"{path}."))
    return paths


def missing_field_error(record: dict[str, Any], wanted: str, option: str, path: Any, line: int) -> InputError:
    """The error for a record without the wanted field: lists the fields there and the closest one."""
    return missing_name_error(path, line, "field", wanted, field_paths(record), option)


def reference_field_candidates(ref_field: str) -> tuple[str, ...]:
    """Fields tried for the references: the given one, then ``references`` (a list) for the default."""
    return (ref_field, "references") if ref_field == "reference" else (ref_field,)


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
    several references for one prediction.
    """
    return chunked(_examples(path, pred_field, ref_field, encoding, byte_range), chunk_size)


def _examples(path: Any, pred_field: str, ref_field: str, encoding: str,
              byte_range: tuple[int, int] | None) -> Iterator[tuple[int, Any, Any]]:
    """``(line, prediction, reference)`` for every non-blank line."""
    ref_candidates = reference_field_candidates(ref_field)
    for line, text in numbered_lines(path, encoding=encoding, byte_range=byte_range, keepends=True):
        if text.isspace() or not text:
            continue
        record = parse_record(text, path, line)
        prediction = get_field(record, pred_field)
        if prediction is _MISSING:
            raise missing_field_error(record, pred_field, "--pred-field", path, line)
        reference = _MISSING
        for candidate in ref_candidates:
            reference = get_field(record, candidate)
            if reference is not _MISSING:
                break
        if reference is _MISSING:
            raise missing_field_error(record, ref_field, "--ref-field", path, line)
        yield line, prediction, reference
