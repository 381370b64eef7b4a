"""Inputs for the question-answering metrics: short answers with articles, punctuation, case and Japanese."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.inputs import MetricInputs

#: Every answer starts with a content word, so it never normalises to nothing (a perfect answer then scores 1).
_FIRST = ("Denver", "Broncos", "cat", "1976", "東京", "ＡＢＣ", "Paris")
_MORE = ("the", "a", "Broncos", "cat", "sat", ",", ".", "U.S.", "CAT", "都", "です。", " ", "ｶﾅ", "２０")


def _answer() -> st.SearchStrategy:
    return st.tuples(st.sampled_from(_FIRST), st.lists(st.sampled_from(_MORE), max_size=4)).map(
        lambda parts: " ".join((parts[0], *parts[1])))


def _pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """(predictions, references): each reference one answer or a list of one to three (a dict with 'text' too)."""
    gold = st.one_of(
        _answer(),
        st.lists(_answer(), min_size=1, max_size=3),
        st.lists(_answer(), min_size=1, max_size=2).map(
            lambda texts: {"text": texts, "answer_start": [0] * len(texts)}),
    )
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(_answer(), min_size=n, max_size=n), st.lists(gold, min_size=n, max_size=n)))


def first_answer(references: list) -> list[str]:
    """Return a perfect prediction: each question's first gold answer."""
    out = []
    for gold in references:
        if isinstance(gold, dict):
            gold = gold["text"]
        out.append(gold if isinstance(gold, str) else gold[0])
    return out


INPUTS = {
    "exact_match": MetricInputs(
        examples=_pairs,
        options=[{}, {"ignore_case": True, "ignore_punctuation": True, "ignore_numbers": True,
                      "regexes_to_ignore": ["^the ", "sat"], "normalize": "nfkc"}],
        make_perfect=first_answer,
    ),
    "squad": MetricInputs(
        examples=_pairs,
        options=[{}, {"version": "2.0"}, {"lang": "ja"}, {"version": "2.0", "lang": "ja"}],
        make_perfect=first_answer,
    ),
}
