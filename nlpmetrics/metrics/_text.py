"""Text tokenization shared by the text metrics (BLEU, chrF, TER, ROUGE).

One place decides which sacrebleu tokenizer a language gets, so BLEU and ROUGE
see the same words for the same ``lang``.
"""

from __future__ import annotations

from functools import cache

from nlpmetrics.errors import InputError, missing_dependency

#: Tokenizer used for a language when none is named (sacrebleu's names).
LANG_TOKENIZERS = {"ja": "ja-mecab", "zh": "zh", "ko": "ko-mecab"}
#: sacrebleu tokenizers that need a pip extra, and which.
_TOKENIZER_EXTRAS = {"ja-mecab": "ja", "ko-mecab": "ko"}
#: sacrebleu tokenizers that download a model on first use (never offline).
DOWNLOADING_TOKENIZERS = ("flores101", "flores200", "spm")


def tokenizer_for_lang(lang: str | None) -> str | None:
    """The sacrebleu tokenizer name that ``lang`` implies, or ``None`` for the metric's default."""
    if lang is None:
        return None
    return LANG_TOKENIZERS.get(lang)


@cache
def sacrebleu_tokenizer(name: str):
    """A cached sacrebleu tokenizer instance (callable ``str -> str`` of space-separated tokens).

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
