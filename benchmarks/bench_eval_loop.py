"""Speed of an evaluation loop: ``update`` of tensor batches, several metrics at once, token and multi-label batches.

Run ``python benchmarks/bench_eval_loop.py`` (``--quick`` for a smaller run),
under the machine-wide lock (``flock /tmp/nlpmetrics-bench.lock ...``).  Goals
(issue 15):

* ``update`` of a 64-example CPU tensor batch: < 50 us per call (plus the
  device copy for a CUDA tensor, measured separately when a GPU is there);
* ``import nlpmetrics`` does not import torch, even after scoring tensors;
* a collection of accuracy + macro-F1 + weighted-F1 converts each batch once.

TorchMetrics (``MulticlassAccuracy`` etc., their ``update`` on the same
tensors) is the reference; its final numbers are compared with ours where
they define the same quantity (micro accuracy; macro/weighted F1 over the
classes present).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings

import nlpmetrics as nm

try:
    from benchmarks.common import figure, interleaved_best
except ImportError:  # run as a script from benchmarks/
    from common import figure, interleaved_best  # type: ignore[no-redef]

TITLE = "Evaluation loops: tensor batches, several metrics at once, tokens, multi-label"
BATCH = 64
CLASSES = 5


def _batches(count: int, seed: int = 0):
    import torch

    generator = torch.Generator().manual_seed(seed)
    return [(torch.randint(0, CLASSES, (BATCH,), generator=generator),
             torch.randint(0, CLASSES, (BATCH,), generator=generator)) for _ in range(count)]


def _per_call(make, feed, batches, rounds: int) -> float:
    """Return the best over ``rounds`` of the mean time of one ``feed(metric, p, r)`` over every batch.

    Each round uses a fresh metric.
    """
    best = float("inf")
    for _ in range(rounds):
        metric = make()
        start = time.perf_counter()
        for predictions, references in batches:
            feed(metric, predictions, references)
        best = min(best, (time.perf_counter() - start) / len(batches))
    return best


def bench_tensor_updates(count: int, rounds: int) -> list[dict]:
    """One metric's update of a 64-example CPU tensor batch, against TorchMetrics' update of the same tensors."""
    from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score

    batches = _batches(count)

    def ours_update(metric, p, r):
        metric.update(predictions=p, references=r)

    def tm_update(metric, p, r):
        metric.update(p, r)

    rows = []
    for label, make_ours, make_tm, key in [
        ("accuracy", lambda: nm.load("accuracy"),
         lambda: MulticlassAccuracy(num_classes=CLASSES, average="micro"), "accuracy"),
        ("macro-F1", lambda: nm.load("f1", average="macro"),
         lambda: MulticlassF1Score(num_classes=CLASSES, average="macro"), "f1"),
    ]:
        ours = _per_call(make_ours, ours_update, batches, rounds)
        reference = _per_call(make_tm, tm_update, batches, rounds)
        metric, tm_metric = make_ours(), make_tm()
        for p, r in batches:
            metric.update(predictions=p, references=r)
            tm_metric.update(p, r)
        identical = abs(metric.compute()[key] - float(tm_metric.compute())) < 1e-6  # TorchMetrics is float32
        rows.append({"name": f"{label}.update of a {BATCH}-example CPU int64 tensor batch", "ours_s": ours,
                     "reference_s": reference, "ratio": reference / ours, "identical": identical,
                     "goal": "< 50 µs per call", "meets_goal": ours < 50e-6, "headline": label == "macro-F1",
                     "note": f"{ours * 1e6:.1f} µs per call; TorchMetrics' update of the same tensors "
                             f"{reference * 1e6:.1f} µs (identical to float32 precision)"})
    return rows


def bench_collection(count: int, rounds: int) -> list[dict]:
    """Accuracy + macro-F1 + weighted-F1: one collection update against three separate metrics' updates."""
    from torchmetrics import MetricCollection
    from torchmetrics.classification import MulticlassAccuracy, MulticlassF1Score

    batches = _batches(count, seed=1)
    names = ["accuracy", "f1_macro", "f1_weighted"]

    def separate():
        return [nm.load("accuracy"), nm.load("f1", average="macro"), nm.load("f1", average="weighted")]

    def feed_separate(metrics, p, r):
        for metric in metrics:
            metric.update(predictions=p, references=r)

    def feed_collection(collection, p, r):
        collection.update(predictions=p, references=r)

    def make_tm():
        return MetricCollection({"accuracy": MulticlassAccuracy(num_classes=CLASSES, average="micro"),
                                 "f1_macro": MulticlassF1Score(num_classes=CLASSES, average="macro"),
                                 "f1_weighted": MulticlassF1Score(num_classes=CLASSES, average="weighted")})

    def feed_tm(collection, p, r):
        collection.update(p, r)

    times = {
        "collection": _per_call(lambda: nm.load_many(names), feed_collection, batches, rounds),
        "separate": _per_call(separate, feed_separate, batches, rounds),
        "torchmetrics": _per_call(make_tm, feed_tm, batches, rounds),
    }
    collection = nm.load_many(names)
    each = separate()
    for p, r in batches:
        collection.update(predictions=p, references=r)
        feed_separate(each, p, r)
    results = collection.compute()
    identical = all(results[key].scores == metric.compute().scores for key, metric in zip(names, each, strict=True))
    return [{"name": f"accuracy + macro-F1 + weighted-F1, one load_many update per {BATCH}-example tensor batch",
             "ours_s": times["collection"], "reference_s": times["torchmetrics"],
             "ratio": times["torchmetrics"] / times["collection"], "identical": identical,
             "goal": "< 3 separate updates", "meets_goal": times["collection"] < times["separate"],
             "note": f"{times['collection'] * 1e6:.1f} µs per batch; three separate nm metrics "
                     f"{times['separate'] * 1e6:.1f} µs; TorchMetrics MetricCollection "
                     f"{times['torchmetrics'] * 1e6:.1f}"
                     " µs (reference); identical = the collection's results equal the separate metrics'"}]


def bench_tokens_and_multilabel(count: int, rounds: int) -> list[dict]:
    """Token classification (64 x 128 tokens, -100 padding, ignore_index) and a 64 x 10 multi-label indicator batch."""
    import torch

    generator = torch.Generator().manual_seed(2)
    tokens = []
    for _ in range(count):
        labels = torch.randint(0, 9, (BATCH, 128), generator=generator)
        labels[:, 96:] = -100
        tokens.append((torch.randint(0, 9, (BATCH, 128), generator=generator).reshape(-1), labels.reshape(-1)))
    multilabel = [((torch.rand(BATCH, 10, generator=generator) < 0.2).int(),
                   (torch.rand(BATCH, 10, generator=generator) < 0.2).int()) for _ in range(count)]

    def feed(metric, p, r):
        metric.update(predictions=p, references=r)

    rows = []
    for label, make, batches, size in [
        ("accuracy (ignore_index=-100) update of 64 x 128 token labels", lambda: nm.load("accuracy", ignore_index=-100),
         tokens, "8,192 tokens"),
        ("f1 micro update of a 64 x 10 multi-label indicator tensor", lambda: nm.load("f1", average="micro"),
         multilabel, "640 decisions"),
    ]:
        seconds = _per_call(make, feed, batches, rounds)
        rows.append(figure(label, f"{seconds * 1e6:.1f} µs per call", note=size))
    return rows


def bench_cuda(count: int, rounds: int) -> list[dict]:
    """With a GPU: the update of a CUDA batch against the device copy alone (the goal is 50 µs on top of it)."""
    import torch

    if not torch.cuda.is_available():
        return [figure("update of a CUDA tensor batch", "not measured (no GPU here)")]
    batches = [(p.cuda(), r.cuda()) for p, r in _batches(count, seed=3)]
    torch.cuda.synchronize()

    def copy_only():
        for p, r in batches:
            p.cpu(), r.cpu()

    def updates():
        metric = nm.load("f1", average="macro")
        for p, r in batches:
            metric.update(predictions=p, references=r)

    times = interleaved_best({"copy": copy_only, "update": updates}, rounds)
    extra = (times["update"] - times["copy"]) / count
    return [figure(f"macro-F1.update of a {BATCH}-example CUDA tensor batch, beyond the device copy",
                   f"{extra * 1e6:.1f} µs per call", goal="< 50 µs", meets_goal=extra < 50e-6,
                   note=f"device copy of both tensors {times['copy'] / count * 1e6:.1f} µs per batch")]


def bench_import_without_torch() -> list[dict]:
    """Scoring numpy arrays through every input path must not import torch (tensors are found by duck typing)."""
    code = ("import json, sys, numpy as np\nimport nlpmetrics as nm\n"
            "ms = nm.load_many(['accuracy', 'f1_macro', 'hamming_loss'])\n"
            "ms.update(predictions=np.array([1, 0, 1]), references=[1, 1, 1]).compute()\n"
            "print(json.dumps('torch' in sys.modules))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                       timeout=120).stdout)
    return [figure("torch imported by import nlpmetrics + a collection scoring numpy arrays",
                   "yes" if loaded else "no", goal="no", meets_goal=not loaded)]


def run(quick: bool = False) -> list[dict]:
    """Every eval-loop figure as published rows (see benchmarks/common.py)."""
    warnings.simplefilter("ignore")
    count = 200 if quick else 1_000
    rounds = 3 if quick else 7
    rows = bench_tensor_updates(count, rounds)
    rows += bench_collection(count, rounds)
    rows += bench_tokens_and_multilabel(count // 4, rounds)
    rows += bench_cuda(count, rounds)
    rows += bench_import_without_torch()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches and rounds")
    args = parser.parse_args()
    for row in run(args.quick):
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
