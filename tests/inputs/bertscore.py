"""Inputs for ``bertscore``, scored with the tiny random BERT of :mod:`tests.bertscore_fixtures`.

Texts are short word sequences (Japanese words included, which the tiny
WordPiece vocabulary turns into ``[UNK]``); references are a string or a
list of one to three strings.  Options cover plain scoring, another layer, and
a precomputed idf table (the exact way to stream idf; ``idf=True`` takes its
weights from each batch's references, so it does not stream exactly and
would fail the state properties by design).

The option sets name the tiny model, which takes seconds to build, so they
are made on first use: importing this module (``all_inputs()``) builds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from hypothesis import strategies as st

from tests.bertscore_fixtures import sentences, tiny_bert_path
from tests.inputs import MetricInputs
from tests.inputs.bleu import first_reference

WORDS = ("the", "cat", "sat", "on", "mat", "a", "dog", "barked", "red", "car", "river", "quickly", "again",
         "teacher", "garden", "猫", "犬", "!", "?")

_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
_reference = st.one_of(_text, st.lists(_text, min_size=1, max_size=3))


def text_pairs(min_size: int, max_size: int) -> st.SearchStrategy:
    """Equal-length lists of predictions (strings) and references (string or list of strings)."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(st.lists(_text, min_size=n, max_size=n), st.lists(_reference, min_size=n, max_size=n))
    )


@cache
def _options() -> list[dict]:
    from nlpmetrics.metrics.bertscore import document_frequencies

    model = str(tiny_bert_path())
    idf_table = document_frequencies(sentences(50, seed=7), model=model).idf()
    return [
        {"model": model, "num_layers": 3, "progress": False},
        {"model": model, "num_layers": 1, "idf": idf_table, "batch_size": 1},
    ]


class _OptionsOnFirstUse(Sequence):
    """The option sets of :func:`_options`, made (tiny model built) when first read, not at import."""

    def __getitem__(self, index):
        return _options()[index]

    def __len__(self) -> int:
        return len(_options())


INPUTS = {
    "bertscore": MetricInputs(examples=text_pairs, options=_OptionsOnFirstUse(), make_perfect=first_reference),
}
