"""``compute_metrics`` for the Transformers Trainer: real ``Trainer.evaluate()`` runs on tiny models built here.

Nothing is downloaded: each model is made from a small config with random
weights, and the seq2seq tokenizer from a word list.  The expected numbers
come from the Trainer's own ``predict`` outputs, scored by scikit-learn,
seqeval or nlpmetrics' one-shot ``nm.compute`` on the decoded texts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import nlpmetrics as nm
from nlpmetrics.integrations.transformers import compute_metrics, flat_scores

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")  # the Trainer needs it

VOCAB = 40
ID2LABEL = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}


def training_args(tmp_path, **extra):
    return transformers.TrainingArguments(output_dir=str(tmp_path), per_device_eval_batch_size=4, report_to=[],
                                          use_cpu=True, disable_tqdm=True, **extra)


def bert_config(**extra):
    return transformers.BertConfig(vocab_size=VOCAB, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                   intermediate_size=32, max_position_embeddings=32, **extra)


def sequence_dataset(n=10, length=7, seed=0):
    rng = np.random.default_rng(seed)
    return [{"input_ids": rng.integers(5, VOCAB, length).tolist(), "attention_mask": [1] * length,
             "labels": int(rng.integers(0, 3))} for _ in range(n)]


def test_trainer_evaluate_sequence_classification(tmp_path):
    from sklearn.metrics import accuracy_score, f1_score

    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(bert_config(num_labels=3))
    data = sequence_dataset()
    metrics_fn = compute_metrics(["accuracy", "f1_macro"], confidence=0.9, n_resamples=50)
    trainer = transformers.Trainer(model=model, args=training_args(tmp_path), eval_dataset=data,
                                   compute_metrics=metrics_fn)
    logged = trainer.evaluate()
    output = trainer.predict(data)
    predicted, labels = output.predictions.argmax(-1), output.label_ids
    assert logged["eval_accuracy"] == accuracy_score(labels, predicted)
    assert logged["eval_f1_macro"] == f1_score(labels, predicted, average="macro")
    assert logged["eval_accuracy_ci_low"] <= logged["eval_accuracy"] <= logged["eval_accuracy_ci_high"]
    assert set(metrics_fn.results) == {"accuracy", "f1_macro"}
    assert metrics_fn.results["accuracy"].n == len(data)
    assert metrics_fn.results["f1_macro"].explain("en")

    per_batch = compute_metrics(["accuracy", "f1_macro"])
    batched = transformers.Trainer(model=model, args=training_args(tmp_path, batch_eval_metrics=True),
                                   eval_dataset=data, compute_metrics=per_batch).evaluate()
    assert batched["eval_accuracy"] == logged["eval_accuracy"], "batch_eval_metrics=True gives the one-shot numbers"
    assert batched["eval_f1_macro"] == logged["eval_f1_macro"]


def test_trainer_evaluate_token_classification(tmp_path):
    from seqeval.metrics import f1_score as seqeval_f1
    from sklearn.metrics import accuracy_score

    torch.manual_seed(1)
    model = transformers.BertForTokenClassification(bert_config(num_labels=5, id2label=ID2LABEL,
                                                                label2id={v: k for k, v in ID2LABEL.items()}))
    rng = np.random.default_rng(1)
    data = []
    for _ in range(9):
        labels = rng.integers(0, 5, 8)
        labels[0] = -100  # the [CLS] position
        labels[int(rng.integers(3, 8)):] = -100  # padding
        labels[2] = -100  # a sub-word
        data.append({"input_ids": rng.integers(5, VOCAB, 8).tolist(), "attention_mask": [1] * 8,
                     "labels": labels.tolist()})
    metrics_fn = compute_metrics(["seqeval", "accuracy"], id2label=model.config.id2label)
    trainer = transformers.Trainer(model=model, args=training_args(tmp_path), eval_dataset=data,
                                   compute_metrics=metrics_fn)
    logged = trainer.evaluate()
    output = trainer.predict(data)
    predicted, labels = output.predictions.argmax(-1), output.label_ids
    keep = labels != -100
    gold = [[ID2LABEL[int(x)] for x, k in zip(row, mask, strict=True) if k] for row, mask in zip(labels, keep,
                                                                                                 strict=True)]
    guess = [[ID2LABEL[int(x)] for x, k in zip(row, mask, strict=True) if k] for row, mask in zip(predicted, keep,
                                                                                                  strict=True)]
    assert logged["eval_seqeval_f1"] == seqeval_f1(gold, guess)
    assert logged["eval_accuracy"] == accuracy_score(labels[keep], predicted[keep])
    assert metrics_fn.results["seqeval"].n == len(data)
    assert metrics_fn.results["accuracy"].n == int(keep.sum())


def word_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = ["<pad>", "</s>", "<unk>"] + [f"w{i}" for i in range(VOCAB - 3)]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return transformers.PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>",
                                                unk_token="<unk>")


def test_seq2seq_trainer_with_generation_decodes_and_restores_padding(tmp_path):
    torch.manual_seed(2)
    tokenizer = word_tokenizer()
    config = transformers.T5Config(vocab_size=VOCAB, d_model=16, d_ff=32, d_kv=8, num_layers=1, num_heads=2,
                                   decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    model = transformers.T5ForConditionalGeneration(config)
    model.generation_config.max_new_tokens = 6
    rng = np.random.default_rng(2)
    data = []
    for _ in range(7):
        source = " ".join(f"w{int(i)}" for i in rng.integers(0, VOCAB - 3, int(rng.integers(3, 7))))
        target = " ".join(f"w{int(i)}" for i in rng.integers(0, VOCAB - 3, int(rng.integers(1, 6))))
        data.append({**tokenizer(source), "labels": tokenizer(target)["input_ids"]})
    args = transformers.Seq2SeqTrainingArguments(output_dir=str(tmp_path), per_device_eval_batch_size=3,
                                                 report_to=[], use_cpu=True, disable_tqdm=True,
                                                 predict_with_generate=True)
    metrics_fn = compute_metrics(["rouge", "bleu", "chrf"], tokenizer=tokenizer)
    trainer = transformers.Seq2SeqTrainer(model=model, args=args, eval_dataset=data, processing_class=tokenizer,
                                          data_collator=transformers.DataCollatorForSeq2Seq(tokenizer, model=model),
                                          compute_metrics=metrics_fn)
    logged = trainer.evaluate()
    output = trainer.predict(data)
    assert (output.label_ids == -100).any(), "labels of different lengths are padded with -100"

    def decode(ids):
        ids = np.where(ids == -100, tokenizer.pad_token_id, ids)
        return [t.strip() for t in tokenizer.batch_decode(ids, skip_special_tokens=True)]

    predictions, references = decode(output.predictions), decode(output.label_ids)
    assert references[0] == tokenizer.decode(data[0]["labels"], skip_special_tokens=True)
    for name in ("rouge", "bleu", "chrf"):
        expected = nm.compute(name, predictions=predictions, references=references)
        for key, value in expected.scores.items():
            flat = key if key.startswith(name) else f"{name}_{key}"
            assert logged[f"eval_{flat}"] == value, (name, key)
    assert metrics_fn.results["rouge"].n == len(data)


def test_conversions_without_a_trainer():
    logits = np.array([[0.1, 2.0, -1.0], [1.5, 0.2, 0.0], [0.0, 0.1, 3.0]])
    labels = np.array([1, 1, 2])
    fn = compute_metrics(["accuracy"])
    assert fn((logits, labels)) == {"accuracy": 2 / 3}
    assert fn(((logits, np.zeros((3, 4, 2))), labels)) == {"accuracy": 2 / 3}, "the first of several outputs"
    assert fn((logits, labels)) == {"accuracy": 2 / 3}, "each evaluation starts afresh"
    multi = compute_metrics(["f1_micro", "accuracy"])
    scores = multi((np.array([[2.0, -1.0], [-0.5, 0.3]]), np.array([[1.0, 0.0], [1.0, 1.0]])))
    expected = nm.compute("f1", predictions=[[0], [1]], references=[[0], [0, 1]], average="micro")
    assert scores["f1_micro"] == expected["f1"]
    assert scores["accuracy"] == 0.5
    regression = compute_metrics(["pearson"])
    assert math.isclose(regression((np.array([[0.1], [0.5], [0.9]]), np.array([0.0, 0.4, 1.0])))["pearson"],
                        nm.compute("pearson", predictions=[0.1, 0.5, 0.9], references=[0.0, 0.4, 1.0])["pearson"])
    with pytest.raises(nm.InputError, match=r"pass id2label=model\.config\.id2label"):
        compute_metrics(["seqeval"])
    with pytest.raises(nm.InputError, match="pass tokenizer="):
        compute_metrics(["bleu"])((np.array([[5, 6]]), np.array([[5, 6]])))
    with pytest.raises(nm.InputError, match="predict_with_generate=True"):
        compute_metrics(["bleu"], tokenizer=object())((np.zeros((1, 2, 5)), np.array([[5, 6]])))
    with pytest.raises(nm.InputError, match="EvalPrediction"):
        fn(3)
    texts = compute_metrics(["exact_match"])((["a", "b"], ["a", "c"]))
    assert texts == {"exact_match": 0.5}, "texts pass through"


def test_tag_messages_speak_of_the_input_kind_not_one_metric():
    with pytest.raises(nm.InputError, match=r"metrics that score tag sequences \(seqeval\) read tag names: "
                                            r"pass id2label=model\.config\.id2label"):
        compute_metrics(["seqeval"])
    fn = compute_metrics(["seqeval"], id2label={0: "O", 1: "B-PER"})
    with pytest.raises(nm.InputError, match=r"^metrics that score tag sequences need one predicted and one gold "
                                            r"label id per token \(shape \(sentences, tokens\)\); got predictions"):
        fn((np.zeros((3,), dtype=np.int64), np.zeros((3,), dtype=np.int64)))


def test_flat_names_are_unique_and_carry_intervals():
    seqeval = nm.compute("seqeval", predictions=[["B-PER", "O"]], references=[["B-PER", "O"]])
    rouge = nm.compute("rouge", predictions=["a b"], references=["a c"], rouge_types=("rouge1", "rougeL"))
    f1 = nm.compute("f1", predictions=[0, 1, 1], references=[0, 1, 0], average="macro", confidence=0.9,
                    n_resamples=20)
    flat = flat_scores({"seqeval": seqeval, "rouge": rouge, "f1_macro": f1})
    assert set(flat) == {"seqeval_f1", "seqeval_precision", "seqeval_recall", "rouge1", "rougeL", "f1_macro",
                         "f1_macro_ci_low", "f1_macro_ci_high"}
