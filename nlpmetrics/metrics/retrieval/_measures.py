"""The ranking measures ``retrieval`` computes, by name, and their names in trec_eval and ranx."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nlpmetrics.options import closest

#: Measures and whether they take a cut-off: required (``True``), optional (``None``) or none (``False``).
NAMES = {"precision": True, "recall": True, "hit_rate": True, "mrr": None, "ndcg": None, "map": None,
         "r_precision": False}
#: Other names people use for the same measures (trec_eval's and ranx's), accepted as ours: P@5 is precision@5.
_ALIASES = {"p": "precision", "success": "hit_rate", "hits": "hit_rate", "recip_rank": "mrr", "ndcg_cut": "ndcg",
            "map_cut": "map", "rprec": "r_precision", "r-precision": "r_precision", "rprecision": "r_precision",
            "hitrate": "hit_rate", "hit-rate": "hit_rate", "mean_average_precision": "map"}
_FORM = re.compile(r"^([A-Za-z_\-]+)(?:@(\d+))?$")
DEFAULT: tuple[str, ...] = ("recall@10", "mrr@10", "ndcg@10", "map")


@dataclass(frozen=True)
class Measure:
    """One measure: ``name`` (a key of :data:`NAMES`) and its cut-off ``k`` (``None``: the whole ranking)."""

    name: str
    k: int | None = None

    @property
    def key(self) -> str:
        """The score key: ``"recall@10"``, ``"map"``."""
        return self.name if self.k is None else f"{self.name}@{self.k}"

    @property
    def trec_eval(self) -> str:
        """The trec_eval measure that gives this number (``mrr@k``: ``recip_rank`` on the top ``k`` only)."""
        base = {"precision": "P", "recall": "recall", "hit_rate": "success", "mrr": "recip_rank",
                "ndcg": "ndcg_cut" if self.k else "ndcg", "map": "map_cut" if self.k else "map",
                "r_precision": "Rprec"}[self.name]
        if self.name == "mrr" and self.k:
            return f"recip_rank (run cut at {self.k})"
        return f"{base}.{self.k}" if self.k and self.name != "mrr" else base

    @property
    def ranx(self) -> str:
        """The ranx metric name."""
        base = {"r_precision": "r-precision"}.get(self.name, self.name)
        return base if self.k is None else f"{base}@{self.k}"


def parse_measure(text: Any) -> Measure:
    """``"ndcg@10"`` as a :class:`Measure`; anything else is a ``ValueError`` naming the valid forms."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a measure name; use strings such as 'recall@10' or 'map'")
    match = _FORM.match(text.strip())
    name, k = (match[1].lower(), match[2]) if match else (text, None)
    name = _ALIASES.get(name, name) if match and name not in NAMES else name
    if not match or name not in NAMES:
        raise ValueError(f"{text!r} is not a measure nlpmetrics knows{closest(str(name), NAMES)}; use "
                         "precision@k, recall@k, hit_rate@k, mrr, mrr@k, ndcg, ndcg@k, map, map@k or r_precision")
    takes_k = NAMES[name]
    if k is not None and (int(k) < 1 or k.startswith("0")):
        raise ValueError(f"{text!r}: the cut-off k must be a whole number >= 1 (e.g. {name}@10)")
    if takes_k is True and k is None:
        raise ValueError(f"{text!r} needs a cut-off: {name}@k, e.g. {name}@10")
    if takes_k is False and k is not None:
        raise ValueError(f"{text!r}: {name} takes no cut-off (it reads as many results as there are relevant "
                         "documents)")
    return Measure(name, int(k) if k is not None else None)


def check_measures(value: Any) -> tuple[str, ...]:
    """``Option.check`` for ``measures``: a non-empty list of distinct measure names, in canonical form.

    A string is one measure or several separated by commas (``--option measures=recall@5,map``).
    """
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(","))
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError("measures must be a non-empty list such as ['recall@10', 'mrr@10', 'ndcg@10', 'map']")
    keys = tuple(parse_measure(v).key for v in value)
    if len(set(keys)) != len(keys):
        twice = next(key for key in keys if keys.count(key) > 1)
        given = [shown for shown, key in zip(value, keys, strict=True) if key == twice]
        raise ValueError(f"measures lists a measure twice: {twice!r} (given as {' and '.join(map(repr, given))})")
    return keys
