"""Tokenizers for ROUGE: rouge-score's English tokenizer in batch form, and the CJK tokenizers.

English (``lang="en"``) reproduces ``rouge_score.tokenize.tokenize`` token for
token: lowercase, every run of characters outside ``[a-z0-9]`` becomes a space,
split on spaces, and (with ``use_stemmer``) NLTK's Porter stem of every token
longer than three characters.  It runs over a whole batch at once (one
``lower``, one regular expression, one ``split``) and stems each distinct word
once, which is where most of its speed over rouge-score comes from.

Japanese, Chinese and Korean (``lang="ja"``/``"zh"``/``"ko"``) use the sacrebleu
tokenizer BLEU uses for that language (``ja-mecab``, ``zh``, ``ko-mecab``) and
split its output on spaces: case is kept and nothing is stemmed, exactly what
rouge-score does with such a tokenizer passed through its ``tokenizer=`` hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from nlpmetrics.metrics.rouge._batch import Sentences, TokenBatch, encode

_VALID_TOKEN = re.compile(r"^[a-z0-9]+$")
_SEPARATOR = "\x00"
#: Stands for a line break while texts are tokenized by lines (``encode_lines``).
_LINE_SEPARATOR = "\x01"
#: Word codes: between two texts, between two lines, a word the tokenizer drops.
_TEXT_MARK, _LINE_MARK, _DROPPED = -2, -3, -1
#: ``bytes.translate`` tables: a-z, 0-9 and NUL (and \x01 for lines) stay, every other byte becomes a space.
_KEEP_ALNUM = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789\x00" else 32 for c in range(256))
_KEEP_ALNUM_LINES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789\x00\x01" else 32 for c in range(256))
#: Porter stems of words seen so far (shared by every metric: a word's stem never changes).
_STEMS: dict[str, str | None] = {}
#: Past this many cached stems the cache is cleared (bounds memory on endless streams).
_STEM_CACHE_LIMIT = 500_000
#: Sentence ends for ``split_sentences=True``: ``.!?`` followed by white space, or ``。！？`` anywhere.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")


class EnglishTokenizer:
    """rouge-score's default tokenizer, over many texts at once.

    Parameters
    ----------
    use_stemmer : bool
        Porter-stem tokens longer than three characters, as rouge-score does.
    """

    def __init__(self, use_stemmer: bool) -> None:
        self.use_stemmer = use_stemmer
        self._stems = _STEMS
        self._stemmer: Any = None  # nltk's PorterStemmer, made on first use

    def encode_many(self, texts: Sequence[str]) -> TokenBatch:
        """Token ids of each text (equal ids for equal tokens), in one pass over the whole batch.

        The tokens are ``rouge_score.tokenize.tokenize(text, stemmer)``'s: after
        ``lower()``, every character outside ``[a-z0-9]`` (non-ASCII ones
        included) separates tokens.  Texts are joined with a NUL token between
        them, cleaned with one ``bytes.translate`` and split once.
        """
        return _text_batch(self._word_ids(texts, lines=False), len(texts))

    def encode_lines(self, texts: Sequence[str]) -> tuple[TokenBatch, Sentences]:
        """Token ids of each text and of each of its lines (rougeLsum's sentences), in one pass.

        A newline separates tokens like any other character outside ``[a-z0-9]``,
        so a text's tokens are its lines' tokens one after another: one
        tokenization serves rouge1/2/L (per text) and rougeLsum (per line).
        Lines without a token are left out (they change no count).
        """
        ids = self._word_ids(texts, lines=True)
        texts_batch = _text_batch(ids, len(texts))
        words = ids[ids != _DROPPED]
        markers = words < 0
        line = np.cumsum(markers)[~markers]  # line of each token (every marker starts a line)
        n_lines = int(markers.sum()) + 1
        lines_per_text = np.bincount(np.cumsum(words == _TEXT_MARK)[words == _LINE_MARK], minlength=len(texts)) + 1
        line_lengths = np.bincount(line, minlength=n_lines)
        return texts_batch, Sentences.from_lengths(line_lengths, lines_per_text, texts_batch.ids)

    def _word_ids(self, texts: Sequence[str], lines: bool) -> np.ndarray:
        """Per word of the joined texts: its token id, ``_TEXT_MARK`` / ``_LINE_MARK``, or ``_DROPPED``."""
        joined = " \x00 ".join(texts)
        if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds a NUL itself; a NUL separates tokens
            joined = " \x00 ".join(text.replace(_SEPARATOR, " ") for text in texts)
        if lines:
            if _LINE_SEPARATOR in joined:  # separates tokens in the text; must not be taken for a line break
                joined = joined.replace(_LINE_SEPARATOR, " ")
            joined = joined.replace("\n", " \x01 ")
        cleaned = joined.lower().encode("ascii", "replace").translate(_KEEP_ALNUM_LINES if lines else _KEEP_ALNUM)
        token_of = None
        if self.use_stemmer:
            def token_of(word: bytes) -> str | None:
                return self._stem_cached(word.decode("ascii"))
        return _word_ids(cleaned.split(), {b"\x00": _TEXT_MARK, b"\x01": _LINE_MARK}, token_of)

    def _stem_cached(self, token: str) -> str | None:
        stems = self._stems
        if token not in stems:
            if len(stems) > _STEM_CACHE_LIMIT:
                stems.clear()
            stems[token] = self._stem(token)
        return stems[token]

    def _stem(self, token: str) -> str | None:
        """Return the stemmed token, or ``None`` when rouge-score's final validity check drops it."""
        if len(token) > 3:
            if self._stemmer is None:
                from nltk.stem import porter

                self._stemmer = porter.PorterStemmer()
            token = self._stemmer.stem(token)
        return token if _VALID_TOKEN.match(token) else None


class SacrebleuTokenizer:
    """sacrebleu's tokenizer for ``name`` (``ja-mecab``, ``zh``, ``ko-mecab``), output split on spaces."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._tokens = _cached_tokens(name)

    def tokenize(self, text: str) -> list[str]:
        """Tokens of one text (rouge-score's tokenizer protocol: ``RougeScorer(tokenizer=...)`` takes this object)."""
        return self._tokens(text)

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens of each text."""
        return [self._tokens(text) for text in texts]

    def encode_many(self, texts: Sequence[str]) -> TokenBatch:
        """Token ids of each text (equal ids for equal tokens): each text tokenized, then one split."""
        from nlpmetrics.metrics.text import sacrebleu_tokenizer

        tokenize_line = sacrebleu_tokenizer(self.name)
        joined = " \x00 ".join(map(tokenize_line, texts))
        if joined.count(_SEPARATOR) != len(texts) - 1:  # a NUL inside a text: split text by text
            return encode(self.tokenize_many(texts), {})
        return _text_batch(_word_ids(joined.split(), {_SEPARATOR: _TEXT_MARK}, None), len(texts))


class _Numbering(dict):
    """Word -> its number, the next one for a word not seen before (one C-level lookup per seen word)."""

    __slots__ = ()

    def __missing__(self, word):
        number = self[word] = len(self)
        return number


def _word_ids(words: list, markers: dict, token_of: Callable | None) -> np.ndarray:
    """Token id of each of ``words`` (equal ids for equal tokens), or its code in ``markers``.

    Each distinct word is looked at once: ``token_of(word)`` gives its token
    (e.g. its stem; ``None`` drops it: ``_DROPPED``), and words with the same
    token share an id.
    """
    numbering = _Numbering()
    numbers = np.fromiter(map(numbering.__getitem__, words), dtype=np.int64, count=len(words))
    token_ids: dict = {}
    values = []
    for word in numbering:  # in the order of their numbers
        if word in markers:
            values.append(markers[word])
            continue
        token = word if token_of is None else token_of(word)
        values.append(_DROPPED if token is None else token_ids.setdefault(token, len(token_ids)))
    return np.array(values, dtype=np.int64)[numbers]


def _text_batch(ids: np.ndarray, n_texts: int) -> TokenBatch:
    """Return the texts' tokens from word ids with ``_TEXT_MARK`` between texts (other negative codes dropped)."""
    keep = ids >= 0
    kept = ids[keep]
    separators = np.flatnonzero(ids == _TEXT_MARK)
    if kept.size + separators.size == ids.size:  # tokens and text marks only: lengths from the marks' positions
        lengths = np.diff(separators, prepend=-1, append=ids.size) - 1
    else:
        lengths = np.bincount(np.cumsum(ids == _TEXT_MARK)[keep], minlength=n_texts)
    return TokenBatch(kept, lengths.astype(np.int64))


@cache
def _cached_tokens(name: str) -> Callable[[str], list[str]]:
    from nlpmetrics.metrics.text import sacrebleu_tokenizer

    tokenize_line = sacrebleu_tokenizer(name)

    def tokens(text: str) -> list[str]:
        return tokenize_line(text).split()

    return tokens


def make_tokenizer(lang: str, use_stemmer: bool) -> EnglishTokenizer | SacrebleuTokenizer:
    """Make the tokenizer ROUGE uses for ``lang``."""
    from nlpmetrics.metrics.text import tokenizer_for_lang

    name = tokenizer_for_lang(lang)
    if name is None:
        return EnglishTokenizer(use_stemmer)
    return SacrebleuTokenizer(name)


def rouge_sentences(text: str) -> list[str]:
    """Return the sentences of rougeLsum as rouge-score finds them: the non-empty lines of ``text``."""
    return [line for line in text.split("\n") if line]


def split_sentences(text: str) -> str:
    """``text`` with a newline after each sentence end (``.!?`` before white space, or ``。！？``).

    This is nlpmetrics' own splitter for ``split_sentences=True`` (rouge-score's
    ``split_summaries=True`` needs NLTK's punkt data, which is not available
    offline).  Existing newlines stay sentence breaks.
    """
    return "\n".join(part for part in _SENTENCE_END.split(text) if part)
