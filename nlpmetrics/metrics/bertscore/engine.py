"""The heavy half of BERTScore: load a model once, embed each distinct text once, match tokens greedily.

torch and transformers are imported inside functions only, so importing this module stays
cheap.  The numbers follow bert-score 0.3.13's ``score()``:

* texts become token ids as bert-score's ``sent_encode`` intends (:mod:`.tokens`);
* token vectors are the output of layer ``num_layers`` (the model is cut there, as bert-score
  does, :mod:`.models`), L2-normalised;
* tokens are matched greedily and the similarities averaged with idf weights (:mod:`.matching`);
  without idf every token weighs 1 except the ``[CLS]``/``[SEP]`` ids, which weigh 0.

Speed comes from encoding each distinct text once, in batches of (nearly) one token length cut by
a token budget that suits the device (:mod:`.batching`: cache-sized batches on a CPU, large ones on
a GPU; a batch of one length runs with no attention mask), under ``torch.inference_mode``, with
at most one torch thread per usable core, tokenizing each chunk of pairs once (idf counts come
from the same token ids), and matching tokens with a few batched matrix products.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpmetrics.metrics.bertscore.batching import cpu_threads, plan_batches, token_budget
from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies, IdfWeights
from nlpmetrics.metrics.bertscore.matching import f1_scores, greedy_match
from nlpmetrics.metrics.bertscore.models import (
    baseline_file,
    clear_tokenizers,
    default_layer,
    default_model,
    import_torch,
    load_network,
    read_baseline,
    resolve_device,
    resolve_layer,
)
from nlpmetrics.metrics.bertscore.tables import MODEL_LAYERS
from nlpmetrics.metrics.bertscore.tokens import TokenizedTexts, clear_sentence_tokenizers, get_sentence_tokenizer

__all__ = [
    "MODEL_LAYERS", "Encoder", "baseline_file", "clear_cache", "default_layer", "default_model", "get_encoder",
    "get_sentence_tokenizer", "read_baseline", "resolve_device", "resolve_layer",
]

#: Elements of the padded similarity tensor per matching batch.
MATCH_BUDGET = 1 << 24
#: Elements of the gathered token vectors per matching batch.
GATHER_BUDGET = 1 << 26
#: Pairs scored per chunk, and characters of text per chunk (bound the memory held by embeddings at once).
CHUNK_PAIRS = 4096
CHUNK_CHARACTERS = 1 << 21
#: Token vectors kept in each encoder's cache of text embeddings (least recently used dropped first).
CACHE_TOKENS = 1 << 16

_LOCK = threading.Lock()
_ENCODERS: dict[tuple, Encoder] = {}


def get_encoder(model: str, num_layers: int | None, device: str | None, dtype: str) -> Encoder:
    """Return the cached :class:`Encoder` for these settings (loaded on first use, then reused)."""
    device = resolve_device(device)
    layer = resolve_layer(model, num_layers)
    key = (model, layer, device, dtype)
    with _LOCK:
        encoder = _ENCODERS.get(key)
    if encoder is None:
        encoder = Encoder(model, layer, device, dtype)
        with _LOCK:
            encoder = _ENCODERS.setdefault(key, encoder)
    return encoder


def clear_cache() -> None:
    """Forget every loaded model and tokenizer (frees their memory)."""
    with _LOCK:
        _ENCODERS.clear()
    clear_tokenizers()
    clear_sentence_tokenizers()


@dataclass
class PreparedChunk:
    """One chunk of pairs as distinct stripped texts (content order), their token ids, and who is who."""

    distinct: list[str]
    tokens: TokenizedTexts
    hyp_index: np.ndarray
    ref_index: np.ndarray

    @property
    def reference_counts(self) -> np.ndarray:
        """How many of the chunk's references each distinct text is (idf counts each occurrence)."""
        return np.bincount(self.ref_index, minlength=len(self.distinct))


class Encoder:
    """A sentence tokenizer and a model cut at one layer, on one device, in one dtype.

    Made through :func:`get_encoder` (cached), so a model loads once per process.
    """

    def __init__(self, model: str, layer: int, device: str, dtype: str) -> None:
        torch, _ = import_torch()
        self.name = model
        self.layer = layer
        self.device = torch.device(device)
        self.dtype = dtype
        self.text = get_sentence_tokenizer(model)
        self.network, self.use_hidden_states = load_network(model, layer, self.device, dtype)
        self.hidden_size = self._probe_width()
        #: Tokenize the next chunk on a worker thread while the model runs (off on a CPU: the model uses every core).
        self.overlap_tokenization = self.device.type != "cpu"
        self.cache_tokens = CACHE_TOKENS
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cached_tokens = 0

    # ------------------------------------------------------------------ embeddings
    @property
    def match_dtype(self):
        """The dtype tokens are matched in: float64 (float32 on Apple GPUs, which have no float64)."""
        import torch

        return torch.float32 if self.device.type == "mps" else torch.float64

    def _probe_width(self) -> int:
        """Return the width of the chosen layer's vectors, read from one forward pass of an empty text."""
        import torch

        ids = torch.tensor(self.text.tokenize([""]).ids, dtype=torch.int64, device=self.device)
        with torch.inference_mode():
            return int(self._forward(ids, None).shape[-1])

    def _forward(self, input_ids, mask):
        if self.use_hidden_states:
            output = self.network(input_ids, attention_mask=mask, output_hidden_states=True)
            return output.hidden_states[self.layer]
        return self.network(input_ids, attention_mask=mask)[0]

    def embed_into(self, flat, offsets: np.ndarray, tokens: TokenizedTexts, budget: int,
                   progress: bool = False) -> None:
        """Write the float32 layer outputs of text ``t`` to ``flat[offsets[t]:offsets[t] + lengths[t]]``.

        Texts go through the model in the batches of :func:`~.batching.plan_batches`; a batch of
        one length has no padding and runs with no attention mask.
        """
        import torch

        bar = _progress_bar(len(tokens.ids), progress)
        lengths = tokens.lengths
        with torch.inference_mode():
            for batch in plan_batches(lengths, budget):
                batch_lengths = lengths[batch]
                longest = int(batch_lengths[0])
                real = np.arange(longest)[None, :] < batch_lengths[:, None]
                input_ids = np.full((len(batch), longest), self.text.pad_id, dtype=np.int64)
                input_ids[real] = np.concatenate([np.asarray(tokens.ids[i], dtype=np.int64) for i in batch])
                padded = not real.all()
                mask = torch.from_numpy(real.astype(np.int64)).to(self.device) if padded else None
                hidden = self._forward(torch.from_numpy(input_ids).to(self.device), mask)
                hidden = hidden.reshape(-1, hidden.shape[-1])
                target = (offsets[batch][:, None] + np.arange(longest)[None, :])[real]
                if padded:
                    hidden = hidden[torch.from_numpy(np.flatnonzero(real.ravel())).to(self.device)]
                flat.index_copy_(0, torch.from_numpy(target).to(self.device), hidden.to(flat.dtype))
                if bar is not None:
                    bar.update(len(batch))
        if bar is not None:
            bar.close()

    def embeddings(self, prepared: PreparedChunk, budget: int, progress: bool = False):
        """``(tokens + 1, hidden)`` float32 vectors of every distinct text, laid out as ``prepared.tokens.flat``.

        The last row (ones) pads the matching.  Texts already in this encoder's cache (least
        recently used out first, ``cache_tokens`` token vectors in all) are not encoded again:
        references scored again (each epoch of an eval loop) cost nothing, and a text keeps
        exactly the same vectors whichever batch it comes in.
        """
        import torch

        tokens, distinct = prepared.tokens, prepared.distinct
        offsets = tokens.offsets
        flat = torch.empty((int(tokens.lengths.sum()) + 1, self.hidden_size), dtype=torch.float32,
                           device=self.device)
        flat[-1] = 1.0
        missing = []
        with _LOCK:
            for i, text in enumerate(distinct):
                vector = self._cache.get(text)
                if vector is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end(text)
                    flat[int(offsets[i]):int(offsets[i]) + vector.shape[0]] = vector
        if not missing:
            return flat
        subset = tokens.subset(missing) if len(missing) < len(distinct) else tokens
        self.embed_into(flat, offsets[missing], subset, budget, progress)
        with _LOCK:
            for i in missing:
                length = int(tokens.lengths[i])
                if length <= self.cache_tokens and distinct[i] not in self._cache:
                    self._cache[distinct[i]] = flat[int(offsets[i]):int(offsets[i]) + length].clone()
                    self._cached_tokens += length
            while self._cached_tokens > self.cache_tokens and self._cache:
                _, old = self._cache.popitem(last=False)
                self._cached_tokens -= int(old.shape[0])
        return flat

    def clear_embeddings(self) -> None:
        """Empty this encoder's cache of text embeddings (the model stays loaded)."""
        with _LOCK:
            self._cache.clear()
            self._cached_tokens = 0

    # ------------------------------------------------------------------ scores
    def score(self, predictions: Sequence[str], references: Sequence[str], *, idf: IdfWeights | bool | None,
              batch_size: int | None = None, progress: bool = False) -> np.ndarray:
        """``(n, 3)`` float64 array of precision, recall, F1 for aligned text pairs.

        ``idf`` is a weight table, ``None``/``False`` (no idf) or ``True`` (idf from these
        references, as one ``bert_score.score`` call does).  ``batch_size`` is the encoding
        budget in units of 1,024 tokens; ``None`` picks the device's (:func:`~.batching.token_budget`).
        Pairs are scored in chunks.  On a GPU the next chunk is tokenized on a worker thread while
        the current one runs; on a CPU the model uses every core, so chunks are tokenized in turn.
        """
        torch, _ = import_torch()
        out = np.zeros((len(predictions), 3), dtype=np.float64)
        if not len(predictions):
            return out
        budget = token_budget(batch_size, self.device.type)
        chunks = _chunks(predictions, references)
        if idf is True and len(chunks) > 1:  # weights from every reference before the first chunk is scored
            idf = self.text.document_frequencies(references).idf()
        fixed = None if idf is True else self.text.weight_table(idf if isinstance(idf, IdfWeights) else None)
        on_cpu = self.device.type == "cpu"
        with cpu_threads(torch) if on_cpu else nullcontext():
            if not self.overlap_tokenization:
                for chunk in chunks:
                    prepared = self._prepare(predictions[chunk], references[chunk])
                    out[chunk] = self._score_chunk(prepared, fixed, budget, progress)
                return out
            with ThreadPoolExecutor(max_workers=1) as pool:
                pending = pool.submit(self._prepare, predictions[chunks[0]], references[chunks[0]])
                for k, chunk in enumerate(chunks):
                    prepared = pending.result()
                    if k + 1 < len(chunks):
                        nxt = chunks[k + 1]
                        pending = pool.submit(self._prepare, predictions[nxt], references[nxt])
                    out[chunk] = self._score_chunk(prepared, fixed, budget, progress)
        return out

    def _prepare(self, predictions: Sequence[str], references: Sequence[str]) -> PreparedChunk:
        """Distinct stripped texts (in content order, so results do not depend on input order) and their ids."""
        predictions = [t.strip() for t in predictions]
        references = [t.strip() for t in references]
        distinct = sorted(set(predictions) | set(references))
        position = {text: i for i, text in enumerate(distinct)}
        hyp_index = np.fromiter((position[t] for t in predictions), dtype=np.int64, count=len(predictions))
        ref_index = np.fromiter((position[t] for t in references), dtype=np.int64, count=len(references))
        return PreparedChunk(distinct, self.text.tokenize(distinct), hyp_index, ref_index)

    def _score_chunk(self, prepared: PreparedChunk, weights: np.ndarray | None, budget: int,
                     progress: bool) -> np.ndarray:
        import torch

        tokens = prepared.tokens
        if weights is None:  # idf=True in one chunk: counted on the token ids already made, not tokenized again
            counts = DocumentFrequencies().add_token_arrays(tokens.flat, tokens.lengths, prepared.reference_counts)
            weights = self.text.weight_table(counts.idf())
        flat = self.embeddings(prepared, budget, progress)
        token_weights = torch.from_numpy(np.append(weights[tokens.flat], 0.0)).to(self.device, self.match_dtype)
        lengths = tokens.lengths
        precision, recall = greedy_match(flat, token_weights, tokens.offsets, lengths, prepared.hyp_index,
                                         prepared.ref_index, match_budget=MATCH_BUDGET, gather_budget=GATHER_BUDGET)
        return f1_scores(precision, recall, lengths[prepared.hyp_index], lengths[prepared.ref_index])


def _chunks(predictions: Sequence[str], references: Sequence[str]) -> list[slice]:
    """Consecutive slices of at most ``CHUNK_PAIRS`` pairs and about ``CHUNK_CHARACTERS`` characters."""
    chunks, start, size = [], 0, 0
    for i, (prediction, reference) in enumerate(zip(predictions, references, strict=True)):
        size += len(prediction) + len(reference)
        if i + 1 - start >= CHUNK_PAIRS or size >= CHUNK_CHARACTERS:
            chunks.append(slice(start, i + 1))
            start, size = i + 1, 0
    if start < len(predictions) or not chunks:
        chunks.append(slice(start, len(predictions)))
    return chunks


def _progress_bar(total: int, wanted: bool):
    """Return a tqdm bar on stderr when asked for, stderr is a terminal, and there is enough work to watch."""
    if not wanted or total < 1024 or not sys.stderr.isatty():
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="text", desc="BERTScore embeddings", leave=False, file=sys.stderr)
