"""Client reports: the model, Markdown and HTML structure (parsed), escaping, guard-rails, and a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlpmetrics as nm
from nlpmetrics.reporting import Report, report
from nlpmetrics.reporting import plots as plots_module

HOSTILE = "<script>alert('x')</script>"
WORDS = [
    "the", "a", "cat", "dog", "sat", "ran", "on", "under", "mat", "house", "red", "blue", "small", "big",
    "quickly", "slowly", "today", "here", "there", "it",
]


# ----------------------------------------------------------------------------- inputs

def _labels(n: int, accuracy: float, seed: int, classes=("cat", "dog", "bird")) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    refs = [str(x) for x in rng.choice(classes, n)]
    preds = [r if rng.random() < accuracy else str(rng.choice(classes)) for r in refs]
    return preds, refs


def _texts(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, int(rng.integers(6, 14)))) for _ in range(n)]


def _noisy(texts: list[str], rate: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(w if rng.random() > rate else str(rng.choice(WORDS)) for w in t.split()) for t in texts]


def _two_classifiers(n: int = 120):
    preds_a, refs = _labels(n, 0.6, seed=1)
    rng = np.random.default_rng(2)
    preds_b = [r if rng.random() < 0.9 else p for r, p in zip(refs, preds_a, strict=True)]
    return {"baseline.jsonl": (preds_a, refs), "candidate.jsonl": (preds_b, refs)}


# ----------------------------------------------------------------------------- HTML parsing

class _Node:
    def __init__(self, tag: str, attrs: dict, parent: _Node | None):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, attrs, parent, [], []

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)

    def find_all(self, tag: str, **attrs):
        return [n for n in self.iter() if n.tag == tag and all(attrs[k] in n.attrs.get(k, "").split() for k in attrs)]


_VOID = {"meta", "br", "img", "hr", "input", "link", "col", "source", "wbr", "area", "base", "embed", "param",
         "track"}


class _TreeBuilder(HTMLParser):
    """A small DOM: enough to check the report's structure without string matching."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, None)
        self.current = self.root
        self.decl = None

    def handle_decl(self, decl):
        self.decl = decl

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(_Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        assert node is not self.root, f"unbalanced </{tag}>"
        assert self.current is node, f"</{tag}> closes <{self.current.tag}> implicitly"
        self.current = node.parent

    def handle_data(self, data):
        self.current.text.append(data)


def parse_html(text: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    assert builder.decl
    assert builder.decl.lower() == "doctype html"
    return builder.root


def _assert_self_contained(root: _Node) -> None:
    tags = {n.tag for n in root.iter()}
    assert not tags & {"script", "link", "iframe", "object", "embed", "img", "base", "form"}
    for node in root.iter():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{node.tag}>"
            if name in ("href", "xlink:href"):
                # in-page anchors, and images embedded by matplotlib in the SVG (heatmaps)
                assert value.startswith(("#", "data:image/")), f"external link {value[:60]!r}"
            assert name != "src", f"external source on <{node.tag}>"
    for style in root.find_all("style"):
        assert "url(" not in style.all_text()
        assert "@import" not in style.all_text()


# ----------------------------------------------------------------------------- model

def test_model_holds_sections_comparison_and_appendix():
    built = report(_two_classifiers(), metrics=["accuracy", nm.load("f1", average="micro")], n_resamples=100, seed=0)
    assert isinstance(built, Report)
    assert [s.metric for s in built.sections] == ["accuracy", "f1"]
    assert [v.system for v in built.sections[0].values] == ["baseline.jsonl", "candidate.jsonl"]
    accuracy = nm.compute("accuracy", predictions=_two_classifiers()["candidate.jsonl"][0],
                          references=_two_classifiers()["candidate.jsonl"][1])
    assert built.sections[0].values[1].value == accuracy["accuracy"]
    assert built.sections[0].values[1].interval is not None
    rows = built.comparison_rows
    assert {(r.metric, r.a, r.b) for r in rows} == {("accuracy", "baseline.jsonl", "candidate.jsonl"),
                                                    ("f1", "baseline.jsonl", "candidate.jsonl")}
    assert all(r.p_value < 0.05 for r in rows)
    assert any("candidate.jsonl is better than baseline.jsonl on accuracy" in s for s in built.summary)
    assert len(built.appendix) == 4
    assert all("metric:" in a.signature for a in built.appendix)
    f1 = built.sections[1]
    assert [t.title for _, t in f1.tables].count("Per class") == 2
    assert {p.kind for p in f1.plots} == {"per_class"}
    assert [m.plot.kind for m in f1.matrices] == ["confusion", "confusion"]
    assert built.forest is not None
    assert built.how_to_read


def test_one_metric_with_several_option_sets():
    systems = _two_classifiers()
    built = report(systems, metrics=[nm.load("f1", average="micro"), nm.load("f1", average="macro")],
                   n_resamples=50)
    assert [s.label for s in built.sections] == ["f1 (micro)", "f1 (macro)"]
    # The averaging is part of every name: headings, table rows and sentences.
    assert [s.title for s in built.sections] == ["Micro-F1", "Macro-F1"]
    preds, refs = systems["candidate.jsonl"]
    macro = nm.compute("f1", predictions=preds, references=refs, average="macro")["f1"]
    assert built.sections[1].values[1].value == macro
    assert any("on macro-F1 by" in s for s in built.summary)
    assert [r.key_name for r in built.comparison_rows] == ["micro-F1", "macro-F1"]
    assert built.sections[1].values_table.rows[0][0] == "Macro-F1"
    ids = [n.attrs["id"] for n in parse_html(built.to_html()).find_all("article")]
    assert len(set(ids)) == 2


def test_single_system_has_no_comparison_and_says_so():
    built = report({"only": _two_classifiers()["baseline.jsonl"]}, metrics=["accuracy"], n_resamples=50)
    assert built.comparison_rows == ()
    assert "Only one system" in built.comparison_intro
    assert built.forest is None


def test_precomputed_results_are_reported_without_comparison():
    systems = _two_classifiers()
    results = {name: {"f1": nm.compute("f1", predictions=p, references=r, average="micro", confidence=0.95,
                                      n_resamples=50)}
               for name, (p, r) in systems.items()}
    built = report(results, metrics=["f1"])
    assert built.comparison_rows == ()
    assert "computed beforehand" in built.comparison_intro
    assert built.sections[0].worst_note
    assert built.sections[0].values[0].value == results["baseline.jsonl"]["f1"]["f1"]
    systems_table = _markdown_tables(built.to_markdown().split("## Systems evaluated")[1])[0]
    assert systems_table[0] == ["System", "Examples", "Source"]
    assert systems_table[2][2] == "precomputed results"


def test_not_comparable_when_options_differ():
    (pa, ra), (pb, rb) = _two_classifiers().values()
    results = {"A": {"f1": nm.compute("f1", predictions=pa, references=ra, average="micro")},
               "B": {"f1": nm.compute("f1", predictions=pb, references=rb, average="macro")}}
    built = report(results, metrics=["f1"])
    warning = next(w for w in built.warnings if "not comparable" in w)
    assert "average: micro vs macro" in warning


def test_different_references_are_flagged_and_not_compared():
    (pa, ra), (pb, _) = _two_classifiers().values()
    other_refs = list(reversed(ra))
    built = report({"A": (pa, ra), "B": (pb, other_refs)}, metrics=["accuracy"], n_resamples=50)
    assert built.comparison_rows == ()
    assert any("different references" in w for w in built.warnings)


def test_small_sample_and_wide_interval_warnings():
    preds, refs = _labels(12, 0.7, seed=3)
    built = report({"tiny": (preds, refs)}, metrics=["accuracy"], n_resamples=50)
    assert any("Only 12 examples" in w for w in built.warnings)
    preds, refs = _labels(40, 0.5, seed=4)
    built = report({"small": (preds, refs)}, metrics=["accuracy"], n_resamples=200)
    assert any("95% intervals of Accuracy (small) are wider than 20.0 points" in w for w in built.warnings)


def test_small_sample_warning_does_not_claim_every_interval_is_wide():
    # n alone does not make an interval wide (a Pearson of 0.99 over 20 examples is narrow)
    preds, refs = _labels(12, 0.7, seed=3)
    built = report({"tiny": (preds, refs)}, metrics=["accuracy"], n_resamples=50)
    assert "Only 12 examples: read the numbers and their intervals as a rough guide." in built.warnings
    assert not any("wide" in w for w in built.warnings if "Only 12" in w)
    built = report({"tiny": (preds, refs)}, metrics=["accuracy"], n_resamples=50, lang="ja")
    assert "12件と少ないため、値も信頼区間も参考値としてご覧ください。" in built.warnings
    assert not any("広く" in w for w in built.warnings)


def test_rouge_lsum_without_sentence_breaks_is_flagged():
    refs = _texts(40, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = report({"summ": (_noisy(refs, 0.3, 6), refs)}, metrics=["rouge"], n_resamples=30)
        assert any("ROUGE-Lsum equals ROUGE-L" in w for w in built.warnings)
        lined = [t.replace(" it ", " it\n") for t in refs]
        built = report({"summ": (_noisy(lined, 0.3, 6), lined)}, metrics=["rouge"], n_resamples=30)
    assert not any("ROUGE-Lsum" in w for w in built.warnings)


def test_worst_examples_are_the_lowest_per_example_scores():
    refs = _texts(60, seed=7)
    preds = _noisy(refs, 0.2, seed=8)
    preds[17] = "completely unrelated words"
    built = report({"mt": (preds, refs)}, metrics=["chrf", "ter"], n_resamples=30, worst=3)
    chrf, ter = built.sections
    scores = nm.compute("chrf", predictions=preds, references=refs).per_example["chrf"]
    assert [e.index - 1 for e in chrf.worst[0].examples] == list(np.argsort(scores, kind="stable")[:3])
    assert chrf.worst[0].examples[0].prediction == "completely unrelated words"
    assert ter.worst[0].examples[0].index == 18  # lower is better: the worst TER is the highest
    assert any(p.kind == "distribution" for p in chrf.plots)


def test_classification_has_no_worst_examples_and_correlation_has_a_scatter():
    built = report(_two_classifiers(), metrics=["accuracy"], n_resamples=30)
    assert built.sections[0].worst == ()
    x = np.random.default_rng(9).normal(size=50)
    built = report({"reg": (x.tolist(), (x + 0.3).tolist())}, metrics=["pearson", "spearman"], n_resamples=30)
    assert all(any(p.kind == "scatter" for p in s.plots) for s in built.sections)


def test_correlations_are_written_as_coefficients_not_percentages():
    rng = np.random.default_rng(10)
    y = rng.normal(size=60)
    systems = {"old": ((y + rng.normal(size=60)).tolist(), y.tolist()),
               "new": ((y + 0.3 * rng.normal(size=60)).tolist(), y.tolist())}
    built = report(systems, metrics=["pearson"], n_resamples=50)
    section = built.sections[0]
    for value in section.values:
        assert value.value_text == f"{value.value:.2f}"
        assert "%" not in value.interval_text
    row = built.comparison_rows[0]
    assert re.fullmatch(r"[+-]\d\.\d\d", row.difference_text)
    assert "new is better than old on Pearson r by" in row.sentence
    assert "points" not in row.sentence
    assert "points" not in row.detectable_text
    assert "%" not in row.detectable_text


def test_bad_arguments_are_refused_before_scoring(tmp_path):
    with pytest.raises(nm.InputError, match=r"\.html or \.md"):
        report(_two_classifiers(), metrics=["accuracy"], output=tmp_path / "report.pdf")
    # The output is checked first: these systems would be refused too, so the path's error proves the order.
    with pytest.raises(nm.InputError, match=r"\.html or \.md"):
        report({}, metrics=["accuracy"], output=tmp_path / "report.pdf")
    with pytest.raises(nm.InputError, match="does not exist"):
        report({}, metrics=["accuracy"], output=tmp_path / "missing" / "report.html")
    with pytest.raises(nm.InputError, match="language"):
        report(_two_classifiers(), metrics=["accuracy"], lang="fr")
    with pytest.raises(nm.InputError, match="non-empty mapping"):
        report({}, metrics=["accuracy"])
    with pytest.raises(nm.UnknownMetricError):
        report(_two_classifiers(), metrics=["acuracy"])
    with pytest.raises(nm.InputError, match=r"system 'b' must be a .predictions, references. pair .* not list"):
        report({"a": (["x"], ["x"]), "b": [["x"], ["x"], ["y"]]}, metrics=["accuracy"])
    with pytest.raises(nm.InputError, match="system 'a': predictions is a single string"):
        report({"a": ("the cat sat", "the cat sat")}, metrics=["accuracy"])  # not 11 one-character examples
    with pytest.raises(nm.InputError, match="twice with the same options"):
        report(_two_classifiers(), metrics=["f1", nm.load("f1")])
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- Markdown

def _markdown_tables(text: str) -> list[list[list[str]]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def test_markdown_structure_and_escaping(tmp_path):
    systems = _two_classifiers(80)
    preds, refs = systems["candidate.jsonl"]
    preds = list(preds)
    preds[0] = HOSTILE + " | *bold*"
    refs_h = list(refs)
    systems = {"base": (systems["baseline.jsonl"][0], refs_h), "new|<b>": (preds, refs_h)}
    out = tmp_path / "report.md"
    built = report(systems, metrics=["accuracy", nm.load("f1", average="micro")], output=out, n_resamples=50,
                   title=HOSTILE)
    text = out.read_text(encoding="utf-8")
    assert text == built.to_markdown().replace(built.generated, built.generated)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    levels = [len(h) - len(h.lstrip("#")) for h in headings]
    assert levels[0] == 1
    assert headings.count("## Summary") == 1
    for name in ("Summary", "Results by metric", "Comparison of systems", "How to read this report",
                 "Appendix: reproducibility"):
        assert f"## {name}" in headings
    for table in _markdown_tables(text):
        assert len({len(row) for row in table}) == 1, table[:2]
        assert set(table[1]) == {"---"}
    assert "<script>" not in text
    assert "<b>" not in text
    assert "new\\|\\<b\\>" in text


# ----------------------------------------------------------------------------- HTML

@pytest.fixture(scope="module")
def hostile_html(tmp_path_factory) -> tuple[str, Path]:
    preds, refs = _labels(90, 0.7, seed=10, classes=("ok", HOSTILE, "鳥"))
    preds_b = list(refs)
    preds_b[:20] = preds[:20]
    text_refs = _texts(90, seed=11)
    text_preds = _noisy(text_refs, 0.3, seed=12)
    text_preds[5] = HOSTILE
    folder = tmp_path_factory.mktemp("html")
    out = folder / "report.html"
    report({"a<i>.jsonl": (preds, refs), "b.jsonl": (preds_b, refs)}, metrics=[nm.load("f1", average="micro")],
           output=out,
           n_resamples=50, title=f"Report {HOSTILE}")
    text_out = folder / "text.html"
    report({HOSTILE: (text_preds, text_refs)}, metrics=["chrf"], output=text_out, n_resamples=30, worst=3)
    return out.read_text(encoding="utf-8"), text_out


def test_html_structure(hostile_html):
    text, _ = hostile_html
    root = parse_html(text)
    _assert_self_contained(root)
    html = root.find_all("html")[0]
    assert html.attrs["lang"] == "en"
    sections = {n.attrs.get("id") for n in root.find_all("section")}
    assert {"summary", "systems", "metrics", "comparison", "how-to-read", "appendix"} <= sections
    assert len(root.find_all("article", **{"class": "metric"})) == 1
    assert len(root.find_all("svg")) >= 5  # forest + per-class and confusion for both systems
    comparison = root.find_all("table", **{"class": "comparison"})[0]
    assert len(comparison.find_all("tr")) == 2
    h1 = root.find_all("h1")
    assert len(h1) == 1
    assert h1[0].all_text() == f"Report {HOSTILE}"


def test_html_escapes_every_user_text(hostile_html):
    text, text_report = hostile_html
    root = parse_html(text)
    assert not root.find_all("script")
    assert not root.find_all("i")
    cells = [td.all_text() for td in root.find_all("td")]
    assert HOSTILE in cells  # the hostile label is a table cell's text
    assert "a<i>.jsonl" in cells
    examples_root = parse_html(text_report.read_text(encoding="utf-8"))
    assert not examples_root.find_all("script")
    examples = examples_root.find_all("table", **{"class": "examples"})[0]
    assert HOSTILE in [td.all_text() for td in examples.find_all("td")]
    assert any(HOSTILE in p.all_text() for p in examples_root.find_all("p"))


def test_japanese_report_is_in_japanese():
    built = report(_two_classifiers(), metrics=["accuracy"], lang="ja", n_resamples=50)
    root = parse_html(built.to_html())
    assert root.find_all("html")[0].attrs["lang"] == "ja"
    assert root.find_all("h1")[0].all_text() == "評価レポート"
    headings = [h.all_text() for h in root.find_all("h2")]
    # 「概要」, not 「要約」: in a report on summaries 要約 is what the model writes.
    assert "概要" in headings
    assert "システムの比較" in headings
    assert built.summary[0].startswith("2つのシステムを同じ120件で評価し")
    assert any("有意な差です" in s for s in built.summary)
    verdict = "baseline.jsonlと比べて、candidate.jsonlは1指標すべてで有意に優れています"
    assert any(s.startswith(verdict) for s in built.summary)


# ----------------------------------------------------------------------------- warnings raised while scoring

_JA_REFS = ["今日は天気が良いので散歩に行きました", "猫がマットの上で寝ています", "会議は午後三時から始まります"] * 12
_JA_PREDS = ["今日は天気が良いので公園に行きました", "犬がマットの上で寝ています", "会議は午後四時から始まります"] * 12


def _notes(root: _Node) -> list[_Node]:
    """Return the items of the summary's warnings list, in order."""
    summary = next(n for n in root.find_all("section") if n.attrs.get("id") == "summary")
    lists = summary.find_all("ul", **{"class": "warnings"})
    assert len(lists) == 1
    return [child for child in lists[0].children if child.tag == "li"]


def _markdown_notes(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f"## {heading}") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("## "))
    return [line for line in lines[start:end] if line.startswith("- ")]


@pytest.mark.filterwarnings("ignore:rouge. no prediction or reference contains a newline")
def test_japanese_text_under_the_english_tokenizer_is_noted_in_html_and_markdown(tmp_path):
    from nlpmetrics.metrics.rouge import RougeWarning

    name = "ja<b>.jsonl"
    with pytest.warns(RougeWarning, match="lost every word") as caught:  # still reaches the caller
        built = report({name: (_JA_PREDS, _JA_REFS)}, metrics=["rouge"], lang="ja", n_resamples=30,
                       output=tmp_path / "r.html")
    assert sum("lost every word" in str(w.message) for w in caught) == 1
    assert built.sections[0].values[0].value == 0.0  # the number the note explains
    title = built.sections[0].title
    root = parse_html((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert not root.find_all("b")
    notes = _notes(root)
    first = notes[0]  # the metric's own warning comes first
    assert "metric-warning" in first.attrs["class"].split()
    lead, = first.find_all("span", **{"class": "lead"})
    message, = first.find_all("span", **{"class": "message"})
    assert lead.all_text() == f"採点中に次の警告が出ました（{name}・{title}）："
    assert message.attrs["lang"] == "en"
    assert "lost every word to the English tokenizer" in message.all_text()
    assert "lang='ja'" in message.all_text()
    # rougeLsum = rougeL is said once, by the Japanese guard-rail note, not again in the metric's English.
    assert not any("rougeLsum" in w.message for w in built.metric_warnings)
    assert any("ROUGE-Lsum" in li.all_text() for li in notes[1:])
    markdown = _markdown_notes(built.to_markdown(), "注意点")
    assert markdown[0].startswith("- **採点中に次の警告が出ました（ja\\<b\\>.jsonl・")
    assert "lost every word to the English tokenizer" in markdown[0]


@pytest.mark.filterwarnings("ignore:Mean of empty slice")  # the paired test of an n/a score
def test_constant_input_to_a_correlation_is_noted():
    from nlpmetrics.metrics.correlation import ConstantInputWarning

    flat = ([1.0] * 30, list(range(30)))
    exact = (list(range(30)), list(range(30)))  # r = 1 up to rounding: its interval may exclude the estimate
    with pytest.warns(ConstantInputWarning, match="predictions are all equal"):
        built = report({"flat": flat, "exact": exact}, metrics=["pearson"], n_resamples=30)
    noted, = built.metric_warnings  # raised twice while scoring, noted once
    assert (noted.system, noted.metric, noted.category) == ("flat", built.sections[0].title, "ConstantInputWarning")
    assert noted.lead == f"While flat was scored on {built.sections[0].title}, the metric warned:"
    root = parse_html(built.to_html())  # the forest plot draws an n/a score and a degenerate interval
    assert root.find_all("figure", **{"class": "plot-forest"})
    first = _notes(root)[0]
    assert "metric-warning" in first.attrs["class"].split()
    assert "predictions are all equal" in first.find_all("span", **{"class": "message"})[0].all_text()
    assert _markdown_notes(built.to_markdown(), "Points to keep in mind")[0].startswith(
        "- **While flat was scored on")


def test_scoring_warnings_follow_the_callers_filters_and_the_report_keeps_them():
    from nlpmetrics.metrics.correlation import ConstantInputWarning

    flat = ([1.0] * 30, list(range(30)))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("ignore", ConstantInputWarning)
        built = report({"flat": flat}, metrics=["spearman"], n_resamples=30)
    assert not [w for w in seen if w.category is ConstantInputWarning]
    assert [w.category for w in built.metric_warnings] == ["ConstantInputWarning"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConstantInputWarning)
        with pytest.raises(ConstantInputWarning):
            report({"flat": flat}, metrics=["spearman"], n_resamples=30)
    quiet = report(_two_classifiers(), metrics=["accuracy"], n_resamples=30)
    assert quiet.metric_warnings == ()


def test_font_fallback_warns_and_draws_ascii(monkeypatch):
    monkeypatch.setattr(plots_module, "cjk_font", lambda: None)
    built = report({"システム": _two_classifiers()["baseline.jsonl"]}, metrics=[nm.load("f1", average="micro")],
                   lang="ja", n_resamples=30)
    with pytest.warns(plots_module.FontFallbackWarning, match="fonts-noto-cjk"):
        page = built.to_html()
    assert "<svg" in page


# ----------------------------------------------------------------------------- a real browser

def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium is not installed; install it with: apt-get install -y chromium fonts-noto-cjk "
                "(.ci/run does this in CI)")


def _screenshot(page: Path, tmp_path: Path) -> np.ndarray:
    from matplotlib import pyplot

    png = tmp_path / f"{page.stem}.png"
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / ('profile-' + page.stem)}", f"--screenshot={png}",
               "--window-size=1200,2000", page.resolve().as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)})
    assert png.exists(), "chromium wrote no screenshot"
    return pyplot.imread(png)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_browser_renders_a_non_blank_page(lang, tmp_path):
    page = tmp_path / f"report_{lang}.html"
    report(_two_classifiers(), metrics=["accuracy", nm.load("f1", average="micro")], output=page, lang=lang,
           n_resamples=50)
    pixels = _screenshot(page, tmp_path)
    gray = pixels[..., :3].mean(axis=2)
    assert gray.std() > 0.05, "the rendered page is blank"
    # Text and plots reach well down the page, not only a header.
    dark_rows = np.flatnonzero((gray < 0.5).any(axis=1))
    assert dark_rows.size > 200
    assert dark_rows.max() > 1000


_JA_WORDS = [
    "今日", "猫", "犬", "マット", "家", "公園", "会議", "午後", "雨", "道路", "予算", "市議会", "学生", "図書館",
    "新しい", "古い", "大きな", "静かな",
]
_JA_PARTICLES = ["が", "を", "に", "で", "と", "の", "は"]


def _japanese(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(str(rng.choice(_JA_WORDS)) + str(rng.choice(_JA_PARTICLES)) for _ in range(int(rng.integers(4, 8))))
            + "した" for _ in range(n)]


def _japanese_noisy(texts: list[str], rate: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(w if rng.random() > rate else str(rng.choice(_JA_WORDS))
                    for w in re.split(r"(?<=[がをにでとのは])", t))
            for t in texts]


def _system_files(folder: Path, data: str) -> tuple[Path, Path]:
    """Two systems' JSONL files on the same 60 references, English or Japanese."""
    import json

    if data == "en":
        refs = _texts(60, seed=21)
        a, b = _noisy(refs, 0.45, seed=22), _noisy(refs, 0.2, seed=23)
    else:
        refs = _japanese(60, seed=21)
        a, b = _japanese_noisy(refs, 0.45, seed=22), _japanese_noisy(refs, 0.2, seed=23)
    paths = []
    for name, predictions in (("baseline", a), ("candidate", b)):
        path = folder / f"{name}.{data}.jsonl"
        path.write_text("".join(json.dumps({"prediction": p, "reference": r}, ensure_ascii=False) + "\n"
                                for p, r in zip(predictions, refs, strict=True)), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1]


def _numbers(root: _Node) -> list[str]:
    """Every number of every numeric cell, in page order (the words and the range signs aside)."""
    cells = [td.all_text() for td in root.find_all("td", **{"class": "num"})]
    return [n for cell in cells for n in re.findall(r"\d+(?:[.,]\d+)*", cell)]


#: Measures, in the browser, each comparison-table heading and score cell (a probe copy only; reports run no script).
_PROBE = ("<script>document.body.setAttribute('data-layout', JSON.stringify([...document.querySelectorAll("
          "'table.comparison th, table.comparison td.key, table.values th, table.values td.key')].map("
          "e => [e.textContent, e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)])))"
          "</script>")


def _layout(page: Path, tmp_path: Path) -> list[tuple[str, float, float]]:
    import html
    import json

    probe = tmp_path / f"{page.stem}.probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / ('probe-' + page.stem)}", "--window-size=1200,2000",
               "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()]
    dumped = subprocess.run(command, check=True, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HOME": str(tmp_path)}).stdout
    found = re.search(r'data-layout="([^"]*)"', dumped)
    assert found, "the probe did not run"
    return [tuple(cell) for cell in json.loads(html.unescape(found.group(1)))]


@pytest.mark.parametrize("data", ["en", "ja"])
def test_browser_two_system_reports_in_both_languages_have_the_same_numbers(data, tmp_path):
    """English and Japanese words over English and Japanese data: the same numbers, pages that render.

    No heading or score name is squeezed to one character per line.
    """
    from nlpmetrics.cli import main

    a, b = _system_files(tmp_path, data)
    numbers = {}
    for words in ("en", "ja"):
        page = tmp_path / f"report_{data}_{words}.html"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert main(["report", str(a), str(b), "-m", "rouge,bleu,chrf", "-o", str(page), "--explain-lang",
                         words, "--resamples", "200", "-q"]) == 0
        root = parse_html(page.read_text(encoding="utf-8"))
        assert root.find_all("html")[0].attrs["lang"] == words
        numbers[words] = _numbers(root)
        pixels = _screenshot(page, tmp_path)
        gray = pixels[..., :3].mean(axis=2)
        assert gray.std() > 0.05, "the rendered page is blank"
        dark_rows = np.flatnonzero((gray < 0.5).any(axis=1))
        assert dark_rows.size > 200, "text and plots reach well down the page"
        assert dark_rows.max() > 1000, "text and plots reach well down the page"
        for text, height, line in _layout(page, tmp_path):
            assert height <= 3.2 * line, f"{text!r} takes {height / line:.1f} lines in the {words} report"
    assert numbers["en"] == numbers["ja"]
    assert len(numbers["en"]) > 40
    tokenizer = "tok:ja-mecab" if data == "ja" else "tok:13a"
    assert tokenizer in page.read_text(encoding="utf-8"), "the tokenizer follows the data, never the words"


def test_many_classes_keep_the_largest_in_the_confusion_matrix():
    refs = np.repeat(np.arange(25), np.arange(25) + 2)[::-1].tolist()  # class k appears k + 2 times
    built = report({"s": (refs, refs)}, metrics=["accuracy", nm.load("f1", average="micro")], n_resamples=10)
    matrix = next(m.table for m in built.sections[1].matrices if m.table.title.startswith("Confusion"))
    assert len(matrix.rows) == 20
    assert len(matrix.columns) == 21
    shown = {int(row[0]) for row in matrix.rows}
    assert shown == set(range(5, 25))  # the 20 most frequent reference classes


_HTMLISH = st.lists(st.sampled_from([*"<>&\"'/=ab スクリプト|*_`[]\\", "<script>", "</td>", "&amp;"]),
                    min_size=1, max_size=12).map("".join).filter(lambda s: s.strip() == s and "  " not in s)


@settings(max_examples=20)
@given(name=_HTMLISH, title=_HTMLISH, label=_HTMLISH)
def test_any_user_text_comes_back_as_text(name, title, label):
    labels = [label, "other"] * 4
    built = report({name: (labels, labels[::-1])}, metrics=["accuracy"], n_resamples=5, title=title)
    root = parse_html(built.to_html())
    allowed = {"#root", "html", "head", "meta", "title", "style", "body", "main", "header", "nav", "a", "h1", "h2",
               "h3", "h4", "p", "section", "article", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "span",
               "div"}
    assert {n.tag for n in root.iter()} <= allowed  # nothing from the user became markup
    assert root.find_all("h1")[0].all_text() == title
    cells = [td.all_text() for td in root.find_all("td")]
    assert name in cells
    markdown = built.to_markdown()
    assert "<script>" not in markdown


# ----------------------------------------------------------------------------- statistics said honestly, once

def _verdict(key: str, p: float, difference: float, main: bool = True, comparisons: int = 3):
    from nlpmetrics.reporting.verdicts import Verdict
    from nlpmetrics.resampling import PairedTest

    test = PairedTest(key=key, a=0.5, b=0.5 + difference, difference=difference, interval=(difference - 0.02,
                      difference + 0.02), p_value=p, p_value_bootstrap=p, confidence=0.95, n_resamples=1000, seed=0,
                      standard_error=0.01)
    return Verdict(a="A", b="B", metric="accuracy", key=key, variant="", test=test, higher_is_better=True, n=300,
                   p_adjusted=p, comparisons=comparisons, alpha=0.05, main=main)


def test_the_overall_sentence_counts_without_zero_metric_sentences():
    from nlpmetrics.reporting.build import _overall

    verdicts = [_verdict("a", 0.001, 0.05), _verdict("b", 0.4, 0.01)]
    assert _overall(verdicts, "A", "B", "ja") == ("Aと比べて、Bは2指標中1指標で有意に優れ、有意に劣る指標はありません。"
                                                  "残る1指標では有意差は確認できませんでした（各指標の主なスコア、3件の比較を"
                                                  "Holm法で補正）。")
    assert _overall(verdicts, "A", "B", "en") == ("Compared with A, B is significantly better on 1 of 2 metrics and "
                                                  "significantly worse on none; on the other 1 the difference is not "
                                                  "significant (the main score of each metric; Holm's correction for 3 "
                                                  "comparisons).")
    assert "0指標" not in _overall([_verdict("a", 0.4, 0.01)], "A", "B", "ja")
    assert _overall([_verdict("a", 0.4, 0.01), _verdict("b", 0.5, 0.0)], "A", "B", "ja") == (
        "Aと比べて、Bは2指標のいずれでも有意差は確認できませんでした（各指標の主なスコア、3件の比較をHolm法で補正）。")


def test_several_comparisons_are_counted_and_holm_corrected():
    refs = _texts(80, seed=31)
    systems = {"base": (_noisy(refs, 0.4, 32), refs), "new": (_noisy(refs, 0.3, 33), refs),
               "other": (_noisy(refs, 0.38, 34), refs)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = report(systems, metrics=["chrf", "ter", nm.load("rouge", rouge_types=["rouge1", "rouge2"])],
                       n_resamples=300)
    rows = built.comparison_rows
    m = len(rows)
    assert m == 2 * 4  # (chrF, TER, ROUGE-1, ROUGE-2) x two systems against the baseline
    from nlpmetrics.power import holm

    assert [r.p_adjusted for r in rows] == pytest.approx(holm([r.p_value for r in rows]))
    assert all(r.significant == (r.p_adjusted < 0.05) for r in rows)
    assert f"{m} comparisons were made, so each verdict uses Holm's correction" in built.comparison_intro
    assert any(f"Holm's correction for {m} comparisons" in s for s in built.summary)


def test_a_score_equal_by_construction_is_not_a_finding():
    refs = _texts(60, seed=35)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = report({"a": (_noisy(refs, 0.5, 36), refs), "b": (_noisy(refs, 0.1, 37), refs)}, metrics=["rouge"],
                       n_resamples=200)
    lsum = next(r for r in built.comparison_rows if r.key_name == "ROUGE-Lsum")
    assert lsum.duplicate == "rougeL"
    assert lsum.verdict_text == "same as ROUGE-L"
    assert not lsum.significant
    assert lsum.p_adjusted_text == ""
    assert not lsum.power
    counted = [r for r in built.comparison_rows if not r.duplicate]
    assert len(counted) == 3
    assert "3 comparisons were made" in built.comparison_intro
    assert not any("ROUGE-Lsum" in s for s in built.summary)
    assert sum("ROUGE-Lsum equals ROUGE-L" in w for w in built.warnings) == 1, "said once for both systems"


def test_a_difference_not_found_says_what_would_find_it():
    preds_a, refs = _labels(200, 0.70, seed=41)
    rng = np.random.default_rng(42)
    preds_b = [r if rng.random() < 0.12 else p for p, r in zip(preds_a, refs, strict=True)]
    built = report({"A": (preds_a, refs), "B": (preds_b, refs)}, metrics=["accuracy"], n_resamples=500)
    row = built.comparison_rows[0]
    assert not row.significant
    detectable, needed = row.power
    assert re.fullmatch(r"With these 200 examples, a true difference of \d+\.\d points or more on accuracy would be "
                        r"found 8 times in 10 \(80% power, α = 0\.05\)\.", detectable)
    assert re.fullmatch(r"Finding a difference of \d+\.\d points as reliably would take about [\d,]+ examples\.",
                        needed)
    assert f"{detectable} {needed}" in built.summary
    from nlpmetrics.power import examples_needed
    from nlpmetrics.reporting.text import about

    test = built.verdicts[0].test
    expected = examples_needed(test.difference, test.standard_error, 200)
    assert expected > 200
    assert needed.endswith(f"about {about(expected)} examples.")


def test_each_caveat_and_table_is_said_once():
    systems = _two_classifiers()
    built = report(systems, metrics=["accuracy", nm.load("f1", average="macro"), nm.load("recall", average="macro")],
                   n_resamples=50)
    markdown = built.to_markdown()
    for section in built.sections:
        for caveat in section.caveats:
            assert markdown.count(caveat[:60].replace("_", "\\_")) == 1, caveat
    # The per-class table and the confusion matrix of each system: once, under macro-F1; recall points to them.
    assert markdown.count("#### Per class — baseline.jsonl") == 1
    assert markdown.count("#### Confusion matrix (rows: correct label, columns: predicted label) — baseline.jsonl") == 1
    assert "are those shown under Macro-F1 above" in markdown
    # In HTML the confusion matrix is a heatmap carrying its counts, not also a table.
    page = built.to_html()
    root = parse_html(page)
    assert not any(h.all_text().startswith("Confusion matrix (rows") for h in root.find_all("h4"))
    assert len(root.find_all("figure", **{"class": "plot-confusion"})) == 2
    assert not [s for s in built.sections if s.in_words], "several systems: no sentence that repeats the table"


def test_scales_and_task_nouns():
    refs = _texts(50, seed=51)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = report({"mt": (_noisy(refs, 0.3, 52), refs)}, metrics=["bleu", "chrf"], n_resamples=50)
        summaries = report({"mt": (_noisy(refs, 0.3, 52), refs)}, metrics=["bleu"], n_resamples=50,
                           task="summarization", lang="ja")
    assert built.task == "translation"
    bleu = nm.compute("bleu", predictions=_noisy(refs, 0.3, 52), references=refs)["bleu"]
    assert built.sections[0].values[0].value_text == f"{bleu * 100:.1f}", "BLEU 27.3, not 27.3% nor 0.27"
    assert built.sections[0].columns == ("Model's translation", "Reference translation")
    assert summaries.sections[0].columns == ("モデルの要約", "参照要約")
    assert "要約" in summaries.sections[0].what
    assert "訳" not in summaries.to_markdown()
    accuracy = report(_two_classifiers(), metrics=["accuracy"], n_resamples=50)
    assert accuracy.sections[0].values[0].value_text.endswith("%")


def test_power_sentences_use_holms_level_and_never_need_fewer_examples_than_used():
    from nlpmetrics.power import examples_needed, z_sum
    from nlpmetrics.reporting.text import about, power_sentences

    # Three comparisons: the detectable difference is at Holm's strictest level, 0.05/3.
    far = _verdict("accuracy", 0.4, 0.01)
    detectable, needed = power_sentences(far, "en")
    assert far.sensitivity.alpha == pytest.approx(0.05 / 3)
    assert far.sensitivity.detectable == pytest.approx(z_sum(0.05 / 3) * 0.01)
    assert detectable == ("With these 300 examples, a true difference of 3.2 points or more on accuracy would be found "
                          "8 times in 10 (80% power) even at α = 0.05/3 ≈ 0.017, the strictest level of Holm's "
                          "correction for 3 comparisons.")
    expected = examples_needed(0.01, 0.01, 300, alpha=0.05 / 3)
    assert expected > 300
    assert needed == f"Finding a difference of 1.0 points as reliably would take about {about(expected)} examples."
    assert power_sentences(far, "ja")[0] == (
        "この300件では、正解率に3.2ポイント以上の真の差があれば、有意水準5%÷3 ≈ 1.7%"
        "（3件の比較に対するHolm法で最も厳しい水準）でも10回中8回は検出できます（検出力80%）。")
    # The observed difference is beyond the detectable one, yet not significant after Holm's correction:
    # no "would take about N examples" with N below the 300 already used.
    near = _verdict("accuracy", 0.08, 0.04)
    assert not near.significant
    assert near.sensitivity.needed <= 300
    en = power_sentences(near, "en")
    assert not any("would take" in s for s in en)
    assert en[1] == ("The observed difference is at least this large, but it is not significant after Holm's "
                     "correction for 3 comparisons; more examples would settle it.")
    assert power_sentences(near, "ja")[1] == (
        "今回の差はこれを上回りますが、3件の比較をHolm法で補正すると有意ではありません。件数を増やせば判断できます。")
    alone = _verdict("accuracy", 0.08, 0.04, comparisons=1)
    assert alone.sensitivity.alpha == 0.05
    assert "α = 0.05)" in power_sentences(alone, "en")[0]
    assert "more examples would settle it" in power_sentences(alone, "en")[1]


def test_a_report_with_several_comparisons_states_holms_level_and_keeps_its_counts_consistent():
    from nlpmetrics.reporting.text import power_sentences

    refs = _texts(80, seed=31)
    systems = {"base": (_noisy(refs, 0.4, 32), refs), "new": (_noisy(refs, 0.3, 33), refs),
               "other": (_noisy(refs, 0.38, 34), refs)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = report(systems, metrics=["chrf", "ter"], n_resamples=300)
    m = len(built.comparison_rows)
    intro = built.comparison_intro
    assert "at α = 0.05/4 ≈ 0.013, the strictest level of Holm's correction for 4 comparisons." in intro
    for verdict in built.verdicts:
        assert verdict.sensitivity.alpha == pytest.approx(0.05 / m)
        needed = verdict.sensitivity.needed
        said = " ".join(power_sentences(verdict, "en"))
        if needed is not None and needed <= verdict.n:
            assert "would take" not in said
        for count in re.findall(r"about ([\d,]+) examples", said):
            assert int(count.replace(",", "")) > verdict.n


@pytest.mark.parametrize(("lang", "sentence", "false"), [
    ("en", "It covers the chance of which examples were drawn, not a change of domain, a test set built another way, "
           "nor errors in the references.", "different test set"),
    ("ja", "事例の選ばれ方による偶然のばらつきは含みますが、分野の違い、作り方の異なるテストセット、"
           "正解データの誤りは含みません。", "別のテストセット"),
])
def test_the_confidence_interval_bullet_says_what_a_bootstrap_covers(lang, sentence, false):
    built = report(_two_classifiers(), metrics=["accuracy"], n_resamples=30, lang=lang)
    bullet = next(b for b in built.how_to_read if b.startswith(("Confidence interval", "信頼区間")))
    assert sentence in bullet
    assert false not in bullet, "a bootstrap interval does estimate how the numbers move over test sets drawn alike"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_how_to_read_speaks_of_p_values_holm_and_power_only_with_a_comparison(lang):
    p_value, holm, detectable = {"en": ("p-value:", "Several comparisons:", "Detectable difference:"),
                                 "ja": ("p値：", "複数の比較：", "検出できる差：")}[lang]
    one = report({"only": _two_classifiers()["baseline.jsonl"]}, metrics=["accuracy"], n_resamples=30, lang=lang)
    for start in (p_value, holm, detectable):
        assert not any(b.startswith(start) for b in one.how_to_read), start
        assert start not in one.to_markdown()
    assert any(b.startswith(("Confidence interval:", "信頼区間：")) for b in one.how_to_read)
    two = report(_two_classifiers(), metrics=["accuracy", nm.load("f1", average="micro")], n_resamples=30, lang=lang)
    for start in (p_value, holm, detectable):
        assert sum(b.startswith(start) for b in two.how_to_read) == 1, start
    single = report(_two_classifiers(), metrics=["accuracy"], n_resamples=30, lang=lang)
    assert not any(b.startswith(holm) for b in single.how_to_read), "one comparison: nothing to correct"
    assert any(b.startswith(p_value) for b in single.how_to_read)


def test_summary_headlines_open_with_a_capital_and_japanese_says_what_it_means():
    built = report(_two_classifiers(), metrics=["accuracy", nm.load("f1", average="micro")], n_resamples=30)
    headlines = built.summary[1:3]
    assert headlines[0].startswith("Accuracy ")
    assert headlines[1].startswith("Micro-F1 ")
    ja = report(_two_classifiers(), metrics=["accuracy"], n_resamples=30, lang="ja")
    from nlpmetrics.reporting.text import phrase

    said = "\n".join([*ja.how_to_read, ja.comparison_intro, *ja.summary,
                      phrase("method_note", "ja", n=20, resamples=1000, comparisons="比較は1件")])
    for retired in ("本当の差", "同じ件で", "件を一緒にリサンプリング", "の件をブートストラップ", "無作為な入れ替え"):
        assert retired not in said, retired
    assert "真の差" in said
    assert "20件の対応のある比較（ブートストラップ1,000回、並べ替え検定1,000回、比較は1件）。" in said


def test_the_variant_is_added_from_the_option_value_not_from_the_names_spelling():
    from nlpmetrics.reporting.text import verdict_key

    systems = _two_classifiers()
    built = report(systems, metrics=[nm.load("f1", average="micro"), nm.load("f1", average="macro")],
                   n_resamples=30, lang="ja")
    assert [r.key_name for r in built.comparison_rows] == ["マイクロ平均F値", "マクロ平均F値"]
    assert not any("(micro)" in s or "(macro)" in s for s in built.summary)
    verdict = built.verdicts[0]
    from dataclasses import replace

    # A name that does not say the option (average="binary" is plain F1) keeps the variant.
    binary = replace(verdict, variant="binary", options={"average": "binary"})
    assert verdict_key(binary, "ja") == "F値 (binary)"
    # Options the name does not depend on stay; the one it says goes.
    several = replace(verdict, variant="average=micro, beta=2", options={"average": "micro", "beta": 2})
    assert verdict_key(several, "ja") == "マイクロ平均F値 (beta=2)"
    assert verdict_key(several, "en") == "micro-F1 (beta=2)"
