"""Bootstrap intervals and paired significance tests, for every metric alike.

Everything here works on statistics rows and a metric's ``aggregate``; no
metric has code of its own.  Identical rows are grouped first and resampled as
weighted groups, which is exact (resampling ``n`` rows with replacement and
counting them per group *is* a multinomial draw over the groups) and makes a
classification bootstrap over 10^5 examples cost as much as one over its few
distinct (prediction, reference) pairs.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from nlpmetrics.base import Metric
from nlpmetrics.errors import InputError
from nlpmetrics.rows import Rows, as_rows, concat_rows, group_identical_rows, n_rows, take_rows

#: Up to this many distinct rows, resample counts come from one vectorised multinomial draw.
_MULTINOMIAL_MAX_GROUPS = 2048
_CHUNK_CELLS = 2_000_000
#: More resamples than this are refused (they would run for hours and change nothing a reader sees).
MAX_RESAMPLES = 10_000_000

Aggregate = Callable[[Rows, np.ndarray | None], Mapping[str, float]]
#: A metric, or a bare ``aggregate(rows, weights)`` function.
Scorer = Metric | Aggregate


def check_resampling(confidence: float | None, n_resamples: int, seed: int = 0) -> None:
    """Validate the resampling arguments (an InputError naming the bad one)."""
    if confidence is not None and (
        isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) or not 0.0 < confidence < 1.0
    ):
        raise InputError(f"confidence={confidence!r} must lie strictly between 0 and 1 (e.g. 0.95)",
                         argument="confidence")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) or n_resamples < 1:
        raise InputError(f"n_resamples={n_resamples!r} must be a positive integer (e.g. 1000)", argument="n_resamples")
    if n_resamples > MAX_RESAMPLES:
        raise InputError(f"n_resamples={n_resamples:,} is more than {MAX_RESAMPLES:,}; 1,000 to 10,000 resamples "
                         "already give an interval whose ends move by well under a tenth of its width",
                         argument="n_resamples")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InputError(f"seed={seed!r} must be a whole number >= 0 (e.g. 0)", argument="seed")


def resample_weights(counts: np.ndarray, n_resamples: int, rng: np.random.Generator,
                     inverse: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """Yield blocks of bootstrap weights, shape (block, n_groups).

    Row ``i`` of a block is how many times each group is drawn when ``n``
    examples are drawn with replacement.  ``counts`` are the group sizes and
    ``inverse`` the group of every example: few groups (or no ``inverse``)
    are drawn as one multinomial, many (mostly distinct rows) by drawing
    example indices.
    """
    n = int(counts.sum())
    n_groups = len(counts)
    done = 0
    if n_groups <= _MULTINOMIAL_MAX_GROUPS or inverse is None:
        block = max(1, min(n_resamples, _CHUNK_CELLS // max(n_groups, 1)))  # a block is (block, n_groups)
        pvals = counts / n
        while done < n_resamples:
            size = min(block, n_resamples - done)
            yield rng.multinomial(n, pvals, size=size).astype(np.float64)
            done += size
        return
    # A block draws a (block, n) matrix of example indices (n >= n_groups), so the cells drawn bound it.
    # Smaller blocks draw the same indices in the same order: seeded weights do not depend on the block.
    block = max(1, min(n_resamples, _CHUNK_CELLS // max(n, 1)))
    while done < n_resamples:
        size = min(block, n_resamples - done)
        drawn = inverse[rng.integers(0, n, size=(size, n))]
        offsets = (np.arange(size) * n_groups)[:, None]
        yield np.bincount((drawn + offsets).ravel(), minlength=size * n_groups).reshape(size, n_groups).astype(
            np.float64
        )
        done += size


def _score_each(scorer: Scorer, rows: Rows, weights_blocks: Iterable[np.ndarray]) -> dict[str, np.ndarray]:
    """Return the scores of ``rows`` under every weight vector of every block, one array per score key.

    A ``"sum"`` metric scores a whole block at once: its ``reduce`` takes
    the weight matrix (one matrix product) and its ``score`` the batched
    summary.  Any other metric, or a bare ``aggregate(rows, weights)``
    function, is called once per weight vector.
    """
    collected: dict[str, list[np.ndarray]] = {}
    vectorised = isinstance(scorer, Metric) and scorer.reduction == "sum"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a resample may be constant; its NaN is handled below
        with np.errstate(all="ignore"):
            for block in weights_blocks:
                if vectorised:
                    assert isinstance(scorer, Metric)
                    for key, values in scorer.score(scorer.reduce(rows, block)).items():
                        collected.setdefault(key, []).append(np.asarray(values, dtype=np.float64).reshape(-1))
                    continue
                aggregate = scorer.aggregate if isinstance(scorer, Metric) else scorer
                for weights in block:
                    for key, value in aggregate(rows, weights).items():
                        collected.setdefault(key, []).append(np.array([value], dtype=np.float64))
    return {key: np.concatenate(values) for key, values in collected.items()}


def percentile_interval(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile interval of bootstrap samples, ignoring resamples whose score is undefined."""
    finite = samples[~np.isnan(samples)]
    if finite.size == 0:
        return (math.nan, math.nan)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return (float(low), float(high))


def _groups(rows: Rows, counts: np.ndarray | None) -> tuple[Rows, np.ndarray, np.ndarray | None]:
    """Distinct rows, their sizes, and every example's group (``None`` when ``rows`` already are groups)."""
    if counts is not None:
        return rows, np.asarray(counts, dtype=np.float64), None
    first, inverse, sizes = group_identical_rows(rows)
    return take_rows(rows, first), sizes, inverse


def bootstrap_interval(
    scorer: Scorer, rows: Mapping[str, np.ndarray], *, counts: np.ndarray | None = None, confidence: float = 0.95,
    n_resamples: int = 1000, seed: int = 0,
) -> dict[str, tuple[float, float]]:
    """Seeded percentile-bootstrap interval of every score, resampling examples.

    Parameters
    ----------
    scorer : Metric or callable
        A metric (a ``"sum"`` metric is scored a block of resamples at a
        time), or an ``aggregate(rows, weights)`` function.
    rows : dict of arrays
        The metric's statistics rows.
    counts : ndarray, optional
        How many examples each row stands for (a metric that keeps distinct
        rows with counts); by default each row is one example.
    confidence : float
        Coverage of the interval.
    n_resamples : int
        Number of bootstrap resamples.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    dict
        Score key -> ``(low, high)``.
    """
    check_resampling(confidence, n_resamples, seed)
    groups, sizes, inverse = _groups(as_rows(rows), counts)
    rng = np.random.default_rng(seed)
    samples = _score_each(scorer, groups, resample_weights(sizes, n_resamples, rng, inverse))
    return {key: percentile_interval(values, confidence) for key, values in samples.items()}


def bootstrap_description(confidence: float, n_resamples: int, seed: int) -> str:
    """How an interval was computed, as the signature records it."""
    return f"percentile-bootstrap,confidence={confidence},resamples={n_resamples},seed={seed}"


def bootstrap_signature(confidence: float, n_resamples: int, seed: int) -> str:
    """Return the resampling part of a result's signature, as displayed (``ci:percentile-bootstrap,...``)."""
    return f"ci:{bootstrap_description(confidence, n_resamples, seed)}"


@dataclass(frozen=True)
class PairedTest:
    """Difference between two systems on the same examples (B minus A).

    Attributes
    ----------
    key : str
        The score compared.
    a, b, difference : float
        Scores of system A and B and ``b - a``.
    interval : tuple of float
        Paired-bootstrap percentile interval of the difference.
    p_value : float
        Two-sided p-value of the paired approximate-randomization test.
    p_value_bootstrap : float
        Two-sided p-value of the paired bootstrap (shifted to the null).
    confidence, n_resamples, seed
        How it was computed; see :attr:`signature`.
    standard_error : float
        Standard deviation of the paired-bootstrap differences: the standard
        error of ``difference`` on this many examples (what
        :mod:`nlpmetrics.power` turns into a detectable difference).
    """

    key: str
    a: float
    b: float
    difference: float
    interval: tuple[float, float]
    p_value: float
    p_value_bootstrap: float
    confidence: float
    n_resamples: int
    seed: int
    standard_error: float = math.nan

    @property
    def description(self) -> str:
        """How the test was computed, as a signature records it."""
        return (
            f"bootstrap+approximate-randomization,confidence={self.confidence},"
            f"resamples={self.n_resamples},seed={self.seed}"
        )

    @property
    def signature(self) -> str:
        """The method as displayed in a signature (``paired:bootstrap+approximate-randomization,...``)."""
        return f"paired:{self.description}"


def _check_paired(rows_a: Rows, rows_b: Rows) -> None:
    n_a, n_b = n_rows(rows_a), n_rows(rows_b)
    if n_a != n_b:
        raise InputError(
            f"a paired comparison needs the same examples for both systems; system A has {n_a} and system B has {n_b}"
        )
    if n_a == 0:
        raise InputError("a paired comparison needs at least one example")


def paired_test(
    scorer: Scorer,
    rows_a: Mapping[str, np.ndarray],
    rows_b: Mapping[str, np.ndarray],
    *,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, PairedTest]:
    """Paired bootstrap interval and approximate-randomization p-value of ``B - A``, per score.

    Both systems are resampled on the *same* examples (bootstrap), and the
    randomization test swaps each example's A and B rows with probability 1/2.
    Ties in the randomization count against significance: ``p = (k + 1) / (R + 1)``.
    """
    check_resampling(confidence, n_resamples, seed)
    rows_a, rows_b = as_rows(rows_a), as_rows(rows_b)
    _check_paired(rows_a, rows_b)
    joint = {**{f"a\x00{k}": v for k, v in rows_a.items()}, **{f"b\x00{k}": v for k, v in rows_b.items()}}
    first, inverse, counts = group_identical_rows(joint)
    group_a, group_b = take_rows(rows_a, first), take_rows(rows_b, first)
    aggregate = scorer.aggregate if isinstance(scorer, Metric) else scorer
    observed_a, observed_b = aggregate(rows_a, None), aggregate(rows_b, None)

    # One block of weights at a time: every bootstrap draw is made (and scored) before the first swap is
    # drawn, and a block of swaps is drawn in the order one (n_resamples, n_groups) draw would make them,
    # so the random stream, and every result, does not depend on the block size.
    rng = np.random.default_rng(seed)
    boot_a, boot_b = _score_pairs(scorer, ((group_a, weights, group_b, weights)
                                           for weights in resample_weights(counts, n_resamples, rng, inverse)))
    both = concat_rows([group_a, group_b])
    perm_a, perm_b = _score_pairs(scorer, ((both, np.concatenate([kept, swapped], axis=1),
                                            both, np.concatenate([swapped, kept], axis=1))
                                           for kept, swapped in _swaps(counts, n_resamples, rng)))

    tests: dict[str, PairedTest] = {}
    for key in observed_a:
        a, b = float(observed_a[key]), float(observed_b[key])
        difference = b - a
        boot_diff = boot_b[key] - boot_a[key]
        perm_diff = perm_b[key] - perm_a[key]
        tests[key] = PairedTest(
            key=key,
            a=a,
            b=b,
            difference=difference,
            interval=percentile_interval(boot_diff, confidence),
            p_value=_p_value(perm_diff, difference),
            p_value_bootstrap=_p_value(_centred(boot_diff), difference),
            confidence=confidence,
            n_resamples=n_resamples,
            seed=seed,
            standard_error=_spread(boot_diff),
        )
    return tests


def _swaps(counts: np.ndarray, n_resamples: int, rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield blocks of (kept, swapped) counts per group, each example swapped with probability 1/2."""
    n_groups = len(counts)
    step = max(1, _CHUNK_CELLS // max(2 * n_groups, 1))  # a block scores (step, 2 * n_groups) weights
    whole = counts.astype(np.int64)
    done = 0
    while done < n_resamples:
        size = min(step, n_resamples - done)
        swapped = rng.binomial(whole, 0.5, size=(size, n_groups)).astype(np.float64)
        yield counts[None, :] - swapped, swapped
        done += size


def _score_pairs(scorer: Scorer, blocks: Iterable[tuple[Rows, np.ndarray, Rows, np.ndarray]],
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Score ``(rows_a, weights_a, rows_b, weights_b)`` blocks as they come, keeping only the scores."""
    scored_a: list[dict[str, np.ndarray]] = []
    scored_b: list[dict[str, np.ndarray]] = []
    for rows_a, weights_a, rows_b, weights_b in blocks:
        scored_a.append(_score_each(scorer, rows_a, (weights_a,)))
        scored_b.append(_score_each(scorer, rows_b, (weights_b,)))
    return _joined(scored_a), _joined(scored_b)


def _joined(scored: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {key: np.concatenate([part[key] for part in scored]) for key in scored[0]} if scored else {}


def _spread(samples: np.ndarray) -> float:
    """Sample standard deviation of the finite bootstrap values (NaN when fewer than two)."""
    finite = samples[~np.isnan(samples)]
    return float(np.std(finite, ddof=1)) if finite.size > 1 else math.nan


def _centred(samples: np.ndarray) -> np.ndarray:
    """Bootstrap differences shifted to mean 0 (the null); all-NaN stays all-NaN, without a warning."""
    finite = samples[~np.isnan(samples)]
    return samples - finite.mean() if finite.size else samples


def _p_value(null_differences: np.ndarray, observed: float) -> float:
    if math.isnan(observed):
        return math.nan
    finite = null_differences[~np.isnan(null_differences)]
    tolerance = 1e-12 * max(1.0, abs(observed))
    extreme = int(np.count_nonzero(np.abs(finite) >= abs(observed) - tolerance))
    return (extreme + 1) / (finite.size + 1)
