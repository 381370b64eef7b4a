"""Multi-label classification and ``ignore_index``: identical to scikit-learn (and seqeval) on the same inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, hamming_loss, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

import nlpmetrics as nm

AVERAGES = ("micro", "macro", "weighted", "samples")
ZERO_DIVISIONS = (0.0, 1.0, math.nan)
NAMES = ("precision", "recall", "f1")


def identical(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def sklearn_prf(references, predictions, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dict(zip(NAMES, precision_recall_fscore_support(references, predictions, **kwargs)[:3], strict=False))


def random_indicators(seed: int, n: int, k: int, density: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.random((n, k)) < density).astype(np.int64), (rng.random((n, k)) < density).astype(np.int64)


@pytest.mark.parametrize("zero_division", ZERO_DIVISIONS)
@pytest.mark.parametrize("average", AVERAGES)
def test_indicator_matrices_match_scikit_learn(average, zero_division):
    for seed in range(40):
        rng = np.random.default_rng(seed)
        predictions, references = random_indicators(seed, int(rng.integers(1, 30)), int(rng.integers(2, 7)),
                                                    density=float(rng.choice([0.1, 0.3, 0.6])))
        expected = sklearn_prf(references, predictions, average=average, zero_division=zero_division)
        for name in NAMES:
            got = nm.compute(name, predictions=predictions, references=references, average=average,
                             zero_division=zero_division)[name]
            assert identical(got, expected[name]), (seed, name, got, expected[name])


@pytest.mark.parametrize("average", AVERAGES)
def test_labels_option_selects_and_orders_columns_as_scikit_learn(average):
    predictions, references = random_indicators(3, 25, 5)
    for labels in ([0, 2], [4, 1, 3], [2]):
        expected = sklearn_prf(references, predictions, average=average, labels=labels, zero_division=1.0)
        result = nm.compute("f1", predictions=predictions, references=references, average=average, labels=labels,
                            zero_division=1.0)
        assert identical(result["f1"], expected["f1"])
    per_label = sklearn_prf(references, predictions, average=None, labels=[4, 1, 3])
    table = nm.compute("recall", predictions=predictions, references=references, average="macro",
                       labels=[4, 1, 3]).details["per_class"]
    assert list(table["label"]) == [4, 1, 3]
    np.testing.assert_array_equal(table["recall"], per_label["recall"])


def test_label_sets_match_scikit_learn_on_the_binarized_data():
    rng = np.random.default_rng(7)
    topics = ["sport", "politics", "税金", "tech", "arts"]
    for _ in range(30):
        n = int(rng.integers(1, 25))
        predictions = [set(rng.choice(topics, size=int(rng.integers(0, 3)), replace=False)) for _ in range(n)]
        references = [list(rng.choice(topics, size=int(rng.integers(0, 4)), replace=False)) for _ in range(n)]
        classes = sorted(set().union(*predictions, *map(set, references)))
        if not classes:
            continue
        binarizer = MultiLabelBinarizer(classes=classes)
        y_pred, y_true = binarizer.fit_transform(predictions), binarizer.fit_transform(references)
        for average in AVERAGES:
            expected = sklearn_prf(y_true, y_pred, average=average)
            for name in NAMES:
                got = nm.compute(name, predictions=predictions, references=references, average=average)[name]
                assert identical(got, expected[name]), (average, name)
        assert nm.compute("accuracy", predictions=predictions, references=references)["accuracy"] == \
            accuracy_score(y_true, y_pred)
        assert nm.compute("hamming_loss", predictions=predictions, references=references)["hamming_loss"] == \
            hamming_loss(y_true, y_pred)
        details = nm.compute("f1", predictions=predictions, references=references, average="macro").details
        assert list(details["per_class"]["label"]) == classes
        np.testing.assert_array_equal(details["per_class"]["f1"], sklearn_prf(y_true, y_pred, average=None)["f1"])


@pytest.mark.parametrize("kind", ["int", "bool", "float", "tensor"])
def test_subset_accuracy_and_hamming_loss_match_scikit_learn(kind):
    for seed in range(20):
        predictions, references = random_indicators(seed, 17, 4, density=0.4)
        if kind == "bool":
            predictions, references = predictions.astype(bool), references.astype(bool)
        elif kind == "float":
            predictions, references = predictions.astype(np.float32), references.astype(np.float64)
        elif kind == "tensor":
            torch = pytest.importorskip("torch")
            predictions, references = torch.tensor(predictions), torch.tensor(references, dtype=torch.float32)
        y_pred, y_true = np.asarray(predictions), np.asarray(references)
        assert nm.compute("accuracy", predictions=predictions, references=references)["accuracy"] == \
            accuracy_score(y_true, y_pred)
        assert nm.compute("hamming_loss", predictions=predictions, references=references)["hamming_loss"] == \
            hamming_loss(y_true, y_pred)


def test_hamming_loss_on_one_label_per_example_is_scikit_learns():
    rng = np.random.default_rng(1)
    for labels in ([0, 1, 2], ["a", "b"]):
        predictions, references = list(rng.choice(labels, 50)), list(rng.choice(labels, 50))
        result = nm.compute("hamming_loss", predictions=predictions, references=references)
        assert result["hamming_loss"] == hamming_loss(references, predictions)
        assert result.details == {"multilabel": False, "differences": int(np.sum(np.array(predictions) !=
                                                                                  np.array(references))),
                                  "decisions": 50, "n_labels": 1}
    assert not nm.load("hamming_loss").info.higher_is_better


def test_edge_cases_empty_sets_and_all_zero_columns():
    # every prediction empty; a column nobody uses; an example with no label on either side
    references = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    predictions = np.zeros((3, 3), dtype=int)
    for average in AVERAGES:
        for zero_division in ZERO_DIVISIONS:
            expected = sklearn_prf(references, predictions, average=average, zero_division=zero_division)
            for name in NAMES:
                got = nm.compute(name, predictions=predictions, references=references, average=average,
                                 zero_division=zero_division)[name]
                assert identical(got, expected[name]), (average, zero_division, name)
    same_as_lists = nm.compute("f1", predictions=[[], [], []], references=[[0], [1], []], average="samples",
                               zero_division=1.0)
    assert same_as_lists["f1"] == sklearn_prf(references, predictions, average="samples", zero_division=1.0)["f1"]
    nothing = nm.compute("accuracy", predictions=[set(), set()], references=[[], ()])
    assert nothing["accuracy"] == 1.0, "two empty label sets agree"


def test_batches_with_different_label_sets_stream_exactly_with_the_same_interval():
    rng = np.random.default_rng(5)
    topics = ["a", "b", "c", "d"]
    predictions = [set(rng.choice(topics, size=int(rng.integers(0, 3)), replace=False)) for _ in range(60)]
    references = [set(rng.choice(topics, size=int(rng.integers(1, 3)), replace=False)) for _ in range(60)]
    predictions[:20] = [p - {"d"} for p in predictions[:20]]
    references[:20] = [(r - {"d"}) or {"a"} for r in references[:20]]  # the first batch never sees "d"
    for name, average in [("f1", "macro"), ("precision", "samples"), ("recall", "micro"), ("hamming_loss", None)]:
        options = {"average": average} if average else {}
        whole = nm.compute(name, predictions=predictions, references=references, confidence=0.9, n_resamples=200,
                           **options)
        for keep_examples in (True, False):
            metric = nm.load(name, keep_examples=keep_examples, **options)
            for start in (0, 20, 45):
                stop = {0: 20, 20: 45, 45: 60}[start]
                metric.update(predictions=predictions[start:stop], references=references[start:stop])
            streamed = metric.compute(confidence=0.9, n_resamples=200)
            assert streamed[name] == pytest.approx(whole[name], rel=1e-12)
            assert streamed.ci[name] == pytest.approx(whole.ci[name], rel=1e-12), (name, keep_examples)


def test_bootstrap_resamples_are_scored_as_scikit_learn_would_score_them():
    predictions, references = random_indicators(11, 12, 3)
    metric = nm.load("f1", average="samples", zero_division=math.nan)
    rows = metric.rows_for(predictions=predictions, references=references)
    rng = np.random.default_rng(0)
    indices = rng.integers(0, 12, size=(5, 12))
    weights = np.stack([np.bincount(i, minlength=12) for i in indices]).astype(np.float64)
    batched = metric.score(metric.reduce(rows, weights))["f1"]
    for r, index in enumerate(indices):
        expected = sklearn_prf(references[index], predictions[index], average="samples",
                               zero_division=math.nan)["f1"]
        assert batched[r] == pytest.approx(expected, rel=1e-12, nan_ok=True)


def test_binary_and_samples_are_refused_where_they_mean_nothing():
    with pytest.raises(nm.InputError, match=r"multi-label.*average='binary'.*'micro', 'macro', 'weighted' or "
                                            "'samples'"):
        nm.compute("f1", predictions=[[0], [1]], references=[[0], [0, 1]])
    with pytest.raises(nm.InputError, match=r"average='samples'.*one per example"):
        nm.compute("recall", predictions=[0, 1], references=[0, 0], average="samples")
    with pytest.raises(nm.InputError, match="option labels names 'x' but the labels in the data are numbers"):
        nm.compute("f1", predictions=[[0], [1]], references=[[0], [1]], average="macro", labels=["x"])


@pytest.mark.parametrize(("predictions", "references", "message"), [
    ([[0], [1, 2]], [0, 1], r"predictions give several labels per example .* but references one label"),
    ([0, 1], np.array([[0, 1], [1, 0]]), r"references give several labels .* but predictions one"),
    ([[0, 1, 1], [0]], [[0], [1]], r"predictions\[0\] lists the label 1 twice; a row of 0/1 values looks like "
                                   r"a row of an indicator matrix"),
    ([[0], None], [[0], [1]], r"predictions\[1\] is None; multi-label input gives every example a list or set"),
    ([[0], [[1]]], [[0], [1]], r"predictions\[1\]\[0\] is a list; labels must be strings or whole numbers"),
    ([[0], [1.5]], [[0], [1]], r"predictions\[1\]\[0\] is a float \(1.5\)"),
    ([["a"], [1]], [["a"], ["b"]], r"predictions mixes text and number labels"),
    ([["a"], ["b"]], [[0], [1]], r"predictions hold text labels but references numbers"),
    (np.array([[0, 1], [1, 0]]), np.array([[0, 1, 0], [1, 0, 0]]), r"predictions has 2 label columns but "
                                                                   r"references has 3"),
    (np.array([[0.2, 0.8], [0.9, 0.1]]), [1, 0], r"predictions has shape \(2, 2\); pass a flat list .*argmax\(-1\)"
                                                 r".*0/1 indicator matrix"),
])
def test_bad_multilabel_input_names_the_place_and_the_fix(predictions, references, message):
    with pytest.raises(nm.InputError, match=message):
        nm.compute("f1", predictions=predictions, references=references, average="micro")


def test_batches_of_one_and_several_labels_do_not_mix():
    metric = nm.load("f1", average="micro").update(predictions=[0, 1], references=[0, 1])
    with pytest.raises(nm.InputError, match="one label per example and some a set of labels"):
        metric.update(predictions=[[0], [1]], references=[[0], [1]])
    text = nm.load("accuracy").update(predictions=[["a"]], references=[["a"]])
    text.update(predictions=[[]], references=[[]])  # no label: fits any kind
    assert text.compute()["accuracy"] == 1.0
    with pytest.raises(nm.InputError, match="text labels and some numbers"):  # noqa: PT012 - raised by either call
        text.update(predictions=[[1]], references=[[1]])  # checked against the last batch: at latest at compute
        text.compute()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_multilabel_results_explain_themselves(lang):
    result = nm.compute("f1", predictions=[["a"], ["a", "b"], []], references=[["a"], ["b"], ["b"]],
                        average="samples", confidence=0.9, n_resamples=20)
    text = result.explain(lang)
    assert "3" in text
    assert "{" not in text
    card = nm.load("f1").explanation(lang)
    assert text.startswith(card.templates["value_samples"].split("{")[0])
    assert "samples" in card.how_to_read
    hamming = nm.compute("hamming_loss", predictions=[["a"], ["b"]], references=[["a"], ["a", "b"]])
    assert "4" in hamming.explain(lang), "2 examples x 2 labels = 4 decisions"


# ----------------------------------------------------------------------------- ignore_index
def test_ignore_index_drops_padding_positions_as_scikit_learn_on_the_masked_data():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    logits = torch.tensor(rng.normal(size=(4, 9, 5)), dtype=torch.float32, requires_grad=True)
    labels = torch.tensor(rng.integers(0, 5, size=(4, 9)))
    labels[:, 6:] = -100
    labels[1, 0] = -100
    predictions = logits.argmax(-1)
    keep = labels != -100
    y_true, y_pred = labels[keep].numpy(), predictions[keep].numpy()
    for name in ("accuracy", "f1_macro", "recall_weighted", "hamming_loss"):
        metrics = nm.load_many([name], ignore_index=-100)
        metrics.update(predictions=predictions.reshape(-1), references=labels.reshape(-1))
        result = metrics.compute()[name]
        assert result.n == int(keep.sum())
        if name == "accuracy":
            assert result.value == accuracy_score(y_true, y_pred)
        elif name == "hamming_loss":
            assert result.value == hamming_loss(y_true, y_pred)
        else:
            base, average = name.split("_")
            assert result.value == sklearn_prf(y_true, y_pred, average=average)[base]
    with pytest.raises(nm.InputError, match="ignore_index=-100 drops examples whose one reference label"):
        nm.compute("f1", predictions=[[0], [1]], references=[[0], [1]], average="micro", ignore_index=-100)
    with pytest.raises(nm.InputError, match="ignore_index"):
        nm.load("accuracy", ignore_index=1.5)
    assert nm.compute("accuracy", predictions=["a", "b"], references=["a", "-100"], ignore_index="-100").n == 1
    assert nm.compute("accuracy", predictions=["a", "b"], references=["a", "b"], ignore_index=-100).n == 2


def test_ignore_index_in_seqeval_drops_positions_sentence_by_sentence():
    from seqeval.metrics import classification_report

    predictions = [["B-PER", "I-PER", "O", "B-LOC", "O"], ["O", "B-LOC", "I-LOC"]]
    references = [["B-PER", -100, "I-PER", "B-LOC", -100], ["O", -100, "B-LOC"]]
    kept_predictions = [["B-PER", "O", "B-LOC"], ["O", "I-LOC"]]
    kept_references = [["B-PER", "I-PER", "B-LOC"], ["O", "B-LOC"]]
    result = nm.compute("seqeval", predictions=predictions, references=references, ignore_index=-100)
    expected = classification_report(kept_references, kept_predictions, output_dict=True)
    assert result["f1"] == expected["micro avg"]["f1-score"]
    assert result["precision"] == expected["micro avg"]["precision"]
    assert result.n == 2
    with pytest.raises(nm.InputError, match=r"tag -100 is an int, not a tag string; for padding set ignore_index"):
        nm.compute("seqeval", predictions=predictions, references=references)


def test_mixed_text_and_number_label_sets_name_the_first_example_of_the_second_kind(tmp_path, capsys):
    from nlpmetrics.cli import main

    with pytest.raises(nm.InputError, match=r"mixes text and number labels") as raised:
        nm.compute("f1", predictions=[["a"], ["b"], [1]], references=[["a"], ["b"], [1]], average="micro")
    assert raised.value.argument == "predictions"
    assert raised.value.index == (2,)
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(f'{{"prediction": {p}, "reference": {p}}}\n' for p in ('["a"]', '["b"]', "[1]")))
    assert main(["score", str(path), "-m", "f1", "--option", "average=micro"]) == 2
    assert "mixed.jsonl:3: the prediction holds numbers but an earlier example holds text" in capsys.readouterr().err
