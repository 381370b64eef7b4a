"""The ``nlpmetrics`` command: thin wiring of the Python API to files and the terminal.

Commands: ``list``, ``explain``, ``suggest``, ``score``, ``report``, ``compare``.
Bad input (an :class:`~nlpmetrics.errors.InputError`) ends the run with one
line on stderr, ``nlpmetrics: error: <file:line: message>``, and exit status 2;
an unexpected error exits 1 with a hint to rerun with ``--debug``.  Output
files are written to a temporary file in the target folder and renamed into
place only when everything succeeded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from nlpmetrics.autoselect import KIND_WORDS, LANG_NAMES, detect_lang, infer_kind, metrics_for_kind
from nlpmetrics.errors import InputError, MissingDependencyError
from nlpmetrics.io.feed import Feed, MetricEntry
from nlpmetrics.io.output import check_writable, write_text_atomically

if TYPE_CHECKING:
    from nlpmetrics.base import Metric

PROG = "nlpmetrics"

# ----------------------------------------------------------------------------- configuring metrics


def parse_metric_names(values: Sequence[str] | None) -> list[str]:
    """``-m a,b -m c`` as ``["a", "b", "c"]`` (duplicates dropped, order kept)."""
    names: list[str] = []
    for value in values or []:
        for name in value.split(","):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    return names


def resolve_metric_name(key: str) -> tuple[str, dict[str, Any]]:
    """Resolve a ``-m`` name to (registry name, options it implies): ``f1_macro`` is ``f1`` with ``average="macro"``.

    The registry resolves names for Python (``nm.load_many``) and the command line alike.
    """
    from nlpmetrics.registry import resolve_name

    return resolve_name(key)


def parse_option(text: str) -> tuple[str | None, str, Any]:
    """``[metric.]name=value`` as (scope, name, value); the value is JSON when it parses as JSON."""
    if "=" not in text:
        raise InputError(f"--option {text!r} must look like name=value (e.g. --option tokenize=char)")
    name, raw = text.split("=", 1)
    name = name.strip()
    scope = None
    if "." in name:
        scope, name = name.split(".", 1)
    if not name:
        raise InputError(f"--option {text!r} has no option name before '='")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON (or nested past Python's limit): the text itself
        value = raw
    return scope, name, value


def configure_metrics(
    metric_names: Sequence[str] | None,
    option_texts: Sequence[str] | None,
    lang: str | None,
    sample: Any,
    *,
    quiet: bool = False,
    examples: str = "keep",
) -> list[MetricEntry]:
    """Configure the metrics of a run: from ``-m`` (or chosen from ``sample``), ``--option`` and ``--lang``.

    Shared by ``score``, ``report`` and ``compare``, so the same flags give the
    same metrics everywhere.  Notes about automatic choices go to stderr.
    ``examples`` is ``"keep"`` (every example's statistics), ``"drop"``
    (``--no-examples``: running totals only; a metric that needs every example
    is an error) or ``"drop_if_possible"`` (the Dask engine's default when no
    output needs the examples).
    """
    from nlpmetrics.registry import list_metrics, load, metric_class

    keys = parse_metric_names(metric_names)
    kind = None
    if sample is not None:
        kind = getattr(sample, "kind", None) or infer_kind(sample.predictions[:1000], sample.references[:1000])
    if not keys:
        kind = kind or "text"
        keys = metrics_for_kind(kind)
        if not keys:
            raise InputError(
                f"the data look like {KIND_WORDS[kind]}, but no installed metric scores such data "
                "automatically; choose metrics with -m "
                f"(available: {', '.join(list_metrics())})"
            )
        _note(f"the data look like {KIND_WORDS[kind]}; scoring with {', '.join(keys)} (choose others with -m)", quiet)
    resolved = [(key, *_resolve_selected(key)) for key in keys]
    declared = {key: metric_class(name).options for key, name, _ in resolved}
    given: dict[str, dict[str, Any]] = {key: dict(implied) for key, _, implied in resolved}
    unscoped: list[tuple[str, str, Any]] = []
    for text in option_texts or []:
        scope, name, value = parse_option(text)
        if scope is None:
            unscoped.append((text, name, value))
            continue
        targets = [key for key, base, _ in resolved if scope in (key, base)]
        if not targets:
            raise InputError(f"--option {text!r} names metric {scope!r}, which is not selected "
                             f"(selected: {', '.join(keys)})")
        for key in targets:
            _check_not_implied(text, key, resolved, name, value)
            given[key][name] = value
    for text, name, value in unscoped:
        targets = [key for key in keys if name in declared[key]]
        if not targets:
            valid = "; ".join(f"{key}: {', '.join(sorted(declared[key])) or 'none'}" for key in keys)
            raise InputError(f"--option {name}=...: no selected metric has an option {name!r} (options: {valid})",
                             argument=name)
        for key in targets:
            _check_not_implied(text, key, resolved, name, value)
            if name not in given[key]:  # a metric's own --option metric.name=... wins, in any order
                given[key][name] = value
    lang_for_metrics = lang
    if lang is None and kind in ("text", "answers") and sample is not None:
        detected = detect_lang(chain(sample.predictions[:1000], sample.references[:1000]))
        if detected and any("lang" in declared[key] and "lang" not in given[key] for key in keys):
            lang_for_metrics = detected
            _note(f"the text looks {LANG_NAMES[detected]}: using lang={detected} (set --lang to override)", quiet)
    if lang_for_metrics is not None:
        for key in keys:
            if "lang" in declared[key] and "lang" not in given[key]:
                given[key]["lang"] = lang_for_metrics
    entries = []
    for key, name, _ in resolved:
        keep = examples == "keep" or not _can_drop_examples(metric_class(name))
        if not keep or examples != "drop":
            entries.append(MetricEntry(key, load(name, keep_examples=keep, **given[key])))
            continue
        raise InputError(f"--no-examples: {key} needs every example to compute its score (it ranks or correlates "
                         "them); drop --no-examples, or score this metric in another run")
    return entries


def _resolve_selected(key: str) -> tuple[str, dict[str, Any]]:
    """:func:`resolve_metric_name` for a name given with ``-m``: an unknown one says it came from ``-m``."""
    from nlpmetrics.errors import UnknownMetricError

    try:
        return resolve_metric_name(key)
    except UnknownMetricError as error:
        raise UnknownMetricError(f"-m {key}: {error}", argument="metrics") from None


def _check_not_implied(text: str, key: str, resolved: Sequence[tuple[str, str, dict[str, Any]]], name: str,
                       value: Any) -> None:
    """Refuse an ``--option`` that contradicts what a ``-m`` name implies (``f1_macro`` means ``average='macro'``).

    The command line's counterpart of the clash check in :func:`nlpmetrics.load_many`.
    """
    for resolved_key, base, implied in resolved:
        if resolved_key == key and name in implied and implied[name] != value:
            raw = text.split("=", 1)[1]
            raise InputError(f"--option {text}: {key} already means {name}={implied[name]!r}; "
                             f"use -m {base} --option {name}={raw}", argument=name)


def _can_drop_examples(cls: type[Metric]) -> bool:
    """Whether a metric class keeps a running summary (or a count table) with ``keep_examples=False``."""
    return cls.reduction == "sum" or bool(cls.distinct_rows)


def _note(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"{PROG}: {message}", file=sys.stderr)


# ----------------------------------------------------------------------------- progress


class Progress:
    """A one-line progress display on stderr (lines read, examples/s), only on a terminal and after a delay."""

    def __init__(self, enabled: bool, delay: float = 2.0, every: float = 0.5) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.delay = delay
        self.every = every
        self.last = 0.0
        self.shown = False

    def update(self, lines: int, examples: int) -> None:
        """Show the lines and examples read so far (after ``delay`` seconds, then every ``every`` seconds)."""
        if not self.enabled:
            return
        now = time.monotonic()
        elapsed = now - self.start
        if elapsed < self.delay or now - self.last < self.every:
            return
        self.last = now
        self.shown = True
        sys.stderr.write(f"\r{PROG}: read {lines:,} lines, {examples:,} examples "
                         f"({examples / elapsed:,.0f} examples/s)")
        sys.stderr.flush()

    def close(self) -> None:
        """Erase the progress line, if one was shown."""
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# ----------------------------------------------------------------------------- output


def emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it atomically to ``output``."""
    if output is None or output == "-":
        text = text if text.endswith("\n") else text + "\n"
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a lone surrogate (from a badly encoded argument): written as '?'
            encoding = sys.stdout.encoding or "utf-8"
            sys.stdout.write(text.encode(encoding, "replace").decode(encoding))
        return
    write_text_atomically(output, text if text.endswith("\n") else text + "\n")


def format_value(value: float | None, interval: Sequence[float] | None = None) -> str:
    """``0.4120 [0.3980, 0.4270]``: a score with its interval, fractions to four decimals."""
    text = "n/a" if value is None or value != value else f"{value:.4f}"
    if interval is not None:
        low, high = interval
        text += f" [{format_value(low)}, {format_value(high)}]"
    return text


def result_lines(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows (metric, score, value [interval], n) of the results table."""
    rows = []
    for key, result in results.items():
        for score, value in result.scores.items():
            interval = result.ci.get(score) if result.ci else None
            rows.append((key, score, format_value(value, interval), f"{result.n:,}"))
    return rows


def explanations(results: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(key, sentences) for every result whose metric has a card in ``lang`` (a metric without one is left out)."""
    from nlpmetrics.explanations import load_card

    out = []
    from nlpmetrics.explanations import explain_result

    said: set[str] = set()  # each note and caveat once, under the first metric it concerns
    for key, result in results.items():
        try:
            load_card(result.metric, lang)
        except InputError:
            continue
        out.append((key, explain_result(result, lang, said=said)))
    return out


def _headings(lang: str, confidence: float | None) -> tuple[str, str, str, str]:
    """Return the score table's headings in the language of the words."""
    from nlpmetrics.reporting.text import phrase

    value = phrase("value", lang).lower() if lang == "en" else phrase("value", lang)
    if confidence:
        value += f" [{phrase('interval', lang, confidence=f'{confidence:.0%}')}]"
    if lang == "en":
        return ("metric", "score", value, "n")
    return (phrase("metric", lang), phrase("score", lang), value, phrase("examples", lang))


def render_table(results: dict[str, Any], lang: str, confidence: float | None) -> str:
    """Render the results as an aligned text table followed by their explanations."""
    from nlpmetrics.reporting.compare import display_width

    header = _headings(lang, confidence)
    rows = [header, *result_lines(results)]
    widths = [max(display_width(r[i]) for r in rows) for i in range(4)]
    lines = []
    for index, row in enumerate(rows):
        pads = [" " * (widths[i] - display_width(row[i])) for i in range(4)]
        cells = [row[i] + pads[i] if i < 3 else pads[i] + row[i] for i in range(4)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    explained = explanations(results, lang)
    if explained:
        lines.append("")
    for key, text in explained:
        lines.append(f"{key}: {text}")
    return "\n".join(lines) + "\n"


def render_markdown(results: dict[str, Any], lang: str, confidence: float | None) -> str:
    """Render the results as a Markdown table followed by their explanations."""
    lines = ["| " + " | ".join(_headings(lang, confidence)) + " |", "|---|---|---:|---:|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in result_lines(results)]
    lines.append("")
    lines += [f"- **{key}**: {text}" for key, text in explanations(results, lang)]
    return "\n".join(lines) + "\n"


def render_json(results: dict[str, Any], input_info: dict[str, Any]) -> str:
    """Render the results and the input facts as one JSON document."""
    n = next(iter(results.values())).n if results else 0
    document = {"n": n, "results": {key: result.to_dict() for key, result in results.items()}, "input": input_info}
    return json.dumps(document, ensure_ascii=False, indent=2)


def output_format(args: argparse.Namespace) -> str:
    """``--format``, or the ``-o`` extension (``.json``, ``.md``), or ``table``."""
    if args.format:
        return args.format
    ext = os.path.splitext(args.output or "")[1].lower()
    return {".json": "json", ".md": "markdown", ".markdown": "markdown"}.get(ext, "table")


# ----------------------------------------------------------------------------- commands


def read_options(args: argparse.Namespace) -> dict[str, Any]:
    """Reader options from the command line (passed to :func:`nlpmetrics.io.read_examples`)."""
    return {
        "input_format": args.input_format,
        "pred_field": args.pred_field,
        "ref_field": args.ref_field,
        "ref_file": args.ref_file if args.ref_file is None or len(args.ref_file) > 1 else args.ref_file[0],
        "encoding": args.encoding,
        **({"conll_columns": args.conll_columns} if args.conll_columns else {}),
        **({"qrels": args.qrels} if args.qrels else {}),
        **({"dataset": args.dataset} if args.dataset else {}),
    }


def explain_language(args: argparse.Namespace, entries: Sequence[MetricEntry] = ()) -> str:
    """Return the language of every word the run writes.

    That is ``--explain-lang``, else the language of the texts when nlpmetrics writes in it (``--lang``, or what
    the metrics were given from the data), else English.

    It never reaches a metric: the words cannot change a number.
    """
    chosen = getattr(args, "explain_lang", None)
    if chosen:
        return chosen
    text_lang = getattr(args, "lang", None)
    if text_lang is None:
        given = {e.metric.config.get("lang") for e in entries} - {None}
        text_lang = given.pop() if len(given) == 1 else None
    return text_lang if text_lang in ("en", "ja") else "en"


def cmd_list(args: argparse.Namespace) -> int:
    """Run ``nlpmetrics list``: every metric with its scores and options."""
    from nlpmetrics.registry import list_metrics, metric_class

    rows: list[dict[str, Any]] = []
    for name in list_metrics():
        cls = metric_class(name)
        options = ", ".join(f"{k}={v.default!r}" for k, v in cls.options.items()) or "-"
        rows.append({"name": name, "scores": list(cls.score_keys), "higher_is_better": cls.higher_is_better,
                     "extra": cls.extra, "options": {k: repr(v.default) for k, v in cls.options.items()},
                     "options_text": options})
    if args.format == "json":
        emit(json.dumps([{k: v for k, v in r.items() if k != "options_text"} for r in rows], indent=2), None)
        return 0
    width = max(len(r["name"]) for r in rows)
    lines = [f"{r['name'].ljust(width)}  scores: {', '.join(r['scores'])}; options: {r['options_text']}"
             + (f" (needs nlpmetrics[{r['extra']}])" if r["extra"] else "") for r in rows]
    emit("\n".join(lines), None)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """Run ``nlpmetrics explain``: a metric's plain-language card."""
    from nlpmetrics.explanations import load_card

    name, _ = resolve_metric_name(args.metric)  # raises for an unknown name, with the closest ones
    card = load_card(name, args.explain_lang or args.lang or "en")
    emit(json.dumps(card.to_dict(), ensure_ascii=False, indent=2) if args.format == "json" else str(card), None)
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    """Run ``nlpmetrics suggest``: the metrics that suit a task, and why."""
    from nlpmetrics.suggestions import suggest

    suggestions = suggest(args.task, args.lang or "en", explain_lang=args.explain_lang)
    if args.format == "json":
        emit(json.dumps([{"metric": s.metric, "options": s.options, "reason": s.reason} for s in suggestions],
                        ensure_ascii=False, indent=2), None)
    else:
        emit("\n".join(f"- {s}" for s in suggestions), None)
    return 0


def _first_chunk(path: str, options: dict[str, Any]) -> tuple[Any, Iterator[Any]]:
    from nlpmetrics.io import read_examples

    chunks = read_examples(path, **options)
    first = next(chunks)  # read_examples raises for a file with no examples
    return first, chain([first], chunks)


def input_paths(args: argparse.Namespace, paths: Sequence[str]) -> list[str]:
    """Every file a command reads: its prediction files, any ``--ref-file``, ``--qrels``, ``--dataset`` (not ``-o``)."""
    return [*paths, *(args.ref_file or []), *(p for p in (args.qrels, args.dataset) if p)]


def note_label_numbers(entries: Sequence[MetricEntry], first: Any, convertible: bool, quiet: bool) -> None:
    """Decide from the first chunk whether CSV/TSV/text labels are numbers, and say so on stderr when they are."""
    from nlpmetrics.io.feed import label_cells_are_numbers

    if not convertible:
        return
    decided = False
    for entry in entries:
        if entry.input_kind == "labels" and entry.label_numbers is None:
            entry.label_numbers = label_cells_are_numbers(first)
            decided = decided or entry.label_numbers
    if decided:
        _note("both label columns hold whole numbers: comparing them as numbers (1, 1.0 and 1e0 are one label)", quiet)


def examples_policy(args: argparse.Namespace) -> str:
    """``"drop"`` with ``--no-examples``; the Dask engine drops them where it can when no output needs them."""
    if args.no_examples:
        return "drop"
    if args.engine == "dask" and args.confidence is None and output_format(args) != "json":
        return "drop_if_possible"
    return "keep"


def cmd_score(args: argparse.Namespace) -> int:
    """Run ``nlpmetrics score``: score files with the chosen metrics (in this process or on Dask)."""
    from nlpmetrics.io import detect_format

    if args.engine != "dask" and (args.partitions is not None or args.scheduler is not None):
        raise InputError("--partitions and --scheduler apply to --engine dask only; add --engine dask or drop them")
    check_writable(args.output, input_paths(args, [args.file]))
    if args.engine == "dask" and args.file == "-":
        raise InputError("--engine dask splits a file into byte ranges, so it needs a file path, not '-' (stdin)")
    options = read_options(args)
    kind = detect_format(args.file, args.input_format, options["ref_file"], qrels=args.qrels, dataset=args.dataset)
    convertible = kind in ("csv", "tsv", "text")
    first, chunks = _first_chunk(args.file, options)
    entries = configure_metrics(args.metrics, args.option, args.lang, first, quiet=args.quiet,
                                examples=examples_policy(args))
    if args.no_examples and args.confidence is not None:
        _check_intervals_without_examples(entries)
    note_label_numbers(entries, first, convertible, args.quiet)
    if args.engine == "dask":
        from nlpmetrics.distributed import score_files

        Feed(entries).check(first, args.file, convertible)  # fail on a bad first chunk before starting the cluster
        scored = score_files(args.file, metrics=[e.metric for e in entries], partitions=args.partitions,
                             scheduler=args.scheduler, label_numbers=bool(any(e.label_numbers for e in entries)),
                             **options)
        for entry, metric in zip(entries, scored, strict=True):
            entry.metric = metric
    else:
        progress = Progress(not args.quiet)
        examples = 0
        feed = Feed(entries)  # one collection: each chunk read, checked and converted once for every metric
        try:
            for chunk in chunks:
                feed.update(chunk, args.file, convertible)
                examples += len(chunk)
                progress.update(chunk.lines[-1], examples)
        finally:
            progress.close()
    results = Feed(entries).compute(confidence=args.confidence, n_resamples=args.resamples, seed=args.seed)
    info = {"path": args.file, "format": kind, **{k: v for k, v in options.items() if k != "input_format"},
            "metrics": [e.key for e in entries], "engine": args.engine}
    lang = explain_language(args, entries)
    fmt = output_format(args)
    if fmt == "json":
        text = render_json(results, info)
    elif fmt == "markdown":
        text = render_markdown(results, lang, args.confidence)
    else:
        text = render_table(results, lang, args.confidence)
    emit(text, args.output)
    return 0


def _check_intervals_without_examples(entries: Sequence[MetricEntry]) -> None:
    """``--no-examples --confidence``: only metrics that keep a count table (classification) still have intervals."""
    for entry in entries:
        if not entry.metric.keep_examples and not entry.metric.distinct_rows:
            raise InputError(f"--confidence needs every example of {entry.key}, but --no-examples keeps only its "
                             "running totals; drop one of the two")


def _display_names(paths: Sequence[str]) -> list[str]:
    names = [os.path.basename(p) if p != "-" else "stdin" for p in paths]
    return list(paths) if len(set(names)) < len(names) else names


def _read_systems(
    args: argparse.Namespace, paths: Sequence[str]
) -> tuple[list[MetricEntry], dict[str, tuple], list[list[int]]]:
    """Configure the metrics once (from the first file) and read every file fully, as the report API takes them.

    Also returns each file's line number of every example, so a later error about example ``i`` can name its line.
    """
    from nlpmetrics.io import detect_format, read_examples

    if sum(p == "-" for p in paths) > 1:
        raise InputError("standard input ('-') can be only one of the files")
    repeated = [p for i, p in enumerate(paths) if any(_same_file(p, q) for q in paths[:i])]
    if repeated:
        raise InputError(f"{repeated[0]}: given twice; pass each system's prediction file once")
    options = read_options(args)
    first, first_chunks = _first_chunk(paths[0], options)  # read once: paths[0] may be '-' (stdin)
    entries = configure_metrics(args.metrics, args.option, args.lang, first, quiet=args.quiet)
    first_convertible = detect_format(paths[0], args.input_format, options["ref_file"], qrels=args.qrels,
                                      dataset=args.dataset) in ("csv", "tsv", "text")
    note_label_numbers(entries, first, first_convertible, args.quiet)
    feed = Feed(entries)
    systems: dict[str, tuple[list, list]] = {}
    lines: list[list[int]] = []
    for index, (path, name) in enumerate(zip(paths, _display_names(paths), strict=True)):
        convertible = detect_format(path, args.input_format, options["ref_file"], qrels=args.qrels,
                                    dataset=args.dataset) in ("csv", "tsv", "text")
        converting = next((e for e in entries if e.converts(convertible)), None)
        predictions: list = []
        references: list = []
        lines.append([])
        for chunk in first_chunks if index == 0 else read_examples(path, **options):
            lines[-1].extend(chunk.lines)
            feed.check(chunk, path, convertible)  # checks every example now, so errors name file and line
            chunk_predictions, chunk_references = (
                converting.values(chunk, path, convertible) if converting else (chunk.predictions, chunk.references))
            predictions.extend(chunk_predictions)
            references.extend(chunk_references)
        systems[name] = (predictions, references)
    return entries, systems, lines


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (also through ``./``, links or an absolute path)."""
    if a == b:
        return True
    try:
        return a != "-" and b != "-" and os.path.samefile(a, b)
    except OSError:
        return False


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``nlpmetrics report``: score systems and write an HTML or Markdown report."""
    check_writable(args.output, input_paths(args, args.files))
    ext = os.path.splitext(args.output)[1].lower()
    if ext not in (".html", ".htm", ".md", ".markdown"):
        raise InputError(f"{args.output}: the report is HTML or Markdown; name the output .html or .md")
    entries, systems, _ = _read_systems(args, args.files)
    from nlpmetrics.reporting import report

    report(systems, metrics=[e.metric for e in entries], output=args.output, lang=explain_language(args, entries),
           title=args.title, confidence=args.confidence, n_resamples=args.resamples, seed=args.seed, task=args.task)
    _note(f"wrote {args.output}", args.quiet)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Run ``nlpmetrics compare``: compare two systems on the same examples with paired tests."""
    check_writable(args.output, input_paths(args, [args.a, args.b]))
    entries, systems, lines = _read_systems(args, [args.a, args.b])
    from nlpmetrics.reporting import compare
    from nlpmetrics.reporting.compare import same_references

    (name_a, a), (name_b, b) = systems.items()
    if len(a[1]) == len(b[1]) and not same_references(a[1], b[1]):
        first = next(i for i, pair in enumerate(zip(a[1], b[1], strict=True)) if not same_references(*zip(pair)))
        raise InputError(
            f"{args.a}:{lines[0][first]} and {args.b}:{lines[1][first]}: the references differ "
            f"({a[1][first]!r} vs {b[1][first]!r}), but a paired comparison needs the same references for both "
            "systems, example by example; align the two files on the same examples"
        )
    outcome = compare(a, b, metrics=[e.metric for e in entries], names=(name_a, name_b), confidence=args.confidence,
                      n_resamples=args.resamples, seed=args.seed)
    lang = explain_language(args, entries)
    fmt = output_format(args)
    if fmt == "json":
        text = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2, default=_json_default)
    elif fmt == "markdown":
        text = outcome.to_markdown(lang)
    else:
        text = outcome.to_text(lang)
    emit(text, args.output)
    return 0


def _json_default(value: Any) -> Any:
    from nlpmetrics.result import to_jsonable

    converted = to_jsonable(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


# ----------------------------------------------------------------------------- argument parsing

_EXAMPLES = {
    "list": "example:\n  nlpmetrics list",
    "explain": "examples:\n  nlpmetrics explain bleu\n  nlpmetrics explain rouge --explain-lang ja",
    "suggest": ("examples:\n  nlpmetrics suggest summarization\n  nlpmetrics suggest summarization --lang ja"
                "                 # options for Japanese texts, reasons in Japanese\n"
                "  nlpmetrics suggest translation --lang zh --explain-lang ja   # Chinese texts, Japanese reasons"),
    "score": (
        "examples:\n"
        "  nlpmetrics score preds.jsonl                       # metrics chosen from the data\n"
        "  nlpmetrics score preds.jsonl -m accuracy,f1_macro --confidence 0.95\n"
        "  nlpmetrics score hyp.txt --ref-file ref.txt -m bleu,chrf --option tokenize=intl\n"
        "  nlpmetrics score summaries.jsonl -m rouge --lang ja --option 'rouge_types=[\"rouge1\",\"rougeL\"]'\n"
        "  nlpmetrics score scores.csv -m pearson,spearman --format json -o scores.json\n"
        "  cat preds.jsonl | nlpmetrics score - -m accuracy\n"
        "  nlpmetrics score run.trec --qrels qrels.txt -m retrieval --option 'measures=[\"recall@10\",\"ndcg@10\"]'\n"
        "  nlpmetrics score predictions.json --dataset dev-v2.0.json -m squad --option version=2.0\n\n"
        "inputs: JSONL (fields 'prediction'/'reference', dotted paths for nested fields, a 'references'\n"
        "list for several references), CSV/TSV with a header, a text file of hypotheses with --ref-file,\n"
        "CoNLL (token, ..., gold, predicted tag), a TREC run with --qrels, an official SQuAD predictions.json\n"
        "with --dataset; JSONL may also hold 'answers' (QA) or 'ranking'/'relevant' (retrieval) fields.\n"
        "The format comes from the extension; --input-format overrides.\n"
        "metric names: a metric with an 'average' option may be named with it (f1_macro = f1 with\n"
        "average=macro); its result is shown under that name.\n"
        "exit status: 0 success, 2 bad input or options (one line on stderr naming file:line), 1 internal error."
    ),
    "report": (
        "examples:\n"
        "  nlpmetrics report system_a.jsonl system_b.jsonl -m bleu,rouge -o report.html\n"
        "  nlpmetrics report preds.jsonl -m f1_macro -o report.md --explain-lang ja --title '評価レポート'\n"
        "  nlpmetrics report a.jsonl b.jsonl -m bleu,chrf --task summarization -o report.html\n\n"
        "every system after the first is compared with the first by a paired test when both files hold the\n"
        "same references in the same order (otherwise the report says they are not comparable). Every file\n"
        "is read whole and checked before any score is computed."
    ),
    "compare": (
        "examples:\n"
        "  nlpmetrics compare baseline.jsonl candidate.jsonl -m bleu\n"
        "  nlpmetrics compare a.jsonl b.jsonl -m f1_macro --format markdown -o comparison.md\n\n"
        "both files must hold the same references in the same order (the first difference is named by\n"
        "file:line); the output says whether B is better than A beyond chance, metric by metric."
    ),
}


class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line error format (exit status 2)."""

    def error(self, message: str):  # argparse's API
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _common(debug_only: bool = False) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--debug", action="store_true", help="show the full traceback of an unexpected error")
    if not debug_only:
        parent.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no notes on stderr")
    return parent


def _whole_number(minimum: int):
    """Return an argparse type that parses a whole number >= ``minimum`` (argparse names the option in its error)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
        return value

    return parse


_positive_int = _whole_number(1)
_non_negative_int = _whole_number(0)


def _confidence(text: str) -> float:
    """Parse a level strictly between 0 and 1, ``nan`` and ``inf`` refused (an argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must lie strictly between 0 and 1 (e.g. 0.95), not {text}")
    return value


def _lang(text: str) -> str:
    """Parse a language code, normalised: ``JA``, ``ja-JP``, ``ja_JP.UTF-8`` are ``ja`` (an argparse type)."""
    from nlpmetrics.metrics.text import normalize_lang

    try:
        return normalize_lang(text, "--lang")
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _card_lang(text: str) -> str:
    """Parse a language nlpmetrics writes in (en or ja), any spelling of the code (an argparse type)."""
    code = _lang(text)
    if code not in ("en", "ja"):
        raise argparse.ArgumentTypeError(f"{text!r}: explanations are written in en or ja")
    return code


def _task(text: str) -> str:
    """Parse a task of the report: its aliases as ``nlpmetrics suggest`` takes them, or ``text`` (an argparse type)."""
    from nlpmetrics.suggestions import task_key

    if text.lower() == "text":
        return "text"
    try:
        return task_key(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(f"{error} or text") from None


def _scheduler(text: str) -> str:
    """Parse a Dask local scheduler name or a scheduler address such as ``tcp://host:8786`` (an argparse type)."""
    from nlpmetrics.distributed.dask import check_scheduler

    try:
        return check_scheduler(text)
    except InputError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Dask scheduler: use threads, processes, synchronous or an address such as "
            "tcp://host:8786") from None


def _conll_columns(text: str) -> tuple[int, int]:
    """Parse ``GOLD,PRED`` column numbers counted from 1 (negative: from the end) to 0-based indexes (argparse type)."""
    parts = text.split(",")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 2 or 0 in numbers or numbers[0] == numbers[1] or 1 in numbers:
        raise argparse.ArgumentTypeError(
            f"{text!r} must be two different column numbers GOLD,PRED counted from 1 (column 1 is the token), "
            "e.g. 2,3; negative numbers count from the end (--conll-columns=-2,-1 is the default)")
    gold, pred = numbers
    return (gold - 1 if gold > 0 else gold, pred - 1 if pred > 0 else pred)


def _add_metric_args(parser: argparse.ArgumentParser, *, confidence: float | None = None) -> None:
    """Add the options shared by ``score``, ``report`` and ``compare``: metrics, intervals and how to read the files.

    ``confidence`` is the command's default level (``report`` and ``compare`` always show intervals).
    """
    from nlpmetrics.io import FORMATS

    parser.add_argument("-m", "--metrics", action="append", metavar="NAMES",
                        help="comma-separated metric names (default: chosen from the data, said on stderr)")
    parser.add_argument("--option", action="append", metavar="NAME=VALUE",
                        help="a metric option (repeatable); the value is read as JSON when it parses; "
                             "'metric.name=value' sets it for one metric only")
    parser.add_argument("--lang", type=_lang,
                        help="language of the texts being scored, which chooses the tokenizers (ja, zh, ko, en...; "
                             "JA, ja-JP and ja_JP mean ja); default: detected from the data. It never sets the "
                             "language of the explanations: see --explain-lang")
    parser.add_argument("--explain-lang", type=_card_lang, choices=("en", "ja"), metavar="{en,ja}",
                        help="language of every word written (headings, explanations, notes, reports); default: "
                             "the language of the texts when it is en or ja, else en. It never changes a number")
    if confidence is None:
        parser.add_argument("--confidence", type=_confidence, metavar="LEVEL",
                            help="add bootstrap intervals at this level, e.g. 0.95")
    else:
        parser.add_argument("--confidence", type=_confidence, default=confidence, metavar="LEVEL",
                            help=f"level of the bootstrap intervals (default {confidence})")
    parser.add_argument("--resamples", type=_positive_int, default=1000, metavar="N",
                        help="bootstrap resamples (default 1000)")
    parser.add_argument("--seed", type=_non_negative_int, default=0, help="seed of the resampling (default 0)")
    parser.add_argument("--ref-file", action="append", metavar="REF",
                        help="references of a plain-text prediction file (repeat for several references)")
    parser.add_argument("--qrels", metavar="FILE",
                        help="relevance judgements (TREC qrels: query, iteration, document, relevance) of a TREC run")
    parser.add_argument("--dataset", metavar="FILE",
                        help="the SQuAD-format dataset (dev-v1.1.json, dev-v2.0.json, JSQuAD) of a predictions.json")
    parser.add_argument("--pred-field", default="prediction", metavar="F",
                        help="JSONL field / CSV column of the predictions (default: prediction)")
    parser.add_argument("--ref-field", default="reference", metavar="F",
                        help="JSONL field / CSV column of the references (default: reference, or a "
                             "'references' list)")
    parser.add_argument("--input-format", choices=tuple(FORMATS),
                        help="override the format guessed from the extension")
    parser.add_argument("--encoding", default="utf-8", help="text encoding of the input (default utf-8)")
    parser.add_argument("--conll-columns", type=_conll_columns, metavar="GOLD,PRED",
                        help="CoNLL: the columns of the gold and the predicted tag, counted from 1 (default: the "
                             "last two, as conlleval)")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every command (also used to generate docs/cli.md)."""
    from nlpmetrics import __version__

    parser = _Parser(
        prog=PROG,
        description="Score NLP outputs with metrics identical to the reference libraries, and explain the numbers.",
        epilog="examples:\n  nlpmetrics list\n  nlpmetrics score preds.jsonl\n  nlpmetrics explain bleu --lang ja\n\n"
               "run 'nlpmetrics COMMAND --help' for the options of a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, summary: str, parents: list) -> argparse.ArgumentParser:
        from nlpmetrics.io.rules import INPUT_RULES

        epilog = _EXAMPLES[name] + ("\n\n" + INPUT_RULES.rstrip() if name == "score" else "")
        return commands.add_parser(name, help=summary, description=summary, epilog=epilog,
                                   parents=parents, formatter_class=argparse.RawDescriptionHelpFormatter)

    sub = command("list", "list the metrics, their scores and options", [_common(True)])
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(handler=cmd_list)

    sub = command("explain", "print a metric's plain-language card", [_common(True)])
    sub.add_argument("metric", metavar="METRIC", help="a metric name (see 'nlpmetrics list')")
    sub.add_argument("--explain-lang", type=_card_lang, choices=("en", "ja"), metavar="{en,ja}",
                     help="language of the card (default en)")
    sub.add_argument("--lang", type=_card_lang, choices=("en", "ja"), metavar="{en,ja}",
                     help="the same as --explain-lang here (a card has no texts to score)")
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(handler=cmd_explain)

    sub = command("suggest", "recommend metrics for a task, with reasons", [_common(True)])
    sub.add_argument("task", metavar="TASK",
                     help="classification, similarity, ner, summarization, translation, qa or retrieval")
    sub.add_argument("--lang", type=_lang, default="en",
                     help="language of the texts to score (ja, zh, ko, en...): the suggested options are set for it "
                          "(default en)")
    sub.add_argument("--explain-lang", type=_card_lang, choices=("en", "ja"), metavar="{en,ja}",
                     help="language of the reasons (default: --lang when it is en or ja, else en)")
    sub.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    sub.set_defaults(handler=cmd_suggest)

    sub = command("score", "score a prediction file", [_common()])
    sub.add_argument("file", metavar="FILE", help="predictions and references ('-' reads standard input)")
    _add_metric_args(sub)
    sub.add_argument("--format", choices=("table", "json", "markdown"),
                     help="output format (default: from the -o extension, else table)")
    sub.add_argument("-o", "--output", metavar="OUT", help="write the output here (atomically) instead of stdout")
    sub.add_argument("--no-examples", action="store_true",
                     help="keep only each metric's running totals (constant memory; no per-example scores, and "
                          "intervals only for classification); the default with --engine dask when no --confidence "
                          "and no JSON output is asked")
    sub.add_argument("--engine", choices=("local", "dask"), default="local",
                     help="score in this process (default) or on Dask, in byte-range partitions")
    sub.add_argument("--scheduler", metavar="ADDRESS", type=_scheduler,
                     help="Dask scheduler: an address (tcp://host:8786), or threads, processes or synchronous "
                          "(default: Dask's default)")
    sub.add_argument("--partitions", type=_positive_int, metavar="N", help="Dask partitions (default: one per 32 MiB)")
    sub.set_defaults(handler=cmd_score)

    sub = command("report", "write a client report (HTML or Markdown) for one or more systems", [_common()])
    sub.add_argument("files", nargs="+", metavar="FILE", help="one prediction file per system")
    _add_metric_args(sub, confidence=0.95)
    sub.add_argument("-o", "--output", required=True, metavar="OUT", help="report.html or report.md")
    sub.add_argument("--title", help="title of the report")
    sub.add_argument("--task", type=_task, metavar="TASK",
                     help="what the outputs are, for the report's words (summaries, translations...): "
                          "classification, similarity, ner, summarization, translation, qa, retrieval or text; "
                          "default: from the metrics (ROUGE: summarization; BLEU, chrF, TER: translation)")
    sub.set_defaults(handler=cmd_report)

    sub = command("compare", "paired significance test between two systems on the same references", [_common()])
    sub.add_argument("a", metavar="A", help="prediction file of system A")
    sub.add_argument("b", metavar="B", help="prediction file of system B")
    _add_metric_args(sub, confidence=0.95)
    sub.add_argument("--format", choices=("table", "json", "markdown"),
                     help="output format (default: from the -o extension, else table)")
    sub.add_argument("-o", "--output", metavar="OUT", help="write the output here (atomically) instead of stdout")
    sub.set_defaults(handler=cmd_compare)
    return parser


# ----------------------------------------------------------------------------- entry point


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so a half-written output is removed as on Ctrl-C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Terminated` (finally blocks run; temporary files go)."""
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 internal error, 2 bad input, 130/143 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    warnings.showwarning = _show_warning
    try:
        with _sigterm_unwinds():
            return args.handler(args)
    except Terminated:
        print(f"{PROG}: terminated", file=sys.stderr)
        return 143
    except (InputError, MissingDependencyError) as error:
        if args.debug:
            raise
        message = " ".join(str(error).split("\n"))
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open as stdout, silencing the flush at exit
        return 0
    except Exception as error:  # the last line of defence: a short message, not a traceback
        if args.debug:
            raise
        print(f"{PROG}: internal error: {type(error).__name__}: {error} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
