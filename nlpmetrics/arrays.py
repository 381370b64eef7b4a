"""Arrays of every framework as numpy arrays, without importing the framework.

Evaluation loops hand over torch tensors (on any device, possibly with
``requires_grad``), numpy arrays, pandas Series, JAX, CuPy or TensorFlow
arrays.  nlpmetrics recognises them by what they can do, never by importing
their library: a process that never imported torch does not import it here.

``to_numpy`` is the one conversion; the metrics copy what they keep, so a
buffer the caller refills after ``update`` changes nothing in the state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["is_tensor", "scalar_items", "to_numpy"]


def is_tensor(value: Any) -> bool:
    """Whether ``value`` looks like a torch tensor (``detach``, ``cpu`` and ``numpy`` methods), by duck typing."""
    return hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "numpy")


def _tensor_to_numpy(tensor: Any) -> np.ndarray:
    """Convert a torch tensor to numpy: detached from autograd, copied to the CPU (a no-op there), any dtype.

    numpy has no bfloat16 or float8: such tensors become float32 first (every
    value is kept exactly).  Conjugate and negative views are resolved.
    """
    tensor = tensor.detach().cpu()
    try:
        return tensor.numpy()
    except TypeError:  # bfloat16, float8...: no numpy dtype
        return tensor.float().numpy()
    except RuntimeError:  # a lazily conjugated or negated view
        return tensor.resolve_conj().resolve_neg().numpy()


def to_numpy(value: Any) -> np.ndarray | None:
    """``value`` as a numpy array when it is an array of some framework, else ``None`` (lists, tuples...).

    Recognised, in this order: numpy arrays (returned as they are), torch
    tensors (``.detach().cpu().numpy()``), pandas and polars objects
    (``to_numpy()``), CuPy arrays (``.get()``), anything with ``__array__``
    (JAX, TensorFlow, xarray...) and anything with ``__dlpack__``.  The result
    may share memory with ``value``: callers copy what they keep.
    """
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple, str, bytes)):
        return None
    if is_tensor(value):
        return _tensor_to_numpy(value)
    if hasattr(value, "to_numpy") and hasattr(value, "__len__"):  # pandas Series/DataFrame, polars Series
        return np.asarray(value.to_numpy())
    if hasattr(value, "__cuda_array_interface__") and hasattr(value, "get"):  # CuPy refuses implicit copies
        return np.asarray(value.get())
    if hasattr(value, "__array__"):
        return np.asarray(value)
    if hasattr(value, "__dlpack__"):
        return np.from_dlpack(value)
    return None


def scalar_items(values: list) -> list:
    """Convert a list whose items are 0-d tensors (``[logits[i].argmax() for i in ...]``) to plain Python values.

    Any other list is returned as it is; only the first item is looked at
    before deciding, so this costs nothing for ordinary lists.
    """
    if not values:
        return values
    first = values[0]
    if isinstance(first, (int, float, str, np.generic)) or getattr(first, "ndim", None) != 0:
        return values
    return [item.item() if getattr(item, "ndim", None) == 0 and hasattr(item, "item") else item for item in values]
