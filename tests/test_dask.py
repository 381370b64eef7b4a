"""Files scored on Dask in 1, 3 and 7 partitions give the single-process result to the last digit.

One local ``dask.distributed`` cluster (two worker processes on 127.0.0.1) is
started for the module.  Every registered metric is scored from a JSONL file
and compared with one process scoring the same examples; the command line's
``--engine dask`` is compared with its default engine; text pairs, CSV with
quoted newlines, Spearman with many ties and CoNLL are covered; and a bad
line in the third partition is reported with its true line number.
"""

from __future__ import annotations

import csv
import json
import random
from itertools import pairwise

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.distributed import line_aligned_ranges, score_files
from nlpmetrics.errors import InputError
from tests.test_distributed import _canonical, _cases, assert_same_result

PARTITIONS = (1, 3, 7)


@pytest.fixture(scope="module")
def cluster():
    """Start a two-process local Dask cluster on loopback, and a client connected to it."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address=None, silence_logs=40, env={"OMP_NUM_THREADS": "1"}) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _write_jsonl(path, predictions, references) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        for prediction, reference in zip(predictions, references, strict=True):
            handle.write(json.dumps({"prediction": prediction, "reference": reference}, ensure_ascii=False) + "\n")
    return str(path)


def _one_process(name: str, options: dict, path: str, **read_options) -> str:
    """Return what one process gets reading the whole file (the command line's per-chunk step)."""
    from nlpmetrics.io import detect_format, read_examples
    from nlpmetrics.io.feed import MetricEntry

    kind = detect_format(path, read_options.get("input_format"), read_options.get("ref_file"))
    entry = MetricEntry(name, nm.load(name, **options))
    for chunk in read_examples(path, **read_options):
        entry.update(chunk, path, kind in ("csv", "tsv", "text"))
    return _canonical(entry.metric.compute())


@pytest.fixture(scope="module")
def metric_files(tmp_path_factory) -> list[tuple[dict, str]]:
    """Every registered metric's sample as a JSONL file (1.5x repeated with variations for more lines)."""
    folder = tmp_path_factory.mktemp("metrics")
    out = []
    for case in _cases():
        path = _write_jsonl(folder / f"{case['id']}.jsonl", case["predictions"], case["references"])
        out.append((case, path))
    return out


#: Metrics that load a model: scored on the threaded scheduler, in this process, where the model is already
#: loaded (each cluster worker would spend 10-30 s importing torch and loading it; the rows they return are
#: plain float arrays, which every other metric already sends through the cluster).
IN_PROCESS = {"bertscore"}


def test_every_registered_metric_in_1_3_7_partitions(cluster, metric_files):
    assert {case["name"] for case, _ in metric_files} == set(nm.list_metrics())
    for case, path in metric_files:
        expected = _canonical(nm.load(case["name"], **case["options"])
                              .update(predictions=case["predictions"], references=case["references"]).compute())
        scheduler = "threads" if case["name"] in IN_PROCESS else cluster
        for partitions in PARTITIONS:
            (metric,) = score_files(path, metrics=[nm.load(case["name"], **case["options"])],
                                    partitions=partitions, scheduler=scheduler)
            assert_same_result(_canonical(metric.compute()), expected, case["name"],
                               f"{case['id']} in {partitions} partitions")


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory) -> str:
    """2,000 lines: labels, tied scores and English/Japanese text, in one JSONL."""
    rng = random.Random(8)
    words = [
        "the", "a", "cat", "dog", "sat", "ran", "on", "mat", "fast", "slow", "model", "score", "猫", "犬", "天気",
        "良い",
    ]
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(2000):
            handle.write(json.dumps({
                "prediction": " ".join(rng.choices(words, k=rng.randint(0, 12))),
                "reference": " ".join(rng.choices(words, k=rng.randint(1, 12))),
                "label_pred": rng.randint(0, 4), "label_ref": rng.randint(0, 4),
                "score_pred": rng.choice([0.0, 0.5, 1.0, rng.random()]), "score_ref": rng.randint(0, 5),
            }, ensure_ascii=False) + "\n")
    return str(path)


def test_many_lines_several_metrics_at_once(cluster, big_jsonl):
    text_metrics = ["bleu", "chrf", "ter", "rouge"]
    label_metrics = [("accuracy", {}), ("f1", {"average": "macro"}), ("recall", {"average": "weighted"})]
    for partitions in PARTITIONS:
        scored = score_files(big_jsonl, metrics=text_metrics, partitions=partitions, scheduler=cluster)
        for name, metric in zip(text_metrics, scored, strict=True):
            assert _canonical(metric.compute()) == _one_process(name, {}, big_jsonl), (name, partitions)
        for pred_field, ref_field, metrics in (("label_pred", "label_ref", label_metrics),
                                               ("score_pred", "score_ref", [("spearman", {}), ("pearson", {})])):
            scored = score_files(big_jsonl, metrics=[nm.load(n, **o) for n, o in metrics], partitions=partitions,
                                 scheduler=cluster, pred_field=pred_field, ref_field=ref_field)
            for (name, options), metric in zip(metrics, scored, strict=True):
                expected = _one_process(name, options, big_jsonl, pred_field=pred_field, ref_field=ref_field)
                assert _canonical(metric.compute()) == expected, (name, partitions)


def test_spearman_ranks_ties_over_the_whole_file(cluster, big_jsonl):
    from scipy.stats import spearmanr

    (metric,) = score_files(big_jsonl, metrics=["spearman"], partitions=7, scheduler=cluster,
                            pred_field="score_pred", ref_field="score_ref")
    with open(big_jsonl, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    expected = spearmanr([r["score_pred"] for r in rows], [r["score_ref"] for r in rows]).statistic
    assert metric.compute()["spearman"] == expected


def test_local_schedulers_and_a_scheduler_address(cluster, big_jsonl):
    expected = _one_process("f1", {"average": "macro"}, big_jsonl, pred_field="label_pred", ref_field="label_ref")
    for scheduler in ("synchronous", "threads", "processes", cluster.scheduler.address):
        (metric,) = score_files(big_jsonl, metrics=[nm.load("f1", average="macro")], partitions=3,
                                scheduler=scheduler, pred_field="label_pred", ref_field="label_ref")
        assert _canonical(metric.compute()) == expected, scheduler


def test_command_line_dask_engine_equals_the_default_engine(cluster, big_jsonl, tmp_path):
    from nlpmetrics.cli import main

    metrics = "bleu,chrf,rouge"
    outputs = {}
    for engine in ("local", "dask"):
        out = tmp_path / f"{engine}.json"
        argv = ["score", big_jsonl, "-m", metrics, "--format", "json", "-o", str(out), "--quiet"]
        if engine == "dask":
            argv += ["--engine", "dask", "--scheduler", cluster.scheduler.address, "--partitions", "7"]
        assert main(argv) == 0
        outputs[engine] = json.loads(out.read_text(encoding="utf-8"))
    assert outputs["dask"]["results"] == outputs["local"]["results"]
    assert outputs["dask"]["n"] == outputs["local"]["n"] == 2000


def test_bad_line_in_the_third_partition_names_its_true_line(cluster, tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = [json.dumps({"prediction": i % 3, "reference": i % 2}) for i in range(70)]
    bad_line = 25  # 1-based
    lines[bad_line - 1] = '{"prediction": 1, "reference": '  # truncated JSON
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ranges = line_aligned_ranges(str(path), 7)
    offset = sum(len(line) + 1 for line in lines[:bad_line - 1])
    assert ranges[2][0] <= offset < ranges[2][1], "the bad line must fall in the third partition"
    with pytest.raises(InputError) as single:
        _one_process("accuracy", {}, str(path))
    with pytest.raises(InputError) as partitioned:
        score_files(str(path), metrics=["accuracy"], partitions=7, scheduler=cluster)
    assert str(partitioned.value).startswith(f"{path}:{bad_line}:")
    assert str(partitioned.value) == str(single.value)


def test_bad_label_in_the_third_partition_names_its_true_line(cluster, tmp_path):
    path = tmp_path / "bad_label.jsonl"
    predictions = [i % 3 for i in range(70)]
    predictions[26] = None  # line 27
    path = _write_jsonl(path, predictions, [i % 2 for i in range(70)])
    with pytest.raises(InputError) as single:
        _one_process("accuracy", {}, path)
    with pytest.raises(InputError) as partitioned:
        score_files(path, metrics=["accuracy"], partitions=7, scheduler=cluster)
    assert str(partitioned.value).startswith(f"{path}:27:")
    assert str(partitioned.value) == str(single.value)


def test_text_pairs_split_by_line_ranges(cluster, tmp_path):
    rng = random.Random(3)
    words = ["we", "the", "a", "big", "small", "house", "家", "大きい", "の", "cat"]
    hyp, ref = tmp_path / "hyp.txt", tmp_path / "ref.txt"
    hyps = [" ".join(rng.choices(words, k=rng.randint(0, 8))) for _ in range(200)]
    refs = [" ".join(rng.choices(words, k=rng.randint(1, 8))) for _ in range(200)]
    hyp.write_bytes(("\r\n".join(hyps) + "\r\n").encode())  # CRLF, final newline
    ref.write_bytes("\n".join(refs).encode())  # no final newline
    names = ["bleu", "chrf", "accuracy"]
    for partitions in PARTITIONS:
        scored = score_files(str(hyp), ref_file=str(ref), metrics=names, partitions=partitions, scheduler=cluster)
        for name, metric in zip(names, scored, strict=True):
            assert _canonical(metric.compute()) == _one_process(name, {}, str(hyp), ref_file=str(ref)), name
    ref.write_text("\n".join(refs[:-1]) + "\n", encoding="utf-8")  # one line short
    with pytest.raises(InputError, match="not line-aligned") as partitioned:
        score_files(str(hyp), ref_file=str(ref), metrics=names, partitions=3, scheduler=cluster)
    with pytest.raises(InputError) as single:
        _one_process(names[0], {}, str(hyp), ref_file=str(ref))
    assert str(partitioned.value) == str(single.value)


def test_csv_with_quoted_newlines_and_number_text(cluster, tmp_path):
    rng = random.Random(5)
    path = tmp_path / "scores.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prediction", "reference", "note"])
        for i in range(300):
            writer.writerow([i, rng.choice(["1", "2.5", "3", str(rng.random())]), rng.randint(0, 3),
                             "two\nlines" if i % 7 == 0 else "x"])
    for partitions in PARTITIONS:
        scored = score_files(str(path), metrics=["spearman", "pearson"], partitions=partitions, scheduler=cluster)
        for name, metric in zip(("spearman", "pearson"), scored, strict=True):
            assert _canonical(metric.compute()) == _one_process(name, {}, str(path)), (name, partitions)


def test_conll_is_read_by_one_task(cluster, tmp_path):
    path = tmp_path / "tags.conll"
    sentences = [[("John", "B-PER", "B-PER"), ("lives", "O", "O"), ("here", "O", "B-LOC")],
                 [("Tokyo", "B-LOC", "B-LOC"), ("is", "O", "O"), ("big", "O", "O")]] * 5
    path.write_text("\n\n".join("\n".join(" ".join(t) for t in s) for s in sentences) + "\n", encoding="utf-8")
    (metric,) = score_files(str(path), metrics=["seqeval"], partitions=3, scheduler=cluster)
    assert _canonical(metric.compute()) == _one_process("seqeval", {}, str(path))


@pytest.mark.parametrize("partitions", [1, 2, 5, 50])
def test_line_aligned_ranges_cover_the_file_on_line_starts(tmp_path, partitions):
    path = tmp_path / "lines.txt"
    content = "".join(f"{'x' * (i % 9)}\n" for i in range(17)) + "last line without newline"
    path.write_text(content, encoding="utf-8")
    ranges = line_aligned_ranges(str(path), partitions)
    starts = {0} | {i + 1 for i, char in enumerate(content) if char == "\n"}
    assert ranges[0][0] == 0
    assert ranges[-1][1] == len(content)
    assert all(a[1] == b[0] for a, b in pairwise(ranges))
    assert all(start in starts and end > start for start, end in ranges)
    assert len(ranges) <= min(partitions, 18)


def test_blank_separated_ranges_cut_after_blank_lines(tmp_path):
    path = tmp_path / "blocks.conll"
    content = "a O\nb O\n\nc O\n\nd O\ne O\nf O\n\ng O\n"
    path.write_text(content, encoding="utf-8")
    for start, _ in line_aligned_ranges(str(path), 4, blank_separated=True)[1:]:
        assert content[start - 2:start] == "\n\n"


def test_bad_arguments_are_input_errors(tmp_path):
    path = _write_jsonl(tmp_path / "ok.jsonl", [1, 0], [1, 1])
    with pytest.raises(InputError, match="partitions"):
        score_files(path, metrics=["accuracy"], partitions=0, scheduler="synchronous")
    with pytest.raises(InputError, match="metrics is empty"):
        score_files(path, metrics=[], scheduler="synchronous")
    with pytest.raises(InputError, match="no such file"):
        score_files(tmp_path / "missing.jsonl", metrics=["accuracy"], scheduler="synchronous")
    with pytest.raises(InputError, match="standard input"):
        score_files("-", metrics=["accuracy"], scheduler="synchronous")
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no examples"):
        score_files(str(blank), metrics=["accuracy"], partitions=2, scheduler="synchronous")
    assert np.isclose(score_files(path, metrics=["accuracy"], scheduler="synchronous")[0].compute()["accuracy"], 0.5)


def test_bertscore_idf_counts_document_frequencies_over_the_whole_file(tmp_path):
    from tests.test_distributed import _bertscore_sample

    sample = _bertscore_sample()
    if sample is None or "bertscore" not in nm.list_metrics():
        pytest.skip("bertscore or the packaged MiniLM model is not installed")
    (options,), predictions, references = sample
    predictions, references = predictions * 3, references[3:] + references[:3] + references[::-1] + references
    predictions = predictions[:len(references)]
    path = _write_jsonl(tmp_path / "idf.jsonl", predictions, references)
    options = {**options, "idf": True}
    expected = nm.compute("bertscore", predictions=predictions, references=references, **options)
    (metric,) = score_files(path, metrics=[nm.load("bertscore", **options)], partitions=3, scheduler="threads")
    got = metric.compute()
    assert got.scores == pytest.approx(expected.scores, abs=1e-6)
    np.testing.assert_allclose(got.per_example["f1"], expected.per_example["f1"], atol=1e-6)


def test_text_pairs_with_two_reference_files(tmp_path):
    rng = random.Random(4)
    words = ["one", "two", "three", "four", "five", "six", "seven"]
    paths = []
    for name in ("hyp.txt", "ref1.txt", "ref2.txt"):
        path = tmp_path / name
        path.write_text("".join(" ".join(rng.choices(words, k=rng.randint(1, 6))) + "\n" for _ in range(50)),
                        encoding="utf-8")
        paths.append(str(path))
    expected = _one_process("bleu", {}, paths[0], ref_file=paths[1:])
    for partitions in PARTITIONS:
        (metric,) = score_files(paths[0], ref_file=paths[1:], metrics=["bleu"], partitions=partitions,
                                scheduler="synchronous")
        assert _canonical(metric.compute()) == expected


def test_utf16_files_are_read_whole(tmp_path):
    path = tmp_path / "wide.jsonl"
    path.write_text("".join(json.dumps({"prediction": i % 3, "reference": i % 2}) + "\n" for i in range(30)),
                    encoding="utf-16")
    (metric,) = score_files(str(path), metrics=["accuracy"], partitions=3, scheduler="synchronous", encoding="utf-16")
    assert _canonical(metric.compute()) == _one_process("accuracy", {}, str(path), encoding="utf-16")
