"""Inputs for ``seqeval``: sentences of B-/I-/O tags (valid in the default mode, IOB1 and IOB2).

Every drawn corpus holds at least one gold entity (``B-PER I-PER``, an entity
in every mode tested), so a perfect prediction scores 1 on every average.
"""

from __future__ import annotations

from hypothesis import strategies as st

from tests.inputs import MetricInputs

TAGS = ("O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-人名", "I-人名")


@st.composite
def _sentence_pair(draw) -> tuple[list[str], list[str]]:
    length = draw(st.integers(0, 6))
    tag = st.sampled_from(TAGS)
    gold = draw(st.lists(tag, min_size=length, max_size=length))
    predicted = draw(st.lists(tag, min_size=length, max_size=length))
    return predicted, gold


@st.composite
def tag_sentences(draw, min_size: int, max_size: int) -> tuple[list[list[str]], list[list[str]]]:
    """Equal numbers of predicted and gold sentences, each pair of equal length."""
    pairs = draw(st.lists(_sentence_pair(), min_size=max(min_size, 1), max_size=max(max_size, 1)))
    predictions = [p for p, _ in pairs]
    references = [g for _, g in pairs]
    slot = draw(st.integers(0, len(pairs) - 1))
    references[slot] = references[slot] + ["B-PER", "I-PER"]
    predictions[slot] = predictions[slot] + draw(st.lists(st.sampled_from(TAGS), min_size=2, max_size=2))
    return predictions, references


@st.composite
def padded_tag_sentences(draw, min_size: int, max_size: int) -> tuple[list[list], list[list]]:
    """Like :func:`tag_sentences`, with -100 (the Transformers padding label) at some reference positions.

    Padding goes after the tags that are scored (a predicted tag, any tag, stands there), so the gold
    entity of :func:`tag_sentences` survives and a perfect prediction stays perfect.
    """
    predictions, references = draw(tag_sentences(min_size, max_size))
    for index in range(len(references)):
        pad = draw(st.integers(0, 2))
        references[index] = references[index] + [-100] * pad
        predictions[index] = predictions[index] + draw(st.lists(st.sampled_from(TAGS), min_size=pad, max_size=pad))
    return predictions, references


def _perfect_for_padded(references: list) -> list:
    return [["O" if tag == -100 else tag for tag in sentence] for sentence in references]


INPUTS = {
    "seqeval": MetricInputs(
        examples=lambda min_size, max_size: tag_sentences(min_size, max_size),
        options=[
            {},
            {"average": "macro"},
            {"average": "weighted", "zero_division": 1.0},
            {"mode": "strict", "scheme": "IOB2"},
            {"mode": "strict", "scheme": "IOB1", "average": "macro"},
            {"ignore_index": -100},
        ],
        examples_by_options=(({"ignore_index": -100}, padded_tag_sentences),),
        make_perfect=_perfect_for_padded,
    ),
}
