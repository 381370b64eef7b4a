"""TREC run and qrels files, read as trec_eval reads them, for ``retrieval``.

A run has one line per retrieved document, ``qid Q0 docno rank score tag``
(six fields separated by whitespace); trec_eval ranks by ``score`` and ignores
``rank``, and so does this reader: each query becomes one example whose
prediction is the mapping docno -> score (the metric ranks it with
trec_eval's tie-breaking).  Qrels have ``qid iteration docno relevance``;
each query's judgements become the example's reference (docno -> relevance).

Which queries are examples: as trec_eval without ``-c``, the queries that are
in both files.  A query of the run without judgements, or judged but absent
from the run, is left out, and a :class:`TrecWarning` says how many.  The run
is streamed (one query at a time, so its lines for a query must be together);
the qrels are read whole.  Bad lines are errors naming ``file:line``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

from nlpmetrics.errors import InputError, NlpmetricsWarning
from nlpmetrics.io.source import Chunk, chunked, display_name, numbered_lines, where


class TrecWarning(NlpmetricsWarning):
    """Queries of a run or of the qrels that are not scored (as trec_eval leaves them out).

    Codes: ``"run_queries_without_qrels"`` and ``"qrels_queries_without_run"``.
    """


def _fields(text: str, count: int, path: Any, line: int, layout: str) -> list[str] | None:
    """Return the whitespace-separated fields of a line (``None`` for a blank line); the wrong number is an error."""
    fields = text.split()
    if not fields:
        return None
    if len(fields) != count:
        raise InputError(f"{where(path, line)}: expected {count} fields ({layout}) separated by spaces, found "
                         f"{len(fields)}")
    return fields


def read_qrels(path: Any, *, encoding: str = "utf-8") -> dict[str, dict[str, int]]:
    """Relevance judgements as ``{qid: {docno: relevance}}`` (whole numbers >= 0), in file order."""
    qrels: dict[str, dict[str, int]] = {}
    for line, text in numbered_lines(path, encoding=encoding):
        fields = _fields(text, 4, path, line, "query, iteration, document, relevance")
        if fields is None:
            continue
        qid, _, docno, level = fields
        try:
            relevance = int(level)
        except ValueError:
            raise InputError(f"{where(path, line)}: the relevance {level!r} is not a whole number") from None
        if relevance < 0:
            raise InputError(
                f"{where(path, line)}: the relevance {relevance} is negative; nlpmetrics reads 0 (judged not "
                "relevant) and up (relevant), while trec_eval takes a negative value as 'in the pool but not "
                "judged'; drop the line or write 0") from None
        judged = qrels.setdefault(qid, {})
        if docno in judged:
            raise InputError(f"{where(path, line)}: document {docno!r} is judged twice for query {qid!r} "
                             "(trec_eval refuses such qrels too)")
        judged[docno] = relevance
    if not qrels:
        raise InputError(f"{display_name(path)}: no judgements found (the file holds only blank lines)")
    return qrels


def read_trec(path: Any, qrels_path: Any, *, encoding: str = "utf-8", chunk_size: int = 10_000) -> Iterator[Chunk]:
    """Stream a TREC run as chunks of queries: predictions docno -> score, references docno -> relevance.

    A query's line number is the line where its results start.
    """
    qrels = read_qrels(qrels_path, encoding=encoding)
    done: set[str] = set()
    without_qrels = 0
    any_scored = False

    def scored() -> Iterator[tuple[int, dict[str, float], dict[str, int]]]:
        nonlocal without_qrels, any_scored
        for qid, first_line, ranking in _queries(path, encoding):
            if qid in done:
                raise InputError(
                    f"{where(path, first_line)}: query {qid!r} appears again after other queries; the lines of a "
                    f"query must be together (sort the run by query first, e.g. sort -s -k1,1 {display_name(path)})")
            done.add(qid)
            if qid not in qrels:
                without_qrels += 1
                continue
            any_scored = True
            yield first_line, ranking, qrels[qid]

    yield from chunked(scored(), chunk_size, kind="rankings")
    if not any_scored and done:
        example = next(iter(qrels))
        raise InputError(f"{display_name(path)}: none of its {len(done):,} queries has judgements in "
                         f"{display_name(qrels_path)} (it judges queries such as {example!r}); are they the run and "
                         "qrels of the same topics?")
    _warn_left_out(path, qrels_path, without_qrels, len(done), sum(1 for q in qrels if q not in done), len(qrels))


def _queries(path: Any, encoding: str) -> Iterator[tuple[str, int, dict[str, float]]]:
    """``(qid, first line, {docno: score})`` for every block of consecutive lines of one query."""
    qid: str | None = None
    first = 0
    ranking: dict[str, float] = {}
    layout = "query, Q0, document, rank, score, run name"
    for line, text in numbered_lines(path, encoding=encoding):
        fields = _fields(text, 6, path, line, layout)
        if fields is None:
            continue
        query, _, docno, _, score_text, _ = fields
        try:
            score = float(score_text)
        except ValueError:
            raise InputError(f"{where(path, line)}: the score {score_text!r} is not a number") from None
        if math.isnan(score):
            raise InputError(f"{where(path, line)}: the score is NaN, which cannot be ranked; fix or drop the line")
        if query != qid:
            if qid is not None:
                yield qid, first, ranking
            qid, first, ranking = query, line, {}
        if docno in ranking:
            raise InputError(f"{where(path, line)}: document {docno!r} is retrieved twice for query {query!r} "
                             "(trec_eval refuses such runs too)")
        ranking[docno] = score
    if qid is not None:
        yield qid, first, ranking


def _warn_left_out(run: Any, qrels: Any, without_qrels: int, run_queries: int, without_run: int,
                   judged_queries: int) -> None:
    if without_qrels:
        warnings.warn(TrecWarning(
            f"{without_qrels:,} of the {run_queries:,} queries in {display_name(run)} have no judgements in "
            f"{display_name(qrels)} and are not scored, as trec_eval leaves them out",
            code="run_queries_without_qrels"),
            stacklevel=3)
    if without_run:
        warnings.warn(TrecWarning(
            f"{without_run:,} of the {judged_queries:,} judged queries in {display_name(qrels)} are not in "
            f"{display_name(run)} and are not scored, as trec_eval leaves them out (trec_eval -c would count them "
            "as 0)", code="qrels_queries_without_run"), stacklevel=3)
