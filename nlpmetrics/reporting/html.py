"""Render a report as one self-contained HTML page.

Inline CSS, inline SVG plots, no scripts, no network, no external fonts: the
file opens from an e-mail attachment.  Every piece of user text (system and
file names, titles, labels, predictions, references) goes through
:func:`esc`; only the SVG drawn by :mod:`nlpmetrics.reporting.plots` (text as
paths, no user markup) is inserted as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING

from nlpmetrics.reporting.text import phrase

#: Up to this many labels a confusion matrix is drawn as a heatmap carrying its counts (else shown as a table).
HEATMAP_COUNTS = 12

if TYPE_CHECKING:
    from nlpmetrics.reporting.model import MetricSection, PlotSpec, Report, Table

CSS = """
body{margin:0;background:#f4f5f7;color:#1f2328;font:15px/1.6 -apple-system,"Segoe UI","Hiragino Sans",
"Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Noto Sans JP","Yu Gothic",Meiryo,Roboto,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:28px;margin:8px 0 4px}
h2{font-size:21px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #2f6db5}
h3{font-size:18px;margin:28px 0 6px;color:#2f6db5}h4{font-size:15px;margin:18px 0 6px}
.generated{color:#656d76;font-size:13px;margin:0}
nav{font-size:13px;margin:14px 0;color:#656d76}nav a{color:#2f6db5;margin-right:12px;text-decoration:none}
.summary{background:#eef4fb;border-left:4px solid #2f6db5;padding:10px 18px;margin:8px 0}
.summary li{margin:4px 0}
.warnings{background:#fff7e6;border-left:4px solid #e0a02c;padding:10px 18px 10px 40px}
.metric-warning .lead{font-weight:600}.metric-warning .message{font-family:ui-monospace,SFMono-Regular,Menlo,
Consolas,monospace;font-size:13px;display:block;margin:2px 0 6px;word-break:break-word}
.ok{color:#3a7a4b}
table{border-collapse:collapse;margin:8px 0 14px;font-size:14px;max-width:100%}
th,td{border:1px solid #d0d7de;padding:4px 9px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600;word-break:keep-all}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.key{white-space:nowrap}
tr.significant td{background:#eefaf1}
.lead{font-size:16px;margin:6px 0 8px}
.notes{color:#424a53;font-size:14px}
.big{font-size:17px;font-weight:600}
.card{color:#424a53}.label{font-weight:600}
.examples td{max-width:420px;word-break:break-word}
figure{margin:12px 0 18px}figure svg{max-width:100%;height:auto;display:block}
.plots,.tables{display:flex;flex-wrap:wrap;gap:8px 28px;align-items:flex-start}
.plots figure{margin:8px 0;max-width:480px}
figcaption{font-size:13px;color:#424a53;margin-bottom:4px;font-weight:600}
.appendix td:not(.signature){white-space:nowrap}
.signature{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.metric{border-top:1px solid #e5e8eb;margin-top:22px}
"""


def esc(text: object) -> str:
    """HTML-escape any user-visible text (quotes included)."""
    return escape(str(text), quote=True)


def _anchor(name: str) -> str:
    return "metric-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x")


def _table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, css_class: str = "",
           numeric: Sequence[int] = (), row_classes: Sequence[str] | None = None) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = []
    for position, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{esc(v)}</td>' if i in numeric else f"<td>{esc(v)}</td>" for i, v in enumerate(row)
        )
        row_class = row_classes[position] if row_classes else ""
        body.append(f'<tr class="{row_class}">{cells}</tr>' if row_class else f"<tr>{cells}</tr>")
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _model_table(table: Table, system: str) -> str:
    numeric = tuple(range(1, len(table.columns)))
    return f"<h4>{esc(table.title)} — {esc(system)}</h4>" + _table(table.columns, table.rows, numeric=numeric)


def _keyed_table(table: Table, css_class: str, row_classes: Sequence[str] | None = None,
                 words: Sequence[int] = ()) -> str:
    """Return a table whose first column names a score (kept on one line) and whose other columns are numbers.

    The columns of ``words`` hold words, not numbers.
    """
    numeric = tuple(i for i in range(1, len(table.columns)) if i not in words)
    html = _table(table.columns, table.rows, css_class=css_class, numeric=numeric, row_classes=row_classes)
    return html.replace("<tr><td>", '<tr><td class="key">').replace('"><td>', '"><td class="key">')


class _Plotter:
    """Draws plots with distinct SVG id salts, so several SVGs can share one page."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.count = 0

    def figure(self, spec: PlotSpec) -> str:
        from nlpmetrics.reporting.plots import render_svg

        self.count += 1
        svg = render_svg(spec, self.lang, salt=str(self.count))
        return f'<figure class="plot plot-{esc(spec.kind)}"><figcaption>{esc(spec.title)}</figcaption>{svg}</figure>'


def _section(section: MetricSection, report: Report, plotter: _Plotter) -> str:
    lang = report.lang
    colon = "：" if lang == "ja" else ":"
    parts = [f'<article class="metric" id="{_anchor(section.label)}">', f"<h3>{esc(section.title)}</h3>",
             f'<p class="card"><span class="label">{esc(phrase("what", lang))}{colon}</span> {esc(section.what)}</p>']
    if section.values_table is not None:
        parts.append(_keyed_table(section.values_table, "values"))
    if section.in_words:
        label = f'<span class="label">{esc(phrase("in_words", lang))}{colon}</span>'
        parts.append(f"<p>{label} {esc(section.in_words)}</p>")
    if section.how_to_read:
        parts.append(f'<p class="card"><span class="label">{esc(phrase("how_read", lang))}{colon}</span> '
                     f"{esc(section.how_to_read)}</p>")
    if section.caveats:
        parts.append(f'<p class="label">{esc(phrase("caveats", lang))}{colon}</p><ul class="caveats">')
        parts += [f"<li>{esc(c)}</li>" for c in section.caveats]
        parts.append("</ul>")
    # A confusion matrix is shown once: as a heatmap carrying its counts, or as a table when it has too many labels.
    heatmaps = [m for m in section.matrices if len(m.table.rows) <= HEATMAP_COUNTS]
    matrix_tables = [m for m in section.matrices if len(m.table.rows) > HEATMAP_COUNTS]
    if section.plots or heatmaps:
        parts += ['<div class="plots">', *[plotter.figure(spec) for spec in section.plots],
                  *[plotter.figure(m.plot) for m in heatmaps], "</div>"]
    if section.tables or matrix_tables:
        parts += ['<div class="tables">', *[f"<div>{_model_table(t, system)}</div>" for system, t in section.tables],
                  *[f"<div>{_model_table(m.table, m.system)}</div>" for m in matrix_tables], "</div>"]
    if section.notes:
        parts += [f'<p class="notes">{esc(note)}</p>' for note in section.notes]
    if section.worst or section.worst_note:
        parts.append(f"<h4>{esc(phrase('worst', lang))}</h4>")
    if section.worst_note:
        parts.append(f"<p>{esc(section.worst_note)}</p>")
    for block in section.worst:
        parts.append(f"<p>{esc(block.intro)}</p>")
        parts.append(_table(
            (phrase("index", lang), phrase("score", lang), *section.columns),
            [(e.index, e.score_text, e.prediction, e.reference) for e in block.examples],
            css_class="examples", numeric=(0, 1),
        ))
    parts.append("</article>")
    return "\n".join(parts)


def _comparison(report: Report) -> list[str]:
    """One table per pair of systems: both scores, the difference, its interval, the p-values, verdict, detectable."""
    from nlpmetrics.reporting.build import comparison_table

    lang = report.lang
    out = []
    pairs: dict[tuple[str, str], list] = {}
    for verdict in report.verdicts:
        pairs.setdefault((verdict.a, verdict.b), []).append(verdict)
    for (a, b), verdicts in pairs.items():
        if len(pairs) > 1:
            out.append(f"<h3>{esc(phrase('comparison_pair', lang, a=a, b=b))}</h3>")
        table = comparison_table(verdicts, lang)
        out.append(_keyed_table(table, "comparison", ["significant" if v.significant else "" for v in verdicts],
                                words=(len(table.columns) - 2,)))
    return out


def render_html(report: Report) -> str:
    """Render the whole report as a self-contained HTML document."""
    lang = report.lang
    colon = "：" if lang == "ja" else ":"
    plotter = _Plotter(lang)
    toc = [("summary", phrase("summary", lang)), ("metrics", phrase("metrics", lang)),
           ("comparison", phrase("comparison", lang)), ("how-to-read", phrase("how_to_read", lang)),
           ("appendix", phrase("appendix", lang))]
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.title)}</title><style>{CSS}</style></head><body><main>",
        f"<header><h1>{esc(report.title)}</h1><p class=\"generated\">{esc(report.generated)}</p></header>",
        "<nav>" + "".join(f'<a href="#{anchor}">{esc(text)}</a>' for anchor, text in toc) + "</nav>",
        f'<section id="summary"><h2>{esc(phrase("summary", lang))}</h2><div class="summary">',
        *[f'<p class="lead">{esc(s)}</p>' for s in report.summary[:1]],
        '<ul>', *[f"<li>{esc(s)}</li>" for s in report.summary[1:]], "</ul></div>",
        f'<h4>{esc(phrase("warnings", lang))}</h4>',
    ]
    if report.metric_warnings or report.warnings:
        out += ['<ul class="warnings">',
                *[f'<li class="metric-warning"><span class="lead">{esc(w.lead)}</span> '
                  f'<span class="message" lang="en">{esc(w.message)}</span></li>' for w in report.metric_warnings],
                *[f"<li>{esc(w)}</li>" for w in report.warnings], "</ul>"]
    else:
        out.append(f'<p class="ok">{esc(phrase("none", lang))}</p>')
    out.append("</section>")
    out.append(f'<section id="systems"><h2>{esc(phrase("systems", lang))}</h2>')
    systems = report.systems_table()
    out.append(_table(systems.columns, systems.rows, numeric=(1,)))
    if report.forest is not None:
        out.append(plotter.figure(report.forest))
    out.append("</section>")
    out.append(f'<section id="metrics"><h2>{esc(phrase("metrics", lang))}</h2>')
    out += [_section(section, report, plotter) for section in report.sections]
    out.append("</section>")
    out.append(f'<section id="comparison"><h2>{esc(phrase("comparison", lang))}</h2>'
               f"<p>{esc(report.comparison_intro)}</p>")
    out += _comparison(report)
    out.append("</section>")
    out.append(f'<section id="how-to-read"><h2>{esc(phrase("how_to_read", lang))}</h2><ul>')
    out += [f"<li>{esc(s)}</li>" for s in report.how_to_read]
    out.append("</ul></section>")
    out.append(f'<section id="appendix"><h2>{esc(phrase("appendix", lang))}</h2><p>{esc(report.appendix_intro)}</p>')
    out.append(_table((phrase("system", lang), phrase("metric", lang), phrase("examples", lang),
                       phrase("signature", lang)),
                      [(a.system, a.metric, f"{a.n:,}", a.signature) for a in report.appendix],
                      css_class="appendix", numeric=(2,),
                      ).replace("<td>nlpmetrics:", '<td class="signature">nlpmetrics:'))
    out.append(f"<h4>{esc(phrase('versions', lang))}</h4>")
    out.append(_table((phrase("library", lang), phrase("version", lang)), report.versions, css_class="versions"))
    if report.comparison_method:
        out.append(f'<p><span class="label">{esc(phrase("method", lang))}{colon}</span> '
                   f'<span class="signature">{esc(report.comparison_method)}</span></p>')
    out.append("</section></main></body></html>")
    return "\n".join(out) + "\n"
