"""The installed ``nlpmetrics`` command, run in subprocesses.

Every format gives the numbers the Python API gives on the same data; every
bad input exits 2 with one ``file:line`` line on stderr, no traceback, and no
output file (an existing one is left untouched).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nlpmetrics as nm

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPT = shutil.which("nlpmetrics", path=os.path.dirname(sys.executable)) or shutil.which("nlpmetrics")


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert SCRIPT, "the nlpmetrics console script is not installed (pip install -e .)"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    return subprocess.run([SCRIPT, *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def scores_of(proc: subprocess.CompletedProcess) -> dict[str, dict[str, float]]:
    assert proc.returncode == 0, proc.stderr
    return {key: result["scores"] for key, result in json.loads(proc.stdout)["results"].items()}


# ----------------------------------------------------------------------------- the same data in every format

TEXT_PAIRS = [
    ("The cat sat on the mat.", "The cat is on the mat."),
    ("A dog barked, loudly, at \"night\".", "The dog barked at night."),
    ("", "An empty prediction still counts."),
    ("猫がマットの上に座った。", "猫がマットの上にいる。"),
    ("Prices rose 3.5% in May.", "Prices went up by 3.5 percent in May."),
    ("Café au lait\u2028with sugar", "Café au lait with sugar"),
]


def write_formats(folder: Path, pairs, *, numbers: bool = False) -> dict[str, list[str]]:
    """Write the same examples as JSONL, CSV, TSV and (for text) a hypothesis/reference file pair."""
    records = [{"prediction": p, "reference": r} for p, r in pairs]
    (folder / "d.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                    encoding="utf-8")
    with open(folder / "d.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")  # RFC 4180 quoting
        writer.writerow(["prediction", "reference"])
        writer.writerows([[p, r] for p, r in pairs])
    with open(folder / "d.tsv", "w", newline="", encoding="utf-8") as handle:  # literal: no quoting, as GLUE files
        handle.writelines(f"{p}\t{r}\r\n" for p, r in [("prediction", "reference"), *pairs])
    commands = {"jsonl": ["d.jsonl"], "csv": ["d.csv"], "tsv": ["d.tsv"]}
    if not numbers:
        (folder / "hyp.txt").write_text("".join(p + "\n" for p, _ in pairs), encoding="utf-8")
        (folder / "ref.txt").write_text("".join(r + "\n" for _, r in pairs), encoding="utf-8")
        commands["text"] = ["hyp.txt", "--ref-file", "ref.txt"]
    return commands


def test_text_metrics_agree_across_formats_and_with_the_api(tmp_path):
    commands = write_formats(tmp_path, TEXT_PAIRS)
    predictions = [p for p, _ in TEXT_PAIRS]
    references = [r for _, r in TEXT_PAIRS]
    wanted = ["bleu", "chrf", "rouge", "accuracy"]
    expected = {m: dict(nm.compute(m, predictions=predictions, references=references).scores) for m in wanted}
    for kind, args in commands.items():
        got = scores_of(run("score", *args, "-m", ",".join(wanted), "--format", "json", cwd=tmp_path))
        assert got == expected, kind


def test_labels_and_numbers_agree_across_formats(tmp_path):
    labels = [("cat", "cat"), ("dog", "cat"), ("dog", "dog"), ("bird", "dog"), ("cat", "bird"), ("cat", "cat")]
    commands = write_formats(tmp_path, labels)
    expected = {
        "accuracy": dict(nm.compute("accuracy", predictions=[p for p, _ in labels],
                                    references=[r for _, r in labels]).scores),
        "f1_macro": dict(nm.compute("f1", predictions=[p for p, _ in labels], references=[r for _, r in labels],
                                    average="macro").scores),
    }
    for kind, args in commands.items():
        scored = run("score", *args, "-m", "accuracy,f1_macro", "--format", "json", cwd=tmp_path)
        assert scores_of(scored) == expected, kind

    numbers = [(0.5, 0.4), (0.7, 0.9), (0.1, 0.3), (0.25, 0.2), (0.9, 0.6)]
    commands = write_formats(tmp_path, numbers, numbers=True)
    x, y = [p for p, _ in numbers], [r for _, r in numbers]
    expected = {m: dict(nm.compute(m, predictions=x, references=y).scores) for m in ("pearson", "spearman")}
    for kind, args in commands.items():
        assert scores_of(run("score", *args, "--format", "json", "-q", cwd=tmp_path)) == expected, kind


def test_json_output_matches_result_to_dict_with_intervals(tmp_path):
    data = [{"prediction": i % 3, "reference": (i * 7) % 3} for i in range(40)]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in data))
    proc = run("score", str(path), "-m", "accuracy,f1_weighted", "--confidence", "0.9", "--resamples", "200",
               "--seed", "3", "--format", "json")
    document = json.loads(proc.stdout)
    preds, refs = [r["prediction"] for r in data], [r["reference"] for r in data]
    accuracy = nm.compute("accuracy", predictions=preds, references=refs, confidence=0.9, n_resamples=200, seed=3)
    f1 = nm.compute("f1", predictions=preds, references=refs, average="weighted", confidence=0.9, n_resamples=200,
                    seed=3)
    assert document["n"] == 40
    assert document["results"] == {"accuracy": accuracy.to_dict(), "f1_weighted": f1.to_dict()}
    assert document["input"]["format"] == "jsonl"


def test_stdin_table_and_markdown(tmp_path):
    text = "".join(json.dumps({"prediction": p, "reference": r}) + "\n" for p, r in [(1, 1), (0, 1), (1, 0), (1, 1)])
    table = run("score", "-", "-m", "accuracy", "--confidence", "0.95", stdin=text)
    assert table.returncode == 0, table.stderr
    expected = nm.compute("accuracy", predictions=[1, 0, 1, 1], references=[1, 1, 0, 1], confidence=0.95)
    low, high = expected.ci["accuracy"]
    assert f"{expected['accuracy']:.4f} [{low:.4f}, {high:.4f}]" in table.stdout
    markdown = run("score", "-", "-m", "accuracy", "--format", "markdown", stdin=text)
    assert markdown.stdout.startswith("| metric | score | value | n |")


def test_automatic_choice_is_said_on_stderr(tmp_path):
    labels = run("score", str(EXAMPLES / "classification.jsonl"), "--format", "json")
    assert set(scores_of(labels)) == {"accuracy", "f1_micro", "f1_macro", "f1_weighted"}
    assert "class labels" in labels.stderr
    numbers = run("score", str(EXAMPLES / "similarity.csv"), "--format", "json")
    assert set(scores_of(numbers)) == {"pearson", "spearman"}
    japanese = run("score", str(EXAMPLES / "summarization.ja.jsonl"), "--format", "json")
    document = json.loads(japanese.stdout)
    assert set(document["results"]) == {"bleu", "rouge"}
    assert "lang=ja" in japanese.stderr
    assert document["results"]["rouge"]["options"]["lang"] == "ja"


def test_options_are_parsed_as_json_and_scoped(tmp_path):
    path = EXAMPLES / "classification.jsonl"
    proc = run("score", str(path), "-m", "f1,precision", "--option", "average=macro", "--option",
               "precision.zero_division=1.0", "--format", "json")
    document = json.loads(proc.stdout)
    assert document["results"]["f1"]["options"]["average"] == "macro"
    assert document["results"]["precision"]["options"]["zero_division"] == 1.0
    proc = run("score", str(EXAMPLES / "summarization.en.jsonl"), "-m", "rouge", "--option",
               'rouge_types=["rouge1"]', "--format", "json")
    assert set(scores_of(proc)["rouge"]) == {"rouge1"}


# ----------------------------------------------------------------------------- bad input

BAD_FILES = {
    "bad.jsonl": '{"prediction": "a", "reference": "b"}\n{"prediction": "a" "reference": "b"}\n',
    "nan.jsonl": '{"prediction": 1, "reference": 1}\n{"prediction": NaN, "reference": 1}\n',
    "dup.jsonl": '{"prediction": 1, "prediction": 2, "reference": 1}\n',
    "field.jsonl": '{"prediction": 1, "refrence": 1}\n',
    "null.jsonl": '{"prediction": "a", "reference": "b"}\n{"prediction": null, "reference": "b"}\n',
    "number.jsonl": '{"prediction": "a", "reference": "b"}\n\n{"prediction": 5, "reference": "b"}\n',
    "rows.csv": "prediction,reference\na,b\nc,d,e\n",
    "words.csv": "prediction,reference\n0.5,0.1\n0.2,0.3\nhigh,0.5\n",
    "empty.jsonl": "",
    "hyp.txt": "a\nb\nc\n",
    "ref.txt": "a\nb\n",
    "ok.jsonl": '{"prediction": "a", "reference": "a"}\n',
}

BAD_RUNS = [
    (["missing.jsonl"], "missing.jsonl: no such file"),
    (["folder"], "folder: is a directory"),
    (["empty.jsonl"], "empty.jsonl: the file is empty"),
    (["bad.jsonl"], "bad.jsonl:2: invalid JSON"),
    (["nan.jsonl"], "nan.jsonl:2: invalid JSON: NaN"),
    (["dup.jsonl"], "dup.jsonl:1: invalid JSON: duplicate key 'prediction'"),
    (["field.jsonl"], "field.jsonl:1: no field 'reference'; did you mean 'refrence'?"),
    (["null.jsonl", "-m", "bleu"], "null.jsonl:2: the prediction is None"),
    (["number.jsonl", "-m", "bleu"], "number.jsonl:3: the prediction is an int"),
    (["latin1.jsonl"], "latin1.jsonl:1: invalid UTF-8 at byte column"),
    (["hyp.txt", "--ref-file", "ref.txt"], "hyp.txt has 3 lines, ref.txt has 2 lines"),
    (["rows.csv"], "rows.csv:3: this row has 3 columns but the header has 2"),
    (["words.csv", "-m", "pearson"], "words.csv:4: the prediction 'high' is not a number"),
    (["ok.jsonl", "-m", "acurracy"], "unknown metric 'acurracy'; did you mean 'accuracy'?"),
    (["ok.jsonl", "-m", "accuracy", "--option", "average=macro"], "no selected metric has an option 'average'"),
    (["ok.jsonl", "-m", "f1", "--option", "average=mikro"], "option average='mikro' is not valid for metric 'f1'"),
    (["ok.jsonl", "-m", "f1", "--option", "rouge.x=1"], "names metric 'rouge', which is not selected"),
    (["ok.jsonl", "-m", "accuracy,nosuch"], "error: -m nosuch: unknown metric 'nosuch'"),
    (["ok.jsonl", "-m", "accuracy", "--option", "foo=1"], "error: --option foo=...: no selected metric has an option"),
    (["ok.jsonl", "-m", "f1_macro", "--option", "f1_macro.average=micro"],
     "--option f1_macro.average=micro: f1_macro already means average='macro'; use -m f1 --option average=micro"),
    (["ok.jsonl", "-m", "f1_macro", "--option", "average=micro"],
     "--option average=micro: f1_macro already means average='macro'; use -m f1 --option average=micro"),
]


@pytest.fixture
def bad_folder(tmp_path):
    for name, content in BAD_FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "latin1.jsonl").write_bytes('{"prediction": "café", "reference": "b"}\n'.encode("latin-1"))
    (tmp_path / "folder").mkdir()
    return tmp_path


def _only_error_line(proc: subprocess.CompletedProcess, expected: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("nlpmetrics: the ")]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("nlpmetrics: error: ")
    assert expected in lines[0], lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("args", "expected"), BAD_RUNS, ids=[" ".join(a) for a, _ in BAD_RUNS])
def test_bad_input_exits_2_and_leaves_outputs_alone(bad_folder, args, expected):
    (bad_folder / "existing.json").write_text("KEEP")
    before = sorted(os.listdir(bad_folder))
    proc = run("score", *args, "-o", "existing.json", cwd=bad_folder)
    _only_error_line(proc, expected)
    assert (bad_folder / "existing.json").read_text() == "KEEP"
    assert sorted(os.listdir(bad_folder)) == before  # no new output, no temporary left behind


def test_mixed_text_and_number_labels_name_the_line_of_the_label_that_mixes(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"prediction": "a", "reference": "a"}\n{"prediction": "b", "reference": "a"}\n'
                    '{"prediction": 1, "reference": "a"}\n', encoding="utf-8")
    _only_error_line(run("score", str(path), "-m", "accuracy"),
                     f"{path}:3: the prediction 1 is a number but an earlier label is text ('a'); "
                     "convert them to one type, e.g. str(label)")


def test_failed_run_creates_no_output_and_unwritable_output_fails_first(bad_folder):
    proc = run("score", "bad.jsonl", "-o", "new.json", cwd=bad_folder)
    _only_error_line(proc, "bad.jsonl:2: invalid JSON")
    assert not (bad_folder / "new.json").exists()
    proc = run("score", "ok.jsonl", "-m", "accuracy", "-o", "no/such/folder/out.json", cwd=bad_folder)
    _only_error_line(proc, "does not exist")
    proc = run("score", "ok.jsonl", "-m", "accuracy", "-o", "folder", cwd=bad_folder)
    _only_error_line(proc, "is a directory")
    proc = run("score", "ok.jsonl", "-m", "accuracy", "-o", "new.json", cwd=bad_folder)
    assert proc.returncode == 0
    assert json.loads((bad_folder / "new.json").read_text())["n"] == 1


def test_unexpected_errors_exit_1_with_a_debug_hint(monkeypatch, capsys):
    from nlpmetrics import cli

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "cmd_list", broken)
    assert cli.main(["list"]) == 1
    assert "rerun with --debug" in capsys.readouterr().err
    with pytest.raises(RuntimeError):
        cli.main(["list", "--debug"])


# ----------------------------------------------------------------------------- other commands, help, docs


def test_help_of_every_command_has_an_example():
    for command in ([], ["list"], ["explain"], ["suggest"], ["score"], ["report"], ["compare"]):
        proc = run(*command, "--help")
        assert proc.returncode == 0, proc.stderr
        assert "example" in proc.stdout, command


def test_list_and_explain():
    listed = run("list", "--format", "json")
    assert [m["name"] for m in json.loads(listed.stdout)] == nm.list_metrics()
    card = run("explain", "accuracy", "--lang", "ja", "--format", "json")
    assert json.loads(card.stdout) == nm.load("accuracy").explanation("ja").to_dict()
    _only_error_line(run("explain", "acuracy"), "did you mean 'accuracy'")


def test_generated_docs_are_up_to_date():
    generators = (("gen_cli_docs.py", ["docs/cli.md"]),
                  ("gen_metric_docs.py", ["docs/metrics.md", "docs/metrics.ja.md"]))
    for script, outputs in generators:
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--check"], capture_output=True,
                              text=True)
        assert proc.returncode == 0, (f"{', '.join(outputs)} out of date: run python scripts/{script}\n"
                                      f"{proc.stdout}{proc.stderr}")


def test_example_commands_run(tmp_path):
    commands = [line[2:].replace("examples/", f"{EXAMPLES}/").split()
                for line in (EXAMPLES / "README.md").read_text().splitlines() if line.startswith("$ nlpmetrics score")]
    assert len(commands) >= 6
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    running = [(command, subprocess.Popen([SCRIPT, *command[1:], "-q"], cwd=tmp_path, env=env, text=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)) for command in commands]
    for command, process in running:  # started together: most of each run is start-up, not CPU
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, (command, stderr)


# ----------------------------------------------------------------------------- report, compare, dask


@pytest.fixture
def two_systems(tmp_path):
    rows = [json.loads(line) for line in (EXAMPLES / "classification.jsonl").read_text().splitlines()]
    with open(tmp_path / "baseline.jsonl", "w") as handle:
        for i, row in enumerate(rows):
            handle.write(json.dumps({**row, "prediction": row["reference"] if i % 3 else "neutral"}) + "\n")
    shutil.copy(EXAMPLES / "classification.jsonl", tmp_path / "candidate.jsonl")
    return tmp_path


def test_report_and_compare(two_systems):
    proc = run("report", "baseline.jsonl", "candidate.jsonl", "-m", "accuracy", "--resamples", "100", "-o", "r.md",
               cwd=two_systems)
    assert proc.returncode == 0, proc.stderr
    text = (two_systems / "r.md").read_text()
    assert "baseline.jsonl" in text
    assert "candidate.jsonl" in text
    proc = run("compare", "baseline.jsonl", "candidate.jsonl", "-m", "accuracy", "--resamples", "100", "--format",
               "json", cwd=two_systems)
    assert json.loads(proc.stdout)["names"] == ["baseline.jsonl", "candidate.jsonl"]
    (two_systems / "broken.jsonl").write_text('{"prediction": "x", "reference": "y"}\n{oops\n')
    proc = run("report", "baseline.jsonl", "broken.jsonl", "-m", "accuracy", "-o", "bad.html", cwd=two_systems)
    _only_error_line(proc, "broken.jsonl:2: invalid JSON")
    assert not (two_systems / "bad.html").exists()


def test_dask_engine_gives_the_local_numbers(two_systems):
    pytest.importorskip("dask")
    args = ["score", "candidate.jsonl", "-m", "accuracy,f1_macro", "--format", "json"]
    local = scores_of(run(*args, cwd=two_systems))
    dask = scores_of(run(*args, "--engine", "dask", "--scheduler", "synchronous", "--partitions", "3", cwd=two_systems))
    assert dask == local


def test_dask_engine_reads_csv_numbers_as_the_local_engine_does():
    """CSV cells are text; each partition turns them into numbers for Pearson/Spearman as one process does."""
    pytest.importorskip("dask")
    args = ["score", str(EXAMPLES / "similarity.csv"), "-m", "pearson,spearman", "--format", "json"]
    local = scores_of(run(*args))
    dask = scores_of(run(*args, "--engine", "dask", "--scheduler", "synchronous", "--partitions", "3"))
    assert dask == local


def test_progress_shows_only_on_a_terminal(monkeypatch, capsys):
    from nlpmetrics import cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    progress = cli.Progress(True, delay=0.0, every=0.0)
    progress.update(1_000, 1_000)
    progress.close()
    assert "read 1,000 lines" in capsys.readouterr().err
    quiet = cli.Progress(False, delay=0.0, every=0.0)
    quiet.update(1_000, 1_000)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    not_a_terminal = cli.Progress(True, delay=0.0, every=0.0)
    not_a_terminal.update(1_000, 1_000)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("predictions", "references", "kind"),
    [
        ([1, 0, 1, 1], [1, 1, 0, 1], "labels"),
        ([True, False], [False, False], "labels"),
        (["pos", "neg", "pos", "neg"], ["pos", "pos", "neg", "neg"], "labels"),
        (["1", "0", "1", "1"], ["0", "0", "1", "1"], "labels"),
        ([0.5, 1.25], [0.75, 1.0], "numbers"),
        (["0.5", "1.25"], ["0.75", "1"], "numbers"),
        ([["B-PER", "O"]], [["B-PER", "O"]], "tags"),
        (["The cat sat.", "A dog."], ["The cat sits.", "Dogs."], "text"),
        (["猫がいる。", "犬だ。"], [["猫がいます。", "猫だ。"], ["犬です。"]], "text"),
    ],
)
def test_kind_of_data_decides_the_automatic_metrics(predictions, references, kind):
    from nlpmetrics.autoselect import infer_kind

    assert infer_kind(predictions, references) == kind


def test_language_detection_and_option_parsing():
    from nlpmetrics.autoselect import detect_lang
    from nlpmetrics.cli import parse_option

    assert detect_lang(["猫がマットの上に座った。"]) == "ja"
    assert detect_lang(["我们今天去北京。"]) == "zh"
    assert detect_lang(["오늘은 날씨가 좋다."]) == "ko"
    assert detect_lang(["The cat sat on the mat.", None]) is None
    assert parse_option('rouge_types=["rouge1"]') == (None, "rouge_types", ["rouge1"])
    assert parse_option("bleu.tokenize=char") == ("bleu", "tokenize", "char")
    assert parse_option("use_stemmer=true") == (None, "use_stemmer", True)
    assert parse_option("x=a=b") == (None, "x", "a=b")


@pytest.mark.parametrize("options", [["f1.zero_division=1", "zero_division=0"],
                                     ["zero_division=0", "f1.zero_division=1"]])
def test_a_metrics_own_option_wins_over_a_shared_one_in_any_order(options):
    from nlpmetrics.cli import configure_metrics

    entries = configure_metrics(["f1,precision"], options, None, None)
    assert {e.key: e.metric.config["zero_division"] for e in entries} == {"f1": 1.0, "precision": 0.0}


def test_conll_and_jsonl_tag_lists_agree_with_the_api():
    rows = [json.loads(line) for line in (EXAMPLES / "ner.jsonl").read_text().splitlines()]
    expected = {"seqeval": dict(nm.compute("seqeval", predictions=[r["prediction"] for r in rows],
                                           references=[r["reference"] for r in rows]).scores)}
    for name in ("ner.jsonl", "ner.conll"):
        assert scores_of(run("score", str(EXAMPLES / name), "-m", "seqeval", "--format", "json")) == expected, name


@pytest.mark.parametrize(("args", "expected"), [
    (["--partitions", "4"], "--partitions and --scheduler apply to --engine dask only"),
    (["--engine", "dask", "--partitions", "0"], "argument --partitions: must be 1 or more, not 0"),
    (["--resamples", "0"], "argument --resamples: must be 1 or more, not 0"),
])
def test_engine_and_resampling_options_are_checked_by_name(args, expected, capsys):
    from nlpmetrics.cli import main

    try:
        status = main(["score", str(EXAMPLES / "classification.jsonl"), "-m", "accuracy", *args])
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    assert status == 2
    assert expected in capsys.readouterr().err


# ----------------------------------------------------------------------------- keeping examples or not

def _spy_on_score_files(monkeypatch) -> list[list[bool]]:
    import nlpmetrics.distributed as distributed

    seen: list[list[bool]] = []
    real = distributed.score_files

    def spy(path, *, metrics, **options):
        seen.append([m.keep_examples for m in metrics])
        return real(path, metrics=metrics, **options)

    monkeypatch.setattr(distributed, "score_files", spy)
    return seen


@pytest.mark.parametrize(("extra", "kept"), [
    ([], [False, False, True]),  # no output needs examples; pearson always needs them
    (["--confidence", "0.9", "--resamples", "50"], [True, True, True]),
    (["--format", "json"], [True, True, True]),  # JSON carries per-example scores
    (["--no-examples", "--format", "json"], None),  # pearson cannot drop them: a clean error
])
def test_dask_engine_keeps_examples_only_when_an_output_needs_them(tmp_path, monkeypatch, capsys, extra, kept):
    pytest.importorskip("dask")
    from nlpmetrics.cli import main

    records = [{"prediction": float(i % 5), "reference": float((i * 3) % 7)} for i in range(60)]
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    seen = _spy_on_score_files(monkeypatch)
    status = main(["score", str(tmp_path / "p.jsonl"), "-m", "accuracy,f1_macro,pearson", "--engine", "dask",
                   "--scheduler", "synchronous", "--partitions", "3", "-q", *extra])
    if kept is None:
        assert status == 2
        assert "--no-examples: pearson needs every example" in capsys.readouterr().err
        return
    assert status == 0
    assert seen == [kept]


def test_no_examples_gives_the_same_scores_without_per_example_values(tmp_path):
    records = [{"prediction": p, "reference": r} for p, r in TEXT_PAIRS]
    (tmp_path / "p.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    args = ["score", "p.jsonl", "-m", "bleu,chrf,accuracy", "--format", "json"]
    kept = json.loads(run(*args, cwd=tmp_path).stdout)["results"]
    dropped = json.loads(run(*args, "--no-examples", cwd=tmp_path).stdout)["results"]
    assert {k: r["scores"] for k, r in dropped.items()} == {k: r["scores"] for k, r in kept.items()}
    assert all(r["per_example"] is None for r in dropped.values())
    assert kept["bleu"]["per_example"] is not None
    with_interval = run(*args, "--no-examples", "-m", "accuracy", "--confidence", "0.9", cwd=tmp_path)
    assert with_interval.returncode == 2
    assert "--confidence needs every example of bleu" in with_interval.stderr


def test_dask_partitions_take_labels_as_the_first_chunk_decides(tmp_path):
    """Whole-number label columns are numbers in every partition, as in one process (1.0 and 1 are one label)."""
    pytest.importorskip("dask")
    lines = ["prediction,reference"] + [f"{i % 2}.0,{(i // 2) % 2}" for i in range(40)]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    args = ["score", "p.csv", "-m", "accuracy,f1_binary", "--format", "json"]
    local = scores_of(run(*args, cwd=tmp_path))
    dask = scores_of(run(*args, "--engine", "dask", "--scheduler", "synchronous", "--partitions", "4", cwd=tmp_path))
    assert dask == local == {"accuracy": {"accuracy": 0.5}, "f1_binary": {"f1": 0.5}}
