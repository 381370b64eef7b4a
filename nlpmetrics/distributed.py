"""Scoring across processes and machines, with exactly the single-process numbers.

Every metric's state is a set of statistics rows (:mod:`nlpmetrics.rows`), so
scaling out is always the same three steps: compute rows where the data is,
bring the rows together in a fixed order, aggregate once.  This module does
that for two settings:

* **Eval loops under** ``torch.distributed``: :func:`gather_rows` (used by
  ``Metric.sync()`` and ``Metric.compute(sync=True)``) collects every rank's
  rows with ``all_gather_object``; :func:`sync_metric` does the same and also
  removes the duplicated examples that ``DistributedSampler`` pads the last
  ranks with.
* **Files too big for one process, on Dask**: :func:`score_files` splits a file
  into byte ranges that start and end on line boundaries, turns each range
  into rows on a worker, and merges the rows in file order.

Neither torch nor dask is imported by ``import nlpmetrics``, nor by this module
until a function needs it.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlpmetrics.errors import InputError, missing_dependency
from nlpmetrics.rows import Rows, concat_rows, n_rows, take_rows

if TYPE_CHECKING:
    from nlpmetrics.base import Metric

__all__ = [
    "drop_duplicate_ids",
    "drop_sampler_padding",
    "gather_rows",
    "line_aligned_ranges",
    "score_files",
    "sync_metric",
]

#: Default partition size of :func:`score_files` when ``partitions`` is not given.
DEFAULT_PARTITION_BYTES = 32 * 2**20


# ============================================================================ torch.distributed


def _process_group_ready() -> bool:
    """Whether a ``torch.distributed`` process group is initialised in this process.

    A group can only exist if the caller imported ``torch.distributed`` to make
    it, so a process that never did is single-process and torch is not
    imported here (that would cost seconds for nothing).
    """
    dist = sys.modules.get("torch.distributed")
    return dist is not None and dist.is_available() and dist.is_initialized()


def _all_gather(obj: Any, group: Any = None) -> list[Any]:
    """``obj`` of every rank of ``group``, in rank order (``[obj]`` without a process group)."""
    if not _process_group_ready():
        return [obj]
    import torch.distributed as dist

    gathered: list[Any] = [None] * dist.get_world_size(group)
    dist.all_gather_object(gathered, obj, group=group)
    return gathered


def gather_rows(rows: Rows, *, group: Any = None) -> list[Rows]:
    """Every rank's statistics rows, in rank order.

    Parameters
    ----------
    rows : dict of str to ndarray
        This rank's rows (``{}`` for a rank that saw no data).
    group : torch.distributed.ProcessGroup, optional
        The group to gather over (default: the whole world).

    Returns
    -------
    list of rows
        One entry per rank, rank 0 first; ``[rows]`` when no process group is
        initialised, so the same eval code runs unchanged on one process.

    Notes
    -----
    This is a collective call: every rank of the group must make it, or the
    others wait forever.  With the NCCL backend, ``all_gather_object`` needs
    ``torch.cuda.set_device(local_rank)`` to have been called on each rank.
    """
    return _all_gather(dict(rows), group)


def drop_sampler_padding(rows_per_rank: Sequence[Rows], dataset_size: int) -> Rows:
    """Undo ``DistributedSampler``'s padding and interleaving: rows in dataset order, no duplicates.

    With ``drop_last=False`` (the default), ``DistributedSampler`` gives each of
    the ``W`` ranks ``ceil(N / W)`` examples, the global position ``i * W + r``
    going to rank ``r`` as its ``i``-th example, and fills the positions past
    ``N`` by repeating the first examples.  Those repeats would count twice in
    the score.  Given every rank's rows in the order the rank saw them, this
    puts the rows back at their global position and keeps the first ``N``.

    Parameters
    ----------
    rows_per_rank : sequence of rows
        Every rank's rows, in rank order (what :func:`gather_rows` returns).
    dataset_size : int
        ``len(dataset)`` — the number of distinct examples.

    Returns
    -------
    rows
        The ``N`` rows in the sampler's global order (dataset order when the
        sampler does not shuffle).

    Raises
    ------
    InputError
        When the ranks' row counts do not match one pass of a sampler over
        ``dataset_size`` examples (for instance a metric updated over two
        epochs without ``reset()``, or a different sampler).
    """
    world = len(rows_per_rank)
    counts = [n_rows(rows) for rows in rows_per_rank]
    if isinstance(dataset_size, bool) or not isinstance(dataset_size, (int, np.integer)) or dataset_size < 0:
        raise InputError(f"dataset_size must be a whole number >= 0 (len(dataset)), not {dataset_size!r}")
    per_rank = counts[0] if counts else 0
    if any(c != per_rank for c in counts) or (per_rank > 0 and (per_rank - 1) * world >= dataset_size):
        raise InputError(
            f"the ranks hold {counts} examples, which is not one pass of a DistributedSampler over "
            f"dataset_size={dataset_size} examples on {world} ranks (each rank should hold "
            f"{math.ceil(dataset_size / max(world, 1))}); call metric.reset() before each evaluation pass, "
            "or pass example_ids instead of dataset_size"
        )
    merged = concat_rows(rows_per_rank)
    if not merged:
        return {}
    rank = np.repeat(np.arange(world), counts)
    local = np.concatenate([np.arange(c) for c in counts])
    position = local * world + rank
    order = np.argsort(position, kind="stable")
    order = order[position[order] < dataset_size]
    return take_rows(merged, order)


def drop_duplicate_ids(rows_per_rank: Sequence[Rows], ids_per_rank: Sequence[np.ndarray]) -> tuple[Rows, np.ndarray]:
    """Merge every rank's rows keeping one row per example id, ordered by id.

    Parameters
    ----------
    rows_per_rank : sequence of rows
        Every rank's rows, in rank order.
    ids_per_rank : sequence of 1-D arrays
        Each rank's example ids, one per row (integers or strings).  Rows with
        an id already seen (in rank order) are dropped: they are the padding
        repeats of ``DistributedSampler`` or any other duplicated example.

    Returns
    -------
    rows : rows
        One row per distinct id, sorted by id.
    ids : ndarray
        The distinct ids, sorted (``rows`` row ``i`` belongs to ``ids[i]``).
    """
    if len(ids_per_rank) != len(rows_per_rank):
        raise InputError(f"got example ids from {len(ids_per_rank)} ranks but rows from {len(rows_per_rank)}")
    arrays = []
    for rank, (rows, ids) in enumerate(zip(rows_per_rank, ids_per_rank, strict=True)):
        ids = np.asarray(ids)
        if ids.ndim != 1 or ids.dtype.kind not in "biuUS":
            raise InputError(
                f"example_ids on rank {rank} must be a flat list of integers or strings (one per example), "
                f"got an array of shape {ids.shape} and type {ids.dtype}"
            )
        if ids.size != n_rows(rows):
            raise InputError(
                f"rank {rank} passed {ids.size} example_ids for {n_rows(rows)} examples; pass one id per "
                "example given to update(), in the same order"
            )
        arrays.append(ids)
    kinds = {"text" if a.dtype.kind in "US" else "number" for a in arrays if a.size}
    if len(kinds) > 1:
        raise InputError("example_ids are text on some ranks and numbers on others; use one type everywhere")
    merged = concat_rows(rows_per_rank)
    if not merged:
        return {}, np.asarray([], dtype=np.int64)
    all_ids = np.concatenate([a for a in arrays if a.size])
    distinct, first = np.unique(all_ids, return_index=True)
    return take_rows(merged, first), distinct


def sync_metric(
    metric: Metric,
    *,
    dataset_size: int | None = None,
    example_ids: Iterable | None = None,
    group: Any = None,
) -> Metric:
    """Replace ``metric``'s state by every rank's rows, without the sampler's padding duplicates.

    ``metric.sync()`` / ``metric.compute(sync=True)`` gather every row of
    every rank.  Under ``DistributedSampler(drop_last=False)`` some of those
    rows are padding repeats, and the score then counts a few examples twice
    (a small, silent error that changes with the number of GPUs).  Pass one of:

    ``dataset_size=len(dataset)``
        The rows of each rank must be its sampler shard, in order (one
        evaluation pass since the last ``reset()``).  Rows come out in the
        sampler's global order (dataset order without shuffling).
    ``example_ids=...``
        This rank's example ids, one per example given to ``update()`` since
        the last ``reset()``, in order.  Works with any sampler; rows come out
        sorted by id.

    With neither, this is ``metric.sync()``.  Validation happens after the
    gather, on every rank alike, so a mistake raises the same error on every
    rank instead of leaving the others waiting.

    Returns
    -------
    Metric
        ``metric`` itself; call ``metric.compute()`` (without ``sync=True``) next.
    """
    if dataset_size is not None and example_ids is not None:
        raise InputError("pass dataset_size or example_ids to sync_metric, not both")
    rows = metric.rows()
    if example_ids is None:
        gathered = _all_gather(dict(rows), group)
        merged = concat_rows(gathered) if dataset_size is None else drop_sampler_padding(gathered, dataset_size)
    else:
        ids = _ids_array(example_ids)
        gathered = _all_gather((dict(rows), ids), group)
        merged, _ = drop_duplicate_ids([g[0] for g in gathered], [g[1] for g in gathered])
    metric.reset()
    if merged:
        metric.add_rows(merged)
    return metric


def _ids_array(example_ids: Iterable) -> np.ndarray:
    """Example ids as a flat numpy array (a torch tensor is moved to the CPU first)."""
    if hasattr(example_ids, "detach") and hasattr(example_ids, "cpu"):
        example_ids = example_ids.detach().cpu().numpy()
    if isinstance(example_ids, np.ndarray):
        return example_ids
    return np.asarray(list(example_ids))


# ============================================================================ Dask: files by byte range


def _next_boundary(handle, offset: int, size: int, blank_separated: bool) -> int:
    """The first record start at or after byte ``offset`` (a line start, or the line after a blank line)."""
    if offset <= 0:
        return 0
    if offset >= size:
        return size
    handle.seek(offset - 1)
    handle.readline()  # finishes the line that byte offset-1 belongs to (nothing if it is a newline)
    if blank_separated:
        while True:
            line = handle.readline()
            if not line or not line.strip():
                break
    return handle.tell()


def line_aligned_ranges(
    path: str | os.PathLike,
    partitions: int,
    *,
    blank_separated: bool = False,
) -> list[tuple[int, int]]:
    """Split a file into at most ``partitions`` byte ranges that start on line boundaries.

    Parameters
    ----------
    path : path-like
        The file.
    partitions : int
        Number of ranges wanted; fewer come back when the file has fewer lines.
    blank_separated : bool
        Cut only after a blank line (CoNLL: a sentence spans several lines).

    Returns
    -------
    list of (start, end)
        Contiguous, non-empty, half-open byte ranges covering the file in order.
    """
    if isinstance(partitions, bool) or not isinstance(partitions, (int, np.integer)) or partitions < 1:
        raise InputError(f"partitions must be a whole number >= 1, not {partitions!r}")
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        cuts = [0]
        for i in range(1, int(partitions)):
            target = size * i // int(partitions)
            cuts.append(max(cuts[-1], _next_boundary(handle, target, size, blank_separated)))
        cuts.append(size)
    return [(s, e) for s, e in zip(cuts[:-1], cuts[1:], strict=True) if e > s]


def _partition_rows(reader: Any, metrics: Sequence[Metric], path: str, convertible: bool) -> list[Rows]:
    """Worker task: read one partition with ``reader()`` and return each metric's rows for it.

    Each chunk goes through the command line's own per-chunk step
    (:class:`nlpmetrics.io.feed.MetricEntry`), so a partitioned file gives the rows
    ``nlpmetrics score`` gives in one process: the same conversion of CSV/TSV
    number text for metrics that compare numbers, and the same ``file:line``
    errors with absolute line numbers.
    """
    from nlpmetrics.io.feed import MetricEntry

    entries = [MetricEntry(key=str(index), metric=metric.empty_like()) for index, metric in enumerate(metrics)]
    for chunk in reader():
        for entry in entries:
            entry.update(chunk, path, convertible)
    return [entry.metric.rows() for entry in entries]


def _needs_document_frequencies(metric: Metric) -> bool:
    """BERTScore with ``idf=True``: its weights depend on every reference of the file."""
    return metric.name == "bertscore" and metric.config.get("idf") is True


def _partition_document_frequencies(reader: Any, model: Any, lang: str) -> Any:
    """Worker task of the first pass: BERTScore document frequencies of one partition's references."""
    from nlpmetrics.metrics.bertscore import DocumentFrequencies, document_frequencies

    counts = DocumentFrequencies()
    for chunk in reader():
        counts.merge(document_frequencies(chunk.references, model=model, lang=lang))
    return counts


def _with_file_idf(templates: list[Metric], readers: list[Any], scheduler: Any) -> list[Metric]:
    """Replace ``idf=True`` BERTScore metrics by ones weighted with the whole file's document frequencies.

    ``idf=True`` weighs tokens by their rarity among the references scored
    together; partitions would each use their own.  A first pass counts the
    document frequencies of every partition, merges them, and the metric is
    remade with ``idf=<that table>``: exactly what one ``bert_score.score``
    call over the whole file computes.
    """
    import dask

    task = dask.delayed(_partition_document_frequencies, pure=True)
    out = list(templates)
    for index, metric in enumerate(templates):
        if not _needs_document_frequencies(metric):
            continue
        parts = _run([task(reader, metric.config["model"], metric.config["lang"]) for reader in readers], scheduler)
        merged = parts[0]
        for part in parts[1:]:
            merged.merge(part)
        out[index] = type(metric)(**{**metric.config, "idf": merged})
    return out


class _ByteRangeReader:
    """Picklable reader of one byte range of a JSONL/CSV/TSV file (what a Dask task runs)."""

    def __init__(self, path: str, byte_range: tuple[int, int] | None, read_options: dict[str, Any]) -> None:
        self.path, self.byte_range, self.read_options = path, byte_range, read_options

    def __call__(self):
        from nlpmetrics.io import read_examples

        return read_examples(self.path, byte_range=self.byte_range, **self.read_options)


class _TextPairReader:
    """Picklable reader of one line range of line-aligned text files (predictions + reference files)."""

    def __init__(self, paths: list[str], byte_ranges: list[tuple[int, int]], encoding: str, chunk_size: int) -> None:
        self.paths, self.byte_ranges, self.encoding, self.chunk_size = paths, byte_ranges, encoding, chunk_size

    def __call__(self):
        from nlpmetrics.io.source import chunked, numbered_lines

        streams = [numbered_lines(p, encoding=self.encoding, byte_range=r)
                   for p, r in zip(self.paths, self.byte_ranges, strict=True)]
        return chunked(self._examples(streams), self.chunk_size)

    @staticmethod
    def _examples(streams: list) -> Iterable[tuple[int, str, Any]]:
        for (line, hypothesis), *references in zip(*streams, strict=True):
            texts = [text for _, text in references]
            yield line, hypothesis, texts[0] if len(texts) == 1 else texts


def _count_lines(path: str) -> int:
    """Lines as sacrebleu counts them: a final newline does not start another line."""
    size = os.path.getsize(path)
    newlines = 0
    last = b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            newlines += block.count(b"\n")
            last = block[-1:]
    return newlines + (1 if size and last != b"\n" else 0)


def _line_start_offsets(path: str, line_indexes: Sequence[int]) -> list[int]:
    """Byte offset where each 0-based line of ``line_indexes`` (increasing, >= 1) starts."""
    offsets: list[int] = []
    wanted = list(line_indexes)
    seen = 0  # newlines before the current block
    position = 0
    with open(path, "rb") as handle:
        while wanted and (block := handle.read(1 << 22)):
            found = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
            while wanted and wanted[0] - 1 < seen + found.size:
                offsets.append(position + int(found[wanted.pop(0) - 1 - seen]) + 1)
            seen += found.size
            position += len(block)
    return offsets + [position] * len(wanted)


def _text_pair_readers(path: str, read_options: dict[str, Any], partitions: int) -> list[Any] | None:
    """One reader per line range of a prediction file and its reference file(s); ``None`` to read whole.

    Files that are not line-aligned (or empty) are read whole by one task, so
    the error is exactly the single-process one.
    """
    ref_file = read_options.get("ref_file")
    refs = [ref_file] if isinstance(ref_file, (str, os.PathLike)) else list(ref_file)
    paths = [path] + [os.fspath(r) for r in refs]
    if any(p == "-" or not os.path.isfile(p) for p in paths):
        return None
    counts = [_count_lines(p) for p in paths]
    if len(set(counts)) != 1 or counts[0] == 0:
        return None
    total = counts[0]
    cuts = sorted({total * k // partitions for k in range(1, partitions)} - {0, total})
    bounds = [[0, *_line_start_offsets(p, cuts), os.path.getsize(p)] for p in paths]
    encoding = read_options.get("encoding", "utf-8")
    chunk_size = read_options.get("chunk_size", 10_000)
    return [
        _TextPairReader(paths, [(b[k], b[k + 1]) for b in bounds], encoding, chunk_size)
        for k in range(len(cuts) + 1)
    ]


def _newline_is_one_byte(encoding: str) -> bool:
    """Whether ``encoding`` writes a newline as the single byte ``\\n`` (so lines can be cut by bytes)."""
    try:
        return "\n".encode(encoding) == b"\n"
    except (LookupError, UnicodeError):
        return False  # the reader reports an unknown encoding


def _partition_readers(path: str, read_options: dict[str, Any], partitions: int) -> tuple[str, list[Any]]:
    """The input format and the readers, one per partition, in file order."""
    from nlpmetrics.io import detect_format

    kind = detect_format(path, read_options.get("input_format"), read_options.get("ref_file"))
    readers = None
    cuttable = _newline_is_one_byte(read_options.get("encoding", "utf-8"))  # not UTF-16 and friends
    if cuttable and kind in ("jsonl", "csv", "tsv"):
        ranges = line_aligned_ranges(path, partitions)
        readers = [_ByteRangeReader(path, r, read_options) for r in ranges] or None
    elif cuttable and kind == "text":
        readers = _text_pair_readers(path, read_options, partitions)
    # CoNLL, UTF-16 (anything that cannot be cut by bytes) is read whole by one task.
    return kind, readers or [_ByteRangeReader(path, None, read_options)]


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
    **read_options
        Passed to :func:`nlpmetrics.io.read_examples` (``input_format``,
        ``pred_field``, ``ref_field``, ``ref_file``, ``encoding``,
        ``chunk_size``).

    Returns
    -------
    list of Metric
        One new metric per requested metric holding every row of the file in
        file order; ``m.compute()`` gives exactly the single-process result.

    Raises
    ------
    InputError
        For bad input, naming the file and its absolute line number.

    Notes
    -----
    Rows come back in file order, so every metric whose aggregate looks at
    all rows at once stays exact: Spearman ranks the whole file's values (ties
    averaged over all partitions), corpus BLEU sums all n-gram counts.  The
    one metric whose *statistics* need the whole file, BERTScore with
    ``idf=True``, gets a first pass that counts document frequencies over all
    partitions; its metric is then remade with ``idf=<that table>``.
    """
    try:
        import dask
    except ImportError:
        raise missing_dependency("dask", "dask") from None

    path = os.fspath(path)
    if path == "-":
        raise InputError("score_files reads a file on the workers; standard input ('-') cannot be split, save it first")
    templates = [m.empty_like() for m in _resolve_metrics(metrics)]
    if partitions is None:
        partitions = max(1, math.ceil(os.path.getsize(path) / DEFAULT_PARTITION_BYTES)) if os.path.isfile(path) else 1
    if isinstance(partitions, bool) or not isinstance(partitions, (int, np.integer)) or partitions < 1:
        raise InputError(f"partitions must be a whole number >= 1, not {partitions!r}")
    if not os.path.isfile(path):
        kind, readers = "", [_ByteRangeReader(path, None, dict(read_options))]  # the reader names what is wrong
    else:
        kind, readers = _partition_readers(path, dict(read_options), int(partitions))
    convertible = kind in ("csv", "tsv", "text")
    if any(_needs_document_frequencies(m) for m in templates):
        templates = _with_file_idf(templates, readers, scheduler)
    task = dask.delayed(_partition_rows, pure=True)
    results = _run([task(reader, templates, path, convertible) for reader in readers], scheduler)
    merged = []
    for index, template in enumerate(templates):
        metric = template.empty_like()
        for partition in results:
            if n_rows(partition[index]):
                metric.add_rows(partition[index])
        merged.append(metric)
    if merged[0].n == 0:
        raise InputError(f"{path}: no examples found (the file holds only blank lines)")
    return merged
