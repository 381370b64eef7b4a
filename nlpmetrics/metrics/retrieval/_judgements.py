"""A batch of queries reduced to what every ranking measure needs: where the relevant documents were ranked.

Per query the prediction is a ranking (a list of document ids, best first, or
a mapping id -> score) and the reference the relevant ids (a list or set:
relevance 1 each; or a mapping id -> graded relevance, 0 meaning judged not
relevant).  Every measure depends only on

* the number of ranked documents, the number of relevant ones (relevance
  >= 1, trec_eval's ``relevance_level``) and whether anything was judged;
* the rank and relevance of each relevant document that was retrieved;
* the relevance values of all relevant documents, best first (for nDCG's
  ideal ranking),

so a query costs Python work in proportion to its relevant documents, not to
its ranking, and the measures are computed for all queries at once
(:mod:`._compute`).

A mapping id -> score is ranked as trec_eval ranks it: by score, highest
first, ties by document id in *decreasing* string order (``strcmp``).  The
rank of a retrieved relevant document is the number of its query's scores
above its own (binary search in the query's sorted scores); a query where a
relevant document shares its score with another is ranked in full.  Rankings
given as one integer matrix (top-k ids from a vector index) are reduced with
no per-document Python work at all.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.validation import a_type, shown

#: Document ids are strings or whole numbers (not both in one query: 1 and "1" would never match).
_ID_TYPES = (str, int)
_INT64_MAX = (1 << 63) - 1


@dataclass
class Judged:
    """What the measures need from a batch of ``n`` queries (see the module docstring).

    Attributes
    ----------
    lengths, num_rel : ndarray of int64, shape (n,)
        Documents ranked; documents with relevance >= 1.
    judged : ndarray of bool, shape (n,)
        Whether the reference judged any document (an empty reference judges none).
    hit_query, hit_rank, hit_gain : ndarray, shape (h,)
        Each retrieved relevant document: its query, 0-based rank and relevance,
        sorted by query then rank.
    ideal_query, ideal_gain : ndarray, shape (r,)
        Each relevant document's query and relevance, sorted by query then
        relevance, highest first (the ideal ranking of nDCG).
    """

    lengths: np.ndarray
    num_rel: np.ndarray
    judged: np.ndarray
    hit_query: np.ndarray
    hit_rank: np.ndarray
    hit_gain: np.ndarray
    ideal_query: np.ndarray
    ideal_gain: np.ndarray

    def __len__(self) -> int:
        return int(self.lengths.size)


# --------------------------------------------------------------------------- checking one query (the slow path)
def _id(value: Any, argument: str, index: tuple[int, ...]) -> str | int:
    """Check a document id: ``str`` or ``int`` (numpy scalars become Python values); anything else is refused."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, _ID_TYPES):
        what = "None" if value is None else f"{a_type(value)} ({shown(value)})"
        raise InputError(argument=argument, index=index,
                         detail=f"is {what}; document ids must be strings or whole numbers")
    return value


def _sequence(value: Any, argument: str, index: int, *, sets: bool) -> list | None:
    """``value`` as a list of ids when it is list-like (an array, tuple, or a set where order does not matter)."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise InputError(argument=argument, index=index,
                             detail=f"has shape {value.shape}; pass a flat list of document ids")
        return value.tolist()
    if isinstance(value, (list, tuple)) or (sets and isinstance(value, (set, frozenset))):
        return list(value)
    return None


def _first_duplicate(ids: Sequence[Any]) -> Any:
    """Return the first id that occurs a second time in ``ids`` (which has one)."""
    seen: set[Any] = set()
    for doc in ids:
        if doc in seen:
            return doc
        seen.add(doc)
    raise AssertionError("no duplicate id")  # pragma: no cover - called only when there is one


def _refuse_a_single_value(value: Any, argument: str, index: int, what_it_should_be: str) -> None:
    """Refuse ``None`` or one string where a query's list or mapping of ids belongs."""
    if isinstance(value, (str, bytes)) or value is None:
        what = "None" if value is None else "a single string"
        raise InputError(argument=argument, index=index, detail=f"is {what}; {what_it_should_be}")


def _checked_items(mapping: Mapping, argument: str, index: int) -> Iterator[tuple[str | int, Any]]:
    """Yield a mapping's (id, value) pairs with each id checked and numpy scalars as Python values."""
    for key, value in mapping.items():
        yield _id(key, argument, (index,)), value.item() if isinstance(value, np.generic) else value


def canonical_ranking(value: Any, index: int) -> list | dict:
    """Return a query's ranking as a list of ids (best first) or a dict id -> float score, every entry checked."""
    argument = "predictions"
    _refuse_a_single_value(value, argument, index, "a ranking is a list of document ids, best first, or a mapping "
                                                   "id -> score")
    if isinstance(value, Mapping):
        out: dict = {}
        for doc, score in _checked_items(value, argument, index):
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise InputError(argument=argument, index=index, detail=(
                    f"gives document {shown(doc)} the score {shown(score)}; scores must be numbers"))
            if math.isnan(score):
                raise InputError(argument=argument, index=index, detail=(
                    f"gives document {shown(doc)} the score NaN, which cannot be ranked; fix or drop it"))
            out[doc] = float(score)
        return out
    ids = _sequence(value, argument, index, sets=False)
    if ids is None:
        hint = " (a set has no order; pass a list, best first)" if isinstance(value, (set, frozenset)) else ""
        raise InputError(argument=argument, index=index, detail=(
            f"is {a_type(value)}{hint}; a ranking is a list of document ids, best first, or a mapping id -> score"))
    ids = [_id(doc, argument, (index, j)) for j, doc in enumerate(ids)]
    if len(set(ids)) != len(ids):
        duplicate = _first_duplicate(ids)
        raise InputError(argument=argument, index=index, detail=(
            f"ranks document {shown(duplicate)} twice; a ranking lists each document once (trec_eval refuses "
            "duplicates too)"))
    return ids


def canonical_relevance(value: Any, index: int) -> dict:
    """Return a query's reference as a dict id -> relevance (a whole number >= 0; a list or set means relevance 1)."""
    argument = "references"
    _refuse_a_single_value(value, argument, index, "pass the relevant document ids as a list (or a mapping "
                                                   "id -> relevance; [] when none)")
    if isinstance(value, Mapping):
        out: dict = {}
        for doc, level in _checked_items(value, argument, index):
            if (isinstance(level, bool) or not isinstance(level, (int, float)) or level != level
                    or level < 0 or level != int(level) or level > _INT64_MAX):
                raise InputError(argument=argument, index=index, detail=(
                    f"gives document {shown(doc)} the relevance {shown(level)}; relevance is a whole number from 0 "
                    "to 2**63 - 1 (0: judged not relevant, 1 or more: relevant, higher is better)"))
            out[doc] = int(level)
        return out
    ids = _sequence(value, argument, index, sets=True)
    if ids is None:
        raise InputError(argument=argument, index=index, detail=(
            f"is {a_type(value)}; pass the relevant document ids as a list (or a mapping id -> relevance)"))
    ids = [_id(doc, argument, (index, j)) for j, doc in enumerate(ids)]
    relevance = dict.fromkeys(ids, 1)
    if len(relevance) != len(ids):
        duplicate = _first_duplicate(ids)
        raise InputError(argument=argument, index=index, detail=f"lists document {shown(duplicate)} twice")
    return relevance


def _check_one_id_type(ranking: list | dict, relevance: dict, index: int) -> None:
    """Refuse a query whose ids mix strings and numbers (``1`` never matches ``"1"``: a silent 0 otherwise)."""
    kinds = set(map(type, ranking)) | set(map(type, relevance))
    if len(kinds) > 1:
        raise InputError(argument="references", index=index, detail=(
            "and its ranking mix document ids written as text and as numbers, and 1 never matches '1'; "
            "use one type for every id (e.g. convert them all with str())"))


# --------------------------------------------------------------------------- the batch
def _id_types(values: Sequence[Any]) -> set[type]:
    """Return the types of every id in a batch of rankings or references (one C-level pass over all of them)."""
    return set(map(type, chain.from_iterable(values)))


def _rankings(predictions: Sequence[Any]) -> tuple[list, set[type]]:
    """Every query's ranking as a list or a dict id -> score, and the id types seen.

    Lists and dicts of plain ids and scores are taken as they are (checked in
    a few C-level passes over the whole batch: id and score types);
    anything else is converted and checked query by query, naming the index.
    """
    if set(map(type, predictions)) <= {list, dict}:
        ids = _id_types(predictions)
        mappings = [p for p in predictions if type(p) is dict]
        scores_plain = not mappings or set(map(type, chain.from_iterable(map(dict.values, mappings)))) <= {float, int}
        if ids <= {str, int} and scores_plain:  # NaN scores are found by judge(), with numpy
            return list(predictions), ids
    rankings = [canonical_ranking(p, i) for i, p in enumerate(predictions)]
    return rankings, _id_types(rankings)


def _relevances(references: Sequence[Any]) -> tuple[list[dict], set[type]]:
    """Every query's reference as a dict id -> relevance, and the id types seen (fast when already plain)."""
    if set(map(type, references)) <= {list, dict, set}:
        ids = _id_types(references)
        graded = [r for r in references if type(r) is dict]
        levels = list(chain.from_iterable(map(dict.values, graded)))
        if (ids <= {str, int} and set(map(type, levels)) <= {int}
                and (not levels or (min(levels) >= 0 and max(levels) <= _INT64_MAX))
                and not any(type(r) is list and len(set(r)) != len(r) for r in references)):
            return [r if type(r) is dict else dict.fromkeys(r, 1) for r in references], ids
    relevances = [canonical_relevance(r, i) for i, r in enumerate(references)]
    return relevances, _id_types(relevances)


def judge(predictions: Sequence[Any], references: Sequence[Any]) -> Judged:
    """Check a batch of rankings and references and reduce it to a :class:`Judged` (see the module docstring)."""
    n = len(predictions)
    if isinstance(predictions, np.ndarray) and predictions.ndim == 2 and predictions.dtype.kind in "iu":
        return _judge_matrix(predictions, references)
    rankings, ranked_types = _rankings(predictions)
    relevances, relevant_types = _relevances(references)
    if len(ranked_types | relevant_types) > 1:
        for i, (ranking, relevance) in enumerate(zip(rankings, relevances, strict=True)):
            _check_one_id_type(ranking, relevance, i)
    lengths = np.fromiter(map(len, rankings), dtype=np.int64, count=n)
    judged = np.fromiter(map(bool, relevances), dtype=bool, count=n)
    num_rel = np.fromiter((len(r) - operator.countOf(r.values(), 0) for r in relevances), dtype=np.int64, count=n)

    hit_query: list[int] = []
    hit_rank: list[int] = []
    hit_gain: list[int] = []
    scored: list[tuple[int, float, Any, int]] = []  # (query, score, id, relevance) of hits in ranked mappings
    for i, (ranking, relevance) in enumerate(zip(rankings, relevances, strict=True)):
        if type(ranking) is dict:
            for doc in relevance.keys() & ranking.keys():
                if relevance[doc]:
                    scored.append((i, ranking[doc], doc, relevance[doc]))
            continue
        present = set(ranking)
        if len(present) != len(ranking):
            canonical_ranking(ranking, i)  # raises, naming the duplicate
        for doc, level in relevance.items():
            if level and doc in present:
                hit_query.append(i)
                hit_rank.append(ranking.index(doc))
                hit_gain.append(level)
    values, starts = _flat_scores(rankings, lengths)
    if scored:
        _rank_scored(rankings, values, starts, lengths, scored, hit_query, hit_rank, hit_gain)

    hq = np.asarray(hit_query, dtype=np.int64)
    hr = np.asarray(hit_rank, dtype=np.int64)
    hg = np.asarray(hit_gain, dtype=np.float64)
    order = _order_by(hq, hr)
    ideal_query, ideal_gain = _ideal(relevances, num_rel)
    return Judged(lengths=lengths, num_rel=num_rel, judged=judged, hit_query=hq[order], hit_rank=hr[order],
                  hit_gain=hg[order], ideal_query=ideal_query, ideal_gain=ideal_gain)


def _ideal(relevances: list[dict], num_rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every relevant document's query and relevance, best first within a query (nDCG's ideal ranking)."""
    sizes = np.fromiter(map(len, relevances), dtype=np.int64, count=len(relevances))
    levels = np.fromiter(chain.from_iterable(map(dict.values, relevances)), dtype=np.int64, count=int(sizes.sum()))
    return _ideal_from_arrays(np.repeat(np.arange(sizes.size, dtype=np.int64), sizes), levels, num_rel)


def _ideal_from_arrays(owner: np.ndarray, levels: np.ndarray, num_rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_ideal` from flat arrays: each judged document's query (``owner``, ascending) and relevance.

    With few relevance levels (graded 0-3, say) the ideal ranking is counted
    rather than sorted: how many documents of each level each query has,
    written out best level first.
    """
    n = num_rel.size
    query = np.repeat(np.arange(n, dtype=np.int64), num_rel)
    top = int(levels.max(initial=0))
    if top <= 1:
        return query, np.ones(query.size)
    if n * (top + 1) <= 4 * levels.size + 1024:
        columns = top + 1  # column c counts the documents of level top - c; the last one (level 0) is dropped
        table = np.bincount(owner * columns + (top - levels), minlength=n * columns).reshape(n, columns)
        return query, np.repeat(np.tile(np.arange(top, 0, -1, dtype=np.float64), n), table[:, :top].ravel())
    levels = levels[_order_by(owner, -levels)]
    return query, levels[levels > 0].astype(np.float64)


def _order_by(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """Return the order that sorts by ``major``, then ``minor`` (``np.lexsort``, as one int key when it fits)."""
    if not major.size:
        return np.zeros(0, dtype=np.int64)
    low = int(minor.min())
    bound = int(minor.max()) - low + 1
    if (int(major.max()) + 1) * bound >= 1 << 62:
        return np.lexsort((minor, major))
    return np.argsort(major * bound + (minor - low), kind="stable")


def _flat_scores(rankings: list, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every score of the ranked mappings, flat, and where each query's start (NaN scores refused, naming the query)."""
    sizes = np.fromiter((len(r) if type(r) is dict else 0 for r in rankings), dtype=np.int64, count=len(rankings))
    values = np.fromiter(chain.from_iterable(r.values() for r in rankings if type(r) is dict), dtype=np.float64,
                         count=int(sizes.sum()))
    missing = np.isnan(values)
    if missing.any():
        query = int(np.searchsorted(np.cumsum(sizes), np.argmax(missing), side="right"))
        canonical_ranking(rankings[query], query)  # raises, naming the document
    return values, np.cumsum(sizes) - sizes


def _rank_scored(rankings: list, values: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                 scored: list[tuple[int, float, Any, int]], hit_query: list[int], hit_rank: list[int],
                 hit_gain: list[int]) -> None:
    """Ranks (trec_eval's order) of the relevant documents retrieved in ranked mappings, appended to the hits.

    A document's rank is the number of documents of its query with a higher
    score, counted with numpy against its query's row of scores (rows padded
    with NaN, in blocks that bound the memory).  A query where a relevant
    document shares its score with another (a tie, which trec_eval breaks by
    id) is ranked in full instead.
    """
    query = np.fromiter((h[0] for h in scored), dtype=np.int64, count=len(scored))
    score = np.fromiter((h[1] for h in scored), dtype=np.float64, count=len(scored))
    higher = np.zeros(len(scored), dtype=np.int64)
    tied = np.zeros(len(scored), dtype=bool)
    rows = np.unique(query)
    for block in _row_blocks(lengths[rows]):
        chosen = rows[block]
        sizes = lengths[chosen]
        width = int(sizes.max())
        if int(sizes.min()) == width:  # rankings of one length (the usual top-k): one gather, no padding
            matrix = values[starts[chosen][:, None] + np.arange(width)]
        else:
            matrix = np.full((chosen.size, width), np.nan)
            row = np.repeat(np.arange(chosen.size), sizes)
            column = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            matrix[row, column] = values[np.repeat(starts[chosen], sizes) + column]
        slot = np.full(lengths.size, -1, dtype=np.int64)
        slot[chosen] = np.arange(chosen.size)
        ours = np.flatnonzero(slot[query] >= 0)
        step = max(1, (1 << 22) // width)
        for first in range(0, ours.size, step):
            mine = ours[first:first + step]
            others = matrix[slot[query[mine]]]
            higher[mine] = (others > score[mine, None]).sum(axis=1)
            tied[mine] = (others == score[mine, None]).sum(axis=1) > 1
    full = {int(q) for q in query[tied]}
    ordered = {q: _trec_eval_order(rankings[q]) for q in full}
    for (q, _, doc, level), rank in zip(scored, higher.tolist(), strict=True):
        hit_query.append(q)
        hit_rank.append(ordered[q][doc] if q in full else rank)
        hit_gain.append(level)


def _row_blocks(widths: np.ndarray, cells: int = 1 << 22) -> list[np.ndarray]:
    """Split rows into groups (indices into ``widths``) whose padded matrix has at most ``cells`` cells (or one row).

    Rows are taken by increasing width, so one very long ranking does not pad all the others.
    """
    order = np.argsort(widths, kind="stable")
    ascending = widths[order]
    blocks, begin = [], 0
    while begin < order.size:
        low, high = begin + 1, order.size  # the largest end with (end - begin) * widest <= cells
        while low < high:
            middle = (low + high + 1) // 2
            if (middle - begin) * int(ascending[middle - 1]) <= cells:
                low = middle
            else:
                high = middle - 1
        blocks.append(order[begin:low])
        begin = low
    return blocks


def _trec_eval_order(ranking: dict) -> dict:
    """Rank (from 0) of every document of a mapping id -> score in trec_eval's order.

    Highest score first; equal scores by id in decreasing string order, as
    trec_eval's ``qsort`` with ``strcmp`` does (UTF-8 byte order is code point
    order, which is how Python compares strings).
    """
    ordered = sorted(((score, str(doc), doc) for doc, score in ranking.items()), reverse=True)
    return {doc: rank for rank, (_, _, doc) in enumerate(ordered)}


def _judge_matrix(matrix: np.ndarray, references: Sequence[Any]) -> Judged:
    """Judge the batch when the rankings are one integer matrix, a row per query (top-k ids from a vector index).

    Negative entries are padding (faiss marks a missing result with -1): a
    row's ranking is its entries before the first negative one, and nothing
    but padding may follow.  Everything is vectorised (see :func:`_ranks_in_rows`).
    """
    n, width = matrix.shape
    matrix = matrix.astype(np.int64, copy=False)
    valid: np.ndarray | None = None
    smallest = int(matrix.min()) if matrix.size else 0
    if smallest < 0:
        valid = matrix >= 0
        ragged = np.flatnonzero(valid[:, 1:] & ~valid[:, :-1]) if width > 1 else np.zeros(0, np.int64)
        if ragged.size:
            row = int(ragged[0] // (width - 1))
            raise InputError(argument="predictions", index=row, detail=(
                "has an id after a negative entry; negative entries are padding (no result) and may only come "
                "last"))
        lengths = valid.sum(axis=1).astype(np.int64)
        smallest = int(matrix[valid].min(initial=0))
    else:
        lengths = np.full(n, width, dtype=np.int64)
    sizes, rel_doc, rel_level = _integer_judgements(references)
    judged = sizes > 0
    rel_query = np.repeat(np.arange(n, dtype=np.int64), sizes)
    judged_query = rel_query
    relevant = rel_level > 0
    if relevant.all():  # no document judged not relevant (lists and sets of ids)
        rel_gain = rel_level.astype(np.float64)
    else:
        rel_query, rel_doc, rel_gain = rel_query[relevant], rel_doc[relevant], rel_level[relevant].astype(np.float64)
    num_rel = np.bincount(rel_query, minlength=n).astype(np.int64)
    rank = _ranks_in_rows(matrix, valid, smallest, rel_query, rel_doc)
    hit = rank >= 0
    order = _order_by(rel_query[hit], rank[hit])
    hit_query, hit_rank, hit_gain = rel_query[hit][order], rank[hit][order], rel_gain[hit][order]
    ideal_query, ideal_gain = _ideal_from_arrays(judged_query, rel_level, num_rel)
    return Judged(lengths=lengths, num_rel=num_rel, judged=judged, hit_query=hit_query, hit_rank=hit_rank,
                  hit_gain=hit_gain, ideal_query=ideal_query, ideal_gain=ideal_gain)


def _integer_judgements(references: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every query's judged documents as flat arrays: how many per query, their ids and their relevance.

    Plain dicts of ints (or lists and sets of ints) are read in two passes
    over the references and checked on the flat lists; anything else goes
    through :func:`_relevances`, which checks each query and names the one at
    fault.
    """
    kinds = set(map(type, references))
    if kinds <= {dict, list, set}:
        ids = list(chain.from_iterable(references))
        levels = list(chain.from_iterable(map(dict.values, references)) if kinds == {dict} else
                      chain.from_iterable(r.values() if type(r) is dict else (1,) * len(r) for r in references))
        lists = [r for r in references if type(r) is list] if list in kinds else []
        if (set(map(type, ids)) <= {int} and set(map(type, levels)) <= {int}
                and all(len(set(r)) == len(r) for r in lists)):
            sizes = np.fromiter(map(len, references), dtype=np.int64, count=len(references))
            try:
                id_array = np.fromiter(ids, dtype=np.int64, count=len(ids))
                level_array = np.fromiter(levels, dtype=np.int64, count=len(levels))
            except OverflowError:
                pass  # an id or a relevance beyond 64 bits: the checks below name it
            else:
                if level_array.min(initial=0) >= 0:
                    return sizes, id_array, level_array
    relevances, _ = _relevances(references)
    for i, relevance in enumerate(relevances):
        if relevance and set(map(type, relevance)) != {int}:
            raise InputError(argument="references", index=i, detail=(
                "holds document ids that are not whole numbers, but the rankings are a matrix of numbers; "
                "use the same ids on both sides"))
        beyond = [doc for doc in relevance if not -_INT64_MAX - 1 <= doc <= _INT64_MAX]
        if beyond:
            raise InputError(argument="references", index=i, detail=(
                f"holds document id {beyond[0]}, beyond the 64-bit integers of the rankings matrix; "
                "use the same ids on both sides"))
    sizes = np.fromiter(map(len, relevances), dtype=np.int64, count=len(relevances))
    total = int(sizes.sum())
    return (sizes, np.fromiter(chain.from_iterable(relevances), dtype=np.int64, count=total),
            np.fromiter(chain.from_iterable(map(dict.values, relevances)), dtype=np.int64, count=total))


def _ranks_in_rows(matrix: np.ndarray, valid: np.ndarray | None, low: int, query: np.ndarray,
                   doc: np.ndarray) -> np.ndarray:
    """0-based rank of each ``doc`` in row ``query`` of ``matrix`` (-1 where absent); a repeated id is refused.

    ``valid`` marks the entries that are not padding (``None``: all are) and
    ``low`` is the smallest id among them.

    Each entry is packed with its column into one integer (``id << bits |
    column``) and every row sorted once: the sorted rows show repeated ids,
    and every relevant document is found by a binary search in its row, its
    column (the rank) in the low bits.  Ids too large to pack are compared
    with their rows directly instead.
    """
    n, width = matrix.shape
    if not matrix.size:
        return np.full(doc.size, -1, dtype=np.int64)
    bits = max(1, (width - 1).bit_length())
    high = int(matrix.max())
    base = 0 if valid is None else low - 1  # ids become 1 .. span - 1 and padding 0 (ids >= 0 stay as they are)
    span = high - base + 1
    if (n * span) << bits >= 1 << 62:
        return _ranks_by_comparison(matrix, valid, query, doc)
    # Within a row the packed entries often fit 32 bits, which sort in half the time.
    local = np.int32 if span << bits < 1 << 31 else np.int64
    if valid is None:
        packed = np.left_shift(matrix, bits, dtype=local, casting="unsafe")
    else:
        packed = np.subtract(matrix, base, dtype=local, casting="unsafe")
        packed[~valid] = 0
        packed <<= bits
    packed |= np.arange(width, dtype=local)
    packed.sort(axis=1)
    if _repeats(packed, bits, padded=valid is not None):
        ids = packed >> bits
        repeated = (ids[:, 1:] == ids[:, :-1]) & (ids[:, 1:] > 0 if valid is not None else True)
        row, column = np.argwhere(repeated)[0]
        raise InputError(argument="predictions", index=int(row), detail=(
            f"ranks document {int(ids[row, column]) + base} twice; a ranking lists each document once (trec_eval "
            "refuses duplicates too)"))
    # Binary search of every relevant id in its own sorted row, all at once: ``bits`` halvings of the row.
    flat = packed.ravel()
    rank = np.full(doc.size, -1, dtype=np.int64)
    inside = np.flatnonzero((doc >= low) & (doc <= high))
    target = ((doc[inside] - base) << bits).astype(local)
    row_start = query[inside] * width
    position = row_start.copy()  # branchless lower bound: every search halves a span of the same length
    length = width
    while length > 1:
        half = length >> 1
        position += (flat.take(position + half) < target) * half
        length -= half
    position += flat.take(position) < target
    entry = flat.take(np.minimum(position, flat.size - 1))
    found = (position < row_start + width) & ((entry >> bits) == (target >> bits))
    rank[inside[found]] = entry[found] & ((1 << bits) - 1)
    return rank


def _repeats(packed: np.ndarray, bits: int, *, padded: bool) -> bool:
    """Whether a row of sorted packed entries (``id << bits | column``) holds an id twice (padding, id 0, aside)."""
    if packed.shape[1] < 2:
        return False
    if not padded:  # neighbours share an id exactly when they differ only in the column bits
        return int(np.bitwise_xor(packed[:, 1:], packed[:, :-1]).min()) < 1 << bits
    ids = packed >> bits
    return bool(((ids[:, 1:] == ids[:, :-1]) & (ids[:, 1:] > 0)).any())


def _ranks_by_comparison(matrix: np.ndarray, valid: np.ndarray | None, query: np.ndarray,
                         doc: np.ndarray) -> np.ndarray:
    """:func:`_ranks_in_rows` for ids too large to pack: sort the rows for repeats, compare each id with its row."""
    width = matrix.shape[1]
    ordered = np.sort(matrix if valid is None else np.where(valid, matrix, -1 - np.arange(width)), axis=1)
    repeated = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    if repeated.any():
        row, column = np.argwhere(repeated)[0]
        raise InputError(argument="predictions", index=int(row), detail=(
            f"ranks document {int(ordered[row, column])} twice; a ranking lists each document once (trec_eval "
            "refuses duplicates too)"))
    rank = np.full(doc.size, -1, dtype=np.int64)
    block = max(1, (1 << 22) // max(width, 1))
    for start in range(0, doc.size, block):
        part = slice(start, start + block)
        equal = matrix[query[part]] == doc[part, None]
        rank[part] = np.where(equal.any(axis=1) & (doc[part] >= 0), equal.argmax(axis=1), -1)
    return rank
