"""The all-gather behind ``Metric.sync()``: every rank's object, in rank order.

Kept apart from :mod:`nlpmetrics.distributed.torch` so that the metric engine
imports only these few lines, and torch only when a process group exists.
"""

from __future__ import annotations

import sys
from typing import Any


def process_group_ready() -> bool:
    """Whether a ``torch.distributed`` process group is initialised in this process.

    A group can only exist if the caller imported ``torch.distributed`` to make
    it, so a process that never did is single-process and torch is not
    imported here (that would cost seconds for nothing).
    """
    dist = sys.modules.get("torch.distributed")
    return dist is not None and dist.is_available() and dist.is_initialized()


def gather_objects(obj: Any, group: Any = None) -> list[Any]:
    """``obj`` of every rank of ``group``, in rank order (``[obj]`` without a process group).

    This is a collective call: every rank of the group must make it, or the
    others wait forever.  With the NCCL backend, ``all_gather_object`` needs
    ``torch.cuda.set_device(local_rank)`` to have been called on each rank.
    """
    if not process_group_ready():
        return [obj]
    import torch.distributed as dist

    gathered: list[Any] = [None] * dist.get_world_size(group)
    dist.all_gather_object(gathered, obj, group=group)
    return gathered
