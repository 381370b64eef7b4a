"""How texts go through the encoder: token budgets that suit the device, batches cut by length, CPU threads.

A batch is cut by *tokens* (padding included), not by a number of texts: on a GPU a large budget
keeps the device busy; on a CPU a batch whose activations fit in the caches runs fastest, and a
65,536-token batch (bert-score's 64 texts times 1,024 would be the same order) spends its time
moving activations through memory.  Texts are sorted by token length, so a batch holds texts of
nearly the same length; batches of one length run without an attention mask at all.

No torch at import time.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

#: Tokens per batch for each unit of the ``batch_size`` option.
TOKENS_PER_BATCH_UNIT = 1024
#: Default token budget per encoding batch on a CPU (measured: see docs/bertscore.md and benchmarks/bench_bertscore.py).
CPU_TOKEN_BUDGET = 4096
#: Default token budget per encoding batch on a GPU (the range where a BERT-large encoder ran fastest on an H200).
GPU_TOKEN_BUDGET = 65536
#: At most this share of a batch's tokens may be padding (past it, a new batch starts).
MAX_PADDING_SHARE = 0.125
#: A batch that already holds this share of its budget ends where the token length changes (a batch of one
#: length needs no attention mask), rather than mixing in shorter texts.
EXACT_LENGTH_SHARE = 0.5

_THREADS_LOCK = threading.Lock()


def token_budget(batch_size: int | None, device_type: str) -> int:
    """Tokens (padding included) per encoding batch: ``batch_size`` x 1,024, or the device's default when None."""
    if batch_size is not None:
        return max(1, int(batch_size) * TOKENS_PER_BATCH_UNIT)
    return CPU_TOKEN_BUDGET if device_type == "cpu" else GPU_TOKEN_BUDGET


def plan_batches(lengths: np.ndarray, budget: int) -> list[np.ndarray]:
    """Return the indices of the texts in each encoding batch, longest texts first.

    A batch holds at most ``budget`` tokens counting padding (one text longer than the budget
    goes alone), at most :data:`MAX_PADDING_SHARE` of them padding, and once it holds half its
    budget it ends where the length changes, so that large inputs go through in batches of a
    single length (no attention mask, no padding) while small length groups share a batch.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    sorted_lengths = lengths[order]
    batches: list[np.ndarray] = []
    start, n = 0, len(order)
    while start < n:
        longest = int(sorted_lengths[start])
        limit = min(n, start + max(1, budget // max(longest, 1)))
        stop = start + 1
        real = longest
        while stop < limit:
            length = int(sorted_lengths[stop])
            count = stop - start + 1
            if (count * longest - (real + length)) > MAX_PADDING_SHARE * count * longest:
                break
            if length != sorted_lengths[stop - 1] and real >= EXACT_LENGTH_SHARE * budget:
                break
            real += length
            stop += 1
        batches.append(order[start:stop])
        start = stop
    return batches


def usable_cpus() -> int:
    """CPU cores this process may use: its affinity mask, capped by a cgroup CPU quota (containers)."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


@contextmanager
def cpu_threads(torch) -> Iterator[int]:
    """Run torch's CPU ops on at most one thread per usable core while inside; restore the setting after.

    torch starts with one thread per core of the machine, which in a container limited to a
    few cores oversubscribes them; a smaller number the user set is kept.
    """
    with _THREADS_LOCK:
        before = torch.get_num_threads()
        wanted = max(1, min(before, usable_cpus()))
        if wanted != before:
            torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        if wanted != before:
            with _THREADS_LOCK:
                torch.set_num_threads(before)
