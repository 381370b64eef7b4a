"""Render a report (or a comparison) as Markdown: headings, tables and plain sentences.

Plots exist only in the HTML page; the Markdown carries the same numbers as tables.
User text is escaped so that a ``|`` or a newline in a prediction cannot break a table, and a title or
system name cannot start a heading, a list or any other block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nlpmetrics.reporting.text import phrase

if TYPE_CHECKING:
    from nlpmetrics.reporting.compare import Comparison
    from nlpmetrics.reporting.model import Report, Table


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell (pipes, newlines, HTML and emphasis characters escaped)."""
    value = " ".join(str(text).split())
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        value = value.replace(char, "\\" + char)
    return value


#: What opens a Markdown block at the start of a line: a heading, quote, list item, table, fence or setext rule.
_BLOCK_START = re.compile(r"[#>+=|~-]|[0-9]{1,9}(?=[.)])")


def inline(text: object) -> str:
    r"""Text safe as a Markdown paragraph, heading or list item: it cannot start a block of its own.

    HTML and emphasis characters are escaped; line breaks become spaces (a
    title holding ``"\n\n# heading"`` would otherwise end the heading and
    start another); a block marker at the start (``#``, ``>``, ``-``, ``1.``...)
    is escaped, as is leading indentation (a code block).
    """
    value = " ".join(re.split(r"\r\n|[\r\n]", str(text))).lstrip(" \t")
    for char in ("\\", "*", "_", "`", "<", ">", "[", "]"):
        value = value.replace(char, "\\" + char)
    match = _BLOCK_START.match(value)
    if match is not None:
        at = match.end() if match.group().isdigit() else 0  # "1." -> "1\.", "#" -> "\#"
        value = value[:at] + "\\" + value[at:]
    return value


def table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Return a Markdown table, every cell escaped."""
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _table(t: Table) -> list[str]:
    return table(t.columns, t.rows)


def render_markdown(report: Report) -> str:
    """Render the whole report as Markdown (plots exist only in HTML; each table here once)."""
    from nlpmetrics.reporting.build import comparison_table

    lang = report.lang
    colon = "：" if lang == "ja" else ":"
    out = [f"# {inline(report.title)}", "", inline(report.generated), ""]
    out += [f"## {phrase('summary', lang)}", ""]
    out += [inline(s) for s in report.summary[:1]] + [""] + [f"- {inline(s)}" for s in report.summary[1:]] + [""]
    out += [f"## {phrase('warnings', lang)}", ""]
    notes = [f"- **{inline(w.lead)}** {inline(w.message)}" for w in report.metric_warnings]
    out += notes + [f"- {inline(w)}" for w in report.warnings] or [phrase("none", lang)]
    out += ["", f"## {phrase('systems', lang)}", ""]
    out += _table(report.systems_table())
    out += ["", f"## {phrase('metrics', lang)}", ""]
    for section in report.sections:
        out += [f"### {inline(section.title)}", "", f"**{phrase('what', lang)}{colon}** {inline(section.what)}", ""]
        if section.values_table is not None:
            out += [*_table(section.values_table), ""]
        if section.in_words:
            out += [f"**{phrase('in_words', lang)}{colon}** {inline(section.in_words)}", ""]
        if section.how_to_read:
            out += [f"**{phrase('how_read', lang)}{colon}** {inline(section.how_to_read)}", ""]
        if section.caveats:
            out += [f"**{phrase('caveats', lang)}{colon}**", "", *(f"- {inline(c)}" for c in section.caveats), ""]
        for system, t in [*section.tables, *((m.system, m.table) for m in section.matrices)]:
            out += [f"#### {inline(t.title)} — {inline(system)}", "", *_table(t), ""]
        out += [inline(note) for note in section.notes] + ([""] if section.notes else [])
        if section.worst or section.worst_note:
            out += [f"#### {phrase('worst', lang)}", ""]
        if section.worst_note:
            out += [inline(section.worst_note), ""]
        for block in section.worst:
            out += [inline(block.intro), ""]
            out += table(
                (phrase("index", lang), phrase("score", lang), *section.columns),
                [(e.index, e.score_text, e.prediction, e.reference) for e in block.examples],
            )
            out.append("")
    out += [f"## {phrase('comparison', lang)}", "", inline(report.comparison_intro), ""]
    pairs: dict[tuple[str, str], list] = {}
    for verdict in report.verdicts:
        pairs.setdefault((verdict.a, verdict.b), []).append(verdict)
    for (a, b), verdicts in pairs.items():
        if len(pairs) > 1:
            out += [f"### {inline(phrase('comparison_pair', lang, a=a, b=b))}", ""]
        out += [*_table(comparison_table(verdicts, lang)), ""]
    out += [f"## {phrase('how_to_read', lang)}", ""] + [f"- {inline(s)}" for s in report.how_to_read] + [""]
    out += [f"## {phrase('appendix', lang)}", "", inline(report.appendix_intro), ""]
    out += table((phrase("system", lang), phrase("metric", lang), phrase("examples", lang), phrase("signature", lang)),
                 [(a.system, a.metric, f"{a.n:,}", a.signature) for a in report.appendix])
    versions = ", ".join(f"{inline(k)} {inline(v)}" for k, v in report.versions)
    out += ["", f"**{phrase('versions', lang)}{colon}** {versions}"]
    if report.comparison_method:
        out += ["", f"**{phrase('method', lang)}{colon}** `{report.comparison_method}`"]
    return "\n".join(out) + "\n"


def comparison_markdown(comparison: Comparison, lang: str = "en") -> str:
    """Return a :class:`~nlpmetrics.reporting.compare.Comparison` as a Markdown table plus the sentences.

    The table holds both systems' scores, the difference, its interval, the p-values and the verdict.
    """
    lines = _table(comparison.table(lang))
    lines += [""] + [f"- {inline(s)}" for s in comparison.sentences(lang)]
    return "\n".join(lines) + "\n"
