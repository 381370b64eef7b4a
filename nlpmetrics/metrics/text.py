"""What every text metric shares: language codes, references per example, tokenizers.

One place reads a language code (``"ja"``, ``"JA"``, ``"ja-JP"``, ``"ja_JP.UTF-8"``
all mean Japanese), one place checks text inputs and counts references per
example, and one place decides which sacrebleu tokenizer a language gets, so
BLEU, chrF, TER, ROUGE and BERTScore see the same language and the same words
for the same ``lang``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence, Sized
from functools import cache
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError, missing_dependency
from nlpmetrics.validation import reference_texts, texts

#: ISO 639-1 language codes (what ``lang`` accepts, in any case, with an optional region or encoding).
ISO_639_1 = frozenset([
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh", "bi", "bm",
    "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee",
    "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu",
    "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is",
    "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
    "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms",
    "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os",
    "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl",
    "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu",
])
#: Three-letter (ISO 639-2/3) codes of the languages nlpmetrics treats specially, and their two-letter code.
_THREE_LETTER = {"jpn": "ja", "zho": "zh", "chi": "zh", "cmn": "zh", "kor": "ko", "eng": "en"}
_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*(?:\.[A-Za-z0-9_-]+)?(?:@[A-Za-z0-9]+)?$")


def normalize_lang(value: Any, argument: str = "lang") -> str:
    """Normalize a language code to its lower-case ISO 639-1 code: ``"JA"``, ``"ja-JP"``, ``"ja_JP.UTF-8"`` -> ``"ja"``.

    BCP 47 tags (``zh-Hant-TW``) and POSIX locales (``ja_JP.UTF-8``) keep
    only their language; a few three-letter codes (``jpn``, ``zho``, ``kor``,
    ``eng``) are accepted too.

    Raises
    ------
    InputError
        For anything that is not a known language code, listing the codes
        that choose a tokenizer.
    """
    if isinstance(value, str):
        match = _CODE.match(value.strip())
        if match:
            code = match.group(1).lower()
            code = _THREE_LETTER.get(code, code)
            if code in ISO_639_1:
                return code
    raise InputError(
        f"{argument}={value!r} is not a language code nlpmetrics knows; use an ISO 639-1 code such as 'en', "
        "'ja', 'zh', 'ko', 'de' or 'fr' (case and a region such as 'ja-JP' or 'ja_JP' are fine)",
        argument=argument,
    )


def check_lang(value: Any) -> str:
    """``Option.check`` for ``lang``: the normalised code (see :func:`normalize_lang`)."""
    return normalize_lang(value)


def check_optional_lang(value: Any) -> str | None:
    """``Option.check`` for a ``lang`` that may be left to the data (``None``)."""
    return None if value is None else normalize_lang(value)


def check_text_inputs(predictions: Sequence, references: Sequence) -> tuple[list[str], list[list[str]]]:
    """Predictions as strings and references as one list of strings per example.

    ``None`` anywhere, a non-string or an example with an empty reference list
    raises :class:`InputError` naming the index.  A reference given as a plain
    string counts as that example's only reference (sacrebleu instead reads a
    flat list of strings as reference *streams*, a common silent 0.0).
    """
    return texts(predictions, "predictions"), reference_texts(references, "references")


def reference_counts_column(references: Sequence[Sized]) -> np.ndarray:
    """Return the ``n_refs`` column: how many references (texts or token lists) each example has."""
    return np.fromiter(map(len, references), dtype=np.int64, count=len(references))


#: How the reference-count facts of a summary combine (for ``Metric.summary_reductions``).
REFERENCE_COUNT_REDUCTIONS = {"n_refs_min": "min", "n_refs_max": "max"}


def reference_count_facts(rows: Mapping[str, np.ndarray], weights: np.ndarray | None) -> dict[str, int]:
    """Return the fewest and most references of an example among the rows that count (for sacrebleu's ``nrefs``).

    Empty for a batched (resampled) reduction, which needs no signature.
    """
    n_refs = rows["n_refs"]
    if weights is not None:
        if weights.ndim > 1:
            return {}
        n_refs = n_refs[weights > 0]
    if not n_refs.size:
        return {}
    return {"n_refs_min": int(n_refs.min()), "n_refs_max": int(n_refs.max())}


def reference_counts(summary: Mapping[str, Any]) -> str | int:
    """Sacrebleu's ``nrefs``: the number of references per example, or ``"var"`` when it varies."""
    if "n_refs_min" not in summary:
        return "unknown"
    low, high = int(summary["n_refs_min"]), int(summary["n_refs_max"])
    return low if low == high else "var"

#: Tokenizer used for a language when none is named (sacrebleu's names).
LANG_TOKENIZERS = {"ja": "ja-mecab", "zh": "zh", "ko": "ko-mecab"}
#: sacrebleu tokenizers that need a pip extra, and which.
_TOKENIZER_EXTRAS = {"ja-mecab": "ja", "ko-mecab": "ko"}


def tokenizer_for_lang(lang: str | None) -> str | None:
    """Return the sacrebleu tokenizer name that ``lang`` implies, or ``None`` for the metric's default."""
    if lang is None:
        return None
    return LANG_TOKENIZERS.get(lang)


@cache
def sacrebleu_tokenizer(name: str):
    """Return a cached sacrebleu tokenizer instance (callable ``str -> str`` of space-separated tokens).

    Raises
    ------
    MissingDependencyError
        For ``ja-mecab``/``ko-mecab`` without MeCab, naming the pip extra.
    InputError
        For an unknown tokenizer name, listing the valid ones.
    """
    from sacrebleu.metrics.bleu import _TOKENIZERS, _get_tokenizer

    if name not in _TOKENIZERS:
        raise InputError(f"unknown tokenizer {name!r}; choose one of {', '.join(sorted(_TOKENIZERS))}")
    try:
        return _get_tokenizer(name)()
    except ImportError as error:
        if name in _TOKENIZER_EXTRAS:
            raise missing_dependency(f"MeCab (for tokenize={name!r})", _TOKENIZER_EXTRAS[name]) from error
        raise
