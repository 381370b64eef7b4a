"""The report model: everything a report says, independent of how it is rendered.

:func:`nlpmetrics.reporting.build.build_report` fills it; the Markdown and
HTML renderers only lay it out.  All text here is plain (never HTML): the
renderers escape it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Table:
    """A small table: column headings and rows of already formatted cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PlotSpec:
    """Data for one plot; :mod:`nlpmetrics.reporting.plots` draws it (HTML only).

    ``kind`` is one of ``per_class``, ``confusion``, ``distribution``,
    ``scatter``, ``forest``, ``curve``; ``data`` holds what that kind needs.
    """

    kind: str
    title: str
    data: dict[str, Any]


@dataclass(frozen=True)
class SystemValue:
    """One system's main score of one metric, formatted (``scale``: percent, points or coefficient)."""

    system: str
    key: str
    key_name: str
    value: float
    value_text: str
    interval: tuple[float, float] | None
    interval_text: str
    n: int
    explanation: str
    scale: str = "percent"


@dataclass(frozen=True)
class WorstExample:
    """One low-scoring example: where it is, what was predicted and expected, its score."""

    index: int
    prediction: str
    reference: str
    score_text: str


@dataclass(frozen=True)
class WorstExamples:
    """The lowest-scoring examples of one system on one metric."""

    system: str
    intro: str
    examples: tuple[WorstExample, ...]


@dataclass(frozen=True)
class ComparisonRow:
    """One score of one metric, system B against the baseline A, with its corrected verdict.

    ``p_adjusted`` is Holm's adjusted p-value over every comparison of the
    report; ``significant`` is the verdict at the report's level;
    ``duplicate`` names the score this one equals by construction (not a
    finding of its own); ``detectable_text`` is the smallest true difference
    the test set finds 8 times in 10.
    """

    metric: str
    metric_title: str
    key_name: str
    a: str
    b: str
    a_text: str
    b_text: str
    difference_text: str
    interval_text: str
    p_value: float
    p_text: str
    sentence: str
    main: bool
    p_adjusted: float = float("nan")
    p_adjusted_text: str = ""
    significant: bool = False
    verdict_text: str = ""
    detectable_text: str = ""
    duplicate: str = ""
    power: tuple[str, ...] = ()


@dataclass(frozen=True)
class Matrix:
    """A confusion matrix of one system: the table and the heatmap of the same counts (a renderer shows one)."""

    system: str
    table: Table
    plot: PlotSpec


@dataclass(frozen=True)
class MetricSection:
    """Everything the report says about one metric.

    ``values_table`` holds every score of every system (value and interval);
    ``in_words`` is the card's sentence about the value, given only when one
    system is reported (with several, it would repeat the table).  Tables that
    another section already shows for the same system are not repeated:
    ``notes`` points to them instead.
    """

    metric: str
    #: The metric as listed in the report: its name, or ``"f1 (macro)"`` when it appears with several option sets.
    label: str
    title: str
    what: str
    how_to_read: str
    caveats: tuple[str, ...]
    values: tuple[SystemValue, ...]
    values_table: Table | None = None
    in_words: str = ""
    tables: tuple[tuple[str, Table], ...] = ()
    matrices: tuple[Matrix, ...] = ()
    plots: tuple[PlotSpec, ...] = ()
    worst: tuple[WorstExamples, ...] = ()
    worst_note: str = ""
    notes: tuple[str, ...] = ()
    #: The words of the worst-examples table's columns (the task's nouns: "Model's summary", "Reference summary").
    columns: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class SystemInfo:
    """A system shown in the report: its display name, size and where its numbers come from."""

    name: str
    n: int
    source: str


@dataclass(frozen=True)
class AppendixRow:
    """Provenance of one number: system, metric, examples and signature."""

    system: str
    metric: str
    n: int
    signature: str


@dataclass(frozen=True)
class MetricWarning:
    """A warning a metric raised while systems were scored (its text is the metric's, in English).

    ``lead`` introduces it in the report's language and names the systems and
    the metric (a warning raised for several systems is shown once); ``system``
    is the first of them; ``category`` is the warning class's name
    (``RougeWarning``) and ``code`` its stable code, when it has one.
    """

    system: str
    metric: str
    category: str
    message: str
    lead: str
    code: str = ""

    @property
    def text(self) -> str:
        """The lead and the message as one plain sentence."""
        return f"{self.lead} {self.message}"


@dataclass(frozen=True)
class Report:
    """A client report: summary, warnings, per-metric sections, comparison, how to read, appendix.

    Render with :meth:`to_markdown` or :meth:`to_html`; :meth:`save` writes
    either (chosen by the file's suffix) atomically.
    """

    title: str
    lang: str
    generated: str
    confidence: float
    systems: tuple[SystemInfo, ...]
    #: The first page: what was evaluated, each metric's main score, the verdicts (a manager reads it in a minute).
    summary: tuple[str, ...]
    warnings: tuple[str, ...]
    sections: tuple[MetricSection, ...]
    comparison_intro: str
    comparison_rows: tuple[ComparisonRow, ...]
    how_to_read: tuple[str, ...]
    appendix_intro: str
    appendix: tuple[AppendixRow, ...]
    versions: tuple[tuple[str, str], ...]
    forest: PlotSpec | None = None
    #: How the paired tests were run (method, level, resamples, seed); empty without a comparison.
    comparison_method: str = ""
    #: Warnings the metrics raised while scoring (shown first among the warnings).
    metric_warnings: tuple[MetricWarning, ...] = ()
    #: The task whose nouns the report uses (summaries, translations...); see ``nlpmetrics.explanations.TASKS``.
    task: str = "text"
    #: The verdicts behind the summary and the comparison table (see :mod:`nlpmetrics.reporting.verdicts`).
    verdicts: tuple = ()

    def systems_table(self) -> Table:
        """Return the systems evaluated: name, examples, and a source column when the numbers were precomputed."""
        from nlpmetrics.reporting.text import phrase

        columns: tuple[str, ...] = (phrase("system", self.lang), phrase("examples", self.lang))
        rows: tuple[tuple[str, ...], ...] = tuple((s.name, f"{s.n:,}") for s in self.systems)
        if any(s.source for s in self.systems):
            columns += (phrase("source", self.lang),)
            rows = tuple((*row, s.source) for row, s in zip(rows, self.systems, strict=True))
        return Table(title=phrase("systems", self.lang), columns=columns, rows=rows)

    def to_markdown(self) -> str:
        """Return the report as Markdown (tables and sentences; plots only in HTML)."""
        from nlpmetrics.reporting.markdown import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        """Return the report as one self-contained HTML page (inline CSS and SVG plots, no network)."""
        from nlpmetrics.reporting.html import render_html

        return render_html(self)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the report to ``path`` (``.html``/``.htm`` or ``.md``) atomically; returns the path."""
        from nlpmetrics.io.output import write_text_atomically

        path = Path(path)
        write_text_atomically(path, render_for_suffix(self, path))
        return path


def report_format(path: str | os.PathLike) -> str:
    """``"html"`` or ``"markdown"`` by the file's suffix; an InputError naming the path for any other suffix."""
    from nlpmetrics.errors import InputError

    suffix = Path(path).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    raise InputError(f"report output {os.fspath(path)!r} must end in .html or .md")


def render_for_suffix(report: Report, path: str | os.PathLike) -> str:
    """HTML or Markdown by the file's suffix (see :func:`report_format`)."""
    return report.to_html() if report_format(path) == "html" else report.to_markdown()
