"""`nlpmetrics report` and `nlpmetrics compare` from the command line (in-process)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from nlpmetrics.cli import main

HOSTILE = "<script>alert(1)</script>"


def _write(path: Path, predictions: list, references: list) -> Path:
    with path.open("w", encoding="utf-8") as stream:
        for p, r in zip(predictions, references, strict=True):
            stream.write(json.dumps({"prediction": p, "reference": r}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def two_systems(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    labels = ["pos", "neg", "neu"]
    refs = [str(x) for x in rng.choice(labels, 80)]
    a = [r if rng.random() < 0.6 else str(rng.choice(labels)) for r in refs]
    b = [r if rng.random() < 0.95 else str(rng.choice(labels)) for r in refs]
    return _write(tmp_path / "baseline.jsonl", a, refs), _write(tmp_path / "candidate.jsonl", b, refs)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag):
        self._in_h1 = False if tag == "h1" else self._in_h1

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def test_report_writes_a_self_contained_html(two_systems, tmp_path, capsys):
    out = tmp_path / "report.html"
    status = main(["report", *map(str, two_systems), "-m", "accuracy,f1", "--option", "average=micro", "-o", str(out),
                   "--resamples", "100",
                   "--title", f"Q3 {HOSTILE}"])
    assert status == 0
    parser = _Collector()
    parser.feed(out.read_text(encoding="utf-8"))
    assert parser.h1 == f"Q3 {HOSTILE}"
    assert "script" not in parser.tags
    assert "link" not in parser.tags
    assert parser.tags.count("article") == 2
    assert "svg" in parser.tags
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.jsonl", "candidate.jsonl", "report.html"]


def test_report_markdown_in_japanese(two_systems, tmp_path):
    out = tmp_path / "report.md"
    assert main(["report", *map(str, two_systems), "-m", "accuracy", "-o", str(out), "--lang", "ja",
                 "--resamples", "50"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 評価レポート")
    assert "## システムの比較" in text
    assert "candidate.jsonl" in text


def test_report_refuses_other_outputs(two_systems, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    assert main(["report", str(two_systems[0]), "-m", "accuracy", "-o", str(out)]) == 2
    assert ".html or .md" in capsys.readouterr().err
    assert not out.exists()


def test_compare_prints_the_verdict(two_systems, capsys):
    assert main(["compare", *map(str, two_systems), "-m", "accuracy", "--resamples", "200"]) == 0
    text = capsys.readouterr().out
    header, _, row = text.splitlines()[:3]
    # Both systems' scores and the difference, then the verdict in words.
    assert header.split()[:6] == ["Score", "baseline.jsonl", "candidate.jsonl", "Difference", "(B", "−"]
    assert row.startswith("Accuracy")
    assert "candidate.jsonl better" in row
    assert "candidate.jsonl is better than baseline.jsonl on accuracy by" in text
    assert "the difference is significant" in text


def test_compare_json_and_markdown(two_systems, tmp_path, capsys):
    assert main(["compare", *map(str, two_systems), "-m", "accuracy", "--resamples", "100", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    test = data["metrics"]["accuracy"]["tests"]["accuracy"]
    assert data["names"] == ["baseline.jsonl", "candidate.jsonl"]
    assert test["difference"] > 0
    assert 0 < test["p_value"] < 0.05
    out = tmp_path / "comparison.md"
    assert main(["compare", *map(str, two_systems), "-m", "accuracy", "--resamples", "100", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("| Score | baseline.jsonl | candidate.jsonl |")


def test_compare_refuses_different_references(two_systems, tmp_path, capsys):
    rows = [json.loads(line) for line in two_systems[1].read_text(encoding="utf-8").splitlines()]
    rows[3]["reference"] = "other"
    shifted = _write(tmp_path / "shifted.jsonl", [r["prediction"] for r in rows], [r["reference"] for r in rows])
    assert main(["compare", str(two_systems[0]), str(shifted), "-m", "accuracy"]) == 2
    assert "same references" in capsys.readouterr().err


def test_compare_names_the_lines_where_the_references_differ(two_systems, tmp_path, capsys):
    rows = [json.loads(line) for line in two_systems[1].read_text(encoding="utf-8").splitlines()]
    rows[3]["reference"] = "other"
    shifted = tmp_path / "shifted.jsonl"
    shifted.write_text("\n" + "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")  # a blank first line
    assert main(["compare", str(two_systems[0]), str(shifted), "-m", "accuracy"]) == 2
    err = capsys.readouterr().err
    assert f"{two_systems[0]}:4 and {shifted}:5: the references differ" in err


@pytest.mark.parametrize("command", [["compare"], ["report", "-o", "r.md"]])
def test_a_file_given_twice_is_bad_input(two_systems, tmp_path, capsys, command):
    args = [command[0], str(two_systems[0]), str(two_systems[0]), "-m", "accuracy", *command[1:]]
    assert main(args) == 2
    assert f"{two_systems[0]}: given twice" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["compare", "report"])
def test_stdin_as_the_first_file_is_read_once(two_systems, tmp_path, monkeypatch, capsys, command):
    import io
    import sys

    def run(first: str) -> str:
        out = tmp_path / f"{command}.md"
        args = [command, first, str(two_systems[1]), "-m", "accuracy", "--resamples", "50", "-o", str(out)]
        assert main(args) == 0, capsys.readouterr().err
        return out.read_text(encoding="utf-8").replace(two_systems[0].name, "stdin")

    expected = run(str(two_systems[0]))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(two_systems[0].read_bytes()), encoding="utf-8"))
    assert run("-") == expected


# ----------------------------------------------------------------------------- the language of the words

EN_REFS = ["the cat sat on the mat today", "a storm closed the main road", "the meeting was moved to friday",
           "prices rose sharply in march", "the team won the final game"] * 8
EN_PREDS = ["the cat sat on a mat today", "a storm closed the road", "the meeting moved to friday",
            "prices rose in march", "the team won the game"] * 8


def test_the_words_never_change_the_numbers(tmp_path, capsys):
    """--explain-lang ja on English texts: Japanese words, English tokenizers, the same numbers."""
    path = _write(tmp_path / "sys.jsonl", EN_PREDS, EN_REFS)
    numbers = {}
    for words in ("en", "ja"):
        assert main(["score", str(path), "-m", "bleu,rouge", "--format", "json", "--explain-lang", words, "-q"]) == 0
        numbers[words] = json.loads(capsys.readouterr().out)["results"]
        assert main(["score", str(path), "-m", "bleu", "--explain-lang", words, "-q"]) == 0
        table = capsys.readouterr().out
        assert ("件数" in table) == (words == "ja")
        assert ("BLEU" in table.split("\n\n")[1])
    assert numbers["en"] == numbers["ja"]
    assert numbers["ja"]["bleu"]["details"]["tokenizer"] == "13a", "Japanese words, English tokenizer"
    assert numbers["ja"]["rouge"]["details"]["tokenizer"] == "rouge-score-default"


def test_the_language_of_the_texts_chooses_the_words_by_default(tmp_path, capsys):
    # Varied sentences (two repeated short strings would look like class labels to the automatic choice).
    refs = [f"{n}日の午後、猫がマットの上に座っていた" for n in range(1, 11)]
    path = _write(tmp_path / "ja.jsonl", [f"{n}日の午後、猫がマットに座った" for n in range(1, 11)], refs)
    assert main(["score", str(path), "-m", "rouge", "-q"]) == 0
    out = capsys.readouterr().out
    assert "件数" in out, "detected Japanese: Japanese words"
    assert "ROUGE-1（rouge1、F値）" in out, "detected Japanese: Japanese words"
    assert main(["score", str(path), "-m", "rouge", "-q", "--explain-lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "ROUGE-1 (rouge1, F-measure)" in out, "English words, Japanese tokens"
    assert "tokenizer ja-mecab" in out, "English words, Japanese tokens"
    zh = _write(tmp_path / "zh.jsonl", ["猫今天坐在垫子上"] * 10, ["今天猫坐在垫子上面"] * 10)
    assert main(["score", str(zh), "-m", "bleu", "-q", "--lang", "zh"]) == 0
    assert "BLEU is" in capsys.readouterr().out, "Chinese texts: English words (nlpmetrics writes en or ja)"


def test_report_task_nouns_and_explain_lang(tmp_path):
    """BLEU on summaries speaks of summaries; --explain-lang ja gives 「モデルの要約」「参照要約」."""
    a = _write(tmp_path / "a.jsonl", EN_PREDS, EN_REFS)
    b = _write(tmp_path / "b.jsonl", [p.replace("the ", "a ") for p in EN_PREDS], EN_REFS)
    out = tmp_path / "r.md"
    assert main(["report", str(a), str(b), "-m", "bleu", "--task", "summarization", "-o", str(out), "--resamples",
                 "50", "-q"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "summaries" in text
    assert "translation" not in text.lower()
    assert "| Model's summary | Reference summary |" in text
    assert main(["report", str(a), str(b), "-m", "bleu", "--task", "summarization", "-o", str(out), "--resamples",
                 "50", "-q", "--explain-lang", "ja"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "| モデルの要約 | 参照要約 |" in text
    assert "訳" not in text
    assert "tok:13a" in text, "the words did not change the tokenizer"


def test_suggest_and_explain_take_both_languages(capsys):
    assert main(["suggest", "translation", "--lang", "zh", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert first["options"] == {"lang": "zh"}
    assert first["reason"].isascii()
    assert main(["suggest", "translation", "--lang", "ja-JP", "--explain-lang", "en", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert first["options"] == {"lang": "ja"}
    assert first["reason"].isascii()
    assert main(["explain", "bleu", "--explain-lang", "ja"]) == 0
    assert capsys.readouterr().out.startswith("BLEU（参照との語の並びの一致度）")
    with pytest.raises(SystemExit) as exited:
        main(["score", "x.jsonl", "--explain-lang", "fr"])
    assert exited.value.code == 2
    assert "--explain-lang" in capsys.readouterr().err


def test_score_says_each_note_and_caveat_once(tmp_path, capsys):
    rng = np.random.default_rng(3)
    refs = [str(x) for x in rng.choice(["a", "b", "c"], 24)]
    preds = [r if rng.random() < 0.7 else "a" for r in refs]
    path = _write(tmp_path / "labels.jsonl", preds, refs)
    assert main(["score", str(path), "-m", "f1_micro,f1_macro,f1_weighted", "--confidence", "0.9", "--resamples",
                 "50", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.count("What this number cannot tell") == 1
    assert out.count("It does not cover how the number") == 1
    assert out.count("The 90% confidence interval is") == 3, "each result keeps its own interval"
