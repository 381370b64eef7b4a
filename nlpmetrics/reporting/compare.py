"""Paired comparison of two systems on the same examples, for every metric alike.

Both systems are scored with the same configured metric; their statistics rows
go to :func:`nlpmetrics.resampling.paired_test` (paired bootstrap interval of
the difference and paired approximate-randomization p-value).  The verdicts of
all scores compared together are corrected with Holm's method and say what the
test set could detect (:mod:`nlpmetrics.reporting.verdicts`).  Nothing here
knows about any particular metric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nlpmetrics.errors import InputError
from nlpmetrics.resampling import PairedTest, check_resampling, paired_test

if TYPE_CHECKING:
    import numpy as np

    from nlpmetrics.reporting.model import Table
    from nlpmetrics.signature import Signature


@dataclass(frozen=True)
class MetricComparison:
    """The paired tests of one metric (one :class:`PairedTest` per score key).

    Attributes
    ----------
    metric : str
        Registry name.
    tests : dict of str to PairedTest
        Score key -> test of ``B - A``.
    higher_is_better : bool
        Direction of improvement of the metric.
    low_bound : float
        Lower bound of the score (negative for correlations, which are not shown in points).
    signature : Signature
        The metric's signature plus the paired-test method.
    n : int
        Number of paired examples.
    options : mapping
        The metric's options (score names may depend on them: ``macro-F1``).
    """

    metric: str
    tests: Mapping[str, PairedTest]
    higher_is_better: bool
    low_bound: float
    signature: Signature
    n: int
    #: What tells this metric apart from another of the same name in one comparison (``"macro"``), else empty.
    variant: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comparison:
    """B against A on the same examples, metric by metric.

    Use :meth:`to_text` / :meth:`to_markdown` for sentences a client can read
    and :meth:`to_dict` for JSON.
    """

    names: tuple[str, str]
    metrics: tuple[MetricComparison, ...]

    def __getitem__(self, metric: str) -> MetricComparison:
        """Return the comparison of ``metric`` (its name, or its name with its variant)."""
        for comparison in self.metrics:
            if metric in (comparison.metric, variant_label(comparison.metric, comparison.variant)):
                return comparison
        raise KeyError(f"no comparison for {metric!r}; compared: {', '.join(c.metric for c in self.metrics)}")

    def verdicts(self) -> list:
        """Every compared score's verdict, Holm-corrected together (:class:`~nlpmetrics.reporting.verdicts.Verdict`)."""
        from nlpmetrics.reporting.verdicts import judge

        level = next((1.0 - t.confidence for c in self.metrics for t in c.tests.values()), 0.05)
        return judge(((self.names[0], self.names[1], c) for c in self.metrics), alpha=level)

    def sentences(self, lang: str = "en") -> list[str]:
        """Return one plain sentence per score, then what the test set could detect.

        A score equal to another by construction is left out; what the test set could detect is said where a
        difference was not found.
        """
        from nlpmetrics.reporting.text import power_sentences, verdict_sentence

        lines = []
        for verdict in self.verdicts():
            if verdict.duplicate_of:
                continue
            lines.append(verdict_sentence(verdict, lang))
            if not verdict.significant:
                lines += power_sentences(verdict, lang)
        return lines

    def table(self, lang: str = "en") -> Table:
        """Both systems' scores, the difference, its interval, the p-values and the verdict, one row per score."""
        from nlpmetrics.reporting.build import comparison_table

        return comparison_table(self.verdicts(), lang, title="")

    def to_text(self, lang: str = "en") -> str:
        """Return the comparison as an aligned table (both scores and the difference), the sentences, the method."""
        from nlpmetrics.reporting.text import phrase

        table = self.table(lang)
        lines = [*_aligned(table.columns, table.rows), "", *self.sentences(lang)]
        if self.metrics:
            lines += ["", phrase("method_note", lang, n=self.metrics[0].n, resamples=_resamples(self.metrics[0]),
                                 comparisons=_family(self.verdicts(), lang))]
        return "\n".join(lines)

    def to_markdown(self, lang: str = "en") -> str:
        """Return a Markdown table (both scores, difference, interval, p-values, verdict) followed by the sentences."""
        from nlpmetrics.reporting.markdown import comparison_markdown

        return comparison_markdown(self, lang)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        from nlpmetrics.result import to_jsonable

        judged = {(v.metric, v.variant, v.key): v for v in self.verdicts()}
        return to_jsonable({
            "names": list(self.names),
            "metrics": {
                variant_label(c.metric, c.variant): {
                    "metric": c.metric,
                    "n": c.n,
                    "signature": str(c.signature),
                    "higher_is_better": c.higher_is_better,
                    "tests": {
                        key: {
                            "a": t.a, "b": t.b, "difference": t.difference, "interval": list(t.interval),
                            "p_value": t.p_value, "p_value_bootstrap": t.p_value_bootstrap,
                            "p_value_holm": judged[(c.metric, c.variant, key)].p_adjusted,
                            "significant": judged[(c.metric, c.variant, key)].significant,
                            "same_as": judged[(c.metric, c.variant, key)].duplicate_of or None,
                            "standard_error": t.standard_error,
                            "detectable_difference": judged[(c.metric, c.variant, key)].sensitivity.detectable,
                            "examples_needed": judged[(c.metric, c.variant, key)].sensitivity.needed,
                            "confidence": t.confidence, "signature": t.signature,
                        }
                        for key, t in c.tests.items()
                    },
                }
                for c in self.metrics
            },
            "comparisons": max((v.comparisons for v in judged.values()), default=0),
            "correction": "holm",
        })


def _resamples(comparison: MetricComparison) -> int:
    return next(iter(comparison.tests.values())).n_resamples if comparison.tests else 0


def _family(verdicts: Sequence[Any], lang: str) -> str:
    from nlpmetrics.reporting.text import phrase

    m = max((v.comparisons for v in verdicts), default=1)
    return phrase("method_holm", lang, m=m) if m > 1 else phrase("method_holm_one", lang)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _aligned(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Return a plain-text table, columns padded to their display width (Japanese text included)."""
    import re

    table = [list(columns), *[list(r) for r in rows]]
    widths = [max(display_width(row[i]) for row in table) for i in range(len(columns))]
    number = re.compile(r"^[-+<≤=\s\d.,%–−n/a]*$")
    right = [all(number.match(row[i]) for row in table[1:]) for i in range(len(columns))]

    def line(row: list[str]) -> str:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            cells.append(pad + cell if right[i] else cell + pad)
        return "  ".join(cells).rstrip()

    return [line(table[0]), "  ".join("-" * w for w in widths), *[line(r) for r in table[1:]]]


def variant_label(name: str, variant: str) -> str:
    """``"f1 (macro)"`` for a variant, else the metric's name."""
    return f"{name} ({variant})" if variant else name


def metric_variants(metrics: Sequence[Any]) -> list[str]:
    """For each configured metric, the options that tell it apart from others of the same name.

    ``[f1(average="micro"), f1(average="macro"), accuracy]`` gives ``["micro", "macro", ""]``:
    a report or comparison may show one metric with several option sets.
    """
    variants = []
    for metric in metrics:
        twins = [m for m in metrics if m.name == metric.name]
        if len(twins) == 1:
            variants.append("")
            continue
        differing = [k for k in metric.config if len({repr(t.config.get(k)) for t in twins}) > 1]
        if not differing:
            raise InputError(f"metrics lists {metric.name!r} twice with the same options; list it once")
        if len(differing) == 1:
            variants.append(str(metric.config[differing[0]]))
        else:
            variants.append(", ".join(f"{k}={metric.config[k]}" for k in differing))
    return variants


def resolve_metrics(metrics: Sequence[Any] | str) -> list[Any]:
    """Return configured empty metrics from names or template ``Metric`` objects."""
    from nlpmetrics.base import Metric
    from nlpmetrics.registry import load

    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    if not metrics:
        raise InputError("metrics is empty; name at least one metric, e.g. metrics=['accuracy']")
    resolved = []
    for metric in metrics:
        if isinstance(metric, str):
            resolved.append(load(metric))
        elif isinstance(metric, Metric):
            resolved.append(metric.empty_like())
        else:
            raise InputError(f"metrics entry {metric!r} is neither a metric name nor a Metric object")
    return resolved


def same_references(references_a: Any, references_b: Any) -> bool:
    """Whether two systems were scored against the same references, entry by entry."""
    if len(references_a) != len(references_b):
        return False
    return all(_as_plain(x) == _as_plain(y) for x, y in zip(references_a, references_b, strict=True))


def _as_plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_as_plain(v) for v in value)
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def unpack_system(system: Any, name: str) -> tuple[Sequence | np.ndarray, Sequence | np.ndarray]:
    """``(predictions, references)`` of a system given as a pair or as a mapping with those two keys.

    Each side is checked to be a sequence with one entry per example (a bare string, say, is refused
    rather than scored character by character).
    """
    from nlpmetrics.validation import as_sequence

    if isinstance(system, Mapping) and {"predictions", "references"} <= set(system):
        predictions, references = system["predictions"], system["references"]
    elif isinstance(system, (tuple, list)) and len(system) == 2:
        predictions, references = system
    else:
        raise InputError(f"system {name!r} must be a (predictions, references) pair or a mapping with the keys "
                         f"'predictions' and 'references', not {type(system).__name__}")
    return (as_sequence(predictions, f"system {name!r}: predictions"),
            as_sequence(references, f"system {name!r}: references"))


def compare_rows(metric: Any, rows_a: Mapping, rows_b: Mapping, *, confidence: float, n_resamples: int,
                 seed: int, variant: str = "") -> MetricComparison:
    """Paired tests of one configured metric from both systems' statistics rows."""
    from nlpmetrics.rows import n_rows

    tests = paired_test(metric, rows_a, rows_b, confidence=confidence, n_resamples=n_resamples, seed=seed)
    signature = metric.signature_of(metric.reduce(rows_a, None))
    if tests:
        signature = signature.with_resampling("paired", next(iter(tests.values())).description)
    return MetricComparison(
        metric=metric.name,
        tests=tests,
        higher_is_better=metric.higher_is_better,
        low_bound=float(metric.bounds[0]),
        signature=signature,
        n=n_rows(rows_a),
        variant=variant,
        options=dict(metric.config),
    )


def compare(
    a: Any,
    b: Any,
    *,
    metrics: Sequence[Any] | str,
    names: tuple[str, str] = ("A", "B"),
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Comparison:
    """Paired significance of system B against system A on the same references.

    Parameters
    ----------
    a, b : (predictions, references)
        The two systems' outputs on the same examples, in the same order.
    metrics : sequence of str or Metric
        Metric names, or configured metrics used as templates (``empty_like``).
    names : (str, str)
        Display names of A and B.
    confidence : float
        Level of the paired-bootstrap interval of ``B - A``.
    n_resamples : int
        Resamples of the bootstrap and of the randomization test.
    seed : int
        Seed; the same seed gives the same intervals and p-values.

    Returns
    -------
    Comparison

    Raises
    ------
    InputError
        When the systems have different numbers of examples or different
        references (a paired test would compare different things).
    """
    check_resampling(confidence, n_resamples)
    if len(names) != 2 or names[0] == names[1]:
        raise InputError(f"names must be two different display names, got {names!r}")
    pred_a, ref_a = unpack_system(a, names[0])
    pred_b, ref_b = unpack_system(b, names[1])
    if len(ref_a) != len(ref_b):
        raise InputError(
            f"a paired comparison needs the same examples: {names[0]} has {len(ref_a)} and {names[1]} has {len(ref_b)}"
        )
    if not same_references(ref_a, ref_b):
        first = next(i for i, (x, y) in enumerate(zip(ref_a, ref_b, strict=True)) if _as_plain(x) != _as_plain(y))
        raise InputError(
            f"a paired comparison needs the same references for both systems, but they differ at index {first} "
            f"({_as_plain(ref_a[first])!r} vs {_as_plain(ref_b[first])!r}); align the two files on the same examples"
        )
    compared = []
    templates = resolve_metrics(metrics)
    for metric, variant in zip(templates, metric_variants(templates), strict=True):
        rows_a = metric.empty_like().update(predictions=pred_a, references=ref_a).rows()
        rows_b = metric.empty_like().update(predictions=pred_b, references=ref_b).rows()
        compared.append(compare_rows(metric, rows_a, rows_b, confidence=confidence, n_resamples=n_resamples,
                                     seed=seed, variant=variant))
    return Comparison(names=(str(names[0]), str(names[1])), metrics=tuple(compared))
