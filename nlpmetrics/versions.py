"""Installed versions of the libraries a result depends on (for signatures)."""

from __future__ import annotations

from functools import cache
from importlib import metadata

_DISTRIBUTIONS = {"sklearn": "scikit-learn", "rouge_score": "rouge-score", "bert_score": "bert-score"}


@cache
def module_version(module: str) -> str:
    """Version of the distribution providing ``module``, or ``"absent"``."""
    try:
        return metadata.version(_DISTRIBUTIONS.get(module, module))
    except metadata.PackageNotFoundError:
        return "absent"
