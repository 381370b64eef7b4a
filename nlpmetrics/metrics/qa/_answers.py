"""What the question-answering metrics share: gold answers as lists, the normalisations, token and character F1.

Three normalisations are implemented here, each to the letter of the code it
reproduces (the tests check them against that code, case by case):

:func:`squad_normalize`
    The official SQuAD v1.1 / v2.0 ``normalize_answer``: lower case, delete
    the ASCII punctuation of ``string.punctuation``, replace the English
    articles *a*, *an*, *the* (whole words) by a space, collapse whitespace.
:func:`jglue_normalize`
    JGLUE's version of it for JSQuAD (``fine-tuning/patch/transformers-*_jglue-1.1.0.patch``
    of yahoojapan/JGLUE, applied to ``transformers/data/metrics/squad_metrics.py``):
    lower case, *no* punctuation removal, trailing ``。`` stripped instead of
    the articles, whitespace collapsed.  Its F1 counts characters
    (``list(normalize_answer(text))``), not whitespace tokens.
:func:`exact_match_normalizer`
    Hugging Face ``evaluate``'s ``exact_match`` options: ``regexes_to_ignore``
    deleted in order, then ``ignore_case``, ``ignore_punctuation`` (ASCII
    punctuation) and ``ignore_numbers`` (ASCII digits); ``normalize="nfkc"``
    (nlpmetrics' addition) folds full-width and half-width forms first.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.validation import a_type, check_unicode

#: ``str.translate`` table deleting ``string.punctuation`` (the official scripts' ``exclude`` set).
_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)
_NO_DIGITS = str.maketrans("", "", string.digits)
#: The official scripts' article pattern (``re.UNICODE`` is the default for ``str`` patterns).
_ARTICLES = re.compile(r"\b(a|an|the)\b")
#: Kana, CJK ideographs and half-width katakana: text that whitespace tokens cannot split into words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def squad_normalize(text: str) -> str:
    """Normalize as SQuAD's ``normalize_answer``: lower, delete ASCII punctuation, drop a/an/the, collapse spaces."""
    text = text.lower().translate(_NO_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def jglue_normalize(text: str) -> str:
    """JGLUE's ``normalize_answer`` for JSQuAD: lower, strip trailing ``。``, collapse whitespace (punctuation kept)."""
    return " ".join(text.lower().rstrip("。").split())


def overlap_f1(prediction: Sequence[str], gold: Sequence[str], *, empty_matches: bool) -> float:
    """F1 of the multiset overlap of two token (or character) sequences, as the official scripts compute it.

    ``empty_matches=False`` is SQuAD v1.1's ``f1_score`` (no overlap is 0, even
    when both sides are empty); ``True`` is v2.0's ``compute_f1`` (an empty
    side scores 1 if the other is empty too, else 0).  The arithmetic follows
    the scripts operation for operation, so the floats are the same.
    """
    if empty_matches and (not gold or not prediction):
        return float(list(gold) == list(prediction))
    num_same = sum((Counter(prediction) & Counter(gold)).values())
    if num_same == 0:
        return 0.0
    precision = 1.0 * num_same / len(prediction)
    recall = 1.0 * num_same / len(gold)
    return (2 * precision * recall) / (precision + recall)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Japanese or Chinese characters (which whitespace does not split into words)."""
    return _CJK.search(text) is not None


def exact_match_normalizer(regexes_to_ignore: Sequence[str], ignore_case: bool, ignore_punctuation: bool,
                           ignore_numbers: bool, normalize: str | None) -> Callable[[str], str]:
    r"""Return the text transformation of ``evaluate``'s ``exact_match`` with these options (NFKC first when asked).

    ``evaluate`` holds the texts in numpy string arrays, which cannot end with
    ``"\x00"``: trailing NUL characters are dropped after every step here too.
    """
    patterns = [re.compile(p) for p in regexes_to_ignore]

    def transform(text: str) -> str:
        if normalize == "nfkc":
            text = unicodedata.normalize("NFKC", text)
        text = text.rstrip("\x00")
        for pattern in patterns:
            text = pattern.sub("", text).rstrip("\x00")
        if ignore_case:
            text = text.lower()
        if ignore_punctuation:
            text = text.translate(_NO_PUNCTUATION)
        if ignore_numbers:
            text = text.translate(_NO_DIGITS)
        return text.rstrip("\x00")

    return transform


def check_regexes(value: Any) -> tuple[str, ...]:
    """``Option.check`` for ``regexes_to_ignore``: a list of valid regular expressions (``None`` for none)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise ValueError("regexes_to_ignore must be a list of regular expressions, e.g. ['^the ', r'\\.$']")
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"{pattern!r} is not a valid regular expression ({error})") from None
    return tuple(value)


def gold_answers(values: Sequence[Any], *, allow_empty: bool, empty_hint: str) -> list[list[str]]:
    """Each example's gold answers as a list of strings.

    An entry may be one string, a list of strings, or a mapping with a
    ``"text"`` list (the ``answers`` column of SQuAD in Hugging Face
    ``datasets``: ``{"text": [...], "answer_start": [...]}``).  An empty list
    means "no answer" and is refused unless ``allow_empty``; ``empty_hint``
    says what to do instead.
    """
    out: list[list[str]] = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            out.append([value])
            continue
        answers = value.get("text", None) if isinstance(value, Mapping) else value
        if isinstance(value, Mapping) and answers is None:
            raise InputError(argument="references", index=index, detail=(
                f"is a mapping without a 'text' entry (keys: {', '.join(map(str, value))}); pass the answer "
                "texts, e.g. {'text': ['Denver Broncos'], 'answer_start': [177]} or a list of strings"))
        if isinstance(answers, str):
            answers = [answers]
        if not isinstance(answers, (list, tuple, np.ndarray)):
            what = "None" if value is None else a_type(value)
            raise InputError(argument="references", index=index,
                             detail=f"is {what}; pass the gold answer as a string or a list of strings")
        group = list(answers)
        for j, text in enumerate(group):
            if not isinstance(text, str):
                what = "None" if text is None else a_type(text)
                raise InputError(argument="references", index=(index, j), detail=f"is {what}, not a string")
        if not group and not allow_empty:
            raise InputError(argument="references", index=index, detail=f"is an empty list of answers; {empty_hint}")
        out.append(check_unicode(group, "references", (index,)))
    return out
