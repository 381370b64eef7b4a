"""Choosing metrics from the data when the user names none.

What kind of values a file holds (class labels, numbers, tag sequences,
text...) and which script its text is in.

Which metrics suit a kind of data is declared by the metrics themselves: each
class has an ``input_kind`` and an ``auto_select`` tuple of the ``-m`` names
it contributes when the data is of that kind (``f1`` gives ``f1_macro``...),
so a new metric joins the automatic choice without an edit here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from nlpmetrics.io.feed import is_number_text

KIND_WORDS = {"labels": "class labels", "numbers": "numbers", "tags": "tag sequences", "text": "text",
              "answers": "answers to questions", "rankings": "rankings of documents"}
#: Strings at most this long, without spaces, may be class labels (longer ones are text).
_LABEL_MAX_CHARS = 40
LANG_NAMES = {"ja": "Japanese", "ko": "Korean", "zh": "Chinese"}


def metrics_for_kind(kind: str) -> list[str]:
    """Return the ``-m`` names chosen for data of ``kind`` when the user names none (registry order)."""
    from nlpmetrics.registry import registered_classes

    return [name for cls in registered_classes() if cls.input_kind == kind for name in cls.auto_select]


def _flat_values(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list) and value and not isinstance(value[0], list) else [value])
    return out


def _rankings(pairs: list[tuple[Any, Any]]) -> bool:
    """Tell rankings: mappings id -> score, or lists of ids that are not one tag per token.

    Lists of ids are rankings when most lengths differ, or when the ids are numbers.

    A tagging file with a few misaligned sentences stays tag sequences (seqeval then names the bad line).
    """
    if not pairs or not all(isinstance(p, (list, dict)) and isinstance(r, (list, dict)) for p, r in pairs):
        return False
    if any(isinstance(p, dict) for p, _ in pairs):
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for p, _ in pairs if isinstance(p, dict)
                   for v in p.values())
    if any(isinstance(x, int) and not isinstance(x, bool) for p, r in pairs for x in (*p, *r)):
        return True
    return sum(len(p) != len(r) for p, r in pairs) * 2 > len(pairs)


def infer_kind(predictions: Sequence[Any], references: Sequence[Any]) -> str:
    """Tell what the examples hold: ``"tags"``, ``"rankings"``, ``"answers"``, ``"numbers"``, ``"labels"``, ``"text"``.

    Lists of strings on both sides, one per token, are tag sequences; a
    ranking (a mapping id -> score, or a list of ids that does not align with
    the reference list) is a ranking; a reference that is SQuAD's answers
    mapping (``{"text": [...]}``) means answers to questions; numbers with a
    fraction are scores to correlate; whole numbers, booleans and short
    space-free strings with few distinct values are class labels; anything
    else is text.  (A reader that knows the kind says so in ``Chunk.kind``.)
    """
    pairs = list(zip(predictions, references, strict=False))
    if _rankings(pairs):
        return "rankings"
    if predictions and all(isinstance(p, list) for p in predictions) and all(
        isinstance(r, list) and all(isinstance(t, str) for t in r) for r in references
    ):
        return "tags"
    if pairs and all(isinstance(p, str) for p, _ in pairs) and all(
            isinstance(r, dict) and isinstance(r.get("text"), list) for _, r in pairs):
        return "answers"
    values = list(predictions) + _flat_values(references)
    if all(isinstance(v, (bool, int, float)) for v in values):
        return "numbers" if any(isinstance(v, float) and not v.is_integer() for v in values) else "labels"
    if all(isinstance(v, str) for v in values):
        if values and all(is_number_text(v) for v in values):
            return "numbers" if any(not float(v).is_integer() for v in values) else "labels"
        short = all(len(v) <= _LABEL_MAX_CHARS and not any(c.isspace() for c in v.strip()) for v in values)
        distinct = len(set(values))
        if short and distinct <= max(2, min(100, len(values) // 2)):
            return "labels"
    return "text"


def detect_lang(texts: Iterable[Any]) -> str | None:
    """``"ja"``, ``"zh"`` or ``"ko"`` when the text is mostly in that script, else ``None``."""
    kana = han = hangul = letters = 0
    for text in texts:
        if isinstance(text, list):
            text = " ".join(t for t in text if isinstance(t, str))
        if not isinstance(text, str):
            continue
        for char in text:
            code = ord(char)
            if 0x3040 <= code <= 0x30FF or 0xFF66 <= code <= 0xFF9F:
                kana += 1
            elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
                han += 1
            elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
                hangul += 1
            elif char.isalpha():
                letters += 1
    total = kana + han + hangul + letters
    if not total:
        return None
    if hangul / total > 0.3:
        return "ko"
    if (kana + han) / total > 0.3:
        return "ja" if kana else "zh"
    return None
