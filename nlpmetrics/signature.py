"""Signatures: the provenance of a number, as structured data.

A :class:`Signature` records what decides a score (the metric, every option,
settings derived from them or from the data, such as sacrebleu's number of
references) and what only documents it (library versions, a reference tool's
own signature string, the resampling method).  ``str(signature)`` is the
display form (``nlpmetrics:0.2.0|metric:bleu|...``); code compares signatures
with :meth:`Signature.compatible` and :meth:`Signature.differences`, never by
parsing that string.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The sections of a signature, in display order.
SECTIONS = ("metric", "options", "settings", "tool", "versions", "resampling")


def format_value(value: Any) -> str:
    """Return an option value as the display form shows it (lists joined by commas)."""
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(v) for v in value)
    return str(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal option values, NaN counting as equal to NaN and lists compared item by item."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    try:
        return (bool(a == b) and type(a) is type(b)) or _same_number(a, b)
    except (TypeError, ValueError):  # arrays and other values without a truth value
        return a is b


def _same_number(a: Any, b: Any) -> bool:
    """``1`` and ``1.0`` name the same option value; ``True`` and ``1`` do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == b


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    from types import MappingProxyType

    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, eq=False)
class Signature(Mapping[str, Any]):
    """Read-only provenance of a result: ``signature["options"]["average"]``.

    Attributes
    ----------
    metric : str
        Registry name.
    options : mapping
        Every option of the metric, defaults included (they decide the number).
    settings : mapping of str to str
        Settings derived from the options or the data that also decide the
        number (the tokenizer ROUGE used, sacrebleu's number of references).
    tool : mapping of str to str
        A reference tool's own signature (``sacrebleu_signature``,
        ``bert_score_hash``): documents the number, compared by nobody.
    versions : mapping of str to str
        ``nlpmetrics`` and the libraries the metric follows.
    resampling : mapping of str to str
        How an interval or a paired test was computed (``{"ci": "percentile-bootstrap,...``);
        empty when there is none.
    """

    metric: str
    options: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    tool: Mapping[str, str] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    resampling: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Freeze every section."""
        for name in SECTIONS[1:]:
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    # --------------------------------------------------------------- mapping of the sections
    def __getitem__(self, key: str) -> Any:
        """Return the section ``key``; an unknown key names the sections."""
        if key not in SECTIONS:
            raise KeyError(f"a signature has the sections {', '.join(SECTIONS)}, not {key!r}")
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        """Iterate over the section names."""
        return iter(SECTIONS)

    def __len__(self) -> int:
        """Return the number of sections."""
        return len(SECTIONS)

    # --------------------------------------------------------------- comparing
    def differences(self, other: Signature) -> list[tuple[str, Any, Any]]:
        """Return what decides the number and differs: ``[(name, mine, theirs), ...]``.

        Compares the metric, the options and the settings; versions, the
        reference tool's string and the resampling method do not change what
        a number means.  A name missing on one side shows as ``None``.
        """
        found: list[tuple[str, Any, Any]] = []
        if self.metric != other.metric:
            found.append(("metric", self.metric, other.metric))
        for section in ("options", "settings"):
            mine, theirs = getattr(self, section), getattr(other, section)
            for key in sorted(set(mine) | set(theirs)):
                if key not in mine or key not in theirs or not same_value(mine[key], theirs[key]):
                    found.append((key, mine.get(key), theirs.get(key)))
        return found

    def compatible(self, other: Signature) -> bool:
        """Whether a number with this signature can be compared with one with ``other``."""
        return not self.differences(other)

    def difference_text(self, other: Signature) -> str | None:
        """``"tokenize: 13a vs intl"`` for :meth:`differences`, or ``None`` when compatible."""
        found = self.differences(other)
        if not found:
            return None
        return "; ".join(f"{name}: {_shown(a)} vs {_shown(b)}" for name, a, b in found)

    def with_resampling(self, kind: str, description: str) -> Signature:
        """Return a copy that also records how an interval (``kind="ci"``) or a test (``"paired"``) was computed."""
        return Signature(self.metric, self.options, self.settings, self.tool, self.versions,
                         {**self.resampling, kind: description})

    # --------------------------------------------------------------- display and serialisation
    def parts(self) -> list[tuple[str, str]]:
        """Return the ``(key, value)`` pairs of the display form, in order."""
        out = [("nlpmetrics", self.versions.get("nlpmetrics", "")), ("metric", self.metric)]
        out += [(k, format_value(v)) for k, v in sorted(self.options.items())]
        out += list(self.settings.items()) + list(self.tool.items())
        out += [(k, v) for k, v in self.versions.items() if k != "nlpmetrics"]
        out += list(self.resampling.items())
        return out

    def __str__(self) -> str:
        """Return the display form, ``key:value`` pairs joined by ``|``."""
        return "|".join(f"{k}:{v}" for k, v in self.parts())

    def __repr__(self) -> str:
        """Show the display form."""
        return f"Signature({self})"

    def __eq__(self, other: object) -> bool:
        """Compare signatures by their display form."""
        if isinstance(other, Signature):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        """Hash the display form."""
        return hash(str(self))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"metric": ..., "options": {...}, ...}``."""
        from nlpmetrics.result import to_jsonable

        return {name: to_jsonable(getattr(self, name)) if name != "metric" else self.metric for name in SECTIONS}

    def __reduce__(self):
        """Pickle as the sections."""
        return (Signature, (self.metric, dict(self.options), dict(self.settings), dict(self.tool),
                            dict(self.versions), dict(self.resampling)))


def _shown(value: Any) -> str:
    return "-" if value is None else format_value(value)
