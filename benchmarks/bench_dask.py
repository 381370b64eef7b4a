"""Scoring a large JSONL file: one process vs Dask on two local worker processes.

Run ``python benchmarks/bench_dask.py [--lines 2000000] [--metrics bleu,rouge]``.
It writes a JSONL file of English sentence pairs to /tmp (once per size),
scores it in one process the way ``nlpmetrics score`` does (streamed chunks),
then with :func:`nlpmetrics.distributed.score_files` on a
``distributed.LocalCluster`` of two single-threaded worker processes, checks
that both give the same scores to the last digit, and prints wall time,
throughput, the speed-up and the peak memory (max RSS) of each process.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import time
import warnings

WORDS = [
    "the", "a", "of", "to", "and", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at", "from", "his",
    "her", "they", "it", "this", "be", "are", "have", "had", "not", "an", "which", "model", "data", "result",
    "score", "system", "paper", "method", "training", "test", "language", "translation", "summary", "report",
    "value", "number", "city", "river", "market", "school", "house", "garden", "station", "bridge", "window",
    "table", "letter", "story", "music", "water", "light", "night",
]


def make_file(lines: int) -> str:
    """Write (once per size) a JSONL file of ``lines`` prediction/reference pairs of 10-40 words; return its path."""
    path = f"/tmp/nlpmetrics_bench_dask_{lines}.jsonl"
    if os.path.exists(path):
        return path
    rng = random.Random(0)
    with open(path + ".part", "w", encoding="utf-8") as handle:
        for _ in range(lines):
            reference = rng.choices(WORDS, k=rng.randint(10, 40))
            prediction = [w if rng.random() < 0.7 else rng.choice(WORDS) for w in reference]
            handle.write(json.dumps({"prediction": " ".join(prediction), "reference": " ".join(reference)}) + "\n")
    os.replace(path + ".part", path)
    return path


def _max_rss_mib() -> float:
    """Return the peak resident memory of the calling process in MiB.

    Linux's ``VmHWM`` belongs to the process's memory map, which ``exec``
    replaces; ``ru_maxrss`` survives ``fork`` + ``exec``, so a process spawned
    by a large parent (``run_all.py`` after the other topics) reports the
    parent's peak.  ``ru_maxrss`` is the fallback where ``/proc`` is missing.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _single_process(path: str, metrics: list[str], queue) -> None:
    """One process, streaming chunks as the command line does; reports scores, seconds and peak memory."""
    import nlpmetrics as nm
    from nlpmetrics.io import read_examples
    from nlpmetrics.io.feed import MetricEntry

    warnings.simplefilter("ignore")  # rouge's note that rougeLsum = rougeL without newlines, once per chunk
    started = time.perf_counter()
    entries = [MetricEntry(name, nm.load(name)) for name in metrics]
    for chunk in read_examples(path):
        for entry in entries:
            entry.update(chunk, path, False)
    scores = {e.key: dict(e.metric.compute().scores) for e in entries}
    queue.put((scores, time.perf_counter() - started, _max_rss_mib()))


def single_process(path: str, metrics: list[str]) -> tuple[dict, float, float]:
    """Run :func:`_single_process` in a fresh process (so its peak memory is its own)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_single_process, args=(path, metrics, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def _warm_imports(metrics: list[str]) -> None:
    import nlpmetrics as nm

    warnings.simplefilter("ignore")
    for name in metrics:
        nm.load(name).update(predictions=["warm up"], references=["warm up"])


def _on_dask(path: str, metrics: list[str], partitions: int, queue) -> None:
    """:func:`on_dask`'s work in a process of its own, which reports through ``queue``."""
    queue.put(_score_on_dask(path, metrics, partitions))


def on_dask(path: str, metrics: list[str], partitions: int) -> tuple[dict, float, list[float], float]:
    """Score on a two-worker local cluster from a fresh driver process (so the driver's peak memory is its own)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_on_dask, args=(path, metrics, partitions, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def _score_on_dask(path: str, metrics: list[str], partitions: int) -> tuple[dict, float, list[float], float]:
    """Score on a two-worker local cluster; scores, seconds (cluster already up), worker and driver peaks."""
    import distributed

    import nlpmetrics as nm
    from nlpmetrics.distributed import score_files

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address=None, silence_logs=40, memory_limit=0) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(_warm_imports, metrics)  # as in a long-lived cluster
        started = time.perf_counter()
        scored = score_files(path, metrics=[nm.load(m) for m in metrics], partitions=partitions, scheduler=client)
        scores = {name: dict(m.compute().scores) for name, m in zip(metrics, scored, strict=True)}
        seconds = time.perf_counter() - started
        peaks = sorted(client.run(_max_rss_mib).values())
    return scores, seconds, peaks, _max_rss_mib()


TITLE = "Dask: a large JSONL file on two local worker processes"


def run(quick: bool = False) -> list[dict]:
    """One process against Dask on 2 local workers, same file, scores asserted identical."""
    lines = 200_000 if quick else 2_000_000
    metrics = ["bleu", "rouge"]
    warnings.simplefilter("ignore")
    path = make_file(lines)
    single_scores, single_seconds, single_peak = single_process(path, metrics)
    dask_scores, dask_seconds, worker_peaks, driver_peak = on_dask(path, metrics, 16)
    speed_up = single_seconds / dask_seconds
    return [{"name": f"{lines:,}-line JSONL, bleu + rouge: Dask (2 workers) vs one process", "ours_s": dask_seconds,
             "reference_s": single_seconds, "ratio": speed_up, "identical": dask_scores == single_scores,
             "goal": None, "meets_goal": None, "headline": True,
             "note": f"peak memory: one process {single_peak:,.0f} MiB; workers "
                     f"{', '.join(f'{p:,.0f}' for p in worker_peaks)} MiB; driver {driver_peak:,.0f} MiB"}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--metrics", default="bleu,rouge")
    parser.add_argument("--partitions", type=int, default=None, help="default: 8 per worker")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    metrics = args.metrics.split(",")
    path = make_file(args.lines)
    size_mib = os.path.getsize(path) / 2**20
    partitions = args.partitions or 16
    print(f"{args.lines:,} lines ({size_mib:,.0f} MiB), metrics {', '.join(metrics)}, {os.cpu_count()} CPUs")

    single_scores, single_seconds, single_peak = single_process(path, metrics)
    print(f"one process      : {single_seconds:8.1f} s  {args.lines / single_seconds:9,.0f} lines/s  "
          f"peak {single_peak:,.0f} MiB")
    dask_scores, dask_seconds, worker_peaks, driver_peak = on_dask(path, metrics, partitions)
    print(f"dask, 2 workers  : {dask_seconds:8.1f} s  {args.lines / dask_seconds:9,.0f} lines/s  "
          f"peak per worker {', '.join(f'{p:,.0f}' for p in worker_peaks)} MiB, driver {driver_peak:,.0f} MiB "
          f"({partitions} partitions)")
    print(f"speed-up         : {single_seconds / dask_seconds:.2f}x")
    same = dask_scores == single_scores
    print(f"same scores to the last digit: {same}  {json.dumps(single_scores)}")
    if not same:
        raise SystemExit(f"scores differ: {dask_scores} vs {single_scores}")


if __name__ == "__main__":
    main()
