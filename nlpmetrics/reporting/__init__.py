"""Client reports (HTML and Markdown) and paired comparison of systems.

>>> import nlpmetrics as nm
>>> rep = nm.report({"baseline": (preds_a, refs), "new": (preds_b, refs)},
...                 metrics=["accuracy", "f1"], output="report.html", lang="ja")  # doctest: +SKIP
>>> print(nm.reporting.compare((preds_a, refs), (preds_b, refs), metrics=["f1"]).to_text())  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from nlpmetrics.reporting.compare import Comparison, MetricComparison, compare
from nlpmetrics.reporting.model import Report

__all__ = ["Comparison", "MetricComparison", "Report", "compare", "report"]


def report(
    systems: Mapping[str, Any],
    *,
    metrics: Sequence[Any],
    output: str | os.PathLike | None = None,
    lang: str = "en",
    title: str | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
    worst: int = 5,
    task: str | None = None,
) -> Report:
    """Build a client report of one or more systems, and write it when ``output`` is given.

    Parameters
    ----------
    systems : mapping
        Display name -> ``(predictions, references)``; systems after the first
        are compared with the first on the same examples (paired tests).  Or
        display name -> ``{metric name: Result}`` of precomputed results (no
        comparison and no worst examples then; the report says so).
    metrics : sequence of str or Metric
        Metric names, or configured metrics used as templates.
    output : path, optional
        ``*.html`` (one self-contained page) or ``*.md``; its suffix and folder are
        checked before any scoring, and the file is written atomically.
    lang : {"en", "ja"}
        Language of every word the report writes (sentences, headings, plot labels).  It is never the language
        of the texts: that is each metric's ``lang`` option, and the report's numbers do not depend on this.
    title : str, optional
        Heading of the report.
    confidence, n_resamples, seed
        Bootstrap intervals and paired tests (seeded, reproducible).
    worst : int
        How many lowest-scoring examples to show per system for text metrics.
    task : str, optional
        What the outputs are, for the report's nouns ("summaries" and "reference summaries", 「要約」「参照要約」):
        ``classification``, ``similarity``, ``ner``, ``summarization``, ``translation``, ``qa``, ``retrieval`` or
        ``text``; by default inferred from the metrics (ROUGE: summaries; BLEU, chrF, TER: translations; both, or
        neither: neutral words).

    Returns
    -------
    Report
        The report model (``.to_html()``, ``.to_markdown()``, ``.save(path)``).
    """
    from nlpmetrics.io.output import check_writable, write_text_atomically
    from nlpmetrics.reporting.build import build_report
    from nlpmetrics.reporting.model import render_for_suffix, report_format

    if output is not None:
        # Refuse a bad suffix or an unwritable path before any scoring is done.
        report_format(output)
        check_writable(os.fspath(output))
    built = build_report(systems, metrics=metrics, lang=lang, title=title, confidence=confidence,
                         n_resamples=n_resamples, seed=seed, worst=worst, task=task)
    if output is not None:
        write_text_atomically(output, render_for_suffix(built, output))
    return built
