"""The heavy half of BERTScore: load a model once, embed sentences fast, match tokens greedily.

torch and transformers are imported inside functions only, so importing this
module stays cheap.  The numbers follow bert-score 0.3.13's ``score()``:

* a text is stripped and encoded with the tokenizer's special tokens, cut at
  the tokenizer's ``model_max_length``; an empty text is just the special
  tokens.  RoBERTa/GPT-2 (byte-level BPE) tokenizers get the leading space
  bert-score asks for with ``add_prefix_space=True`` (transformers 5 ignores
  that argument, so it is added to the text here);
* token vectors are the output of layer ``num_layers`` (the model is cut
  there, as bert-score does), L2-normalised;
* every token of one side is matched to its most similar token of the other
  side (the special tokens take part in the matching) and the similarities
  are averaged with idf weights; without idf every token weighs 1 except the
  ``[CLS]``/``[SEP]`` ids, which weigh 0;
* ``F = 2PR / (P + R)`` (NaN -> 0), and when either text is empty (two tokens:
  only the specials) ``P`` and ``R`` are 0.

A token's best similarity is floored at 0, as bert-score's zero padding
does for every pair except the longest texts of each batch of 64 (whose
negative similarities it keeps).  That difference only shows when all of a
token's similarities to the other text are negative, which trained encoders
such as roberta-large practically never give, and sentence-embedding models
such as all-MiniLM-L6-v2 rarely give on unrelated pairs.  Flooring always
keeps the number independent of batch composition and input order.

Speed comes from encoding each distinct text once, in batches of similar
length cut by a token budget (not a fixed count), under
``torch.inference_mode``, with optional bf16/fp16 weights on a GPU.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError, missing_dependency
from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies, IdfWeights
from nlpmetrics.metrics.bertscore.tables import DEFAULT_MULTILINGUAL_MODEL, LANG_MODELS, MODEL_LAYERS

#: Tokens (padded) per encoding batch for each unit of the ``batch_size`` option.
TOKENS_PER_BATCH_UNIT = 1024
#: Elements of the padded similarity tensor per matching batch.
MATCH_BUDGET = 1 << 24
#: Elements of the gathered token vectors per matching batch.
GATHER_BUDGET = 1 << 26
#: Pairs scored per chunk, and characters of text per chunk (bound the memory held by embeddings at once).
CHUNK_PAIRS = 4096
CHUNK_CHARACTERS = 1 << 21
#: Token vectors kept in each encoder's cache of text embeddings (least recently used dropped first).
CACHE_TOKENS = 1 << 16
#: A tokenizer ``model_max_length`` above this means "not set" (transformers' huge sentinel).
_UNSET_MAX_LENGTH = 1_000_000
#: Tokenizer classes whose texts bert-score encodes with a leading space.
_PREFIX_SPACE_TOKENIZERS = {"GPT2Tokenizer", "GPT2TokenizerFast", "RobertaTokenizer", "RobertaTokenizerFast"}
#: Model types whose position ids start after the padding index (two positions unusable).
_OFFSET_POSITION_MODELS = {"roberta", "xlm-roberta", "camembert", "data2vec-text", "xmod", "roberta-prelayernorm"}

_LOCK = threading.Lock()
_ENCODERS: dict[tuple, Encoder] = {}
_TOKENIZERS: dict[str, Any] = {}
_SENTENCE_TOKENIZERS: dict[str, SentenceTokenizer] = {}


# ---------------------------------------------------------------------------------------------- model choice
def default_model(lang: str) -> str:
    """bert-score's model for ``lang`` (``bert-base-multilingual-cased`` for any unlisted language, e.g. ``ja``)."""
    return LANG_MODELS.get(lang.lower(), DEFAULT_MULTILINGUAL_MODEL)


def table_name(model: str) -> str | None:
    """The name under which bert-score's tables know ``model``: itself, or a local folder's name."""
    if model in MODEL_LAYERS:
        return model
    base = os.path.basename(os.path.normpath(model))
    return base if base in MODEL_LAYERS else None


def default_layer(model: str) -> int | None:
    """bert-score's layer for ``model``, or ``None`` (meaning: the model's last layer)."""
    name = table_name(model)
    return MODEL_LAYERS[name] if name is not None else None


def resolve_layer(model: str, num_layers: int | None) -> int:
    """The layer to use: the option, else bert-score's table, else the model's last layer."""
    if num_layers is not None:
        return num_layers
    layer = default_layer(model)
    if layer is not None:
        return layer
    return _config_layers(load_config(model))


def baseline_file(model: str, lang: str) -> str:
    """Path of bert-score's rescaling baseline for ``model`` and ``lang``; InputError if there is none."""
    import importlib.util

    spec = importlib.util.find_spec("bert_score")
    name = table_name(model) or model
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "rescale_with_baseline=True reads the baseline files that bert-score ships, and bert-score is not "
            "installed; install it with: pip install bert-score==0.3.13"
        )
    path = os.path.join(list(spec.submodule_search_locations)[0], "rescale_baseline", lang.lower(), f"{name}.tsv")
    if not os.path.isfile(path):
        raise InputError(
            f"rescale_with_baseline=True but bert-score has no baseline for model {name!r} and lang {lang!r} "
            f"(missing file {path}); use a model and lang with a baseline file (e.g. lang='en' with "
            "model='roberta-large'), or set rescale_with_baseline=False"
        )
    return path


def read_baseline(path: str, layer: int) -> np.ndarray:
    """The (P, R, F) baseline of ``layer`` from a bert-score ``.tsv`` (a CSV with a LAYER column)."""
    with open(path, encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    rows = [line.split(",") for line in lines[1:]]
    if not 0 <= layer < len(rows):
        raise InputError(
            f"the baseline file {path} has no row for layer {layer} (it has {len(rows)} rows): pass num_layers= "
            f"between 0 and {len(rows) - 1}, or set rescale_with_baseline=False"
        )
    return np.asarray([float(v) for v in rows[layer][1:4]], dtype=np.float64)


# ---------------------------------------------------------------------------------------------- loading
def _import_torch():
    try:
        import torch
        import transformers
    except ImportError as error:
        raise missing_dependency(error.name or "torch", "bertscore") from error
    return torch, transformers


def _not_found(model: str, error: Exception) -> InputError:
    return InputError(
        f"could not load BERTScore model {model!r} ({type(error).__name__}: {str(error).splitlines()[0][:200]}); "
        "it is neither a local folder with config.json, tokenizer and weights, nor a Hugging Face hub model "
        "reachable now (offline?). Point model= at a local folder, e.g. model='/models/roberta-large' "
        "(make one on a connected machine with AutoModel.from_pretrained(name).save_pretrained(folder) and the "
        "same for AutoTokenizer)"
    )


def load_config(model: str):
    """The model's transformers config, with a clear error when it cannot be found."""
    _, transformers = _import_torch()
    try:
        return transformers.AutoConfig.from_pretrained(model)
    except (OSError, ValueError) as error:
        raise _not_found(model, error) from error


def _config_layers(config) -> int:
    for attribute in ("num_hidden_layers", "n_layer", "n_layers", "num_layers"):
        value = getattr(config, attribute, None)
        if isinstance(value, int):
            return value
    raise InputError(f"cannot tell how many layers model {config.name_or_path!r} has; pass num_layers=")


def load_tokenizer(model: str):
    """The model's (fast) tokenizer, loaded once per process."""
    with _LOCK:
        if model not in _TOKENIZERS:
            _, transformers = _import_torch()
            try:
                _TOKENIZERS[model] = transformers.AutoTokenizer.from_pretrained(model)
            except (OSError, ValueError) as error:
                raise _not_found(model, error) from error
        return _TOKENIZERS[model]


def resolve_device(device: str | None) -> str:
    """``device`` checked against what torch sees; ``None`` is a GPU when there is one, else the CPU."""
    torch, _ = _import_torch()
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(
            f"device={device!r} was asked for but torch sees no CUDA GPU here (torch {torch.__version__}, "
            "torch.cuda.is_available() is False); use device='cpu' or install a CUDA build of torch"
        )
    if device == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise InputError("device='mps' was asked for but torch sees no Apple GPU; use device='cpu'")
    return device


def get_encoder(model: str, num_layers: int | None, device: str | None, dtype: str) -> Encoder:
    """The cached :class:`Encoder` for these settings (loaded on first use, then reused)."""
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
        _TOKENIZERS.clear()
        _SENTENCE_TOKENIZERS.clear()


def _cut_layers(model, layers: int) -> bool:
    """Keep the first ``layers`` layers, as bert-score does; False when the architecture is not known."""
    import torch

    for owner_name, attribute in (("encoder", "layer"), ("transformer", "layer"), ("encoder", "block"),
                                  ("", "layers"), ("", "layer")):
        owner = getattr(model, owner_name) if owner_name else model
        stack = getattr(owner, attribute, None) if owner is not None else None
        if isinstance(stack, torch.nn.ModuleList):
            if not 0 <= layers <= len(stack):
                raise InputError(f"num_layers={layers} but the model has {len(stack)} layers; choose 0..{len(stack)}")
            setattr(owner, attribute, torch.nn.ModuleList(list(stack)[:layers]))
            return True
    return False


@dataclass
class TokenizedTexts:
    """Token ids of distinct texts, with their lengths."""

    ids: list[list[int]]
    lengths: np.ndarray


class SentenceTokenizer:
    """Turns texts into token ids exactly as bert-score's ``sent_encode`` intends.

    Needs only the tokenizer and the model's config (no weights), so a first
    pass over the references (document frequencies for idf) stays cheap.
    """

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
        encoded = self.tokenizer(prepared, add_special_tokens=True, truncation=True, max_length=self.max_length,
                                 return_attention_mask=False, return_token_type_ids=False)["input_ids"]
        lengths = np.fromiter((len(i) for i in encoded), dtype=np.int64, count=len(encoded))
        return TokenizedTexts(list(encoded), lengths)

    def document_frequencies(self, references: Sequence[str]) -> DocumentFrequencies:
        """Document frequencies of token ids over ``references`` (one document each)."""
        return DocumentFrequencies().add_token_ids(self.tokenize(references).ids)

    def weight_table(self, idf: IdfWeights | None) -> np.ndarray:
        """Weight of every token id: idf, or 1 with the [CLS]/[SEP] ids at 0 (bert-score's no-idf table)."""
        vocab = getattr(self.config, "vocab_size", 0)
        size = max(len(self.tokenizer), vocab if isinstance(vocab, int) else 0)
        if idf is None:
            table = np.ones(size, dtype=np.float64)
            table[self.special_ids] = 0.0
            return table
        table = np.full(size, idf.default, dtype=np.float64)
        for token, weight in idf.items():
            if 0 <= token < size:
                table[token] = weight
        return table


def get_sentence_tokenizer(model: str) -> SentenceTokenizer:
    """The cached :class:`SentenceTokenizer` of ``model`` (tokenizer and config only)."""
    with _LOCK:
        found = _SENTENCE_TOKENIZERS.get(model)
    if found is None:
        found = SentenceTokenizer(model)
        with _LOCK:
            found = _SENTENCE_TOKENIZERS.setdefault(model, found)
    return found


class Encoder:
    """A sentence tokenizer and a model cut at one layer, on one device, in one dtype.

    Made through :func:`get_encoder` (cached), so a model loads once per process.
    """

    def __init__(self, model: str, layer: int, device: str, dtype: str) -> None:
        torch, transformers = _import_torch()
        self.name = model
        self.layer = layer
        self.device = torch.device(device)
        self.dtype = dtype
        self.text = get_sentence_tokenizer(model)
        loader = transformers.T5EncoderModel if "t5" in model.lower() else transformers.AutoModel
        with _quiet_loading(transformers):
            try:
                network = loader.from_pretrained(model)
            except (OSError, ValueError) as error:
                raise _not_found(model, error) from error
        if hasattr(network, "encoder") and hasattr(network, "decoder"):
            network = network.encoder
        self.use_hidden_states = not _cut_layers(network, layer)
        if self.use_hidden_states and not 0 <= layer <= _config_layers(network.config):
            layers = _config_layers(network.config)
            raise InputError(f"num_layers={layer} but the model has {layers} layers; choose 0..{layers}")
        network.eval()
        torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
        self.network = network.to(device=self.device, dtype=torch_dtype)
        self.cache_tokens = CACHE_TOKENS
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._cached_tokens = 0

    # ------------------------------------------------------------------ embeddings
    def embed(self, tokens: TokenizedTexts, budget_tokens: int = 64 * TOKENS_PER_BATCH_UNIT,
              progress: bool = False) -> list:
        """One float32 ``(length, hidden)`` tensor of layer outputs per text, on the device.

        Texts are sorted by length and batched so that a batch holds at most
        ``budget_tokens`` tokens including padding.
        """
        import torch

        order = np.argsort(tokens.lengths, kind="stable")[::-1]
        budget = max(1, budget_tokens)
        out: list = [None] * len(tokens.ids)
        bar = _progress_bar(len(order), progress)
        start = 0
        with torch.inference_mode():
            while start < len(order):
                longest = int(tokens.lengths[order[start]])
                count = max(1, budget // max(longest, 1))
                batch = order[start:start + count]
                start += len(batch)
                lengths = tokens.lengths[batch]
                real = np.arange(longest)[None, :] < lengths[:, None]
                input_ids = np.full((len(batch), longest), self.text.pad_id, dtype=np.int64)
                input_ids[real] = np.concatenate([np.asarray(tokens.ids[i], dtype=np.int64) for i in batch])
                hidden = self._forward(torch.from_numpy(input_ids).to(self.device, non_blocking=True),
                                       torch.from_numpy(real.astype(np.int64)).to(self.device, non_blocking=True)
                                       ).float()
                for row, index in enumerate(batch):
                    out[index] = hidden[row, : int(tokens.lengths[index])]
                if bar is not None:
                    bar.update(len(batch))
        if bar is not None:
            bar.close()
        return out

    def clear_embeddings(self) -> None:
        """Empty this encoder's cache of text embeddings (the model stays loaded)."""
        with _LOCK:
            self._cache.clear()
            self._cached_tokens = 0

    @property
    def match_dtype(self):
        import torch

        return torch.float32 if self.device.type == "mps" else torch.float64

    def _forward(self, input_ids, mask):
        if self.use_hidden_states:
            output = self.network(input_ids, attention_mask=mask, output_hidden_states=True)
            return output.hidden_states[self.layer]
        return self.network(input_ids, attention_mask=mask)[0]

    def embeddings_for(self, distinct_texts: Sequence[str], tokens: TokenizedTexts, budget_tokens: int,
                       progress: bool = False) -> list:
        """Embeddings of texts (``tokens`` are their ids), taken from the cache where already computed.

        The cache (least recently used out first, ``cache_tokens`` token
        vectors in all) means references scored again (each epoch of an eval
        loop) are not encoded again, and a text keeps exactly the same vectors
        whichever batch it comes in.
        """
        out: list = [None] * len(distinct_texts)
        missing = []
        with _LOCK:
            for i, text in enumerate(distinct_texts):
                vector = self._cache.get(text)
                if vector is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = vector
        if missing:
            subset = TokenizedTexts([tokens.ids[i] for i in missing], tokens.lengths[missing])
            vectors = self.embed(subset, budget_tokens, progress)
            with _LOCK:
                for i, vector in zip(missing, vectors, strict=True):
                    out[i] = vector
                    length = int(tokens.lengths[i])
                    if length <= self.cache_tokens and distinct_texts[i] not in self._cache:
                        self._cache[distinct_texts[i]] = vector.clone()  # a view would pin its whole batch
                        self._cached_tokens += length
                while self._cached_tokens > self.cache_tokens and self._cache:
                    _, old = self._cache.popitem(last=False)
                    self._cached_tokens -= int(old.shape[0])
        return out

    # ------------------------------------------------------------------ scores
    def score(self, predictions: Sequence[str], references: Sequence[str], *, idf: IdfWeights | None,
              batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """``(n, 3)`` float64 array of precision, recall, F1 for aligned text pairs.

        Pairs are scored in chunks; the next chunk is tokenized on a worker
        thread while the current one runs on the model.
        """
        from concurrent.futures import ThreadPoolExecutor

        budget = batch_size * TOKENS_PER_BATCH_UNIT
        weights = self.text.weight_table(idf)
        out = np.zeros((len(predictions), 3), dtype=np.float64)
        chunks = _chunks(predictions, references)
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(self._prepare, predictions[chunks[0]], references[chunks[0]])
            for k, chunk in enumerate(chunks):
                prepared = pending.result()
                if k + 1 < len(chunks):
                    nxt = chunks[k + 1]
                    pending = pool.submit(self._prepare, predictions[nxt], references[nxt])
                out[chunk] = self._score_chunk(prepared, weights, budget, progress)
        return out

    def _prepare(self, predictions: Sequence[str], references: Sequence[str]):
        """Distinct stripped texts (in content order, so results do not depend on input order), their ids."""
        predictions = [t.strip() for t in predictions]
        references = [t.strip() for t in references]
        distinct = sorted(set(predictions) | set(references))
        position = {text: i for i, text in enumerate(distinct)}
        hyp_index = np.fromiter((position[t] for t in predictions), dtype=np.int64, count=len(predictions))
        ref_index = np.fromiter((position[t] for t in references), dtype=np.int64, count=len(references))
        return distinct, self.text.tokenize(distinct), hyp_index, ref_index

    def _score_chunk(self, prepared, weights: np.ndarray, budget: int, progress: bool) -> np.ndarray:
        import torch

        distinct, tokens, hyp_index, ref_index = prepared
        embeddings = self.embeddings_for(distinct, tokens, budget, progress)
        lengths = tokens.lengths
        flat_ids = np.concatenate([np.asarray(i, dtype=np.int64) for i in tokens.ids])
        token_weights = torch.from_numpy(np.append(weights[flat_ids], 0.0)).to(self.device, self.match_dtype)
        flat = torch.cat([*embeddings, embeddings[0].new_ones((1, embeddings[0].shape[1]))])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        precision, recall = _greedy_match(flat, token_weights, offsets, lengths, hyp_index, ref_index)
        with np.errstate(divide="ignore", invalid="ignore"):
            f1 = 2 * precision * recall / (precision + recall)
        f1 = np.where(np.isnan(f1), 0.0, f1)
        empty = (lengths[hyp_index] == 2) | (lengths[ref_index] == 2)
        precision = np.where(empty, 0.0, precision)
        recall = np.where(empty, 0.0, recall)
        return np.stack([precision, recall, f1], axis=1)


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


def _gather_index(offsets: np.ndarray, lengths: np.ndarray, padding_row: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the flat token table for each text (padded with ``padding_row``) and the real-token mask."""
    positions = np.arange(int(lengths.max()))[None, :]
    mask = positions < lengths[:, None]
    index = np.where(mask, offsets[:, None] + positions, padding_row)
    return index, mask


def _greedy_match(flat, flat_weights, offsets: np.ndarray, lengths: np.ndarray, hyp_index: np.ndarray,
                  ref_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Idf-weighted mean of each token's best cosine similarity (floored at 0), per pair: (precision, recall).

    ``flat`` holds every text's token vectors one after another (text ``t``
    at rows ``offsets[t]:offsets[t] + lengths[t]``) plus a last row used for
    padding; ``flat_weights`` the matching weights.  Vectors are normalised in
    ``flat_weights``' dtype (float64 except on Apple GPUs), so a text matched
    with itself scores 1 to 1e-15.
    """
    import torch

    n = len(hyp_index)
    precision = np.empty(n, dtype=np.float64)
    recall = np.empty(n, dtype=np.float64)
    hyp_len, ref_len = lengths[hyp_index], lengths[ref_index]
    order = np.lexsort((ref_index, hyp_index, ref_len, hyp_len))
    padding_row = flat.shape[0] - 1
    device, dtype, width = flat.device, flat_weights.dtype, flat.shape[1]
    start = 0
    with torch.inference_mode():
        while start < n:
            stop = start + 1
            longest_h, longest_r = hyp_len[order[start]], ref_len[order[start]]
            while stop < n:
                lh, lr = max(longest_h, hyp_len[order[stop]]), max(longest_r, ref_len[order[stop]])
                count = stop - start + 1
                if count * lh * lr > MATCH_BUDGET or count * (lh + lr) * width > GATHER_BUDGET:
                    break
                longest_h, longest_r, stop = lh, lr, stop + 1
            pairs = order[start:stop]
            start = stop
            h_index, h_mask = _gather_index(offsets[hyp_index[pairs]], hyp_len[pairs], padding_row)
            r_index, r_mask = _gather_index(offsets[ref_index[pairs]], ref_len[pairs], padding_row)
            h_index, r_index = torch.from_numpy(h_index).to(device), torch.from_numpy(r_index).to(device)
            h_mask, r_mask = torch.from_numpy(h_mask).to(device), torch.from_numpy(r_mask).to(device)
            hyp, ref = flat[h_index].to(dtype), flat[r_index].to(dtype)
            hyp = hyp / hyp.norm(dim=-1, keepdim=True)
            ref = ref / ref.norm(dim=-1, keepdim=True)
            sim = torch.bmm(hyp, ref.transpose(1, 2))
            sim = sim.masked_fill(~(h_mask[:, :, None] & r_mask[:, None, :]), float("-inf"))
            word_precision = sim.max(dim=2).values.clamp_min(0.0).masked_fill(~h_mask, 0.0)
            word_recall = sim.max(dim=1).values.clamp_min(0.0).masked_fill(~r_mask, 0.0)
            hyp_w, ref_w = flat_weights[h_index], flat_weights[r_index]
            p = (word_precision * hyp_w).sum(dim=1) / hyp_w.sum(dim=1)
            r = (word_recall * ref_w).sum(dim=1) / ref_w.sum(dim=1)
            precision[pairs] = p.cpu().double().numpy()
            recall[pairs] = r.cpu().double().numpy()
    return precision, recall


@contextmanager
def _quiet_loading(transformers):
    """Hide transformers' "Loading weights" bar when stderr is not a terminal (logs, CI, pipes)."""
    logging = transformers.utils.logging
    hide = not sys.stderr.isatty() and logging.is_progress_bar_enabled()
    if hide:
        logging.disable_progress_bar()
    try:
        yield
    finally:
        if hide:
            logging.enable_progress_bar()


def _progress_bar(total: int, wanted: bool):
    """A tqdm bar on stderr when asked for, stderr is a terminal, and there is enough work to watch."""
    if not wanted or total < 1024 or not sys.stderr.isatty():
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="text", desc="BERTScore embeddings", leave=False, file=sys.stderr)
