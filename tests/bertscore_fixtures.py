"""Tiny random transformer models saved to a folder, for offline BERTScore tests.

Nothing is downloaded: a WordPiece (BERT) or byte-level BPE (RoBERTa)
tokenizer is trained with ``tokenizers`` on a few hundred generated
sentences, and a model with random weights and a hidden size of 32 is saved
next to it.  Random encoders give nearly orthogonal token vectors; real ones
are anisotropic (all cosine similarities positive), so the output LayerNorm
biases are shifted to a shared positive vector to mimic that.  This keeps the
tests on the regime real models live in (bert-score floors a token's best
similarity at 0 through its padding except for the longest texts of a batch,
a difference only negative similarities expose).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

#: Environment variable naming a tiny BERT folder (set by the test session fixture).
TINY_BERT_ENV = "NLPMETRICS_TINY_BERT"

_SUBJECTS = ["the cat", "a dog", "my neighbour", "the old man", "a small child", "the teacher", "our team",
             "the committee", "a bird", "the engineer", "her brother", "the company"]
_VERBS = ["sat on", "looked at", "walked to", "painted", "bought", "repaired", "visited", "found", "lost",
          "described", "carried", "watched"]
_OBJECTS = ["the mat", "a red car", "the station", "an old house", "the garden", "a new phone", "the river",
            "the report", "a wooden chair", "the market", "the bridge", "a blue door"]
_TAILS = ["yesterday", "in the morning", "before lunch", "after the storm", "with great care", "quickly",
          "for the first time", "again", "without a word", "last week", "", ""]


def sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` simple English sentences, generated reproducibly."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS), rng.choice(_TAILS)]
        text = " ".join(w for w in words if w).strip()
        out.append(text[0].upper() + text[1:] + rng.choice([".", ".", "!", "?"]))
    return out


def _make_anisotropic(model, shift: float = 0.6) -> None:
    import torch

    generator = torch.Generator().manual_seed(1)
    for layer in model.encoder.layer:
        bias = layer.output.LayerNorm.bias
        with torch.no_grad():
            bias.copy_(shift + 0.1 * torch.rand(bias.shape, generator=generator))


def build_tiny_bert(folder: str | os.PathLike, *, layers: int = 3, max_length: int = 48, seed: int = 0) -> Path:
    """Save a random BERT (hidden 32) and a trained WordPiece tokenizer in ``folder``."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, BertTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    trainer_tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    trainer_tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    trainer_tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer = trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials)
    trainer_tokenizer.train_from_iterator(sentences(400, seed=seed), trainer)
    tokenizer = BertTokenizer(vocab=trainer_tokenizer.get_vocab(), do_lower_case=True)
    tokenizer.model_max_length = max_length
    tokenizer.save_pretrained(folder)

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=layers, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=max(64, max_length), pad_token_id=0)
    model = BertModel(config).eval()
    _make_anisotropic(model)
    model.save_pretrained(folder)
    return folder


def build_tiny_distilbert(folder: str | os.PathLike, *, layers: int = 3, seed: int = 0) -> Path:
    """Save a random DistilBERT (layers under ``transformer.layer``) with the tiny BERT's WordPiece tokenizer."""
    import torch
    from transformers import BertTokenizer, DistilBertConfig, DistilBertModel

    folder = Path(folder)
    build_tiny_bert(folder, layers=1, seed=seed)  # the tokenizer; the BERT weights are replaced below
    tokenizer = BertTokenizer.from_pretrained(folder)
    torch.manual_seed(seed)
    config = DistilBertConfig(vocab_size=len(tokenizer), dim=32, n_layers=layers, n_heads=4, hidden_dim=64,
                              max_position_embeddings=64, pad_token_id=0)
    for name in ("model.safetensors", "pytorch_model.bin"):
        (folder / name).unlink(missing_ok=True)
    DistilBertModel(config).eval().save_pretrained(folder)
    return folder


def build_tiny_roberta(folder: str | os.PathLike, *, layers: int = 2, seed: int = 0) -> Path:
    """Save a random RoBERTa (hidden 32) and a trained byte-level BPE tokenizer in ``folder``."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    trainer = trainers.BpeTrainer(vocab_size=500, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(sentences(400, seed=seed), trainer)
    import json

    merges = json.loads(bpe.to_str())["model"]["merges"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in merges]
    tokenizer = RobertaTokenizer(vocab=bpe.get_vocab(), merges=merges)
    tokenizer.model_max_length = 64
    tokenizer.save_pretrained(folder)

    torch.manual_seed(seed)
    config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=layers, num_attention_heads=4,
                           intermediate_size=64, max_position_embeddings=66, pad_token_id=1, bos_token_id=0,
                           eos_token_id=2)
    model = RobertaModel(config).eval()
    _make_anisotropic(model)
    model.save_pretrained(folder)
    return folder


def tiny_bert_path() -> Path:
    """Return the tiny BERT of this test session: ``$NLPMETRICS_TINY_BERT`` or one built in a temp folder once."""
    given = os.environ.get(TINY_BERT_ENV)
    if given and Path(given, "config.json").is_file():
        return Path(given)
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="nlpmetrics-tiny-bert-"))
    build_tiny_bert(folder)
    os.environ[TINY_BERT_ENV] = str(folder)
    return folder
