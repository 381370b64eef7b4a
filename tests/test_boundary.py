"""The boundary catalogue: every way in gives either the right number or a clear error.

Each case is a hostile input (a bad argument, a bad file, a signal, a full disk,
text that would inject Markdown).  For the Python API the case asserts the
exception type and that the message names the argument (and the index); for
the command line it asserts the exit status, one line on stderr that names the
place (``file:line``), no traceback, no output file, inputs byte-identical and
no stray files.  Cases that must give a number compare with the reference
library (scikit-learn, sacrebleu) or with the API on the same data.

The registry-wide properties at the end run over every registered metric with
the inputs of ``tests/inputs``: any batching gives identical scores, per-example
values and intervals, and changing the caller's arrays after ``update``
changes nothing (the state owns its data).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import json
import math
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlpmetrics as nm
import nlpmetrics.io.output as output_module
from nlpmetrics.cli import main
from nlpmetrics.registry import metric_class
from tests.inputs import all_inputs

# ============================================================================= helpers


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under ``folder`` (hidden ones too): file bytes, or where a link points."""
    out: dict[str, Any] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            out[name] = ("link", os.readlink(path))
        elif path.is_file():
            out[name] = path.read_bytes()
    return out


def cli(folder: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run the command line in-process in ``folder``: (exit status, stdout, stderr)."""
    import io

    monkeypatch.chdir(folder)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse errors
            status = int(exit_.code or 0)
    return status, out.getvalue(), err.getvalue()


def assert_clean_error(status: int, stderr: str, fragment: str) -> None:
    """Exit status 2 and one line ``nlpmetrics: error: ...`` holding ``fragment``; no traceback."""
    assert status == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("nlpmetrics: error: "), stderr
    assert fragment in lines[0], (fragment, lines[0])
    assert "Traceback" not in stderr
    assert "internal error" not in stderr


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


LABELS = jsonl([{"prediction": p, "reference": r} for p, r in [(1, 1), (0, 1), (1, 0), (0, 0)]])
TEXTS = jsonl([{"prediction": "the cat sat on the mat", "reference": "the cat is on the mat"},
               {"prediction": "a dog barked", "reference": "the dog barked"}])
JA_PRED = ["今日は良い天気ですね。", "猫がマットの上に座った。", "彼は駅まで歩いて行きました。"]
JA_REF = ["今日はとても良い天気です。", "猫がマットの上にいる。", "彼は駅まで歩いた。"]


# ============================================================================= the command line

@dataclass
class Case:
    """One command-line case: the files it starts with, the arguments, and what must come out.

    ``fragment`` set: the run must fail cleanly (exit 2) naming it, leaving the
    folder exactly as it was.  Otherwise it must succeed and ``check(stdout,
    stderr, folder)`` must hold.
    """

    files: dict[str, str | bytes]
    args: list[str]
    fragment: str | None = None
    check: Callable[[str, str, Path], None] | None = None
    setup: Callable[[Path], None] | None = None
    links: dict[str, str] = field(default_factory=dict)


def _scores(stdout: str) -> dict[str, dict[str, float]]:
    return {key: result["scores"] for key, result in json.loads(stdout)["results"].items()}


def _expect(expected: Callable[[], dict[str, dict[str, float]]]) -> Callable[[str, str, Path], None]:
    def check(stdout: str, stderr: str, folder: Path) -> None:
        assert _scores(stdout) == expected()
    return check


def _hard_link(name: str, target: str) -> Callable[[Path], None]:
    return lambda folder: os.link(folder / target, folder / name)


def _sklearn_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred))


def _ter(predictions, references) -> float:
    return nm.compute("ter", predictions=predictions, references=references)["ter"]


def _seqeval_f1(predictions, references) -> float:
    return nm.compute("seqeval", predictions=predictions, references=references)["f1"]


CONLL_4 = ("EU NNP B-ORG B-ORG\nrejects VBZ O O\nGerman JJ B-MISC B-MISC\n\n"
           "Peter NNP B-PER B-PER\nBlackburn NNP I-PER I-PER\n")
CLI_CASES: dict[str, Case] = {
    # ---------------------------------------------------------------- data loss: -o never names an input
    "output_is_the_input": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "-o", "p.jsonl"],
                                "p.jsonl: the output is the input file p.jsonl"),
    "output_is_the_input_via_dot": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "-o", "./p.jsonl"],
                                        "the output is the input file p.jsonl"),
    "output_is_the_input_by_absolute_path": Case({"p.jsonl": LABELS},
                                                 ["score", "p.jsonl", "-m", "accuracy", "-o", "{folder}/p.jsonl"],
                                                 "the output is the input file p.jsonl"),
    "output_is_a_hard_link_to_the_input": Case({"p.jsonl": LABELS},
                                               ["score", "p.jsonl", "-m", "accuracy", "-o", "h.json"],
                                               "h.json: the output is the input file p.jsonl",
                                               setup=_hard_link("h.json", "p.jsonl")),
    "output_is_a_symlink_to_the_input": Case({"p.jsonl": LABELS},
                                             ["score", "p.jsonl", "-m", "accuracy", "-o", "s.json"],
                                             "s.json: the output is the input file p.jsonl",
                                             links={"s.json": "p.jsonl"}),
    "output_is_the_ref_file": Case({"hyp.txt": "a b\n", "ref.txt": "a c\n"},
                                   ["score", "hyp.txt", "--ref-file", "ref.txt", "-m", "bleu", "-o", "ref.txt"],
                                   "the output is the input file ref.txt"),
    "report_output_is_an_input": Case({"a.jsonl": LABELS, "b.md": "old"},
                                      ["report", "a.jsonl", "b.md", "-m", "accuracy", "-o", "b.md"],
                                      "b.md: the output is the input file b.md"),
    "compare_output_is_an_input": Case({"a.jsonl": LABELS, "b.jsonl": LABELS},
                                       ["compare", "a.jsonl", "b.jsonl", "-m", "accuracy", "-o", "./b.jsonl"],
                                       "the output is the input file b.jsonl"),
    "empty_output_name": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "-o", ""],
                              "-o must name a file"),
    # ---------------------------------------------------------------- wrong numbers: CSV/TSV cells
    "csv_labels_written_1_0_and_1": Case(
        {"p.csv": "prediction,reference\n1.0,1\n0.0,0\n1.0,1\n0.0,0\n"},
        ["score", "p.csv", "-m", "accuracy", "--format", "json"],
        check=_expect(lambda: {"accuracy": {"accuracy": 1.0}})),
    "f1_binary_on_0_1_text_columns": Case(
        {"p.csv": "prediction,reference\n1,1\n0,1\n1,0\n1,1\n0,0\n0,1\n"},
        ["score", "p.csv", "-m", "f1_binary,f1", "--format", "json"],
        check=_expect(lambda: {"f1_binary": {"f1": _sklearn_f1([1, 1, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0])},
                               "f1": {"f1": _sklearn_f1([1, 1, 0, 1, 0, 1], [1, 0, 1, 1, 0, 0])}})),
    "one_number_spelled_two_ways_in_text_labels": Case(
        {"p.csv": "prediction,reference\n1,1\n1.0,other\nother,1\n"}, ["score", "p.csv", "-m", "accuracy"],
        "p.csv:3: the prediction '1.0' and the prediction '1' on line 2 are the same number written two ways"),
    "digit_separator_is_not_a_number": Case(
        {"p.csv": "prediction,reference\n1_000,1\n2,3\n3,5\n"}, ["score", "p.csv", "-m", "pearson"],
        "p.csv:2: the prediction '1_000' is not a number"),
    "nan_text_is_not_a_number": Case(
        {"p.tsv": "prediction\treference\n1\t1\nnan\t3\n3\t5\n"}, ["score", "p.tsv", "-m", "spearman"],
        "p.tsv:3: the prediction 'nan' is not a number"),
    "tsv_is_literal": Case(
        {"p.tsv": 'prediction\treference\n"quoted start\t"quoted start\nsays "hi"\tsays "hi"\n"\t"\nx\ty\n'},
        ["score", "p.tsv", "-m", "accuracy", "--format", "json"],
        check=lambda out, err, folder: (json.loads(out)["n"] == 4 and _scores(out)["accuracy"]["accuracy"] == 0.75)
        or pytest.fail(out)),
    "tsv_with_a_tab_in_a_text": Case({"p.tsv": "prediction\treference\na\tb\tc\n"},
                                     ["score", "p.tsv", "-m", "accuracy"],
                                     "p.tsv:2: this row has 3 columns but the header has 2; TSV has no quoting"),
    "csv_keeps_rfc4180_quoting": Case(
        {"p.csv": 'prediction,reference\n"a, ""b""",\"a, ""b""\"\n"x\ny","x\ny"\n'},
        ["score", "p.csv", "-m", "accuracy", "--format", "json"],
        check=lambda out, err, folder: (json.loads(out)["n"] == 2 and _scores(out)["accuracy"]["accuracy"] == 1.0)
        or pytest.fail(out)),
    "duplicated_csv_column": Case({"p.csv": "prediction,reference,prediction\na,b,c\n"},
                                  ["score", "p.csv", "-m", "accuracy"],
                                  "p.csv:1: column 'prediction' appears twice in the header"),
    "empty_reference_cell_is_no_reference": Case(
        {"p.csv": "prediction,reference_1,reference_2\nthe cat sat on a mat,the cat sat on the mat,\n"
                  "a dog barked loudly,the dog barked,a dog barked loudly\n"},
        ["score", "p.csv", "-m", "ter", "--format", "json"],
        check=_expect(lambda: {"ter": {"ter": _ter(["the cat sat on a mat", "a dog barked loudly"],
                                                   [["the cat sat on the mat"],
                                                    ["the dog barked", "a dog barked loudly"]])}})),
    "every_reference_cell_empty": Case({"p.csv": "prediction,reference_1,reference_2\na,,\n"},
                                       ["score", "p.csv", "-m", "ter"],
                                       "p.csv:2: every reference column (reference_1, reference_2) is empty"),
    # ---------------------------------------------------------------- CoNLL columns
    "conll_reads_the_last_two_columns": Case(
        {"p.conll": CONLL_4}, ["score", "p.conll", "-m", "seqeval", "--format", "json"],
        check=_expect(lambda: {"seqeval": {"f1": 1.0, "precision": 1.0, "recall": 1.0}})),
    "conll_columns_can_be_chosen": Case(
        {"p.conll": "EU B-ORG NNP B-LOC\nrejects O VBZ O\n"},
        ["score", "p.conll", "-m", "seqeval", "--conll-columns", "2,4", "--format", "json"],
        check=_expect(lambda: {"seqeval": dict(nm.compute("seqeval", predictions=[["B-LOC", "O"]],
                                                          references=[["B-ORG", "O"]]).scores)})),
    "conll_line_with_another_width": Case({"p.conll": "EU NNP B-ORG B-ORG\nrejects O O\n"},
                                          ["score", "p.conll", "-m", "seqeval"],
                                          "p.conll:2: this line has 3 columns but the first line has 4"),
    "conll_columns_not_two_numbers": Case({"p.conll": CONLL_4}, ["score", "p.conll", "--conll-columns", "2"],
                                          "argument --conll-columns"),
    # ---------------------------------------------------------------- language codes
    **{f"lang_{code}": Case(
        {"p.jsonl": jsonl([{"prediction": p, "reference": r} for p, r in zip(JA_PRED, JA_REF, strict=True)])},
        ["score", "p.jsonl", "-m", "bleu,ter,rouge", "--lang", code, "--format", "json"],
        check=_expect(lambda: {m: dict(nm.compute(m, predictions=JA_PRED, references=JA_REF, lang="ja").scores)
                               for m in ("bleu", "ter", "rouge")}))
       for code in ("JA", "ja-JP", "ja_JP")},
    "unknown_lang": Case({"p.jsonl": TEXTS}, ["score", "p.jsonl", "-m", "bleu", "--lang", "xx"], "argument --lang"),
    # ---------------------------------------------------------------- crashes that are clean errors
    "lone_surrogate_in_jsonl": Case({"p.jsonl": '{"prediction": "a \\ud800 b", "reference": "a b"}\n'},
                                    ["score", "p.jsonl", "-m", "bleu"],
                                    "p.jsonl:1: the prediction holds a lone surrogate"),
    "lone_surrogate_in_a_report": Case({"p.jsonl": '{"prediction": 1, "reference": "\\udfff"}\n'},
                                       ["report", "p.jsonl", "-m", "accuracy", "-o", "r.md"],
                                       "p.jsonl:1: the reference holds a lone surrogate"),
    "json_nested_200000_deep": Case(
        {"p.jsonl": '{"prediction": ' + "[" * 200_000 + "]" * 200_000 + ', "reference": 1}\n'},
        ["score", "p.jsonl", "-m", "accuracy"], "p.jsonl:1: invalid JSON: nested too deeply"),
    "json_5000_digit_integer": Case({"p.jsonl": '{"prediction": ' + "7" * 5000 + ', "reference": 1}\n'},
                                    ["score", "p.jsonl", "-m", "accuracy"],
                                    "p.jsonl:1: invalid JSON: a number has more"),
    "json_missing_brace_names_its_column": Case({"p.jsonl": '{"prediction": 1, "reference": 1\n'},
                                                ["score", "p.jsonl", "-m", "accuracy"],
                                                "p.jsonl:1: invalid JSON: Expecting ',' delimiter (column 33)"),
    "encoding_rot13": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "--encoding", "rot13"],
                           "encoding 'rot13' is not a text encoding"),
    "encoding_base64": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "--encoding", "base64"],
                            "encoding 'base64' is not a text encoding"),
    "seed_minus_one": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "--seed", "-1"],
                           "argument --seed"),
    "confidence_out_of_range": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "--confidence", "1.5"],
                                    "argument --confidence: must lie strictly between 0 and 1"),
    "confidence_nan": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "--confidence", "nan"], "argument --confidence"),
    "dask_scheduler_bogus": Case({"p.jsonl": LABELS},
                                 ["score", "p.jsonl", "-m", "accuracy", "--engine", "dask", "--scheduler", "bogus"],
                                 "argument --scheduler: 'bogus' is not a Dask scheduler"),
    "no_examples_with_a_correlation": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "pearson", "--no-examples"],
                                           "--no-examples: pearson needs every example"),
    "no_examples_with_a_bleu_interval": Case({"p.jsonl": TEXTS},
                                             ["score", "p.jsonl", "-m", "bleu", "--no-examples", "--confidence", "0.9"],
                                             "--confidence needs every example of bleu"),
    "multiclass_with_the_binary_default": Case(
        {"p.jsonl": jsonl([{"prediction": p, "reference": r} for p, r in [(0, 1), (2, 2), (1, 0)]])},
        ["score", "p.jsonl", "-m", "f1"], "average='binary' needs at most two classes"),
    "pred_field_empty": Case({"p.jsonl": LABELS}, ["score", "p.jsonl", "-m", "accuracy", "--pred-field", ""],
                             "pred_field (--pred-field) must name a field"),
    # ---------------------------------------------------------------- messages
    "title_with_a_lone_surrogate_from_argv": Case(
        {"p.jsonl": LABELS}, ["report", "p.jsonl", "-m", "accuracy", "-o", "r.md", "--title", "Q3 \udcff",
                              "--resamples", "20"],
        check=lambda out, err, folder: ("# Q3 ?" in (folder / "r.md").read_text(encoding="utf-8")) or pytest.fail(
            (folder / "r.md").read_text(encoding="utf-8")[:200])),
    "markdown_title_cannot_open_a_heading": Case(
        {"p.jsonl": LABELS},
        ["report", "p.jsonl", "-m", "accuracy", "-o", "r.md", "--title", "Q3\n\n# injected\n- item",
         "--resamples", "20"],
        check=lambda out, err, folder: [
            pytest.fail(line) for line in (folder / "r.md").read_text(encoding="utf-8").splitlines()
            if line.startswith(("# injected", "- item", "## injected"))] or None),
}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_command_line_case(name, tmp_path, monkeypatch):
    case = CLI_CASES[name]
    for file_name, content in case.files.items():
        (tmp_path / file_name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for link, target in case.links.items():
        (tmp_path / link).symlink_to(target)
    if case.setup:
        case.setup(tmp_path)
    before = snapshot(tmp_path)
    args = [a.replace("{folder}", str(tmp_path)) for a in case.args]
    status, stdout, stderr = cli(tmp_path, *args, "-q", monkeypatch=monkeypatch)
    if case.fragment is not None:
        assert_clean_error(status, stderr, case.fragment)
        assert snapshot(tmp_path) == before, "the folder changed (an input was touched or a file was left)"
        return
    assert status == 0, stderr
    assert "Traceback" not in stderr
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before, "an input changed"
    assert not [k for k in after if os.path.basename(k).startswith(".")], "a temporary file was left"
    assert case.check is not None
    case.check(stdout, stderr, tmp_path)


def test_label_numbers_are_said_on_stderr_only_once(tmp_path, monkeypatch):
    (tmp_path / "p.csv").write_text("prediction,reference\n1.0,1\n0,0\n", encoding="utf-8")
    status, _, stderr = cli(tmp_path, "score", "p.csv", "-m", "accuracy,f1_macro", monkeypatch=monkeypatch)
    assert status == 0
    assert stderr.count("comparing them as numbers") == 1


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path, monkeypatch):
    (tmp_path / "p.jsonl").write_text(LABELS, encoding="utf-8")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "out.json").write_text("old", encoding="utf-8")
    (tmp_path / "latest.json").symlink_to("results/out.json")
    status, _, stderr = cli(tmp_path, "score", "p.jsonl", "-m", "accuracy", "-o", "latest.json", "-q",
                            monkeypatch=monkeypatch)
    assert status == 0, stderr
    assert (tmp_path / "latest.json").is_symlink()
    assert os.readlink(tmp_path / "latest.json") == "results/out.json"
    assert json.loads((tmp_path / "results" / "out.json").read_text())["results"]["accuracy"]["scores"] == {
        "accuracy": 0.5}
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["out.json"]


def test_disk_full_keeps_the_old_output_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    (tmp_path / "p.jsonl").write_text(LABELS, encoding="utf-8")
    (tmp_path / "out.json").write_text("old results", encoding="utf-8")
    real_open = open

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output_module, "open", lambda *a, **k: FullDisk(real_open(*a, **k)), raising=False)
    before = snapshot(tmp_path)
    status, _, stderr = cli(tmp_path, "score", "p.jsonl", "-m", "accuracy", "-o", "out.json", "-q",
                            monkeypatch=monkeypatch)
    assert_clean_error(status, stderr, "no space left to write out.json")
    assert snapshot(tmp_path) == before


@pytest.fixture
def tiny_disk(tmp_path):
    """Mount a 64 KiB tmpfs (needs root and a mount namespace that allows it; skipped otherwise)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_real_full_disk(tmp_path, tiny_disk, monkeypatch):
    records = [{"prediction": i % 3, "reference": (i * 7) % 3} for i in range(30_000)]
    (tmp_path / "p.jsonl").write_text(jsonl(records), encoding="utf-8")
    (tiny_disk / "out.json").write_text("old results", encoding="utf-8")
    status, _, stderr = cli(tmp_path, "score", "p.jsonl", "-m", "accuracy", "--format", "json", "-o",
                            str(tiny_disk / "out.json"), "-q", monkeypatch=monkeypatch)
    assert_clean_error(status, stderr, f"no space left to write {tiny_disk / 'out.json'}")
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["out.json"]
    assert (tiny_disk / "out.json").read_text(encoding="utf-8") == "old results"


_SLOW_WRITER = """
import contextlib, sys, time
import nlpmetrics.io.output as output
real = output.atomic_path

@contextlib.contextmanager
def slow(path):
    with real(path) as temporary:
        print("TEMP " + temporary, file=sys.stderr, flush=True)
        time.sleep(60)
        yield temporary

output.atomic_path = slow
from nlpmetrics.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(("sent", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_writing_removes_the_temporary_file(tmp_path, sent, status):
    (tmp_path / "p.jsonl").write_text(LABELS, encoding="utf-8")
    (tmp_path / "out.json").write_text("old results", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, "score", "p.jsonl", "-m", "accuracy", "-o",
                                "out.json", "-q"], cwd=tmp_path, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    line = process.stderr.readline()
    assert line.startswith("TEMP "), line + process.stderr.read()
    temporary = Path(line[5:].strip())
    assert temporary.exists()
    process.send_signal(sent)
    _, rest = process.communicate(timeout=30)
    assert process.returncode == status, rest
    assert "Traceback" not in rest
    assert not temporary.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "p.jsonl"]
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "old results"


def test_standard_input_closed(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nlpmetrics", "score", "-", "-m", "accuracy"], cwd=tmp_path,
                          capture_output=True, text=True, preexec_fn=lambda: os.close(0), timeout=60)
    assert_clean_error(done.returncode, done.stderr, "standard input is closed")


def test_a_long_label_costs_its_own_bytes_once(tmp_path):
    """10^5 labels of which one is 200,000 characters: a fixed-width string array would need 80 GB."""
    path = tmp_path / "long.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(100_000):
            prediction = "x" * 200_000 if i == 50_000 else ("pos", "neg", "neu")[i % 3]
            handle.write(json.dumps({"prediction": prediction, "reference": ("pos", "neg")[i % 2]}) + "\n")
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc/self/status (VmHWM: the peak memory of this process image)")
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking process (pytest) across exec.
    code = ("import sys; from nlpmetrics.cli import main; status = main(sys.argv[1:]); "
            "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))); sys.exit(status)")
    done = subprocess.run([sys.executable, "-c", code, "score", str(path), "-m", "accuracy,f1_macro", "-q",
                           "--format", "json"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.returncode == 0, done.stderr
    peak_mib = int(done.stdout.strip().splitlines()[-1]) / 1024
    assert peak_mib < 300, peak_mib


# ============================================================================= the Python API

@dataclass
class ApiCase:
    """A call that must raise ``error`` naming ``fragment`` (and ``argument``/``index`` when given)."""

    call: Callable[[], Any]
    fragment: str
    argument: str | None = None
    index: tuple[int, ...] | None = None
    error: type = nm.InputError


def _merge_into_itself():
    metric = nm.load("accuracy").update(predictions=[1, 0], references=[1, 1])
    return metric.merge(metric)


def _rows_of(name: str, **options):
    return nm.load(name, **options).update(predictions=["a b c d"], references=["a b c d"]).rows()


API_CASES: dict[str, ApiCase] = {
    "confidence_as_text": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 0], references=[1, 1],
                                                     confidence="0.95"), "confidence='0.95'", "confidence"),
    "seed_as_text": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 0], references=[1, 1], confidence=0.9,
                                               seed="abc"), "seed='abc'", "seed"),
    "seed_fraction": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 0], references=[1, 1], seed=1.5),
                             "seed=1.5", "seed"),
    "seed_negative": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 0], references=[1, 1], seed=-1),
                             "seed=-1", "seed"),
    "n_resamples_true": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 0], references=[1, 1], confidence=0.9,
                                                   n_resamples=True), "n_resamples=True", "n_resamples"),
    "bleu_order_huge": ApiCase(lambda: nm.load("bleu", max_ngram_order=10**29), "from 1 to 100", "max_ngram_order"),
    "chrf_order_huge": ApiCase(lambda: nm.load("chrf", char_order=10**29), "from 1 to 100", "char_order"),
    "chrf_word_order_huge": ApiCase(lambda: nm.load("chrf", word_order=101), "from 1 to 100", "word_order"),
    "n_resamples_huge": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 0], references=[1, 1], confidence=0.9,
                                                   n_resamples=10**12), "is more than 10,000,000", "n_resamples"),
    "average_as_an_array": ApiCase(lambda: nm.load("f1", average=np.array(["macro"])), "option average=", "average"),
    "average_true": ApiCase(lambda: nm.load("precision", average=True), "option average=True", "average"),
    "pos_label_a_list": ApiCase(lambda: nm.load("f1", pos_label=[1]), "pos_label must be one class label",
                                "pos_label"),
    "zero_division_huge": ApiCase(lambda: nm.load("recall", zero_division=10**400), "zero_division", "zero_division"),
    "sync_as_text": ApiCase(lambda: nm.load("accuracy").update(predictions=[1], references=[1]).compute(sync="yes"),
                            "sync='yes' must be True or False", "sync"),
    "keep_examples_text": ApiCase(lambda: nm.load("accuracy", keep_examples="no"), "keep_examples", "keep_examples"),
    "multiclass_with_the_binary_default": ApiCase(
        lambda: nm.compute("f1", predictions=[0, 1, 2], references=[2, 1, 0]),
        "average='binary' needs at most two classes", "average"),
    "text_labels_with_the_binary_default": ApiCase(
        lambda: nm.compute("recall", predictions=["spam", "ham"], references=["ham", "ham"]),
        "pos_label=1 but the labels in the data are text", "pos_label"),
    "pearson_10_to_the_400": ApiCase(lambda: nm.compute("pearson", predictions=[1, 2, 10**400],
                                                        references=[1.0, 2.0, 3.0]),
                                     "too large for a 64-bit float", "predictions", (2,)),
    "a_set_of_predictions": ApiCase(lambda: nm.compute("accuracy", predictions={1, 2, 3}, references=[1, 2, 3]),
                                    "predictions is a set (unordered)", "predictions"),
    "a_frozenset_of_references": ApiCase(lambda: nm.compute("accuracy", predictions=[1, 2],
                                                            references=frozenset({1, 2})),
                                         "references is a frozenset (unordered)", "references"),
    "dict_keys_as_predictions": ApiCase(lambda: nm.compute("bleu", predictions={"a": 1}.keys(), references=["a"]),
                                        "predictions is a dict_keys (unordered)", "predictions"),
    "dict_values_as_references": ApiCase(lambda: nm.compute("chrf", predictions=["a"], references={"a": "a"}.values()),
                                         "references is a dict_values (unordered)", "references"),
    **{f"lone_surrogate_{name}_{side}": ApiCase(
        (lambda name=name, side=side: nm.compute(name, **{side: ["fine", "a \ud800 b"],
                                                          ("references" if side == "predictions" else "predictions"):
                                                          ["fine", "a b"]})),
        "holds a lone surrogate '\\ud800'", side, (1,))
       for name in ("bleu", "chrf", "ter", "rouge", "bertscore") for side in ("predictions", "references")},
    "lone_surrogate_in_one_of_several_references": ApiCase(
        lambda: nm.compute("bleu", predictions=["a b"], references=[["a b", "\udfff"]]),
        "references[0][1] holds a lone surrogate", "references", (0, 1)),
    "numpy_text_against_numpy_numbers": ApiCase(
        lambda: nm.compute("accuracy", predictions=np.array(["1", "2"]), references=np.array([1, 2])),
        "predictions are text labels but references are numbers ('1' vs 1)", "references"),
    "numpy_fraction_as_a_label": ApiCase(
        lambda: nm.compute("f1", predictions=np.array([1.5, 2.0]), references=np.array([1, 2]), average="macro"),
        "predictions[0] = 1.5 is not a class label", "predictions", (0,)),
    "unknown_language": ApiCase(lambda: nm.load("bleu", lang="klingon"), "is not a language code", "lang"),
    "merge_into_itself": ApiCase(_merge_into_itself, "into itself", "other"),
    "add_rows_made_with_other_options": ApiCase(
        lambda: nm.load("bleu", max_ngram_order=2).add_rows(_rows_of("bleu")), "other options", "rows"),
    "add_rows_of_another_metric": ApiCase(lambda: nm.load("chrf").add_rows(_rows_of("bleu")), "another metric", "rows"),
    "add_rows_of_a_plain_dict": ApiCase(lambda: nm.load("bleu").add_rows({"matches": np.ones((1, 4))}),
                                        "add_rows() takes the rows", "rows"),
    "bertscore_device_tpu": ApiCase(lambda: nm.load("bertscore", device="tpu:7"), "device", "device"),
    "read_examples_chunk_size_true": ApiCase(lambda: list(_read("chunk_size", True)), "chunk_size", "chunk_size"),
    "read_examples_encoding_rot13": ApiCase(lambda: list(_read("encoding", "rot13")), "not a text encoding",
                                            "encoding"),
    "read_examples_byte_range_text": ApiCase(lambda: list(_read("byte_range", ("a", "b"))), "byte_range",
                                             "byte_range"),
    "read_examples_conll_columns_same": ApiCase(lambda: list(_read("conll_columns", (1, 1), "conll")), "conll_columns",
                                                "conll_columns"),
    "score_files_scheduler_bogus": ApiCase(lambda: _score_files_bogus(), "is not a Dask scheduler", "scheduler"),
}


def _read(option: str, value: Any, input_format: str = "jsonl"):
    from nlpmetrics.io import read_examples

    return read_examples(os.devnull, input_format=input_format, **{option: value})


def _score_files_bogus():
    from nlpmetrics.distributed import score_files

    return score_files(os.devnull, metrics=["accuracy"], scheduler="bogus")


@pytest.mark.parametrize("name", list(API_CASES))
def test_api_case(name):
    case = API_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(case.error) as caught:
            case.call()
    message = str(caught.value)
    assert case.fragment in message, message
    assert "np." not in message, message  # no numpy reprs
    assert "array(" not in message, message
    if case.argument is not None:
        assert caught.value.argument == case.argument, (caught.value.argument, message)
    if case.index is not None:
        assert caught.value.index == case.index
        assert caught.value.location in message


def test_markdown_report_system_names_cannot_open_a_block(tmp_path):
    from nlpmetrics.reporting import report

    out = tmp_path / "r.md"
    systems = {"a\n\n# injected": ([1, 0, 1], [1, 1, 1]), "> quoted\n1. listed": ([1, 1, 1], [1, 1, 1])}
    report(systems, metrics=["accuracy"], output=out, n_resamples=20, title="t\r\n---\n## injected")
    lines = out.read_text(encoding="utf-8").splitlines()
    opened = ("# injected", "## injected", "> quoted", "1. listed", "---")
    assert not [line for line in lines if line.startswith(opened)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]


def test_f1_defaults_to_scikit_learns_binary_average():
    from sklearn.metrics import f1_score, precision_score, recall_score

    predictions, references = [1, 0, 1, 1, 0, 0], [1, 1, 0, 1, 0, 1]
    assert nm.compute("f1", predictions=predictions, references=references)["f1"] == f1_score(references, predictions)
    assert nm.compute("precision", predictions=predictions, references=references)["precision"] == precision_score(
        references, predictions)
    assert nm.compute("recall", predictions=predictions, references=references)["recall"] == recall_score(
        references, predictions)
    assert math.isclose(nm.compute("f1", predictions=predictions, references=references)["f1"], 4 / 7)
    texts = (["spam", "ham", "spam"], ["spam", "spam", "ham"])
    assert nm.compute("f1", predictions=texts[0], references=texts[1], pos_label="spam")["f1"] == f1_score(
        texts[1], texts[0], pos_label="spam")


@pytest.mark.parametrize("code", ["JA", "ja-JP", "ja_JP", "ja_JP.UTF-8", "jpn"])
@pytest.mark.parametrize("name", ["bleu", "ter", "rouge"])
def test_language_codes_give_the_numbers_of_ja(name, code):
    expected = nm.compute(name, predictions=JA_PRED, references=JA_REF, lang="ja")
    got = nm.compute(name, predictions=JA_PRED, references=JA_REF, lang=code)
    assert got.scores == expected.scores
    assert all(value > 0 for value in expected.scores.values())  # Japanese text is not scored as 0 (or TER 1)
    if name == "ter":
        assert expected["ter"] < 1


def test_a_refilled_buffer_counts_each_batch_once():
    """The eval loop of the issue: one numpy buffer refilled and passed to update() every batch."""
    accuracy, pearson = nm.load("accuracy"), nm.load("pearson")
    predictions, references = np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64)
    scores, gold = np.zeros(2), np.zeros(2)
    for batch in ([1, 0], [0, 0]):
        predictions[:] = batch
        references[:] = [1, 0]
        accuracy.update(predictions=predictions, references=references)
    for batch_scores, batch_gold in (([0.1, 0.9], [0.2, 0.8]), ([0.3, 0.5], [0.4, 0.6])):
        scores[:], gold[:] = batch_scores, batch_gold
        pearson.update(predictions=scores, references=gold)
    assert accuracy.compute()["accuracy"] == 0.75
    assert pearson.compute()["pearson"] == pytest.approx(
        np.corrcoef([0.1, 0.9, 0.3, 0.5], [0.2, 0.8, 0.4, 0.6])[0, 1], abs=1e-12)


# ============================================================================= registry-wide properties

INPUTS = all_inputs()
CASES = [(name, options) for name in nm.list_metrics() if name in INPUTS for options in INPUTS[name].options]
LIGHT = [pytest.param(n, o, id=f"{n}-{i}") for i, (n, o) in enumerate(CASES) if metric_class(n).extra is None]
HEAVY = [pytest.param(n, o, id=f"{n}-{i}") for i, (n, o) in enumerate(CASES) if metric_class(n).extra is not None]


def over_every_metric(test):
    """Run a property over every (metric, options) case: 6 draws each, 2 for metrics that run a model.

    The variant for the heavy metrics is registered as ``<test name>_heavy``.
    """
    heavy = pytest.mark.parametrize(("name", "options"), HEAVY)(settings(max_examples=2)(given(data=st.data())(test)))
    heavy.__name__ = f"{test.__name__}_heavy"
    globals()[heavy.__name__] = heavy
    return pytest.mark.parametrize(("name", "options"), LIGHT)(settings(max_examples=6)(given(data=st.data())(test)))


def draw_examples(data, name: str, options: dict, min_size: int = 2, max_size: int = 12) -> tuple[list, list]:
    spec = INPUTS[name]
    make = spec.examples_for(options) if hasattr(spec, "examples_for") else spec.examples
    predictions, references = data.draw(make(min_size, max_size))
    return list(predictions), list(references)


def identical(a: Any, b: Any) -> bool:
    """Equal to the last bit (NaN equal to NaN), for floats, tuples, dicts and arrays."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def scored(name: str, options: dict, batches: list[tuple[list, list]]):
    metric = nm.load(name, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for predictions, references in batches:
            metric.update(predictions=predictions, references=references)
        return metric.compute(confidence=0.9, n_resamples=40, seed=5)


@over_every_metric
def test_any_batching_gives_identical_scores_examples_and_intervals(name, options, data):
    if not nm.load(name, **options).info.streams_exactly:
        pytest.skip(f"{name} with these options does not stream exactly (its info says so)")
    predictions, references = draw_examples(data, name, options)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(predictions)), max_size=4)))
    bounds = [0, *cuts, len(predictions)]
    batches = [(predictions[a:b], references[a:b]) for a, b in pairwise(bounds)]
    whole = scored(name, options, [(predictions, references)])
    split = scored(name, options, batches)
    assert identical(split.scores, whole.scores)
    assert identical(split.ci, whole.ci), (split.ci, whole.ci)
    assert identical(split.per_example, whole.per_example)


def _as_buffer(values: list, kind: str) -> Any:
    """Return what an eval loop passes: a numpy array for labels and numbers, else the list itself."""
    if kind in ("labels", "numbers") and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.array(values)
    return values


def _refill(buffer: Any, new: list) -> None:
    """Overwrite ``buffer`` in place with ``new`` (nested lists too), as a reused buffer is."""
    if isinstance(buffer, np.ndarray):
        buffer[...] = np.asarray(new, dtype=buffer.dtype)
        return
    for index, value in enumerate(new):
        if isinstance(buffer[index], list) and isinstance(value, list):
            buffer[index][:] = value
        else:
            buffer[index] = value


@over_every_metric
def test_changing_the_inputs_after_update_changes_nothing(name, options, data):
    kind = metric_class(name).input_kind
    predictions, references = draw_examples(data, name, options, min_size=6, max_size=16)
    half = len(predictions) // 2
    first = (predictions[:half], references[:half])
    second = (predictions[half:2 * half], references[half:2 * half])

    expected = scored(name, options, [copy.deepcopy(first), copy.deepcopy(second)])
    buffers = [_as_buffer(copy.deepcopy(side), kind) for side in first]
    metric = nm.load(name, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metric.update(predictions=buffers[0], references=buffers[1])
        for buffer, new in zip(buffers, second, strict=True):
            _refill(buffer, copy.deepcopy(new))
        metric.update(predictions=buffers[0], references=buffers[1])
        for buffer, new in zip(buffers, first, strict=True):  # and once more, after the last update
            _refill(buffer, copy.deepcopy(new))
        got = metric.compute(confidence=0.9, n_resamples=40, seed=5)
    assert identical(got.scores, expected.scores)
    assert identical(got.ci, expected.ci)
    assert identical(got.per_example, expected.per_example)

