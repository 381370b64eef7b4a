"""Texts to token ids exactly as bert-score's ``sent_encode`` intends, in one fast-tokenizer call.

* a text is stripped and encoded with the tokenizer's special tokens, cut at the tokenizer's
  ``model_max_length`` (or the model's position limit when the tokenizer was saved without one);
  an empty text is just the special tokens;
* RoBERTa/GPT-2 (byte-level BPE) tokenizers get the leading space bert-score asks for with
  ``add_prefix_space=True`` (transformers 5 ignores that argument, so it is added to the text here).

Only the tokenizer and the model's config are needed (no weights), so the first pass of exact
idf over a corpus's references stays cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies, IdfWeights
from nlpmetrics.metrics.bertscore.models import load_config, load_tokenizer

#: A tokenizer ``model_max_length`` above this means "not set" (transformers' huge sentinel).
_UNSET_MAX_LENGTH = 1_000_000
#: Tokenizer classes whose texts bert-score encodes with a leading space.
_PREFIX_SPACE_TOKENIZERS = {"GPT2Tokenizer", "GPT2TokenizerFast", "RobertaTokenizer", "RobertaTokenizerFast"}
#: Model types whose position ids start after the padding index (two positions unusable).
_OFFSET_POSITION_MODELS = {"roberta", "xlm-roberta", "camembert", "data2vec-text", "xmod", "roberta-prelayernorm"}

_LOCK = threading.Lock()
_SENTENCE_TOKENIZERS: dict[str, SentenceTokenizer] = {}


@dataclass
class TokenizedTexts:
    """Token ids of texts (``ids[t]``, a list per text) with their lengths; ``flat`` is every id in one array."""

    ids: list[list[int]]
    lengths: np.ndarray
    _flat: np.ndarray | None = field(default=None, repr=False)

    @property
    def flat(self) -> np.ndarray:
        """All ids, text after text (text ``t`` at ``offsets[t]:offsets[t] + lengths[t]``), as int64."""
        if self._flat is None:
            total = int(self.lengths.sum())
            self._flat = np.fromiter((i for ids in self.ids for i in ids), dtype=np.int64, count=total)
        return self._flat

    @property
    def offsets(self) -> np.ndarray:
        """Where each text starts in :attr:`flat`."""
        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)

    def subset(self, index: Sequence[int] | np.ndarray) -> TokenizedTexts:
        """Return the texts at ``index``, in that order."""
        index = np.asarray(index, dtype=np.int64)
        return TokenizedTexts([self.ids[i] for i in index.tolist()], self.lengths[index])


class SentenceTokenizer:
    """Turns texts into token ids exactly as bert-score's ``sent_encode`` intends."""

    def __init__(self, model: str, config=None) -> None:
        self.name = model
        self.tokenizer = load_tokenizer(model)
        self.config = config if config is not None else load_config(model)
        tok = self.tokenizer
        self.prefix_space = any(cls.__name__ in _PREFIX_SPACE_TOKENIZERS for cls in type(tok).__mro__)
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
        self.special_ids = sorted({i for i in (tok.cls_token_id, tok.sep_token_id) if i is not None})
        self.max_length = self._max_length()

    def _max_length(self) -> int:
        length = self.tokenizer.model_max_length
        if isinstance(length, int) and 0 < length < _UNSET_MAX_LENGTH:
            return length
        positions = getattr(self.config, "max_position_embeddings", None)
        if not isinstance(positions, int):
            return 512
        return positions - 2 if getattr(self.config, "model_type", "") in _OFFSET_POSITION_MODELS else positions

    def tokenize(self, texts: Sequence[str]) -> TokenizedTexts:
        """Token ids: text stripped, specials added, cut at ``max_length``; "" gives only the specials."""
        prepared = []
        for text in texts:
            text = text.strip()
            prepared.append(" " + text if self.prefix_space and text else text)
        if not prepared:
            return TokenizedTexts([], np.zeros(0, dtype=np.int64))
        encoded = self.tokenizer(prepared, add_special_tokens=True, truncation=True, max_length=self.max_length,
                                 return_attention_mask=False, return_token_type_ids=False)["input_ids"]
        lengths = np.fromiter((len(i) for i in encoded), dtype=np.int64, count=len(encoded))
        return TokenizedTexts(list(encoded), lengths)

    def document_frequencies(self, references: Sequence[str]) -> DocumentFrequencies:
        """Document frequencies of token ids over ``references`` (one document each)."""
        tokens = self.tokenize(references)
        return DocumentFrequencies().add_token_arrays(tokens.flat, tokens.lengths)

    def weight_table(self, idf: IdfWeights | None) -> np.ndarray:
        """Weight of every token id: idf, or 1 with the [CLS]/[SEP] ids at 0 (bert-score's no-idf table)."""
        vocab = getattr(self.config, "vocab_size", 0)
        size = max(len(self.tokenizer), vocab if isinstance(vocab, int) else 0)
        if idf is None:
            table = np.ones(size, dtype=np.float64)
            table[self.special_ids] = 0.0
            return table
        table = np.full(size, idf.default, dtype=np.float64)
        ids = np.fromiter(idf.keys(), dtype=np.int64, count=len(idf))
        weights = np.fromiter((idf[i] for i in ids.tolist()), dtype=np.float64, count=len(ids))
        inside = (ids >= 0) & (ids < size)
        table[ids[inside]] = weights[inside]
        return table


def get_sentence_tokenizer(model: str) -> SentenceTokenizer:
    """Return the cached :class:`SentenceTokenizer` of ``model`` (tokenizer and config only)."""
    with _LOCK:
        found = _SENTENCE_TOKENIZERS.get(model)
    if found is None:
        found = SentenceTokenizer(model)
        with _LOCK:
            found = _SENTENCE_TOKENIZERS.setdefault(model, found)
    return found


def clear_sentence_tokenizers() -> None:
    """Forget the cached sentence tokenizers."""
    with _LOCK:
        _SENTENCE_TOKENIZERS.clear()
