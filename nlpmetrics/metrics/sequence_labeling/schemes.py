"""Tag schemes and entity spans, transcribed from ``seqeval``: every token at once with numpy.

seqeval has two entity extractors:

* default mode (``mode=None``), ``seqeval.metrics.sequence_labeling.get_entities``:
  conlleval-compatible, lenient (``I-PER I-PER`` is one PER entity);
* ``mode="strict"`` with a ``scheme``, ``seqeval.scheme.Tokens.entities``:
  only spans the scheme allows (``I-PER I-PER`` is no entity in IOB2).

Both are rewritten here as local rules over (previous tag, tag) pairs evaluated
for every token at once (see :func:`default_spans` and :func:`strict_spans`
for why that is exact), so scoring does not call seqeval (which imports
scikit-learn, a slow import).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlpmetrics.validation import a_type

#: Every prefix letter seqeval knows, in one fixed order (codes are positions here).
PREFIXES = "IOBESUL"
PREFIX_CODE = {letter: code for code, letter in enumerate(PREFIXES)}
OUTSIDE = PREFIX_CODE["O"]

#: Prefix letters the default (conlleval) mode understands.
DEFAULT_PREFIXES = "BIESO"

#: Strict-mode schemes, transcribed from ``seqeval.scheme``: allowed prefixes and the
#: (previous prefix, current prefix, type condition) patterns that start a chunk,
#: continue it, and confirm that the chunk before the current token ended.
SCHEMES: dict[str, dict[str, Any]] = {
    "IOB1": {
        "allowed": "IOB",
        "start": [("O", "I", "any"), ("I", "I", "diff"), ("B", "I", "any"), ("I", "B", "same"), ("B", "B", "same")],
        "inside": [("B", "I", "same"), ("I", "I", "same")],
        "end": [("I", "I", "diff"), ("I", "O", "any"), ("I", "B", "any"), ("B", "O", "any"), ("B", "I", "diff"),
                ("B", "B", "same")],
    },
    "IOE1": {
        "allowed": "IOE",
        "start": [("O", "I", "any"), ("I", "I", "diff"), ("E", "I", "any"), ("E", "E", "same")],
        "inside": [("I", "I", "same"), ("I", "E", "same")],
        "end": [("I", "I", "diff"), ("I", "O", "any"), ("I", "E", "diff"), ("E", "I", "same"), ("E", "E", "same")],
    },
    "IOB2": {
        "allowed": "IOB",
        "start": [(PREFIXES, "B", "any")],
        "inside": [("B", "I", "same"), ("I", "I", "same")],
        "end": [("I", "O", "any"), ("I", "I", "diff"), ("I", "B", "any"), ("B", "O", "any"), ("B", "I", "diff"),
                ("B", "B", "any")],
    },
    "IOE2": {
        "allowed": "IOE",
        "start": [("O", "I", "any"), ("O", "E", "any"), ("E", "I", "any"), ("E", "E", "any"), ("I", "I", "diff"),
                  ("I", "E", "diff")],
        "inside": [("I", "E", "same"), ("I", "I", "same")],
        "end": [("E", PREFIXES, "any")],
    },
    "IOBES": {
        "allowed": "IOBES",
        "start": [(PREFIXES, "B", "any"), (PREFIXES, "S", "any")],
        "inside": [("B", "I", "same"), ("B", "E", "same"), ("I", "I", "same"), ("I", "E", "same")],
        "end": [("S", PREFIXES, "any"), ("E", PREFIXES, "any")],
    },
    "BILOU": {
        "allowed": "BILOU",
        "start": [(PREFIXES, "B", "any"), (PREFIXES, "U", "any")],
        "inside": [("B", "I", "same"), ("B", "L", "same"), ("I", "I", "same"), ("I", "L", "same")],
        "end": [("U", PREFIXES, "any"), ("L", PREFIXES, "any")],
    },
}


def _pattern_table(patterns: list[tuple[str, str, str]]) -> np.ndarray:
    """Boolean table ``[previous prefix, current prefix, types differ]`` of a pattern list."""
    table = np.zeros((len(PREFIXES), len(PREFIXES), 2), dtype=bool)
    for previous, current, condition in patterns:
        differs = {"any": (0, 1), "same": (0,), "diff": (1,)}[condition]
        for p in previous:
            for c in current:
                for d in differs:
                    table[PREFIX_CODE[p], PREFIX_CODE[c], d] = True
    return table


def _default_tables() -> tuple[np.ndarray, np.ndarray]:
    """``start_of_chunk`` and ``end_of_chunk`` of seqeval's default mode as tables."""
    start = np.zeros((len(PREFIXES), len(PREFIXES), 2), dtype=bool)
    end = np.zeros_like(start)
    for p in DEFAULT_PREFIXES:
        for c in DEFAULT_PREFIXES:
            for d in (0, 1):
                start[PREFIX_CODE[p], PREFIX_CODE[c], d] = (
                    c in "BS" or (p + c) in ("EE", "EI", "SE", "SI", "OE", "OI") or (c != "O" and bool(d))
                )
                end[PREFIX_CODE[p], PREFIX_CODE[c], d] = (
                    p in "ES" or (p + c) in ("BB", "BS", "BO", "IB", "IS", "IO") or (p != "O" and bool(d))
                )
    return start, end


_DEFAULT_START, _DEFAULT_END = _default_tables()
_STRICT_TABLES = {
    name: tuple(_pattern_table(spec[key]) for key in ("start", "inside", "end")) for name, spec in SCHEMES.items()
}


# --------------------------------------------------------------------------- tag parsing
def parse_tag(tag: str, *, strict: bool, suffix: bool) -> tuple[str, str] | None:
    """(prefix letter, entity type) of one tag exactly as seqeval reads it, or None if malformed.

    A well-formed tag is ``"O"`` or a prefix letter, ``-`` and a non-empty type
    (``"B-PER"``; ``"PER-B"`` with ``suffix=True``).  seqeval itself accepts
    more (``"B"`` with no type becomes type ``"_"``; ``"b-PER"`` or ``"U-PER"``
    in default mode only warn and then count spans in ways nobody intends), so
    those are refused instead of silently miscounted.
    """
    if tag == "O":
        return "O", "_"
    if len(tag) < 3:
        return None
    if suffix:
        prefix, dash, body = tag[-1], tag[-2], tag[:-1]
        entity_type = body.strip("-") if strict else body.rsplit("-", maxsplit=1)[0]
    else:
        prefix, dash, body = tag[0], tag[1], tag[1:]
        entity_type = body.strip("-") if strict else body.split("-", maxsplit=1)[-1]
    if dash != "-" or prefix not in PREFIXES or prefix == "O" or not entity_type:
        return None
    return prefix, entity_type


def tag_problem(tag: Any, *, scheme: str | None, suffix: bool) -> str | None:
    """Why ``tag`` cannot be scored in this mode, or None when it can."""
    if not isinstance(tag, str):
        padding = isinstance(tag, (int, np.integer)) and tag == -100
        return f"is {a_type(tag)}, not a tag string" + ("; for padding set ignore_index=-100" if padding else "")
    parsed = parse_tag(tag, strict=scheme is not None, suffix=suffix)
    example = "'PER-B'" if suffix else "'B-PER'"
    if parsed is None:
        if (tag[-1:] if suffix else tag[:1]).islower():
            return f"has a lowercase prefix; write prefixes in capitals, e.g. {example}"
        if tag in tuple(PREFIXES) or tag.strip("-") in tuple(PREFIXES):
            return (f"has no entity type; write the type after the prefix, e.g. {example} "
                    "(seqeval would silently count it as type '_')")
        return f"is not a tag of the form 'O' or prefix-type such as {example}"
    prefix = parsed[0]
    allowed = SCHEMES[scheme]["allowed"] if scheme else DEFAULT_PREFIXES
    if prefix not in allowed:
        if scheme:
            return f"uses prefix {prefix!r}, which scheme {scheme} does not allow (allowed: {', '.join(allowed)})"
        return (f"uses prefix {prefix!r}, which the default (conlleval) mode does not understand "
                "(it reads B, I, E, S and O); for BILOU tags use mode='strict', scheme='BILOU'")
    return None


def first_position(sentences: Sequence[Sequence[Any]], tag: Any) -> tuple[int, int]:
    """Return the (sentence, position) of the first occurrence of ``tag``."""
    for i, sentence in enumerate(sentences):
        for j, value in enumerate(sentence):
            if value is tag or (type(value) is type(tag) and value == tag):
                return i, j
    raise AssertionError("tag not found")  # pragma: no cover - the tag came from these sentences


# --------------------------------------------------------------------------- entity extraction
def _shifted(values: np.ndarray, first: int) -> np.ndarray:
    """``values`` moved one position right, ``first`` in front (the token before each token)."""
    out = np.empty_like(values)
    out[0] = first
    out[1:] = values[:-1]
    return out


def default_spans(prefix: np.ndarray, etype: np.ndarray, outside_type: int) -> tuple[np.ndarray, np.ndarray]:
    """Entities of seqeval's ``get_entities`` over one flat sequence: (starts, exclusive ends).

    ``get_entities`` opens a chunk where ``start_of_chunk`` holds and closes the
    open chunk where ``end_of_chunk`` holds; both depend only on the previous
    and current tag.  For well-formed tags a start while a chunk is open always
    coincides with an end, and the sequence ends in ``O``, so each start's
    entity runs to the first end after it.
    """
    previous = _shifted(prefix, OUTSIDE)
    differs = (_shifted(etype, outside_type) != etype).astype(np.intp)
    starts = np.flatnonzero(_DEFAULT_START[previous, prefix, differs])
    ends = np.flatnonzero(_DEFAULT_END[previous, prefix, differs])
    return starts, ends[np.searchsorted(ends, starts, side="right")]


def strict_spans(prefix: np.ndarray, etype: np.ndarray, outside_type: int,
                  scheme: str) -> tuple[np.ndarray, np.ndarray]:
    """Entities of seqeval's ``Tokens.entities`` (strict mode) over one flat sequence.

    seqeval walks the tokens: at a start it consumes the following "inside"
    tokens and keeps the chunk if the token after it confirms the end.  The
    tokens not consumed are exactly the positions that are not "inside", so
    the sequence splits into blocks (a non-inside token and the inside tokens
    after it); in each block the first token where a start holds opens the one
    chunk of that block, which runs to the block's end.
    """
    start_table, inside_table, end_table = _STRICT_TABLES[scheme]
    previous = _shifted(prefix, OUTSIDE)
    differs = (_shifted(etype, outside_type) != etype).astype(np.intp)
    inside = inside_table[previous, prefix, differs]
    is_start = start_table[previous, prefix, differs]
    block_heads = np.flatnonzero(~inside)
    block = np.cumsum(~inside) - 1
    candidates = np.flatnonzero(is_start)
    candidate_block = block[candidates]
    first = np.ones(candidates.size, dtype=bool)
    first[1:] = candidate_block[1:] != candidate_block[:-1]
    starts = candidates[first]
    ends = block_heads[block[starts] + 1]
    confirmed = end_table[previous[ends], prefix[ends], differs[ends]]
    return starts[confirmed], ends[confirmed]


