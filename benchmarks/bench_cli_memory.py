"""Peak memory of ``nlpmetrics score`` on large JSONL files: streaming vs. loading the file.

Writes JSONL files of 10^5 and 10^6 lines, then measures the peak resident
memory (``ru_maxrss`` of the child process, via ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process) and the wall
time of

* ``nlpmetrics score FILE -m accuracy`` and ``-m bleu`` (streams the file in
  chunks; only the metrics' per-example rows grow), and
* the reference way: read every line with ``json.loads`` into lists, then
  ``sklearn.metrics.accuracy_score`` / ``sacrebleu.corpus_bleu``.

Run: ``python benchmarks/bench_cli_memory.py [--sizes 100000 1000000] [--metrics accuracy bleu]``.
Prints one line per run and the ratio of reference to nlpmetrics peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

WORDS = ("the a model report shows results market city council water energy school price data team "
         "study plan new old large small high low quickly slowly today yesterday because while after").split()

REFERENCE_CODE = {
    "accuracy": (
        "import json, sys\n"
        "p, r = [], []\n"
        "for line in open(sys.argv[1], encoding='utf-8'):\n"
        "    d = json.loads(line); p.append(d['prediction']); r.append(d['reference'])\n"
        "from sklearn.metrics import accuracy_score\n"
        "print(accuracy_score(r, p))\n"
    ),
    "bleu": (
        "import json, sys\n"
        "p, r = [], []\n"
        "for line in open(sys.argv[1], encoding='utf-8'):\n"
        "    d = json.loads(line); p.append(d['prediction']); r.append(d['reference'])\n"
        "import sacrebleu\n"
        "print(sacrebleu.corpus_bleu(p, [r]).score / 100)\n"
    ),
}


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))) + "."


def write_file(path: str, n: int, metric: str, seed: int = 0) -> None:
    rng = random.Random(seed)
    labels = ("positive", "negative", "neutral")
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(n):
            if metric == "accuracy":
                record = {"prediction": rng.choice(labels), "reference": rng.choice(labels)}
            else:
                reference = sentence(rng)
                words = reference.split()
                words[rng.randrange(len(words))] = rng.choice(WORDS)
                record = {"prediction": " ".join(words), "reference": reference}
            handle.write(json.dumps(record) + "\n")


def measure_child(command: list[str]) -> tuple[float, float, str]:
    """Run ``command`` under a tiny wrapper that reports the child's own peak RSS (ru_maxrss of RUSAGE_CHILDREN)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "out = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "t = time.perf_counter() - t\n"
        "if out.returncode: sys.exit(out.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, t)\n"
        "print(out.stdout, end='')\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{command} failed: {proc.stderr}")
    first, _, rest = proc.stdout.partition("\n")
    rss, seconds = (float(v) for v in first.split())
    return rss, seconds, rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--metrics", nargs="+", default=["accuracy", "bleu"])
    args = parser.parse_args()
    script = shutil.which("nlpmetrics", path=os.path.dirname(sys.executable)) or "nlpmetrics"
    folder = tempfile.mkdtemp(prefix="nlpmetrics-bench-")
    try:
        print(f"{'metric':9} {'lines':>9} {'file MiB':>9} {'nlpmetrics MiB':>15} {'s':>6} "
              f"{'load-all MiB':>13} {'s':>6} {'memory ratio':>13}")
        for metric in args.metrics:
            for n in args.sizes:
                path = os.path.join(folder, f"{metric}-{n}.jsonl")
                write_file(path, n, metric)
                size = os.path.getsize(path) / 2**20
                ours, ours_s, table = measure_child([script, "score", path, "-m", metric, "-q"])
                ref_code = os.path.join(folder, f"reference_{metric}.py")
                with open(ref_code, "w") as handle:
                    handle.write(REFERENCE_CODE[metric])
                theirs, theirs_s, value = measure_child([sys.executable, ref_code, path])
                ours_value = float(table.splitlines()[2].split()[2])
                assert abs(ours_value - round(float(value), 4)) < 1e-4, (ours_value, value)
                print(f"{metric:9} {n:>9,} {size:>9.1f} {ours:>15.1f} {ours_s:>6.1f} {theirs:>13.1f} "
                      f"{theirs_s:>6.1f} {theirs / ours:>12.2f}x", flush=True)
                os.unlink(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
