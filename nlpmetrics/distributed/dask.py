"""Files too big for one process, on Dask: one task per partition, merged in file order.

:func:`score_files` cuts the input into partitions (:mod:`nlpmetrics.io.partitions`),
feeds each to the metrics on a worker through the command line's own
per-chunk step (:mod:`nlpmetrics.io.feed`), and folds the returned state
parts into one metric per requested metric, in file order.  A metric made
with ``keep_examples=False`` sends back only its summary, so the driver holds
one small summary per partition.  A metric that declares a corpus pass
(:meth:`~nlpmetrics.base.Metric.corpus_pass`) gets it first, over every
partition.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpmetrics.errors import InputError, missing_dependency
from nlpmetrics.io.partitions import ByteRangeReader, partition_readers

if TYPE_CHECKING:
    from nlpmetrics.base import CorpusPass, Metric
    from nlpmetrics.state import StatePart

__all__ = ["DEFAULT_PARTITION_BYTES", "score_files"]

#: Default partition size of :func:`score_files` when ``partitions`` is not given.
DEFAULT_PARTITION_BYTES = 32 * 2**20
#: Dask's local schedulers by name (an address such as ``tcp://host:8786`` names a distributed one).
LOCAL_SCHEDULERS = ("threads", "processes", "synchronous", "sync", "single-threaded", "threading", "multiprocessing")


def check_scheduler(scheduler: Any) -> Any:
    """``scheduler`` if Dask can use it (a local scheduler name, an address, a Client or None), else an InputError."""
    if scheduler is None or not isinstance(scheduler, str):
        return scheduler
    if scheduler in LOCAL_SCHEDULERS or ("://" in scheduler and scheduler.split("://", 1)[1]):
        return scheduler
    raise InputError(f"scheduler={scheduler!r} is not a Dask scheduler: use 'threads', 'processes', 'synchronous' "
                     "or an address such as 'tcp://host:8786' (--scheduler)", argument="scheduler")


def _partition_parts(reader: Any, metrics: Sequence[Metric], path: str, convertible: bool,
                     label_numbers: bool | None = None) -> list[StatePart]:
    """Worker task: read one partition with ``reader()`` and return each metric's state for it.

    Each chunk goes through the command line's own path (:class:`nlpmetrics.io.feed.Feed`,
    one metric collection), so a partitioned file gives the state ``nlpmetrics
    score`` builds in one process: the same conversion of CSV/TSV number text
    for metrics that compare numbers, each chunk converted once for the
    metrics that share a conversion, and the same ``file:line`` errors with
    absolute line numbers.
    """
    from nlpmetrics.io.feed import Feed, MetricEntry

    entries = [MetricEntry(key=str(index), metric=metric.empty_like(), label_numbers=label_numbers)
               for index, metric in enumerate(metrics)]
    feed = Feed(entries)
    for chunk in reader():
        feed.update(chunk, path, convertible)
    return [entry.metric.state_part() for entry in entries]


def _partition_corpus_counts(reader: Any, corpus_pass: CorpusPass) -> Any:
    """Worker task of a corpus pass: its counts over one partition's references (``None`` when it has none)."""
    counts = None
    for chunk in reader():
        part = corpus_pass.count(chunk.references)
        counts = part if counts is None else corpus_pass.merge(counts, part)
    return counts


def _with_corpus_passes(templates: list[Metric], readers: list[Any], scheduler: Any) -> list[Metric]:
    """Each metric that declares a corpus pass, remade with that pass run over every partition.

    BERTScore with ``idf=True`` weighs tokens by their rarity among *all*
    references; partitions would each see only their own.  The pass counts
    every partition, folds the counts in file order, and the metric is
    remade with them: exactly what one process scoring the whole file computes.
    """
    import dask

    task = dask.delayed(_partition_corpus_counts, pure=True)
    out = list(templates)
    for index, metric in enumerate(templates):
        corpus_pass = metric.corpus_pass()
        if corpus_pass is None:
            continue
        parts = [p for p in _run([task(reader, corpus_pass) for reader in readers], scheduler) if p is not None]
        merged = parts[0]
        for part in parts[1:]:
            merged = corpus_pass.merge(merged, part)
        out[index] = metric.with_corpus_pass(merged)
    return out


def _resolve_metrics(metrics: Any) -> list[Metric]:
    """Metric objects (or registry names) as empty metrics ready to ship to workers."""
    from nlpmetrics.base import Metric
    from nlpmetrics.registry import load

    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    resolved = []
    for metric in metrics:
        if isinstance(metric, str):
            resolved.append(load(metric))
        elif isinstance(metric, Metric):
            resolved.append(metric)
        else:
            raise InputError(f"metrics must be metric names or nm.load(...) metrics, not {type(metric).__name__}")
    if not resolved:
        raise InputError("metrics is empty; pass at least one metric, e.g. metrics=['bleu']")
    return resolved


def _run(tasks: list, scheduler: Any) -> list:
    """Compute dask delayed ``tasks`` on ``scheduler`` (a local scheduler name, an address, a Client or None)."""
    import dask

    if isinstance(scheduler, str) and "://" in scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise missing_dependency("distributed", "dask") from None
        with Client(scheduler) as client:
            return list(client.gather(client.compute(tasks)))
    if scheduler is not None and not isinstance(scheduler, str):  # a distributed.Client
        return list(scheduler.gather(scheduler.compute(tasks)))
    return list(dask.compute(*tasks, scheduler=scheduler))


def score_files(
    path: str | os.PathLike,
    *,
    metrics: Any,
    partitions: int | None = None,
    scheduler: Any = None,
    label_numbers: bool | None = None,
    **read_options: Any,
) -> list[Metric]:
    """Score a large file on Dask: one task per line-aligned byte range, merged in file order.

    Parameters
    ----------
    path : path-like
        The input file (JSONL, CSV/TSV, plain text with ``ref_file=``, CoNLL).
    metrics : sequence of Metric or str
        Metrics made with :func:`nlpmetrics.load` (their options are used) or
        registry names.  Their state is left untouched.
    partitions : int, optional
        Number of partitions (default: one per 32 MiB).  A JSONL/CSV/TSV file
        is cut into byte ranges that start on line boundaries, a text file and
        its ``ref_file`` into the same line ranges, so no example is split.
        CoNLL files and files whose newline is not one byte (UTF-16) are read
        whole by one task.
    scheduler : str or distributed.Client, optional
        ``"threads"``, ``"processes"``, ``"synchronous"``, a ``dask.distributed``
        scheduler address (``"tcp://host:8786"``) or a ``Client``; default: the
        Dask default (an active ``Client`` if there is one).
    label_numbers : bool, optional
        CSV/TSV/text files: whether class labels are compared as numbers (see
        :mod:`nlpmetrics.io.feed`); by default decided from the file's first
        chunk, once for every partition, as one process decides.
    **read_options
        Passed to :func:`nlpmetrics.io.read_examples` (``input_format``,
        ``pred_field``, ``ref_field``, ``ref_file``, ``encoding``,
        ``chunk_size``).

    Returns
    -------
    list of Metric
        One new metric per requested metric holding the whole file's state
        (every row in file order, or with ``keep_examples=False`` the folded
        summaries); ``m.compute()`` gives exactly the single-process result.

    Raises
    ------
    InputError
        For bad input, naming the file and its absolute line number.

    Notes
    -----
    Rows come back in file order, so every metric whose aggregate looks at
    all rows at once stays exact: Spearman ranks the whole file's values (ties
    averaged over all partitions), corpus BLEU sums all n-gram counts.  A
    metric whose *statistics* need the whole corpus declares a corpus pass
    (BERTScore with ``idf=True``: document frequencies), which runs first over
    every partition; the metric is then remade with its merged counts.
    """
    try:
        import dask
    except ImportError:
        raise missing_dependency("dask", "dask") from None

    path = os.fspath(path)
    check_scheduler(scheduler)
    if path == "-":
        raise InputError("score_files reads a file on the workers; standard input ('-') cannot be split, save it first")
    templates = [m.empty_like() for m in _resolve_metrics(metrics)]
    if partitions is None:
        partitions = max(1, math.ceil(os.path.getsize(path) / DEFAULT_PARTITION_BYTES)) if os.path.isfile(path) else 1
    if isinstance(partitions, bool) or not isinstance(partitions, (int, np.integer)) or partitions < 1:
        raise InputError(f"partitions must be a whole number >= 1, not {partitions!r}")
    if not os.path.isfile(path):
        kind, readers = "", [ByteRangeReader(path, None, dict(read_options))]  # the reader names what is wrong
    else:
        kind, readers = partition_readers(path, dict(read_options), int(partitions))
    convertible = kind in ("csv", "tsv", "text")
    if convertible and label_numbers is None:  # one decision for every partition: the file's first chunk
        from nlpmetrics.io.feed import label_cells_are_numbers

        first = next(iter(readers[0]()), None)
        label_numbers = first is not None and label_cells_are_numbers(first)
    templates = _with_corpus_passes(templates, readers, scheduler)
    task = dask.delayed(_partition_parts, pure=True)
    results = _run([task(reader, templates, path, convertible, label_numbers) for reader in readers], scheduler)
    merged = []
    for index, template in enumerate(templates):
        metric = template.empty_like()
        for partition in results:
            metric.absorb(partition[index])
        merged.append(metric)
    if merged[0].n == 0:
        raise InputError(f"{path}: no examples found (the file holds only blank lines)")
    return merged
