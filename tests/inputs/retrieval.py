"""Inputs for ``retrieval``: rankings as lists or id -> score mappings (ties likely), binary and graded references."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.inputs import MetricInputs

_DOCS = tuple(f"d{i}" for i in range(12))


def _ranking() -> st.SearchStrategy:
    ids = st.lists(st.sampled_from(_DOCS), unique=True, max_size=10)
    as_scores = ids.flatmap(lambda docs: st.lists(st.sampled_from((0.0, 0.5, 1.0, 2.0, 3.5)), min_size=len(docs),
                                                  max_size=len(docs)).map(lambda s: dict(zip(docs, s, strict=True))))
    return st.one_of(ids, as_scores)


def _reference() -> st.SearchStrategy:
    ids = st.lists(st.sampled_from(_DOCS), unique=True, max_size=5)
    graded = st.dictionaries(st.sampled_from(_DOCS), st.integers(0, 3), max_size=6)
    return st.one_of(ids, graded)


def _pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(_ranking(), min_size=n, max_size=n), st.lists(_reference(), min_size=n,
                                                                                   max_size=n)))


INPUTS = {
    # a perfect ranking cannot reach precision@k = 1 with fewer than k relevant documents, and a query without a
    # relevant document scores 0 whatever is ranked, so "perfect is best" is tested in tests/test_retrieval.py
    "retrieval": MetricInputs(
        examples=_pairs,
        options=[{}, {"measures": ["precision@3", "hit_rate@1", "mrr", "ndcg", "map@4", "r_precision"],
                      "no_relevant": "zero"}, {"measures": ["recall@2", "ndcg@3"], "no_relevant": "skip"}],
        perfect_is_best=False,
    ),
}
