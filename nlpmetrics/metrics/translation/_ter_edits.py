"""TER's edit counts, exactly sacrebleu's ``translation_edit_rate``, for many (hypothesis, reference) pairs at once.

sacrebleu (``sacrebleu/metrics/lib_ter.py``, after Tercom) repeats, per pair:

1. the beam edit distance of the current hypothesis to the reference (a
   Levenshtein matrix in which row ``i`` only fills the columns
   ``[floor(i * m / n) - beam, floor(i * m / n) + beam)``, the last row up to
   the end; ties go to match/substitution, then deletion, then insertion) and
   its trace, read as an alignment with error flags on both sides;
2. every candidate shift: a run of up to 10 hypothesis words that also
   occurs in the reference at most 50 positions away, where the hypothesis
   run holds an error, the reference run holds an error and the run is not
   aligned inside itself, moved to before each distinct aligned position of
   the reference run (or to the start);
3. the shift that lowers the distance most (then the longest, the earliest,
   the earliest target) is applied, until none lowers it, or until 1,000
   candidates have been counted over all rounds, in which case the round in
   which the count reaches 1,000 is dropped.

The edits are the final distance plus the shifts applied.  sacrebleu's
prefix cache (``_MAX_CACHE_SIZE``) only reuses matrix rows that are the same
by construction (every hypothesis of a pair has the same length, so the same
beam), so it changes no number; here a candidate likewise starts from the
current hypothesis' row where its words start to differ.

Here every step runs for all pairs of a batch at once with numpy: the
matrices row by row over pairs and the beam's columns (kept across rounds: a
shift only changes the rows after the first word it moves), the traces step
by step over pairs, the candidate shifts as index arithmetic.  A candidate
is scored only over the rows where its words differ from the current
hypothesis, held in beam coordinates; for long hypotheses it is finished
with the current hypothesis' backward matrix (the least cost from each cell
to the end) instead of running to the last row.  The number of candidates a
round counts is known before any is scored, so a round that reaches the
limit is dropped without scoring them.  Tests compare the edits with
sacrebleu's on seeded random pairs, pairs with many shifts, rounds that
reach the limit and long pairs.

Memory: a batch holds a few ``int32`` matrices of (pairs x rows x columns)
cells, at most ``_BATCH_CELLS`` unless one pair alone is larger (a pair of
n and m words takes about 12 (n+1)(m+1) bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain

import numpy as np

from nlpmetrics.metrics.translation._ngram_counts import dense_ids

#: Stands for sacrebleu's ``_INT_INFINITY`` (a cell outside the beam); sums with it are clamped back to it.
_INF = np.int32(1 << 30)
#: Cells (pairs x rows x columns) of one batch's matrices: bounds memory.
_BATCH_CELLS = 1 << 22
#: Up to this many pairs, traces are followed in Python (cheaper than numpy steps over a few pairs).
_PYTHON_TRACES = 4
#: From this many hypothesis words, candidates stop where their words stop differing and finish with the
#: backward matrix; shorter ones run to the last row (a backward matrix would cost more than it saves).
_BACKWARD_ROWS = 64


@dataclass(frozen=True)
class Limits:
    """sacrebleu's TER search limits (read from ``sacrebleu.metrics.lib_ter``, so they follow sacrebleu)."""

    beam_width: int
    max_shift_size: int
    max_shift_dist: int
    max_shift_candidates: int


@cache
def limits() -> Limits:
    """Return the limits of the installed sacrebleu."""
    from sacrebleu.metrics import lib_ter

    if (lib_ter._COST_INS, lib_ter._COST_DEL, lib_ter._COST_SUB) != (1, 1, 1):
        raise RuntimeError("sacrebleu's TER edit costs changed; nlpmetrics' TER needs updating")
    return Limits(lib_ter._BEAM_WIDTH, lib_ter._MAX_SHIFT_SIZE, lib_ter._MAX_SHIFT_DIST, lib_ter._MAX_SHIFT_CANDIDATES)


def translation_edits(hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]]) -> np.ndarray:
    """Sacrebleu's ``translation_edit_rate(hypothesis, reference)[0]`` for every pair.

    Parameters
    ----------
    hypotheses, references : sequences of word lists
        Pair ``k`` is ``(hypotheses[k], references[k])``, already tokenized.

    Returns
    -------
    ndarray of int64
        The edits (shifts plus the beam edit distance after them) of every
        pair; with an empty reference, the hypothesis length.
    """
    n_pairs = len(hypotheses)
    hyp_lengths = np.fromiter(map(len, hypotheses), dtype=np.int64, count=n_pairs)
    ref_lengths = np.fromiter(map(len, references), dtype=np.int64, count=len(references))
    ids, _ = dense_ids(chain(chain.from_iterable(hypotheses), chain.from_iterable(references)),
                       int(hyp_lengths.sum() + ref_lengths.sum()))
    ids = ids.astype(np.int32)
    hyp_ids = np.split(ids[: hyp_lengths.sum()], np.cumsum(hyp_lengths)[:-1]) if n_pairs else []
    ref_ids = np.split(ids[hyp_lengths.sum():], np.cumsum(ref_lengths)[:-1]) if n_pairs else []
    edits = np.where(ref_lengths == 0, hyp_lengths, ref_lengths)  # empty reference: n; empty hypothesis: m
    todo = np.flatnonzero((hyp_lengths > 0) & (ref_lengths > 0))
    for batch in _batches(todo, hyp_lengths, ref_lengths):
        edits[batch] = _Batch([hyp_ids[k] for k in batch], [ref_ids[k] for k in batch]).edits()
    return edits


def _batches(pairs: np.ndarray, hyp_lengths: np.ndarray, ref_lengths: np.ndarray) -> list[np.ndarray]:
    """Pairs of similar size together, each batch's padded matrices within ``_BATCH_CELLS``."""
    pairs = pairs[np.lexsort((ref_lengths[pairs], hyp_lengths[pairs]))]
    batches, start = [], 0
    while start < pairs.size:
        stop = start + 1
        rows, columns = hyp_lengths[pairs[start]] + 1, ref_lengths[pairs[start]] + 1
        while stop < pairs.size:
            rows = max(rows, hyp_lengths[pairs[stop]] + 1)
            columns = max(columns, ref_lengths[pairs[stop]] + 1)
            if (stop + 1 - start) * rows * columns > _BATCH_CELLS:
                break
            stop += 1
        batches.append(pairs[start:stop])
        start = stop
    return batches


def beam_bounds(n: np.ndarray, m: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns ``[low, high)`` that sacrebleu's ``BeamEditDistance`` fills in rows 0..rows-1 of each pair.

    ``n`` hypothesis and ``m`` reference words per pair (``n >= 1``); rows
    past ``n`` (padding of a batch) get the whole row.  Returns two arrays of
    shape ``(pairs, rows)``.
    """
    limit = limits()
    n, m = np.asarray(n, dtype=np.int64), np.asarray(m, dtype=np.int64)
    length_ratio = m / n  # the float sacrebleu computes
    beam = np.where(limit.beam_width < length_ratio / 2, np.ceil(length_ratio / 2 + limit.beam_width),
                    limit.beam_width).astype(np.int64)
    i = np.arange(rows)
    diagonal = np.floor(i[None, :] * length_ratio[:, None]).astype(np.int64)  # the float product sacrebleu floors
    low = np.maximum(0, diagonal - beam[:, None])
    high = np.minimum(m[:, None] + 1, diagonal + beam[:, None])
    high[i[None, :] == n[:, None]] = np.broadcast_to(m[:, None] + 1, high.shape)[i[None, :] == n[:, None]]
    padding = (i[None, :] > n[:, None]) | (i[None, :] == 0)  # the initial row (m insertions) and padding
    low[padding] = 0
    high[padding] = np.broadcast_to(m[:, None] + 1, high.shape)[padding]
    return low, high


def _row(window: np.ndarray, mismatch: np.ndarray, outside: np.ndarray, c0: int, c1: int) -> np.ndarray:
    """Columns ``[c0, c1)`` of the next matrix row of every sequence of a batch.

    ``window``: the previous rows' columns ``[p0, c1)`` with ``p0 = max(c0 -
    1, 0)``; ``mismatch``: the current word against reference words ``[p0,
    c1 - 1)``; ``outside``: ``_INF`` outside the beam, 0 inside (columns
    ``[c0, c1)``).  A cell is the least of the diagonal (+1 on a mismatch),
    the cell above + 1 and the cell to the left + 1 (a running minimum of
    ``cost - column``), never above ``_INF``; outside the beam it is
    ``_INF``, as in sacrebleu.  Column 0 only has the cell above.
    """
    p0 = max(c0 - 1, 0)
    row = window[:, c0 - p0:] + 1
    if c1 - 1 > p0:
        diagonal = window[:, : c1 - 1 - p0] + mismatch
        np.minimum(row[:, row.shape[1] - diagonal.shape[1]:], diagonal, out=row[:, row.shape[1] - diagonal.shape[1]:])
    np.maximum(row, outside, out=row)
    columns = np.arange(c0, c1, dtype=np.int32)
    row -= columns
    np.minimum.accumulate(row, axis=1, out=row)
    row += columns
    np.maximum(row, outside, out=row)
    np.minimum(row, _INF, out=row)
    return row


def _row_back(window: np.ndarray, mismatch: np.ndarray, outside: np.ndarray, c0: int, c1: int) -> np.ndarray:
    """Columns ``[c0, c1)`` of a row of the backward matrix (cost from a cell to the last one), from the row below.

    ``window``: the row below, columns ``[c0, c1 + 1)``; ``mismatch``: the
    word of the row below against reference words ``[c0, c1)``.  A cell is the
    least of the cell below + 1, the diagonal below-right (+1 on a mismatch)
    and the cell to the right + 1 (a running minimum from the right of
    ``cost + column``), over the same beam cells as the forward matrix.
    """
    row = window[:, :-1] + 1
    np.minimum(row, window[:, 1:] + mismatch, out=row)
    np.maximum(row, outside, out=row)
    columns = np.arange(c0, c1, dtype=np.int32)
    row += columns
    row[:, ::-1] = np.minimum.accumulate(row[:, ::-1], axis=1)
    row -= columns
    np.maximum(row, outside, out=row)
    np.minimum(row, _INF, out=row)
    return row


class _Batch:
    """Pairs of similar size, padded into arrays, run through sacrebleu's shift search together."""

    def __init__(self, hypotheses: list[np.ndarray], references: list[np.ndarray]) -> None:
        self.limits = limits()
        self.n = np.fromiter(map(len, hypotheses), dtype=np.int64, count=len(hypotheses))
        self.m = np.fromiter(map(len, references), dtype=np.int64, count=len(references))
        size, rows, columns = len(hypotheses), int(self.n.max()), int(self.m.max())
        self.words = np.full((size, rows), -1, dtype=np.int32)
        self.refs = np.full((size, columns), -2, dtype=np.int32)
        for k, (hypothesis, reference) in enumerate(zip(hypotheses, references, strict=True)):
            self.words[k, : hypothesis.size] = hypothesis
            self.refs[k, : reference.size] = reference
        self.low, self.high = low, high = beam_bounds(self.n, self.m, rows + 1)
        cells = np.arange(columns + 1)
        inside = (cells >= low[:, :, None]) & (cells < high[:, :, None])
        self.outside = np.where(inside, np.int32(0), _INF).astype(np.int32)
        # The matrices of the current hypotheses, kept across rounds: a shift only changes the rows after the
        # first word it moves (forward) and before the last one (backward).
        self.matrix = np.full((size, rows + 1, columns + 1), _INF, dtype=np.int32)
        self.matrix[:, 0] = np.arange(columns + 1, dtype=np.int32)
        self.forward_valid = np.zeros(size, dtype=np.int64)  # rows 0..forward_valid are up to date
        self.use_backward = rows >= _BACKWARD_ROWS
        if self.use_backward:
            self.back = np.full((size, rows + 1, columns + 2), _INF, dtype=np.int32)  # a column past the end
            self.backward_valid = np.full(size, rows + 1, dtype=np.int64)  # rows backward_valid.. are up to date

    # ------------------------------------------------------------------ the search
    def edits(self) -> np.ndarray:
        """Sacrebleu's edits of every pair of the batch."""
        size = self.n.size
        shifts = np.zeros(size, dtype=np.int64)
        checked = np.zeros(size, dtype=np.int64)
        edits = np.zeros(size, dtype=np.int64)
        active = np.arange(size)
        while active.size:
            distance, matrix = self._matrices(active)
            hyp_err, ref_err, align = self._alignments(active, matrix)
            candidates = self._candidates(active, hyp_err, ref_err, align)
            checked[active] += np.bincount(candidates.pair, minlength=active.size) if candidates.size else 0
            # Counting reaches the limit somewhere in this round: sacrebleu drops the round.
            stop = checked[active] >= self.limits.max_shift_candidates
            best_gain = np.zeros(active.size, dtype=np.int64)
            best = np.full(active.size, -1, dtype=np.int64)
            scored = candidates.keep(~stop[candidates.pair]) if candidates.size else candidates
            if scored.size:
                gain = distance[scored.pair] - self._distances(active, matrix, distance, scored)
                # Highest gain, then longest run, earliest start, earliest target: sacrebleu's tuple order.
                order = np.lexsort((scored.target, scored.start, -scored.length, -gain, scored.pair))
                first = order[np.flatnonzero(np.diff(scored.pair[order], prepend=-1))]
                best[scored.pair[first]] = first
                best_gain[scored.pair[first]] = gain[first]
            shift = ~stop & (best_gain > 0)
            done = ~shift
            edits[active[done]] = distance[done] + shifts[active[done]]
            moving = np.flatnonzero(shift)
            if moving.size:
                chosen = best[moving]
                permutation = _shifted_positions(scored, chosen, self.words.shape[1])
                pairs = active[moving]
                before = self.words[pairs]
                self.words[pairs] = np.take_along_axis(before, permutation, axis=1)
                shifts[pairs] += 1
                differ = self.words[pairs] != before  # every chosen shift changes some word (its gain is > 0)
                self.forward_valid[pairs] = np.minimum(self.forward_valid[pairs], np.argmax(differ, axis=1))
                if self.use_backward:
                    last = differ.shape[1] - np.argmax(differ[:, ::-1], axis=1)
                    self.backward_valid[pairs] = np.maximum(self.backward_valid[pairs], last)
            active = active[shift]
        return edits

    # ------------------------------------------------------------------ beam edit distance and trace
    def _matrices(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the beam edit distance of each active pair's current hypothesis, and its whole matrix."""
        words, refs, outside = self.words[active], self.refs[active], self.outside[active]
        size, rows = words.shape
        every = active.size == self.n.size  # then work in place (active is every pair, in order)
        matrix = self.matrix if every else self.matrix[active]
        low, high = self.low[active].min(axis=0), self.high[active].max(axis=0)
        for i in range(int(self.forward_valid[active].min()) + 1, rows + 1):
            c0, c1 = int(low[i]), int(high[i])
            p0 = max(c0 - 1, 0)
            mismatch = words[:, i - 1, None] != refs[:, p0:c1 - 1]
            matrix[:, i, c0:c1] = _row(matrix[:, i - 1, p0:c1], mismatch, outside[:, i, c0:c1], c0, c1)
        if not every:
            self.matrix[active] = matrix
        self.forward_valid[active] = rows
        distance = matrix[np.arange(size), self.n[active], self.m[active]].astype(np.int64)
        return distance, matrix

    def _backward(self, active: np.ndarray, down_to: int) -> np.ndarray:
        """For each cell of rows ``down_to``.. of each active pair's matrix, the least cost from it to the last cell.

        Over the same beam cells as the forward matrix.
        """
        words, outside = self.words[active], self.outside[active]
        refs = np.pad(self.refs[active], ((0, 0), (0, 1)), constant_values=-2)  # a column past the end
        _, rows = words.shape
        columns = refs.shape[1]
        n, m = self.n[active], self.m[active]
        every = active.size == self.n.size  # then work in place (active is every pair, in order)
        back = self.back if every else self.back[active]
        low, high = self.low[active].min(axis=0), self.high[active].max(axis=0)
        cells = np.arange(columns, dtype=np.int32)
        ends = np.argsort(n, kind="stable")
        ends_at = np.searchsorted(n[ends], np.arange(rows + 2))
        top = min(int(self.backward_valid[active].max()) - 1, rows)
        for i in range(top, down_to - 1, -1):
            c0, c1 = int(low[i]), int(high[i])
            if i < rows:
                mismatch = words[:, i, None] != refs[:, c0:c1]
                back[:, i, c0:c1] = _row_back(back[:, i + 1, c0:c1 + 1], mismatch, outside[:, i, c0:c1], c0, c1)
            last = ends[ends_at[i]:ends_at[i + 1]]  # pairs whose last row is i: insertions to the end
            if last.size:
                back[last, i, :columns] = np.maximum(m[last, None] - cells, outside[last, i])
        if not every:
            self.back[active] = back
        self.backward_valid[active] = np.minimum(self.backward_valid[active], down_to)
        return back

    def _alignments(self, active: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sacrebleu's ``trace_to_alignment`` of each pair's trace, followed back from the last cell.

        Returns the hypothesis and reference error flags and, for every
        reference word, the hypothesis position aligned to it (the last
        hypothesis word before it when it is an insertion; -1 for none).  At
        each cell the trace takes the diagonal if it gives the cell's cost,
        else the cell above, else the one to the left (sacrebleu's order).
        """
        words, refs = self.words[active], self.refs[active]
        size, rows = words.shape
        hyp_err = np.ones((size, rows), dtype=np.int8)
        ref_err = np.ones(refs.shape, dtype=np.int8)
        align = np.full(refs.shape, -1, dtype=np.int64)
        if size <= _PYTHON_TRACES:
            for k in range(size):
                _trace_one(matrix[k], words[k].tolist(), refs[k].tolist(), int(self.n[active[k]]),
                           int(self.m[active[k]]), hyp_err[k], ref_err[k], align[k])
            return hyp_err, ref_err, align
        i, j = self.n[active].copy(), self.m[active].copy()
        walking = np.arange(size)
        while walking.size:
            ia, ja = i[walking], j[walking]
            im, jm = np.maximum(ia - 1, 0), np.maximum(ja - 1, 0)
            value = matrix[walking, ia, ja]
            mismatch = (words[walking, im] != refs[walking, jm]).astype(np.int32)
            diagonal = (ia > 0) & (ja > 0) & (matrix[walking, im, jm] + mismatch == value)
            deletion = ~diagonal & (ia > 0) & ((ja == 0) | (matrix[walking, im, ja] + 1 == value))
            reference_step = ~deletion  # a match/substitution or an insertion consumes a reference word
            matched = diagonal & (mismatch == 0)
            hyp_err[walking[matched], im[matched]] = 0
            ref_err[walking[matched], jm[matched]] = 0
            align[walking[reference_step], jm[reference_step]] = im[reference_step] - (ia[reference_step] == 0)
            i[walking] = ia - (diagonal | deletion)
            j[walking] = ja - reference_step
            walking = walking[(i[walking] > 0) | (j[walking] > 0)]
        return hyp_err, ref_err, align

    # ------------------------------------------------------------------ candidate shifts
    def _candidates(self, active: np.ndarray, hyp_err: np.ndarray, ref_err: np.ndarray,
                    align: np.ndarray) -> _Candidates:
        """Every shift sacrebleu's ``_shift`` tries in a round (``pair`` indexes ``active``)."""
        limit = self.limits
        words, refs = self.words[active], self.refs[active]
        n = self.n[active]
        rows, columns = words.shape[1], refs.shape[1]
        # equal[p, h, d]: hypothesis word h equals reference word h + d - reach (|d - reach| <= max_shift_dist);
        # rows past the end (for runs) and columns outside the reference are False.
        reach = min(limit.max_shift_dist, max(rows, columns) - 1)
        padded = np.pad(refs, ((0, 0), (reach, reach + rows)), constant_values=-2)
        diagonals = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1, axis=1)[:, :rows]
        equal = np.zeros((words.shape[0], rows + limit.max_shift_size, 2 * reach + 1), dtype=bool)
        np.equal(words[:, :, None], diagonals, out=equal[:, :rows])
        pair, start, diagonal = np.nonzero(equal)
        ref_start = start + diagonal - reach
        # Matching run lengths from each start, up to max_shift_size (runs stop at either end).
        run = np.ones(pair.size, dtype=np.int64)
        going = np.arange(pair.size)
        for step in range(1, limit.max_shift_size):
            going = going[equal[pair[going], start[going] + step, diagonal[going]]]
            run[going] += 1
        # One (start, ref_start, length) triple per length 1..run.
        triple = np.repeat(np.arange(pair.size), run)
        length = np.arange(triple.size) - np.repeat(np.cumsum(run) - run, run) + 1
        pair, start, ref_start = pair[triple], start[triple], ref_start[triple]
        hyp_errors = np.concatenate((np.zeros((words.shape[0], 1), np.int64), np.cumsum(hyp_err, axis=1)), axis=1)
        ref_errors = np.concatenate((np.zeros((refs.shape[0], 1), np.int64), np.cumsum(ref_err, axis=1)), axis=1)
        aligned = align[pair, ref_start]
        keep = ((hyp_errors[pair, start + length] > hyp_errors[pair, start])
                & (ref_errors[pair, ref_start + length] > ref_errors[pair, ref_start])
                & ~((start <= aligned) & (aligned < start + length)))
        pair, start, ref_start, length = pair[keep], start[keep], ref_start[keep], length[keep]
        # Targets: before the word aligned to each reference word of the run, and before the one aligned to the
        # word preceding the run (0 for none); sacrebleu skips a target equal to the previous one (align rises).
        previous = np.concatenate((np.full((align.shape[0], 1), -1), align), axis=1)  # previous[:, j + 1] = align[j]
        offsets = length + 1
        triple = np.repeat(np.arange(pair.size), offsets)
        offset = np.arange(triple.size) - np.repeat(np.cumsum(offsets) - offsets, offsets) - 1
        pair, start, ref_start, length = pair[triple], start[triple], ref_start[triple], length[triple]
        target = previous[pair, ref_start + offset + 1] + 1
        new = (offset == -1) | (previous[pair, ref_start + offset + 1] != previous[pair, ref_start + offset])
        pair = pair[new]
        return _Candidates(pair, start[new], length[new], target[new], n[pair])

    def _distances(self, active: np.ndarray, matrix: np.ndarray, distance: np.ndarray,
                   candidates: _Candidates) -> np.ndarray:
        """Return the beam edit distance of each candidate's shifted hypothesis.

        A candidate's words differ from the current hypothesis' only in
        positions ``[first, last)``: its matrix starts from row ``first`` of
        the pair's matrix, runs to row ``last``, and ends with the backward
        matrix of the current hypothesis there (the least cost through any
        cell of that row).  All candidates step through their own rows at
        once, each row held in beam coordinates (its columns from the row's
        first beam column), the longest spans first.
        """
        pairs = active[candidates.pair]
        current = self.words[pairs]
        shifted = np.take_along_axis(current, _shifted_positions(candidates, np.arange(candidates.size),
                                                                 current.shape[1]), axis=1)
        differ = shifted != current
        out = distance[candidates.pair].copy()  # a shift that changes no word keeps the distance
        which = np.flatnonzero(differ.any(axis=1))
        if not which.size:
            return out
        rows = current.shape[1]
        first = np.argmax(differ[which], axis=1)
        # without the backward pass (short hypotheses): run to the last row, whose cost to the end is m - column
        last = rows - np.argmax(differ[which, ::-1], axis=1) if self.use_backward else self.n[pairs[which]]
        order = np.argsort(first - last, kind="stable")  # longest span first: the live ones are a prefix
        which, first, last = which[order], first[order], last[order]
        span = last - first
        local = candidates.pair[which]  # index into active
        batch_pair = pairs[which]
        back = self._backward(active, int(last.min())) if self.use_backward else None
        base = self.low[batch_pair].copy()  # row r is held from column base[:, r]
        base[:, 0] = np.maximum(base[:, 1] - 1, 0) if rows else 0
        high = self.high[batch_pair]
        width = int((high[:, 1:] - base[:, 1:]).max()) + 1
        steps = np.diff(base, axis=1)  # how far each row's first column moves right
        pad = int(steps.max(initial=0)) + 2
        columns = np.arange(width, dtype=np.int32)
        n_columns = matrix.shape[2]
        refs = np.pad(self.refs[batch_pair], ((0, 0), (1, width + pad)), constant_values=-2)
        words = shifted[which]
        every = np.arange(which.size)

        def absolute(source: np.ndarray, row: np.ndarray, live: np.ndarray) -> np.ndarray:
            cells = base[live, row][:, None] + columns
            values = source[local[live, None], row[:, None], np.minimum(cells, n_columns - 1)]
            return np.where(cells < n_columns, values, _INF).astype(np.int32)

        state = absolute(matrix, first, every)
        buffer = np.full((which.size, width + pad + 1), _INF, dtype=np.int32)
        lines = every[:, None]
        for step in range(1, int(span[0]) + 1):
            k = int(np.searchsorted(-span, -step, side="right"))  # spans of at least `step` rows: a prefix
            row = first[:k] + step
            up = columns + steps[every[:k], row - 1][:, None]  # the cell above, in the previous row's window
            buffer[:k, 1:width + 1] = state[:k]
            cells = base[every[:k], row][:, None] + columns  # the reference column of each cell
            mismatch = words[every[:k], row - 1][:, None] != refs[lines[:k], cells]
            cost = buffer[lines[:k], up + 1] + 1
            np.minimum(cost, buffer[lines[:k], up] + mismatch, out=cost)
            outside = np.where(cells < high[every[:k], row][:, None], 0, _INF)
            np.maximum(cost, outside, out=cost)
            cost -= columns
            np.minimum.accumulate(cost, axis=1, out=cost)
            cost += columns
            np.maximum(cost, outside, out=cost)
            np.minimum(cost, _INF, out=cost)
            state[:k] = cost
            ending = every[:k][span[:k] == step]
            if ending.size:
                if back is None:
                    cells = base[ending, last[ending]][:, None] + columns
                    tail = np.where(cells <= self.m[batch_pair[ending], None], self.m[batch_pair[ending], None] - cells,
                                    _INF)
                else:
                    tail = absolute(back, last[ending], ending)
                out[which[ending]] = (state[ending].astype(np.int64) + tail).min(axis=1)
        return out


@dataclass
class _Candidates:
    """Candidate shifts: move ``length`` words from ``start`` to before ``target`` (sacrebleu's ``_perform_shift``)."""

    pair: np.ndarray
    start: np.ndarray
    length: np.ndarray
    target: np.ndarray
    #: The hypothesis length of the candidate's pair.
    words: np.ndarray

    @property
    def size(self) -> int:
        return self.pair.size

    def keep(self, mask: np.ndarray) -> _Candidates:
        return _Candidates(self.pair[mask], self.start[mask], self.length[mask], self.target[mask], self.words[mask])


def _shifted_positions(candidates: _Candidates, which: np.ndarray, width: int) -> np.ndarray:
    """For each chosen candidate, the old position of the word at each new position (``_perform_shift``).

    Before the start: ``words[:target] + run + words[target:start] +
    words[start + length:]``; after it (``target > start + length``):
    ``words[:start] + words[start + length:target] + run + words[target:]``;
    otherwise ``words[:start] + words[start + length:length + target] + run
    + words[length + target:]`` (sacrebleu's third case, kept as it is).
    """
    start = candidates.start[which][:, None]
    length = candidates.length[which][:, None]
    target = candidates.target[which][:, None]
    q = np.arange(width)[None, :]
    before = target < start
    # Shifts to the right: the words between the run and the target move left, the run follows them.
    end = np.where(target > start + length, target, target + length)
    between = np.maximum(np.minimum(end, candidates.words[which][:, None]) - (start + length), 0)
    right = np.where((q >= start) & (q < start + between), q + length,
                     np.where((q >= start + between) & (q < start + between + length), q - between, q))
    left = np.where((q >= target) & (q < target + length), start + q - target,
                    np.where((q >= target + length) & (q < start + length), q - length, q))
    return np.where(before, left, right)



def _trace_one(matrix: np.ndarray, words: list[int], refs: list[int], n: int, m: int,
               hyp_err: np.ndarray, ref_err: np.ndarray, align: np.ndarray) -> None:
    """:meth:`_Batch._alignments` for one pair, in Python (fills the three arrays)."""
    i, j = n, m
    value = matrix.item(i, j)
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            mismatch = words[i - 1] != refs[j - 1]
            diagonal_value = matrix.item(i - 1, j - 1)
            if diagonal_value + mismatch == value:
                if not mismatch:
                    hyp_err[i - 1] = 0
                    ref_err[j - 1] = 0
                align[j - 1] = i - 1
                i, j, value = i - 1, j - 1, diagonal_value
                continue
            above = matrix.item(i - 1, j)
            if above + 1 == value:
                i, value = i - 1, above
                continue
            align[j - 1] = i - 1
            j -= 1
            value = matrix.item(i, j)
        elif i > 0:
            i -= 1
            value = matrix.item(i, j)
        else:
            align[j - 1] = -1
            j -= 1
