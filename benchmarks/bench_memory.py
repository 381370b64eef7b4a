"""Peak memory of long streams: ``keep_examples=False``, label codes and the Dask driver.

Each scenario runs in a fresh child process whose peak resident memory
(``ru_maxrss``) is reported, next to the goal of the structural issue:

* 10^7-example accuracy + macro-F1 stream, in batches, **with** a 95% interval
  (``keep_examples=False``: the table of distinct (prediction, reference)
  pairs) - goal < 100 MiB peak;
* 10^7-pair BLEU stream without an interval (``keep_examples=False``: the
  running n-gram counts) - goal < 100 MiB peak;
* 10^6 labels, one of them 200,000 characters long, scored by
  ``nlpmetrics score`` from a JSONL file (labels stored once, as codes) -
  goal < 300 MiB peak;
* a Dask run of 2*10^6 JSONL lines: the driver receives one small summary per
  partition (its pickled size is reported) instead of every row;
* ``nlpmetrics score`` streaming a 10^6-line JSONL file (``accuracy``, ``bleu``)
  against the usual way of loading every line into lists first and calling
  scikit-learn / sacrebleu.

The same streams with ``keep_examples=True`` are measured for comparison where
that fits in memory.  Run ``python benchmarks/bench_memory.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STREAM_LABELS = """
import numpy as np, nlpmetrics as nm
n, batch = {n}, 100_000
metrics = [nm.load("accuracy", keep_examples={keep}), nm.load("f1", average="macro", keep_examples={keep})]
rng = np.random.default_rng(0)
for start in range(0, n, batch):
    y = rng.integers(0, 20, batch)
    p = np.where(rng.random(batch) < 0.7, y, rng.integers(0, 20, batch))
    for m in metrics:
        m.update(predictions=p, references=y)
for m in metrics:
    r = m.compute(confidence=0.95, n_resamples=1000, seed=0)
    print(r.metric, r.n, round(r.value, 6), [round(x, 6) for x in r.ci[next(iter(r.ci))]])
"""

STREAM_BLEU = """
import random, nlpmetrics as nm
from benchmarks.texts import english_pairs
n, batch = {n}, 20_000
metric = nm.load("bleu", keep_examples={keep})
pool_p, pool_r = english_pairs(batch, seed=1)
rng = random.Random(0)
for start in range(0, n, batch):
    rng.shuffle(pool_p)
    metric.update(predictions=pool_p, references=pool_r)
r = metric.compute()
print(r.metric, r.n, round(r.value, 6))
"""

DASK_DRIVER = """
import pickle, nlpmetrics as nm
from nlpmetrics.distributed.dask import score_files
import nlpmetrics.distributed.dask as engine
sizes = []
real = engine._run
def counting(tasks, scheduler):
    out = real(tasks, scheduler)
    sizes.extend(len(pickle.dumps(part)) for part in out)
    return out
engine._run = counting
metrics = [nm.load("bleu", keep_examples={keep}), nm.load("rouge", keep_examples={keep})]
scored = score_files({path!r}, metrics=metrics, partitions=8, scheduler="processes")
print([round(m.compute().value, 6) for m in scored], "parts received:", len(sizes), "bytes:", sum(sizes))
"""


def peak_mib(code: str, *, argv: list[str] | None = None) -> tuple[float, float, str]:
    """Run ``code`` (or ``argv``) in a child; its peak RSS in MiB, wall seconds and output."""
    wrapper = textwrap.dedent("""
        import resource, subprocess, sys
        proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
        sys.stdout.write(proc.stdout); sys.stderr.write(proc.stderr[-2000:])
        print("PEAK_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.exit(proc.returncode)
    """)
    command = argv or [sys.executable, "-c", code]
    env = {**os.environ, "PYTHONPATH": ROOT, "PYTHONWARNINGS": "ignore", "OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"scenario failed:\n{proc.stdout}\n{proc.stderr}")
    lines = proc.stdout.strip().splitlines()
    peak = int(lines[-1].split()[1]) / 1024
    return peak, wall, " ".join(lines[:-1])


#: The reference way of scoring a JSONL file: every line loaded into lists first.
LOAD_ALL = {
    "accuracy": ("import json, sys\n"
                 "p, r = [], []\n"
                 "for line in open(sys.argv[1], encoding='utf-8'):\n"
                 "    d = json.loads(line); p.append(d['prediction']); r.append(d['reference'])\n"
                 "from sklearn.metrics import accuracy_score\n"
                 "print(accuracy_score(r, p))\n"),
    "bleu": ("import json, sys\n"
             "p, r = [], []\n"
             "for line in open(sys.argv[1], encoding='utf-8'):\n"
             "    d = json.loads(line); p.append(d['prediction']); r.append(d['reference'])\n"
             "import sacrebleu\n"
             "print(sacrebleu.corpus_bleu(p, [r]).score / 100)\n"),
}


def write_labels_file(path: str, n: int, long_chars: int) -> None:
    """JSONL of ``n`` short labels with one label of ``long_chars`` characters in the middle."""
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            label = "x" * long_chars if i == n // 2 else f"class{i % 7}"
            handle.write(json.dumps({"prediction": label, "reference": f"class{(i * 3) % 7}"}) + "\n")


def write_text_file(path: str, n: int) -> None:
    sys.path.insert(0, ROOT)
    from benchmarks.texts import english_pairs

    predictions, references = english_pairs(20_000, seed=2)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            record = {"prediction": predictions[i % 20_000], "reference": references[i % 20_000]}
            handle.write(json.dumps(record) + "\n")


TITLE = "Memory: long streams, long labels, the Dask driver, the command line"


def run(quick: bool = False) -> list[dict]:
    """Measure every scenario; one published row per run."""
    big = 10**6 if quick else 10**7
    rows = []

    def record(name: str, goal_mib: float | None, peak: float, wall: float, output: str,
               headline: bool = False) -> None:
        rows.append({"name": name, "value": f"peak {peak:,.0f} MiB ({wall:.1f} s)",
                     "goal": None if goal_mib is None else f"< {goal_mib} MiB",
                     "meets_goal": None if goal_mib is None else peak < goal_mib, "headline": headline,
                     "note": output[:160]})
        print(f"- {name}: peak {peak:.0f} MiB" + (f" (goal < {goal_mib} MiB)" if goal_mib else "")
              + f", {wall:.1f} s; {output}", flush=True)

    record(f"accuracy + macro-F1 stream, {big:,} examples, 95% interval, keep_examples=False", 100,
           *peak_mib(STREAM_LABELS.format(n=big, keep=False)), headline=True)
    record(f"accuracy + macro-F1 stream, {10**6:,} examples, 95% interval, keep_examples=True", None,
           *peak_mib(STREAM_LABELS.format(n=10**6, keep=True)))
    record(f"BLEU stream, {big:,} pairs, keep_examples=False", 100, *peak_mib(STREAM_BLEU.format(n=big, keep=False)),
           headline=True)
    record(f"BLEU stream, {10**6:,} pairs, keep_examples=True", None,
           *peak_mib(STREAM_BLEU.format(n=10**6, keep=True)))

    with tempfile.TemporaryDirectory() as folder:
        labels = os.path.join(folder, "labels.jsonl")
        write_labels_file(labels, 10**6, 200_000)
        cli = [sys.executable, "-m", "nlpmetrics.cli", "score", labels, "-m", "accuracy,f1_macro", "-q"]
        record("nlpmetrics score, 10^6 labels with one of 200,000 characters", 300, *peak_mib("", argv=cli),
               headline=True)

        text = os.path.join(folder, "text.jsonl")
        lines = 2 * 10**5 if quick else 2 * 10**6
        write_text_file(text, lines)
        for keep in (False, True):
            record(f"Dask driver, {lines:,} lines, bleu + rouge, 8 partitions, keep_examples={keep}", None,
                   *peak_mib(DASK_DRIVER.format(path=text, keep=keep)))

        n = 10**5 if quick else 10**6
        for metric in ("accuracy", "bleu"):
            path = os.path.join(folder, f"{metric}-{n}.jsonl")
            if metric == "accuracy":
                write_labels_file(path, n, 8)
            else:
                write_text_file(path, n)
            ours = peak_mib("", argv=[sys.executable, "-m", "nlpmetrics.cli", "score", path, "-m", metric, "-q"])
            script = os.path.join(folder, f"load_all_{metric}.py")
            with open(script, "w", encoding="utf-8") as handle:
                handle.write(LOAD_ALL[metric])
            theirs = peak_mib("", argv=[sys.executable, script, path])
            rows.append({"name": f"nlpmetrics score streaming a {n:,}-line JSONL file, {metric}",
                         "value": f"peak {ours[0]:,.0f} MiB vs {theirs[0]:,.0f} MiB loading it all",
                         "goal": None, "meets_goal": None, "headline": False,
                         "note": f"{ours[1]:.1f} s vs {theirs[1]:.1f} s"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10^6 instead of 10^7 examples")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f}")
    run(args.quick)


if __name__ == "__main__":
    main()
