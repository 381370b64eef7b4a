"""Inputs for the translation metrics: BLEU, chrF and TER."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.inputs import MetricInputs

#: Words from several scripts; a text of 4+ of them has every n-gram order up to 4, so a perfect
#: prediction reaches the best score (shorter corpora leave BLEU's 4-gram precision undefined = 0).
_WORDS = ("the", "cat", "sat", "on", "mat", ".", ",", "東京", "日本", "です", "서울", "😀", "Ｆｕｌｌ", "café")


def _sentence(min_words: int) -> st.SearchStrategy:
    return st.lists(st.sampled_from(_WORDS), min_size=min_words, max_size=10).map(" ".join)


def sentence_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """(predictions, references) with one reference string per example."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(_sentence(0), min_size=n, max_size=n),
                            st.lists(_sentence(4), min_size=n, max_size=n))
    )


def multi_reference_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """(predictions, references) with 1-3 references per example (a variable number)."""
    group = st.lists(_sentence(4), min_size=1, max_size=3)
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(_sentence(0), min_size=n, max_size=n), st.lists(group, min_size=n, max_size=n))
    )


def first_reference(references: list) -> list[str]:
    """Perfect predictions for text metrics: each example's (first) reference (also used by rouge, bertscore)."""
    return [r if isinstance(r, str) else r[0] for r in references]


INPUTS = {
    "bleu": MetricInputs(
        examples=lambda lo, hi: st.one_of(sentence_pairs(lo, hi), multi_reference_pairs(lo, hi)),
        options=[{}, {"tokenize": "char", "smooth_method": "floor", "lowercase": True},
                 {"smooth_method": "add-k", "max_ngram_order": 2}],
        make_perfect=first_reference,
    ),
    "chrf": MetricInputs(
        examples=lambda lo, hi: st.one_of(sentence_pairs(lo, hi), multi_reference_pairs(lo, hi)),
        options=[{}, {"word_order": 2, "lowercase": True}],
        make_perfect=first_reference,
    ),
    "ter": MetricInputs(
        examples=lambda lo, hi: st.one_of(sentence_pairs(lo, hi), multi_reference_pairs(lo, hi)),
        options=[{}, {"lang": "ja"}],
        make_perfect=first_reference,
    ),
}
