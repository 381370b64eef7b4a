"""Plots of a report as inline SVG: per-class F1, confusion matrix, score distribution, scatter, forest, curves.

matplotlib is imported on first use (Agg backend).  Text is drawn as paths
(``svg.fonttype = "path"``), so the SVG needs no font on the reader's machine;
math parsing is off, so a ``$`` in a label is just a dollar sign.  Plot titles
are not drawn: the HTML shows them as captions.  For Japanese labels a
CJK-capable font is looked up with matplotlib's font manager; when none is
installed a warning is issued and labels fall back to English / ASCII.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpmetrics.reporting.details import MAX_MATRIX_LABELS
from nlpmetrics.reporting.model import PlotSpec
from nlpmetrics.reporting.text import phrase, unsigned_zero

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: Fonts tried, in order, for Japanese labels.
CJK_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic", "VL Gothic",
             "Hiragino Sans", "Yu Gothic", "MS Gothic", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
_CJK_FILE = re.compile(r"(cjk|ipag|ipaex|takao|vl-?gothic|hiragino|yugoth|msgothic|wqy|notosansjp)", re.I)
PALETTE = ("#2f6db5", "#e0822c", "#3a9a5b", "#c0392b", "#8e6bb8", "#7f7f7f")
MAX_POINTS = 5000


class FontFallbackWarning(UserWarning):
    """No CJK-capable font is installed: Japanese plot labels fall back to English/ASCII."""


@cache
def cjk_font() -> str | None:
    """Name of an installed CJK-capable font, or ``None``.

    Looks in matplotlib's font list first, then registers font files found on
    the system (the cached list may predate the font's installation).
    """
    from matplotlib import font_manager

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    for name in CJK_FONTS:
        if name in known():
            return name
    for path in font_manager.findSystemFonts():
        if _CJK_FILE.search(path.replace(" ", "")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable font file is not usable; try the next
    return next((name for name in CJK_FONTS if name in known()), None)


def plot_language(lang: str) -> str:
    """Return the language plot labels can be drawn in (``"en"`` when Japanese has no font, with a warning)."""
    if lang != "ja" or cjk_font() is not None:
        return lang
    warnings.warn(
        FontFallbackWarning(
            "no CJK-capable font found (e.g. install fonts-noto-cjk), so plot labels are drawn in English and "
            "non-ASCII labels are replaced; the report text itself stays Japanese"
        ),
        stacklevel=3,
    )
    return "en"


def _label(text: Any, lang: str) -> str:
    value = str(text)
    if lang == "en" and not value.isascii():
        value = value.encode("ascii", "replace").decode("ascii")
    return value if len(value) <= 40 else value[:39] + "…"


@contextmanager
def _style(lang: str, salt: str) -> Iterator[Any]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot

    font = ["DejaVu Sans"]
    cjk = cjk_font() if lang == "ja" else None
    if cjk:
        font = [cjk, "DejaVu Sans"]
    settings: dict[RcKeyType, Any] = {
        "svg.fonttype": "path", "svg.hashsalt": salt, "text.parse_math": False, "font.family": "sans-serif",
        "font.sans-serif": font, "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
        "axes.unicode_minus": False,
    }
    with matplotlib.rc_context(settings):
        yield pyplot


def _to_svg(figure: Any, pyplot: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    pyplot.close(figure)
    svg = buffer.getvalue()
    # Drop the XML prolog and doctype: the SVG is inlined in an HTML page (which scales it with CSS).
    return svg[svg.index("<svg"):]


def render_svg(spec: PlotSpec, lang: str, salt: str = "0") -> str:
    """Draw ``spec`` and return it as an ``<svg>`` element (no XML prolog)."""
    lang = plot_language(lang)
    draw = {"per_class": _per_class, "confusion": _confusion, "distribution": _distribution,
            "scatter": _scatter, "forest": _forest, "curve": _curve}[spec.kind]
    with _style(lang, f"nlpmetrics-{salt}") as pyplot:
        figure = draw(pyplot, spec.data, lang)
        return _to_svg(figure, pyplot)


def _per_class(pyplot: Any, data: dict, lang: str) -> Any:
    labels = [_label(x, lang) for x in data["labels"]]
    values = np.nan_to_num(np.asarray(data["values"], dtype=float)) * 100
    figure, axes = pyplot.subplots(figsize=(4.4, 0.35 * len(labels) + 0.9))
    positions = np.arange(len(labels))
    axes.barh(positions, values, color=PALETTE[0])
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 105)
    axes.set_xlabel(phrase("axis_f1", lang))
    for y, v in zip(positions, values, strict=True):
        axes.text(v + 1, y, f"{v:.1f}", va="center", fontsize=8)
    return figure


def _confusion(pyplot: Any, data: dict, lang: str) -> Any:
    labels = [_label(x, lang) for x in data["labels"]][:MAX_MATRIX_LABELS]
    counts = np.asarray(data["counts"], dtype=float)[:MAX_MATRIX_LABELS, :MAX_MATRIX_LABELS]
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    size = 1.8 + 0.55 * len(labels)
    figure, axes = pyplot.subplots(figsize=(size, size))
    axes.imshow(share, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel(phrase("axis_prediction", lang))
    axes.set_ylabel(phrase("axis_reference", lang))
    if len(labels) <= 12:
        for i in range(len(labels)):
            for j in range(len(labels)):
                axes.text(j, i, f"{int(counts[i, j]):,}", ha="center", va="center", fontsize=8,
                          color="white" if share[i, j] > 0.6 else "black")
    return figure


def _distribution(pyplot: Any, data: dict, lang: str) -> Any:
    figure, axes = pyplot.subplots(figsize=(6.0, 2.6))
    series = {name: np.asarray(v, dtype=float) for name, v in data["series"].items()}
    finite = [v[~np.isnan(v)] for v in series.values()]
    low = min((float(v.min()) for v in finite if v.size), default=0.0)
    high = max((float(v.max()) for v in finite if v.size), default=1.0)
    scale = data.get("scale", "percent")
    percent = scale != "coefficient" and low >= 0 and high <= 1
    bins = np.linspace(0, 1, 21) if percent else 20
    for position, (name, values) in enumerate(series.items()):
        values = values[~np.isnan(values)]
        axes.hist(values, bins=bins, alpha=0.55, color=PALETTE[position % len(PALETTE)], label=_label(name, lang))
    if percent:
        sign = "%" if scale == "percent" else ""  # 0-100 scores (BLEU, ROUGE...) carry no % sign
        axes.set_xticks(np.linspace(0, 1, 6), [f"{int(x * 100)}{sign}" for x in np.linspace(0, 1, 6)])
    axes.set_xlabel(phrase("axis_score", lang))
    axes.set_ylabel(phrase("axis_count", lang))
    if len(series) > 1:
        axes.legend(frameon=False)
    return figure


def _curve(pyplot: Any, data: dict, lang: str) -> Any:
    """One line per system (a score at each cut-off, such as Recall@k over k), in percent when it is a fraction."""
    figure, axes = pyplot.subplots(figsize=(6.0, 2.8))
    series = {name: (np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for name, (x, y) in data["series"].items()}
    finite = [y[np.isfinite(y)] for _, y in series.values()]
    percent = all(v.size == 0 or (v.min() >= 0 and v.max() <= 1) for v in finite)
    for position, (name, (x, y)) in enumerate(series.items()):
        axes.plot(x, y * 100 if percent else y, marker="o", markersize=3, color=PALETTE[position % len(PALETTE)],
                  label=_label(name, lang))
    if percent:
        axes.set_ylim(0, 105)
    axes.set_xlabel(_label(data["x_label"], lang))
    axes.set_ylabel(_label(data["y_label"], lang) + (" (%)" if percent else ""))
    if len(series) > 1:
        axes.legend(frameon=False)
    return figure


def _scatter(pyplot: Any, data: dict, lang: str) -> Any:
    x, y = np.asarray(data["x"], dtype=float), np.asarray(data["y"], dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if x.size > MAX_POINTS:
        chosen = np.random.default_rng(0).choice(x.size, MAX_POINTS, replace=False)
        x, y = x[chosen], y[chosen]
    figure, axes = pyplot.subplots(figsize=(4.2, 4.0))
    axes.scatter(x, y, s=10, alpha=0.5, color=PALETTE[0], edgecolors="none")
    if x.size >= 2 and np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, y, 1)
        line = np.linspace(x.min(), x.max(), 50)
        axes.plot(line, slope * line + intercept, color=PALETTE[1], linewidth=2)
    axes.set_xlabel(phrase("axis_prediction", lang))
    axes.set_ylabel(phrase("axis_reference", lang))
    return figure


def _forest(pyplot: Any, data: dict, lang: str) -> Any:
    panels = data["panels"]
    heights = [0.35 * len(p["rows"]) + 0.6 for p in panels]
    figure, axes_list = pyplot.subplots(len(panels), 1, figsize=(6.0, sum(heights) + 0.3), squeeze=False,
                                        gridspec_kw={"height_ratios": heights})
    for axes, panel in zip(axes_list[:, 0], panels, strict=True):
        scaled = panel.get("scale", "percent" if panel["percent"] else "coefficient") != "coefficient"
        scale = 100 if scaled else 1
        rows = panel["rows"]
        for position, row in enumerate(rows):
            value = row["value"] * scale
            color = PALETTE[position % len(PALETTE)]
            if not np.isfinite(value):
                continue  # undefined (n/a): the label stays, no point is drawn
            if row["interval"] and np.all(np.isfinite(row["interval"])):
                low, high = (v * scale for v in row["interval"])
                # max(0, ...): a point estimate may sit a rounding error outside its own interval
                errors = [[max(value - low, 0.0)], [max(high - value, 0.0)]]
                axes.errorbar(value, position, xerr=errors, fmt="o", color=color, capsize=4)
            else:
                axes.plot(value, position, "o", color=color)
            axes.annotate(unsigned_zero(f"{value:.1f}" if scaled else f"{value:.2f}"), (value, position),
                          textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
        axes.set_yticks(range(len(rows)), [_label(r["label"], lang) for r in rows])
        axes.set_ylim(len(rows) - 0.4, -0.7)
        axes.set_title(_label(panel["title"], lang) + (" (%)" if panel["percent"] else ""), fontsize=9, loc="left")
    figure.tight_layout()
    return figure
