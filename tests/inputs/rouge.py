"""Inputs for ROUGE: English words with newlines (so rougeLsum differs from rougeL), a few other scripts."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.inputs import MetricInputs
from tests.inputs.bleu import first_reference

#: Every text starts with three English words, so a perfect prediction has n-grams up to rouge3 and scores 1.
_WORDS = ("the", "cat", "sat", "on", "mat", "running", "runs", ".", ",", "\n", "café", "東京")


def _text() -> st.SearchStrategy:
    start = st.lists(st.sampled_from(("the", "cat", "dog")), min_size=3, max_size=3)
    return st.tuples(start, st.lists(st.sampled_from(_WORDS), max_size=12)).map(
        lambda parts: " ".join((*parts[0], *parts[1])))


def _pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    reference = st.one_of(_text(), st.lists(_text(), min_size=1, max_size=3))
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(_text(), min_size=n, max_size=n), st.lists(reference, min_size=n, max_size=n))
    )


INPUTS = {
    "rouge": MetricInputs(
        examples=_pairs,
        options=[{}, {"rouge_types": ("rougeLsum", "rouge3"), "use_stemmer": True, "split_sentences": True}],
        make_perfect=first_reference,
    ),
}
