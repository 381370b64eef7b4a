"""Built-in metrics, one module or subpackage per family; each registers its classes by name.

The metric classes are importable from here (``from nlpmetrics.metrics import F1``)
so that ``help()`` and IDEs show their options; this imports the family's
module on first use only, so ``import nlpmetrics`` stays light.
"""

from __future__ import annotations

from typing import Any as _Any


def _classes() -> dict[str, type]:
    from nlpmetrics.registry import registered_classes

    return {cls.__name__: cls for cls in registered_classes() if cls.__module__.startswith(__name__ + ".")}


def __getattr__(name: str) -> _Any:
    if name[:1].isupper():
        found = _classes().get(name)
        if found is not None:
            return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_classes()))
