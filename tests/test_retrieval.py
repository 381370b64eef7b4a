"""``retrieval`` against trec_eval (through pytrec-eval-terrier) and ranx, on seeded random and hand-made rankings.

trec_eval is the reference where scores tie (it orders equal scores by document
id, decreasing); ranx orders ties its own way, so it is compared on rankings
without ties.  Per-query values are compared exactly with trec_eval's (the
same arithmetic in the same order), with ranx's to 1e-12.
"""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.explanations import load_card
from nlpmetrics.metrics.retrieval import RetrievalWarning

pytrec_eval = pytest.importorskip("pytrec_eval")
#: ranx is imported (or the test skipped) only in the tests that compare with it, so the trec_eval
#: tests run without it.

#: Our measure -> trec_eval's name in pytrec_eval's output (mrr@k: recip_rank of the run cut at k).
TREC = {"precision@5": "P_5", "recall@10": "recall_10", "hit_rate@3": "success_3", "mrr": "recip_rank",
        "ndcg@10": "ndcg_cut_10", "ndcg": "ndcg", "map": "map", "map@5": "map_cut_5", "r_precision": "Rprec"}
TREC_REQUEST = {"P.5", "recall.10", "success.3", "recip_rank", "ndcg_cut.10", "ndcg", "map", "map_cut.5", "Rprec"}


def quiet_rows(measures, predictions, references, **options):
    metric = nm.load("retrieval", measures=measures, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetrievalWarning)
        metric.update(predictions=predictions, references=references)
    return metric


def random_queries(seed: int, n: int = 300, *, ties: bool = True, graded: bool = True, docs: int = 60):
    """Rankings as id -> score mappings (few distinct scores when ``ties``) and graded or binary references."""
    rng = random.Random(seed)
    predictions, references = [], []
    for _ in range(n):
        ranked = rng.sample(range(docs), rng.randint(1, 40))
        if ties:
            scores = {f"d{d}": float(rng.randint(0, 5)) for d in ranked}
        else:
            scores = {f"d{d}": rng.random() + i for i, d in enumerate(ranked)}
        relevant = rng.sample(range(docs), rng.randint(1, 25))
        if graded:
            references.append({f"d{d}": rng.randint(0, 3) for d in relevant})
        else:
            references.append([f"d{d}" for d in relevant])
        predictions.append(scores)
    return predictions, references


def trec_eval(predictions, references, request=TREC_REQUEST):
    run = {f"q{i}": p for i, p in enumerate(predictions)}
    qrels = {f"q{i}": r if isinstance(r, dict) else dict.fromkeys(r, 1) for i, r in enumerate(references)}
    return pytrec_eval.RelevanceEvaluator(qrels, set(request)).evaluate(run)


def trec_order(scores: dict) -> list:
    """Document ids in trec_eval's order: score descending, then id descending."""
    return [doc for _, doc in sorted(((s, d) for d, s in scores.items()), reverse=True)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("graded", [True, False])
def test_every_measure_equals_trec_eval_per_query_with_ties(seed, graded):
    predictions, references = random_queries(seed, graded=graded)
    measures = list(TREC)
    rows = quiet_rows(measures, predictions, references).rows()
    expected = trec_eval(predictions, references)
    for key, name in TREC.items():
        reference = np.array([expected[f"q{i}"][name] for i in range(len(predictions))])
        assert np.array_equal(rows[key], reference), (key, np.flatnonzero(rows[key] != reference)[:5])


@pytest.mark.parametrize("block_cells", [1 << 22, 500], ids=["one block", "many blocks"])
def test_long_rankings_with_many_relevant_documents_equal_trec_eval(monkeypatch, block_cells):
    """Queries with more relevant documents retrieved than the padded-matrix sums take (summed one by one)."""
    from nlpmetrics.metrics.retrieval import _compute

    monkeypatch.setattr(_compute, "_BLOCK_CELLS", block_cells)
    rng = random.Random(21)
    predictions, references = [], []
    for _ in range(60):
        ranked = rng.sample(range(400), rng.randint(1, 300))
        predictions.append({f"d{d}": rng.random() + i for i, d in enumerate(ranked)})
        relevant = rng.sample(range(400), rng.randint(1, 200))
        references.append({f"d{d}": rng.randint(0, 4) for d in relevant})
    rows = quiet_rows(list(TREC), predictions, references).rows()
    expected = trec_eval(predictions, references)
    for key, name in TREC.items():
        assert np.array_equal(rows[key], [expected[f"q{i}"][name] for i in range(60)]), key


@pytest.mark.parametrize("top", [3, 40, 1000], ids=["few levels", "more levels", "levels to sort"])
def test_ndcg_with_relevance_levels_of_any_size_equals_trec_eval(top):
    """The ideal ranking is counted for few relevance levels and sorted for many: both equal trec_eval."""
    rng = random.Random(top)
    predictions, references = [], []
    for _ in range(80):
        ranked = rng.sample(range(100), rng.randint(1, 50))
        predictions.append({f"d{d}": rng.random() + i for i, d in enumerate(ranked)})
        references.append({f"d{d}": rng.randint(0, top) for d in rng.sample(range(100), rng.randint(1, 30))})
    measures = {"ndcg": "ndcg", "ndcg@10": "ndcg_cut_10"}
    rows = quiet_rows(list(measures), predictions, references).rows()
    expected = trec_eval(predictions, references, {"ndcg", "ndcg_cut.10"})
    for key, name in measures.items():
        assert np.array_equal(rows[key], [expected[f"q{i}"][name] for i in range(80)]), key


def test_rankings_of_one_length_with_ties_equal_trec_eval():
    rng = random.Random(13)
    predictions = [{f"d{d}": float(rng.randint(0, 3)) for d in rng.sample(range(50), 20)} for _ in range(200)]
    references = [{f"d{d}": rng.randint(0, 2) for d in rng.sample(range(50), rng.randint(1, 15))} for _ in range(200)]
    rows = quiet_rows(list(TREC), predictions, references).rows()
    expected = trec_eval(predictions, references)
    for key, name in TREC.items():
        assert np.array_equal(rows[key], [expected[f"q{i}"][name] for i in range(200)]), key


@pytest.mark.filterwarnings("ignore::nlpmetrics.metrics.retrieval.RetrievalWarning")
@pytest.mark.parametrize("seed", [3, 4])
def test_mean_over_queries_equals_the_mean_of_trec_eval_values(seed):
    predictions, references = random_queries(seed)
    result = nm.compute("retrieval", predictions=predictions, references=references, measures=list(TREC))
    expected = trec_eval(predictions, references)
    for key, name in TREC.items():
        assert result[key] == np.mean([v[name] for v in expected.values()]), key


@pytest.mark.parametrize("k", [1, 3, 10, 100])
def test_mrr_at_k_is_trec_eval_recip_rank_of_the_run_cut_at_k(k):
    predictions, references = random_queries(5)
    cut = [{doc: p[doc] for doc in trec_order(p)[:k]} for p in predictions]
    expected = trec_eval(cut, references, {"recip_rank"})
    rows = quiet_rows([f"mrr@{k}"], predictions, references).rows()
    assert np.array_equal(rows[f"mrr@{k}"], [expected[f"q{i}"]["recip_rank"] for i in range(len(predictions))])


def ranx_scores(ranx, predictions, references, metrics):
    """Ranx's per-query values, in our order (ranx sorts query ids, so they are zero-padded).

    ``ranx`` is the module, which the calling test imports with ``pytest.importorskip``.
    """
    qrels = ranx.Qrels({f"q{i:06d}": r if isinstance(r, dict) else dict.fromkeys(r, 1)
                        for i, r in enumerate(references)})
    run = ranx.Run({f"q{i:06d}": p for i, p in enumerate(predictions)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = ranx.evaluate(qrels, run, metrics, return_mean=False)
    return scores if isinstance(scores, dict) else {metrics[0]: scores}  # one metric: ranx returns its array


RANX = {"precision@5": "precision@5", "recall@10": "recall@10", "hit_rate@3": "hit_rate@3", "mrr": "mrr",
        "mrr@4": "mrr@4", "ndcg@10": "ndcg@10", "ndcg": "ndcg", "map": "map", "map@5": "map@5",
        "r_precision": "r-precision"}


@pytest.mark.parametrize("graded", [True, False])
def test_every_measure_equals_ranx_without_ties(graded):
    ranx = pytest.importorskip("ranx")
    predictions, references = random_queries(6, n=200, ties=False, graded=graded)
    rows = quiet_rows(list(RANX), predictions, references).rows()
    expected = ranx_scores(ranx, predictions, references, list(RANX.values()))
    for key, name in RANX.items():
        np.testing.assert_allclose(rows[key], expected[name], rtol=1e-12, atol=0, err_msg=key)


def test_ties_follow_trec_eval_where_ranx_orders_differently():
    ranx = pytest.importorskip("ranx")
    # d1 and d2 tie at 0.5; trec_eval puts d2 first (ids decreasing), so the more relevant d2 is at rank 2
    prediction = {"d1": 0.5, "d2": 0.5, "d4": 0.9}
    reference = {"d1": 1, "d2": 2}
    ours = nm.compute("retrieval", predictions=[prediction], references=[reference], measures=["ndcg@10", "mrr"])
    trec = trec_eval([prediction], [reference], {"ndcg_cut.10", "recip_rank"})["q0"]
    assert ours["ndcg@10"] == trec["ndcg_cut_10"]
    assert ours["ndcg@10"] == pytest.approx((2 / math.log2(3) + 1 / math.log2(4)) / (2 + 1 / math.log2(3)))
    assert ours["mrr"] == trec["recip_rank"] == 0.5
    ranx_value = ranx_scores(ranx, [prediction], [reference], ["ndcg@10"])["ndcg@10"][0]
    assert ranx_value != pytest.approx(ours["ndcg@10"]), "ranx breaks this tie the other way (documented)"


def test_string_ties_use_code_point_order_as_strcmp():
    prediction = {"b": 1.0, "a": 1.0, "é": 1.0, "B": 1.0, "10": 1.0, "9": 1.0}
    for relevant in (["a"], ["é"], ["10"], ["B"]):
        trec = trec_eval([prediction], [relevant], {"recip_rank"})["q0"]["recip_rank"]
        assert nm.compute("retrieval", predictions=[prediction], references=[relevant], measures=["mrr"])["mrr"] == trec


def test_a_list_ranking_equals_the_same_ranking_as_scores():
    predictions, references = random_queries(7, ties=False)
    as_lists = [trec_order(p) for p in predictions]
    measures = list(TREC)
    a = quiet_rows(measures, predictions, references).rows()
    b = quiet_rows(measures, as_lists, references).rows()
    for key in measures:
        assert np.array_equal(a[key], b[key]), key


def test_an_integer_matrix_equals_lists_and_negative_entries_are_padding():
    rng = np.random.default_rng(0)
    matrix = np.stack([rng.permutation(50)[:20] for _ in range(100)])
    matrix[::7, 15:] = -1  # faiss pads missing results with -1
    references = [rng.choice(50, size=rng.integers(0, 6), replace=False).tolist() for _ in range(100)]
    graded = [{int(d): int(rng.integers(0, 3)) for d in r} for r in references]
    lists = [[int(d) for d in row if d >= 0] for row in matrix]
    measures = list(TREC)
    for refs in (references, graded):
        a = quiet_rows(measures, matrix, refs).rows()
        b = quiet_rows(measures, lists, refs).rows()
        for key in measures:
            assert np.array_equal(a[key], b[key]), key
    with pytest.raises(nm.InputError, match=r"predictions\[1\] has an id after a negative entry"):
        nm.compute("retrieval", predictions=np.array([[1, 2], [-1, 3]]), references=[[1], [3]])
    with pytest.raises(nm.InputError, match=r"predictions\[0\] ranks document 2 twice"):
        nm.compute("retrieval", predictions=np.array([[2, 2, 5]]), references=[[2]])
    with pytest.raises(nm.InputError, match=r"references\[0\] holds document ids that are not whole numbers"):
        nm.compute("retrieval", predictions=np.array([[1, 2]]), references=[["1"]])


@pytest.mark.parametrize("offset", [0, 10**6, 2**61], ids=["small ids", "large ids", "ids too large to pack"])
def test_an_integer_matrix_finds_every_relevant_document_as_lists_do(offset):
    rng = np.random.default_rng(offset % 97)
    matrix = np.stack([rng.permutation(300)[:40] for _ in range(200)]).astype(np.int64) + offset
    matrix[::5, 25:] = -1
    matrix[3, :] = -1  # a query that retrieved nothing
    lists = [[int(d) for d in row if d >= 0] for row in matrix]
    pool = np.arange(-5, 310) + offset  # relevant ids outside every ranking, below and above, included
    references: list = []
    for i in range(200):
        chosen = [int(d) for d in rng.choice(pool, size=int(rng.integers(0, 8)), replace=False) if d >= 0]
        form = i % 3
        references.append(chosen if form == 0 else set(chosen) if form == 1 else
                          {d: int(rng.integers(0, 4)) for d in chosen})
    measures = [*TREC, "precision@40", "map@100"]
    a = quiet_rows(measures, matrix, references).rows()
    b = quiet_rows(measures, lists, references).rows()
    for key in measures:
        assert np.array_equal(a[key], b[key]), key
    for row in ([offset, offset + 1, offset + 2], [offset + 2, offset + 1, offset]):  # the smallest id, first or last
        for matrix_form in (np.array([row]), np.array([[*row, -1]])):
            result = nm.compute("retrieval", predictions=matrix_form, references=[[offset]], measures=["mrr"])
            assert result["mrr"] == (1.0 if row[0] == offset else 1 / 3), (row, matrix_form)
    with pytest.raises(nm.InputError, match=rf"predictions\[1\] ranks document {offset} twice"):
        nm.compute("retrieval", predictions=np.array([[offset, offset + 1], [offset, offset]]),
                   references=[[offset], [offset]])
    padded_twice = np.array([[offset + 1, offset + 2, -1], [offset + 4, offset + 4, -1]])
    with pytest.raises(nm.InputError, match=rf"predictions\[1\] ranks document {offset + 4} twice"):
        nm.compute("retrieval", predictions=padded_twice, references=[[offset + 1], [offset + 4]])


def test_k_larger_than_the_ranking():
    prediction, reference = ["a", "b"], {"a": 1, "c": 2, "d": 1}
    result = nm.compute("retrieval", predictions=[prediction], references=[reference],
                        measures=["precision@10", "recall@100", "ndcg@50", "map@20", "hit_rate@1000"])
    trec = trec_eval([{"a": 2.0, "b": 1.0}], [reference], {"P.10", "recall.100", "ndcg_cut.50", "map_cut.20",
                                                          "success.1000"})["q0"]
    assert result["precision@10"] == trec["P_10"] == 0.1
    assert result["recall@100"] == trec["recall_100"]
    assert result["ndcg@50"] == trec["ndcg_cut_50"]
    assert result["map@20"] == trec["map_cut_20"]
    assert result["hit_rate@1000"] == trec["success_1000"] == 1.0


# ---------------------------------------------------------------- queries without relevant documents
def test_no_relevant_default_follows_trec_eval():
    predictions = [{"a": 1.0}, {"b": 1.0}, {"c": 1.0}]
    references = [{"a": 1}, {"b": 0}, {}]  # relevant; judged but not relevant; no judgement at all
    trec = trec_eval(predictions, references, {"map", "recall.10"})
    assert sorted(trec) == ["q0", "q1"], "trec_eval leaves out the query without judgements, counts the other"
    with pytest.warns(RetrievalWarning) as caught:
        result = nm.compute("retrieval", predictions=predictions, references=references, measures=["map", "recall@10"])
    codes = {w.message.code for w in caught}
    assert codes == {"queries_left_out", "queries_without_relevant"}
    assert result["map"] == np.mean([v["map"] for v in trec.values()]) == 0.5
    assert result.details["queries"] == 2
    assert result.details["left_out"] == 1
    assert result.details["without_relevant"] == 1
    assert np.isnan(result.per_example["map"][2])
    assert result.per_example["map"][1] == 0.0


def test_no_relevant_zero_follows_ranx_and_skip_leaves_them_out():
    ranx = pytest.importorskip("ranx")
    predictions = [{"a": 1.0, "x": 0.5}, {"b": 1.0}, {"c": 1.0}]
    references = [{"a": 1}, {"b": 0}, {}]
    zero = nm.compute("retrieval", predictions=predictions, references=references, measures=["map", "recall@10"],
                      no_relevant="zero")
    expected = ranx_scores(ranx, predictions, references, ["map", "recall@10"])
    assert zero["map"] == np.mean(expected["map"]) == pytest.approx(1 / 3)
    assert zero["recall@10"] == np.mean(expected["recall@10"])
    with pytest.warns(RetrievalWarning, match="left out"):
        skip = nm.compute("retrieval", predictions=predictions, references=references, measures=["map"],
                          no_relevant="skip")
    assert skip["map"] == 1.0
    assert skip.details["left_out"] == 2


def test_every_query_left_out_is_nan_not_zero():
    with pytest.warns(RetrievalWarning):
        result = nm.compute("retrieval", predictions=[["a"]], references=[[]])
    assert all(math.isnan(v) for v in result.scores.values())


# ---------------------------------------------------------------- checks at the boundary
@pytest.mark.parametrize(("predictions", "references", "message"), [
    ([["a", "b", "a"]], [["a"]], r"predictions\[0\] ranks document 'a' twice"),
    ([{"a": float("nan")}], [["a"]], r"predictions\[0\] gives document 'a' the score NaN"),
    ([{"a": "1.5"}], [["a"]], r"predictions\[0\] gives document 'a' the score '1.5'; scores must be numbers"),
    ([{"a", "b"}], [["a"]], r"predictions\[0\] is a set \(a set has no order"),
    (["a b c"], [["a"]], r"predictions\[0\] is a single string"),
    ([[1, 2]], [["1"]], r"references\[0\] and its ranking mix document ids written as text and as numbers"),
    ([["a", None]], [["a"]], r"predictions\[0\]\[1\] is None; document ids must be strings or whole numbers"),
    ([["a"]], [{"a": -1}], r"references\[0\] gives document 'a' the relevance -1"),
    ([["a"]], [{"a": 1.5}], r"references\[0\] gives document 'a' the relevance 1.5"),
    ([["a"]], [{"a": True}], r"references\[0\] gives document 'a' the relevance True"),
    ([["a"]], [["a", "a"]], r"references\[0\] lists document 'a' twice"),
    ([["a"]], ["a"], r"references\[0\] is a single string"),
    ([["a"]], [None], r"references\[0\] is None"),
])
def test_bad_input_names_the_query(predictions, references, message):
    with pytest.raises(nm.InputError, match=message):
        nm.compute("retrieval", predictions=predictions, references=references)


def test_numpy_ids_and_scores_are_accepted_as_their_python_values():
    predictions = [np.array(["a", "b", "c"]), {np.str_("a"): np.float32(0.5), "b": np.int64(2)}]
    references = [np.array(["c"]), {"a": np.int64(1), "b": 1.0}]
    result = nm.compute("retrieval", predictions=predictions, references=references, measures=["mrr"])
    assert result["mrr"] == (1 / 3 + 1.0) / 2


@pytest.mark.parametrize(("measures", "message"), [
    (["recall"], "'recall' needs a cut-off: recall@k"),
    (["r_precision@5"], "r_precision takes no cut-off"),
    (["ndcg@0"], "whole number >= 1"),
    (["recal@10"], "did you mean 'recall'"),
    (["P@10"], None),
    ("recall@5, map", ("recall@5", "map")),
    (["map", "map"], "lists a measure twice"),
    (["P@5", "precision@5"], r"twice: 'precision@5' \(given as 'P@5' and 'precision@5'\)"),
    ([], "non-empty list"),
])
def test_measure_names(measures, message):
    if message is None:
        assert nm.load("retrieval", measures=measures).score_keys == ("precision@10",)
        return
    if isinstance(message, tuple):  # a string of measures separated by commas (as --option writes them)
        assert nm.load("retrieval", measures=measures).score_keys == message
        return
    with pytest.raises(nm.InputError, match=message):
        nm.load("retrieval", measures=measures)


# ---------------------------------------------------------------- the protocol around it
def test_perfect_rankings_score_one_where_every_query_has_a_relevant_document():
    _, references = random_queries(8, n=50)
    references = [{**r, "d_extra": 2} for r in references]
    perfect = [sorted((d for d, g in r.items() if g), key=lambda d: -r[d]) for r in references]
    result = nm.compute("retrieval", predictions=perfect, references=references,
                        measures=["recall@100", "hit_rate@1", "mrr", "ndcg@10", "ndcg", "map", "r_precision"])
    assert all(value == 1.0 for value in result.scores.values()), result.scores


def test_intervals_and_a_paired_test_between_two_retrievers():
    predictions, references = random_queries(9, n=120)
    worse = [dict(sorted(p.items())[: max(1, len(p) // 3)]) for p in predictions]
    from nlpmetrics.reporting import compare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetrievalWarning)
        result = nm.compute("retrieval", predictions=predictions, references=references, confidence=0.9,
                            n_resamples=200)
        low, high = result.ci["recall@10"]
        assert low <= result["recall@10"] <= high
        outcome = compare((worse, references), (predictions, references), metrics=["retrieval"], n_resamples=200)
    test = outcome.metrics[0].tests["recall@10"]
    assert test.difference == pytest.approx(result["recall@10"] - nm.compute(
        "retrieval", predictions=worse, references=references)["recall@10"])


def test_keep_examples_false_and_merge_give_the_one_shot_numbers():
    predictions, references = random_queries(10, n=90)
    whole = quiet_rows(list(TREC), predictions, references)
    parts = [quiet_rows(list(TREC), predictions[i:i + 30], references[i:i + 30], keep_examples=False)
             for i in (0, 30, 60)]
    merged = parts[0].merge(parts[1]).merge(parts[2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetrievalWarning)
        a, b = whole.compute(), merged.compute()
    for key in TREC:
        assert a[key] == pytest.approx(b[key], rel=1e-12)
    np.testing.assert_allclose(a.details["curve"]["y"], b.details["curve"]["y"], rtol=1e-12)


def test_the_recall_curve_is_mean_recall_at_every_k():
    predictions, references = random_queries(11, n=80)
    result = quiet_rows(["recall@15"], predictions, references).compute()
    curve = result.details["curve"]
    assert list(curve["x"]) == list(range(1, 16))
    for k in (1, 7, 15):
        expected = quiet_rows([f"recall@{k}"], predictions, references).compute()[f"recall@{k}"]
        assert curve["y"][k - 1] == pytest.approx(expected, rel=1e-12)
    assert len(quiet_rows(["map"], predictions, references).compute().details["curve"]["y"]) == 10
    assert len(quiet_rows(["recall@1000"], predictions, references).compute().details["curve"]["y"]) == 100


def test_signature_names_the_trec_eval_and_ranx_measures():
    result = nm.compute("retrieval", predictions=[["a"]], references=[["a"]])
    text = str(result.signature)
    assert "recall.10" in text
    assert "ndcg_cut.10" in text
    assert "recip_rank (run cut at 10)" in text
    assert "ndcg@10" in text


# ---------------------------------------------------------------- the card's example is computed
def card_example_queries():
    """Five questions, one right passage each, ranked 1st, 1st, 2nd, 4th and 15th of 20 results."""
    predictions, references = [], []
    for q, rank in enumerate((1, 1, 2, 4, 15)):
        ranking = [f"q{q}-other{i}" for i in range(20)]
        ranking[rank - 1] = f"q{q}-right"
        predictions.append(ranking)
        references.append([f"q{q}-right"])
    return predictions, references


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_cards_example_numbers_are_computed(lang):
    predictions, references = card_example_queries()
    result = nm.compute("retrieval", predictions=predictions, references=references,
                        measures=["recall@10", "mrr@10", "ndcg@10", "map"])
    example = load_card("retrieval", lang).example
    for key in ("recall@10", "mrr@10", "ndcg@10", "map"):
        assert f"{round(result[key] * 100)}%" in example, (key, result[key])
    assert result["recall@10"] == 0.8
    assert result["mrr@10"] == 0.55
    assert list(result.per_example["mrr@10"]) == [1, 1, 1 / 2, 1 / 4, 0]  # "(1 + 1 + 1/2 + 1/4 + 0) / 5"
    assert result.per_example["map"][4] == 1 / 15
    assert "1/15" in example
    assert result.details["found"] == 4
    assert ("4 of the 5" in example if lang == "en" else "5件中4件" in example)
    sentence = result.explain(lang)
    assert ("For 4 of 5 queries" in sentence) if lang == "en" else ("5件のクエリのうち4件" in sentence)


# ---------------------------------------------------------------- TREC files and the command line
def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_trec_run_and_qrels_score_as_trec_eval(tmp_path):
    from nlpmetrics.io import read_all

    predictions, references = random_queries(12, n=40)
    run_lines, qrels_lines = [], []
    for i, (ranking, judged) in enumerate(zip(predictions, references, strict=True)):
        run_lines += [f"q{i} Q0 {doc} {rank} {score} test" for rank, (doc, score) in enumerate(ranking.items(), 1)]
        qrels_lines += [f"q{i} 0 {doc} {level}" for doc, level in judged.items()]
    run = write(tmp_path / "run.txt", "\n".join(run_lines) + "\n")
    qrels = write(tmp_path / "qrels.txt", "\n".join(qrels_lines) + "\n")
    got_predictions, got_references = read_all(run, qrels=qrels)
    assert got_predictions == predictions
    assert got_references == references
    from nlpmetrics.cli import main

    assert main(["score", str(run), "--qrels", str(qrels), "--format", "json", "-o", str(tmp_path / "out.json"),
                 "-q", "--option", 'measures=["map","ndcg@10","P@5"]']) == 0
    import json

    scores = json.loads((tmp_path / "out.json").read_text())["results"]["retrieval"]["scores"]
    expected = trec_eval(predictions, references, {"map", "ndcg_cut.10", "P.5"})
    for key, name in (("map", "map"), ("ndcg@10", "ndcg_cut_10"), ("precision@5", "P_5")):
        assert scores[key] == np.mean([v[name] for v in expected.values()])


def test_trec_queries_missing_from_either_file_are_left_out_as_trec_eval_does(tmp_path):
    from nlpmetrics.io import read_all
    from nlpmetrics.io.trec import TrecWarning

    run = write(tmp_path / "a.run", "q1 Q0 d1 1 2.0 x\nq1 Q0 d2 2 1.0 x\nq9 Q0 d1 1 1.0 x\n")
    qrels = write(tmp_path / "qrels", "q1 0 d2 1\nq2 0 d1 1\n")
    with pytest.warns(TrecWarning) as caught:
        predictions, references = read_all(run, qrels=qrels)
    assert predictions == [{"d1": 2.0, "d2": 1.0}]
    assert references == [{"d2": 1}]
    assert {w.message.code for w in caught} == {"run_queries_without_qrels", "qrels_queries_without_run"}


@pytest.mark.parametrize(("run", "qrels", "message"), [
    ("q1 Q0 d1 1 2.0\n", "q1 0 d1 1\n", r"run\.trec:1: expected 6 fields \(query, Q0, document, rank, score"),
    ("q1 Q0 d1 1 2.0 x\nq1 Q0 d1 2 1.0 x\n", "q1 0 d1 1\n", r"run\.trec:2: document 'd1' is retrieved twice"),
    ("q1 Q0 d1 1 high x\n", "q1 0 d1 1\n", r"run\.trec:1: the score 'high' is not a number"),
    ("q1 Q0 d1 1 nan x\n", "q1 0 d1 1\n", r"run\.trec:1: the score is NaN"),
    ("q1 Q0 d1 1 1 x\nq2 Q0 d1 1 1 x\n\nq1 Q0 d2 2 0 x\n", "q1 0 d1 1\nq2 0 d1 1\n",
     r"run\.trec:4: query 'q1' appears again after other queries"),
    ("q1 Q0 d1 1 1 x\n", "q1 0 d1\n", r"qrels:1: expected 4 fields"),
    ("q1 Q0 d1 1 1 x\n", "q1 0 d1 yes\n", r"qrels:1: the relevance 'yes' is not a whole number"),
    ("q1 Q0 d1 1 1 x\n", "q1 0 d1 -1\n", r"qrels:1: the relevance -1 is negative"),
    ("q1 Q0 d1 1 1 x\n", "q1 0 d1 1\nq1 0 d1 2\n", r"qrels:2: document 'd1' is judged twice"),
    ("q1 Q0 d1 1 1 x\n", "q7 0 d1 1\n", r"run\.trec: none of its 1 queries has judgements in .*qrels"),
])
def test_bad_trec_lines_are_named_by_file_and_line(tmp_path, run, qrels, message):
    from nlpmetrics.io import read_all

    with pytest.raises(nm.InputError, match=message):
        read_all(write(tmp_path / "run.trec", run), qrels=write(tmp_path / "qrels", qrels))


def test_a_trec_run_needs_its_qrels(tmp_path, capsys):
    from nlpmetrics.cli import main

    run = write(tmp_path / "run.trec", "q1 Q0 d1 1 1 x\n")
    assert main(["score", str(run), "-q"]) == 2
    assert "a TREC run is scored against relevance judgements; name that file with --qrels FILE" in \
        capsys.readouterr().err


def test_jsonl_ranking_and_relevant_fields_choose_retrieval(tmp_path, capsys):
    import json

    from nlpmetrics.cli import main

    path = write(tmp_path / "r.jsonl", "".join(json.dumps({"id": i, "ranking": p, "relevant": r}) + "\n" for i, (p, r)
                                               in enumerate(zip(*card_example_queries(), strict=True))))
    assert main(["score", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "the data look like rankings of documents; scoring with retrieval" in err
    assert json.loads(out)["results"]["retrieval"]["scores"]["recall@10"] == 0.8


def test_bad_ranking_in_a_jsonl_file_is_named_by_line(tmp_path, capsys):
    from nlpmetrics.cli import main

    path = write(tmp_path / "r.jsonl",
                 '{"ranking": ["a"], "relevant": ["a"]}\n{"ranking": ["a", "a"], "relevant": []}\n')
    assert main(["score", str(path), "-m", "retrieval", "-q"]) == 2
    assert "r.jsonl:2:" in capsys.readouterr().err


def test_a_report_draws_the_recall_curve_of_every_system():
    predictions, references = card_example_queries()
    worse = [ranking[::-1] for ranking in predictions]
    report = nm.report({"a": (worse, references), "b": (predictions, references)}, metrics=["retrieval"],
                       n_resamples=50)
    section = report.sections[0]
    curve = next(plot for plot in section.plots if plot.kind == "curve")
    assert set(curve.data["series"]) == {"a", "b"}
    x, y = curve.data["series"]["b"]
    assert list(x) == list(range(1, 11))
    assert y[9] == 0.8
    assert y[0] == 0.4
    from nlpmetrics.reporting.plots import render_svg

    pytest.importorskip("matplotlib")
    assert render_svg(curve, "en").startswith("<svg")
    assert "<svg" in report.to_html()


def test_dask_partitions_give_the_one_process_numbers(tmp_path):
    pytest.importorskip("dask")
    import json

    from nlpmetrics.distributed import score_files

    predictions, references = random_queries(14, n=60)
    path = write(tmp_path / "r.jsonl", "".join(json.dumps({"ranking": p, "relevant": r}) + "\n"
                                                 for p, r in zip(predictions, references, strict=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetrievalWarning)
        (metric,) = score_files(path, metrics=[nm.load("retrieval", measures=list(TREC))], partitions=4,
                                scheduler="synchronous")
        whole = nm.compute("retrieval", predictions=predictions, references=references, measures=list(TREC))
        result = metric.compute()
    for key in TREC:
        assert result[key] == pytest.approx(whole[key], rel=1e-12)
    run = write(tmp_path / "run.txt", "".join(f"q{i} Q0 {d} 1 {s} x\n" for i, p in enumerate(predictions)
                                              for d, s in p.items()))
    qrels = write(tmp_path / "qrels.txt", "".join(f"q{i} 0 {d} {g}\n" for i, r in enumerate(references)
                                                  for d, g in r.items()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetrievalWarning)
        (from_trec,) = score_files(run, metrics=["retrieval"], partitions=3, scheduler="synchronous", qrels=qrels)
        assert from_trec.compute()["map"] == pytest.approx(nm.compute("retrieval", predictions=predictions,
                                                                       references=references)["map"], rel=1e-12)
