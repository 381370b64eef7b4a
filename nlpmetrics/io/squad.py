"""The official SQuAD files of ``squad``: ``predictions.json`` and the dataset (``dev-v1.1.json``, ``dev-v2.0.json``).

``predictions.json`` is one JSON object mapping each question id to the
predicted answer text (``""``: no answer, for v2.0).  The dataset is the
official nesting ``{"version", "data": [{"paragraphs": [{"qas": [{"id",
"answers": [{"text", "answer_start"}, ...]}]}]}]}`` (JSQuAD's files have the same
layout).  Each question of the dataset becomes one example, in the dataset's
order: prediction = its answer in ``predictions.json``, reference = its gold
answer texts (an empty list for an unanswerable v2.0 question).

The official scripts score a question missing from ``predictions.json`` as 0
(v1.1) or fail (v2.0); here it is an error naming the question, so that a
truncated predictions file cannot lower the score silently.  Predictions for
ids the dataset does not have are ignored, as the scripts ignore them, with a
warning.  Errors name ``predictions.json:line`` of the question's entry.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]  # typeshed omits json's C string scanner
from typing import Any

from nlpmetrics.errors import InputError, NlpmetricsWarning
from nlpmetrics.io.source import Chunk, chunked, display_name, open_binary, where
from nlpmetrics.validation import a_type

_WHITESPACE = " \t\n\r"


class SquadFileWarning(NlpmetricsWarning):
    """Predictions for question ids the dataset does not have (code ``"predictions_without_question"``)."""


def _text(path: Any, encoding: str) -> str:
    stream = open_binary(path)
    try:
        data = stream.read()
    finally:
        if isinstance(path, (str, os.PathLike)) and path != "-":
            stream.close()
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InputError(f"{display_name(path)}: not valid {encoding} text ({error.reason} at byte {error.start})") \
            from None
    except UnicodeError as error:  # a codec's own error (UTF-16 without a byte-order mark): no byte to point at
        raise InputError(f"{display_name(path)}: not valid {encoding} text ({error})") from None


def read_predictions(path: Any, *, encoding: str = "utf-8") -> dict[str, tuple[str, int]]:
    """``predictions.json`` as ``{question id: (answer, line of its entry)}``.

    The object is scanned entry by entry (with the :mod:`json` decoder), so
    each answer keeps its line number and a repeated id is an error rather
    than a silent overwrite.
    """
    text = _text(path, encoding)
    decoder = json.JSONDecoder()
    out: dict[str, tuple[str, int]] = {}
    position, line, counted_to = _skip(text, 0), 1, 0

    def line_at(offset: int) -> int:
        nonlocal line, counted_to
        line += text.count("\n", counted_to, offset)
        counted_to = offset
        return line

    if text[position:position + 1] != "{":
        raise InputError(f"{where(path, line_at(position))}: predictions.json must be one JSON object mapping "
                         'question ids to answers, e.g. {"56be4db0acb8001400a502ec": "Denver Broncos"}')
    position = _skip(text, position + 1)
    while text[position:position + 1] != "}":
        entry_line = line_at(position)
        if text[position:position + 1] != '"':
            raise InputError(f"{where(path, entry_line)}: invalid JSON: expected a question id in double quotes")
        try:
            qid, position = scanstring(text, position + 1)
            position = _skip(text, position)
            if text[position:position + 1] != ":":
                raise ValueError("expected ':' after the question id")
            answer, position = decoder.raw_decode(text, _skip(text, position + 1))
        except ValueError as error:
            message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raise InputError(f"{where(path, entry_line)}: invalid JSON: {message}") from None
        if not isinstance(answer, str):
            raise InputError(f"{where(path, entry_line)}: the answer to question {qid!r} is {a_type(answer)}; "
                             'predictions.json maps each id to the answer text ("" for no answer)')
        if qid in out:
            raise InputError(f"{where(path, entry_line)}: question {qid!r} is answered twice (first on line "
                             f"{out[qid][1]})")
        out[qid] = (answer, entry_line)
        position = _skip(text, position)
        if text[position:position + 1] == ",":
            position = _skip(text, position + 1)
        elif text[position:position + 1] != "}":
            raise InputError(f"{where(path, line_at(position))}: invalid JSON: expected ',' or '}}' after an answer")
    if _skip(text, position + 1) != len(text):
        raise InputError(f"{where(path, line_at(position))}: invalid JSON: extra data after the object")
    return out


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def read_dataset(path: Any, *, encoding: str = "utf-8") -> list[tuple[str, list[str]]]:
    """Read the questions of a SQuAD-format dataset as ``[(id, [gold answer texts])]``, in file order."""
    name = display_name(path)
    try:
        document = json.loads(_text(path, encoding))
    except json.JSONDecodeError as error:
        raise InputError(f"{name}:{error.lineno}: invalid JSON: {error.msg} (column {error.colno})") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise InputError(f"{name}: not a SQuAD dataset: expected an object with a 'data' list of articles "
                         '({"version": "1.1", "data": [{"paragraphs": [{"qas": [...]}]}]})')
    questions: list[tuple[str, list[str]]] = []
    for a, article in enumerate(data):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise InputError(f"{name}: data[{a}] has no 'paragraphs' list")
        for p, paragraph in enumerate(paragraphs):
            qas = paragraph.get("qas") if isinstance(paragraph, dict) else None
            if not isinstance(qas, list):
                raise InputError(f"{name}: data[{a}].paragraphs[{p}] has no 'qas' list")
            for q, qa in enumerate(qas):
                where_qa = f"data[{a}].paragraphs[{p}].qas[{q}]"
                if not isinstance(qa, dict) or not isinstance(qa.get("id"), str) or "answers" not in qa:
                    raise InputError(f"{name}: {where_qa} needs an 'id' string and an 'answers' list")
                questions.append((qa["id"], _answer_texts(qa["answers"], f"{name}: {where_qa}.answers")))
    if not questions:
        raise InputError(f"{name}: the dataset has no questions")
    return questions


def _answer_texts(answers: Any, place: str) -> list[str]:
    """Gold answer texts from the official list of ``{"text", "answer_start"}`` (or datasets' ``{"text": [...]}``)."""
    if isinstance(answers, dict) and isinstance(answers.get("text"), list):
        answers = [{"text": text} for text in answers["text"]]
    if not isinstance(answers, list):
        raise InputError(f"{place} must be a list of {{\"text\": ..., \"answer_start\": ...}} objects")
    texts = []
    for j, answer in enumerate(answers):
        text = answer.get("text") if isinstance(answer, dict) else None
        if not isinstance(text, str):
            raise InputError(f"{place}[{j}] has no 'text' string")
        texts.append(text)
    return texts


def read_squad_pair(path: Any, dataset_path: Any, *, encoding: str = "utf-8",
                    chunk_size: int = 10_000) -> Iterator[Chunk]:
    """Chunks of (predicted answer, gold answers), one example per question of the dataset."""
    predictions = read_predictions(path, encoding=encoding)
    questions = read_dataset(dataset_path, encoding=encoding)
    missing = [qid for qid, _ in questions if qid not in predictions]
    if missing:
        raise InputError(
            f"{display_name(path)}: {len(missing):,} of the {len(questions):,} questions of "
            f"{display_name(dataset_path)} have no answer here (the first: {missing[0]!r}); the official v1.1 "
            "script would score them 0 and v2.0 fails, so give every question an answer (\"\" for no answer)")
    asked = {qid for qid, _ in questions}
    extra = sum(1 for qid in predictions if qid not in asked)
    if extra:
        warnings.warn(SquadFileWarning(
            f"{extra:,} answers in {display_name(path)} are for question ids that {display_name(dataset_path)} does "
            "not have; they are ignored, as the official scripts ignore them", code="predictions_without_question"),
            stacklevel=3)
    yield from chunked(((predictions[qid][1], predictions[qid][0], answers) for qid, answers in questions),
                       chunk_size, kind="answers")
