"""Run every benchmark and publish what it measured: ``benchmarks/results/*.md`` and docs/performance.md.

Usage::

    python benchmarks/run_all.py                 # every benchmark, full sizes
    python benchmarks/run_all.py --quick         # smaller sizes (a smoke run; figures marked quick)
    python benchmarks/run_all.py --only core,rouge
    python benchmarks/run_all.py --dry-run       # measure and print, write nothing

For each ``benchmarks/bench_<topic>.py`` it records the load average just
before and after, calls ``run(quick)`` (each benchmark interleaves
nlpmetrics and the reference library in one process, takes the best of
several runs and asserts the numbers are identical), and writes
``benchmarks/results/<topic>.md`` with the machine (CPU, cores, memory, Python
and library versions) and every row.  The headline rows of all topics become
the table in ``docs/performance.md`` and in the README's Performance section,
between ``<!-- run_all:begin -->`` and ``<!-- run_all:end -->``: no figure
there is typed by hand.  Each topic's rows are also kept as
``benchmarks/results/<topic>.json``, so rerunning one topic (``--only``)
rebuilds the tables from the latest run of every topic, each with its date
and load.  A benchmark that fails is reported and the others still run.

Before each benchmark the script waits (up to ``--settle`` seconds) for the
1-minute load average to fall below ``--max-load`` (default 1.0, on a
2-core machine): the previous benchmark's own work needs a minute to leave
the average.  A figure measured while the load was still above it is not
publishable: the script prints a warning, marks the figure in every table,
and exits with status 3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BEGIN, END = "<!-- run_all:begin -->", "<!-- run_all:end -->"
#: Benchmarks in the order they run (the cheap ones first).
TOPICS = ("core", "seqeval", "rouge", "bleu", "retrieval", "compare", "eval_loop", "bertscore", "memory",
          "dask")
LIBRARIES = ("numpy", "scikit-learn", "scipy", "sacrebleu", "rouge-score", "seqeval", "bert-score", "torch",
             "transformers", "ranx", "python-terrier", "pytrec-eval-terrier", "torchmetrics", "dask")


def machine() -> dict[str, str]:
    """CPU, cores, memory, Python and the versions of the libraries compared against."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")).split()[1])
        memory = f"{kib / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    import nlpmetrics

    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory, "python": platform.python_version(),
            "nlpmetrics": nlpmetrics.__version__, **versions}


def load() -> float:
    """Return the 1-minute load average."""
    return os.getloadavg()[0]


def settle(max_load: float, seconds: float) -> float:
    """Wait until the 1-minute load average is below ``max_load`` (at most ``seconds``); return it."""
    deadline = time.monotonic() + seconds
    current = load()
    while current >= max_load and time.monotonic() < deadline:
        time.sleep(5)
        current = load()
    return current


def fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def cells(row: dict) -> tuple[str, str, str, str, str]:
    """(nlpmetrics, reference, result, goal, numbers) as a table shows them."""
    ours = fmt_seconds(row["ours_s"]) if row.get("ours_s") is not None else ""
    reference = fmt_seconds(row["reference_s"]) if row.get("reference_s") is not None else ""
    if row.get("ratio") is not None:
        result = f"**{row['ratio']:.1f}x** faster" if row["ratio"] >= 1 else f"{row['ratio']:.2f}x (slower)"
    else:
        result = str(row.get("value", ""))
    goal = row.get("goal") or ""
    if goal and row.get("meets_goal") is not None:
        goal += " ✓" if row["meets_goal"] else " ✗ not met"
    identical = row.get("identical")
    numbers = "identical" if identical else ("differ" if identical is False else "")
    return ours, reference, result, goal, numbers


def topic_markdown(topic: str, module, rows: list[dict], info: dict, before: float, after: float, quick: bool,
                   max_load: float, when: str) -> str:
    title = getattr(module, "TITLE", topic)
    method = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    loaded = before > max_load
    lines = [f"# {title}", "",
             f"Measured by `python benchmarks/run_all.py{' --quick' if quick else ''}` on {when}: "
             f"{info['cpu']}, {info['cores']} cores, {info['memory']}, Python {info['python']}. "
             f"Load average {before:.2f} before and {after:.2f} after this benchmark"
             + (f" — **above {max_load}: these figures are not publishable**." if loaded else "."), "",
             method, "",
             "| work | nlpmetrics | reference | result | goal | numbers | note |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        ours, reference, result, goal, numbers = cells(row)
        note = row.get("note", "") + (" (loaded machine)" if loaded else "")
        lines.append(f"| {row['name']} | {ours} | {reference} | {result} | {goal} | {numbers} | {note.strip()} |")
    versions = ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("cpu", "cores", "memory", "python"))
    lines += ["", f"Versions: {versions}.", ""]
    return "\n".join(lines)


def headline_table(max_load: float) -> str:
    """Build the table of the headline rows of the latest run of every topic (``results/<topic>.json``)."""
    lines = ["| work | result | goal | numbers | measured (load average) |", "|---|---|---|---|---|"]
    for topic in TOPICS:
        path = RESULTS / f"{topic}.json"
        if not path.exists():
            continue
        saved = json.loads(path.read_text(encoding="utf-8"))
        rows, before = saved["rows"], saved["load_before"]
        chosen = [r for r in rows if r.get("headline")] or rows[:1]
        for row in chosen:
            _, _, result, goal, numbers = cells(row)
            mark = f"{saved['when'][:10]} ({before:.2f})" + (" ⚠ not publishable" if before > max_load else "")
            if saved.get("quick"):
                mark += " quick"
            lines.append(f"| {row['name']} ([{topic}](benchmarks/results/{topic}.md)) | {result} | {goal} | "
                         f"{numbers} | {mark} |")
    return "\n".join(lines)


def replace_block(path: Path, table: str, link_prefix: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} block to rewrite")
    table = table.replace("](benchmarks/", f"]({link_prefix}benchmarks/")
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (figures marked quick)")
    parser.add_argument("--only", help="comma-separated topics (default: all): " + ", ".join(TOPICS))
    parser.add_argument("--max-load", type=float, default=1.0, help="publishable only below this load (default 1)")
    parser.add_argument("--settle", type=float, default=240,
                        help="seconds to wait for the load to fall below --max-load before each benchmark")
    parser.add_argument("--dry-run", action="store_true", help="measure and print; write nothing")
    args = parser.parse_args(argv)
    topics = TOPICS if not args.only else tuple(t.strip() for t in args.only.split(","))
    sys.path.insert(0, str(ROOT))
    info = machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{when} | {info['cpu']} | {info['cores']} cores | Python {info['python']}", flush=True)
    loaded_topics, failed_topics = [], []
    for topic in topics:
        module = importlib.import_module(f"benchmarks.bench_{topic}")
        before = settle(args.max_load, args.settle)
        print(f"\n== {topic} (load average {before:.2f})", flush=True)
        if before > args.max_load:
            print(f"warning: load average {before:.2f} > {args.max_load}: figures of {topic} will be marked "
                  "as not publishable", file=sys.stderr)
            loaded_topics.append(topic)
        start = time.perf_counter()
        try:
            rows = module.run(args.quick)
        except Exception as error:  # one broken benchmark must not cost the others' figures
            print(f"error: {topic} failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
            failed_topics.append(topic)
            continue
        after = load()
        for row in rows:
            print("  " + json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()},
                                    ensure_ascii=False), flush=True)
        print(f"  ({time.perf_counter() - start:.0f} s; load average after {after:.2f})", flush=True)
        if not args.dry_run:
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / f"{topic}.md").write_text(
                topic_markdown(topic, module, rows, info, before, after, args.quick, args.max_load, when),
                encoding="utf-8")
            (RESULTS / f"{topic}.json").write_text(json.dumps(
                {"when": when, "load_before": before, "load_after": after, "quick": args.quick, "machine": info,
                 "rows": rows}, ensure_ascii=False, indent=1, default=float) + "\n", encoding="utf-8")
    if not args.dry_run:
        table = headline_table(args.max_load)
        replace_block(ROOT / "docs" / "performance.md", table, link_prefix="../")
        replace_block(ROOT / "README.md", table)
    if failed_topics:
        print(f"\nerror: these benchmarks failed: {', '.join(failed_topics)}", file=sys.stderr)
        return 1
    if loaded_topics:
        print(f"\nwarning: measured under load above {args.max_load}: {', '.join(loaded_topics)}; rerun on a quiet "
              "machine before publishing these figures", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
