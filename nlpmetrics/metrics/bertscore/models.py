"""Which model, which layer, which device: BERTScore's choices, and loading a model the way bert-score does.

Defaults follow bert-score 0.3.13 (:mod:`.tables`); a model the tables do not know gets its last layer
instead of a ``KeyError``.  Loading cuts the model after the chosen layer, as bert-score does, so deeper
layers never run.  torch and transformers are imported inside functions only.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from contextlib import contextmanager
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError, missing_dependency
from nlpmetrics.metrics.bertscore.tables import DEFAULT_MULTILINGUAL_MODEL, LANG_MODELS, MODEL_LAYERS

_LOCK = threading.Lock()
_TOKENIZERS: dict[str, Any] = {}


# ---------------------------------------------------------------------------------------------- model choice
def default_model(lang: str) -> str:
    """bert-score's model for ``lang`` (``bert-base-multilingual-cased`` for any unlisted language, e.g. ``ja``)."""
    return LANG_MODELS.get(lang.lower(), DEFAULT_MULTILINGUAL_MODEL)


def table_name(model: str) -> str | None:
    """Return the name under which bert-score's tables know ``model``: itself, or a local folder's name."""
    if model in MODEL_LAYERS:
        return model
    base = os.path.basename(os.path.normpath(model))
    return base if base in MODEL_LAYERS else None


def default_layer(model: str) -> int | None:
    """bert-score's layer for ``model``, or ``None`` (meaning: the model's last layer)."""
    name = table_name(model)
    return MODEL_LAYERS[name] if name is not None else None


def resolve_layer(model: str, num_layers: int | None) -> int:
    """Return the layer to use: the option, else bert-score's table, else the model's last layer."""
    if num_layers is not None:
        return num_layers
    layer = default_layer(model)
    if layer is not None:
        return layer
    return config_layers(load_config(model))


# ---------------------------------------------------------------------------------------------- baselines
def baseline_file(model: str, lang: str) -> str:
    """Path of bert-score's rescaling baseline for ``model`` and ``lang``; InputError if there is none."""
    spec = importlib.util.find_spec("bert_score")
    name = table_name(model) or model
    if spec is None or not spec.submodule_search_locations:
        raise InputError(
            "rescale_with_baseline=True reads the baseline files that bert-score ships, and bert-score is not "
            "installed; install it with: pip install bert-score==0.3.13"
        )
    path = os.path.join(next(iter(spec.submodule_search_locations)), "rescale_baseline", lang.lower(), f"{name}.tsv")
    if not os.path.isfile(path):
        raise InputError(
            f"rescale_with_baseline=True but bert-score has no baseline for model {name!r} and lang {lang!r} "
            f"(missing file {path}); use a model and lang with a baseline file (e.g. lang='en' with "
            "model='roberta-large'), or set rescale_with_baseline=False"
        )
    return path


def read_baseline(path: str, layer: int) -> np.ndarray:
    """Read the (P, R, F) baseline of ``layer`` from a bert-score ``.tsv`` (a CSV with a LAYER column)."""
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
def import_torch():
    """``(torch, transformers)``, or the error naming the pip extra to install."""
    try:
        import torch
        import transformers
    except ImportError as error:
        raise missing_dependency(error.name or "torch", "bertscore") from error
    return torch, transformers


def not_found(model: str, error: Exception) -> InputError:
    """Build the error for a model that cannot be loaded, saying how to point at a local folder."""
    return InputError(
        f"could not load BERTScore model {model!r} ({type(error).__name__}: {str(error).splitlines()[0][:200]}); "
        "it is neither a local folder with config.json, tokenizer and weights, nor a Hugging Face hub model "
        "reachable now (offline?). Point model= at a local folder, e.g. model='/models/roberta-large' "
        "(make one on a connected machine with AutoModel.from_pretrained(name).save_pretrained(folder) and the "
        "same for AutoTokenizer)"
    )


def load_config(model: str):
    """Load the model's transformers config, with a clear error when it cannot be found."""
    _, transformers = import_torch()
    try:
        return transformers.AutoConfig.from_pretrained(model)
    except (OSError, ValueError) as error:
        raise not_found(model, error) from error


def config_layers(config) -> int:
    """How many layers a transformers config declares."""
    for attribute in ("num_hidden_layers", "n_layer", "n_layers", "num_layers"):
        value = getattr(config, attribute, None)
        if isinstance(value, int):
            return value
    raise InputError(f"cannot tell how many layers model {config.name_or_path!r} has; pass num_layers=")


def load_tokenizer(model: str):
    """Return the model's (fast) tokenizer, loaded once per process."""
    with _LOCK:
        if model not in _TOKENIZERS:
            _, transformers = import_torch()
            try:
                _TOKENIZERS[model] = transformers.AutoTokenizer.from_pretrained(model)
            except (OSError, ValueError) as error:
                raise not_found(model, error) from error
        return _TOKENIZERS[model]


def clear_tokenizers() -> None:
    """Forget the loaded tokenizers."""
    with _LOCK:
        _TOKENIZERS.clear()


def resolve_device(device: str | None) -> str:
    """``device`` checked against what torch sees; ``None`` is a GPU when there is one, else the CPU."""
    torch, _ = import_torch()
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


def load_network(model: str, layer: int, device, dtype: str):
    """Load the model cut after ``layer``, in eval mode, on ``device`` in ``dtype``: ``(network, use_hidden_states)``.

    ``use_hidden_states`` is True for an architecture whose layer stack is not known, where the
    whole model runs and ``hidden_states[layer]`` is read instead.
    """
    torch, transformers = import_torch()
    loader = transformers.T5EncoderModel if "t5" in model.lower() else transformers.AutoModel
    with quiet_loading(transformers):
        try:
            network = loader.from_pretrained(model)
        except (OSError, ValueError) as error:
            raise not_found(model, error) from error
    if hasattr(network, "encoder") and hasattr(network, "decoder"):
        network = network.encoder
    use_hidden_states = not cut_layers(network, layer)
    if use_hidden_states and not 0 <= layer <= config_layers(network.config):
        layers = config_layers(network.config)
        raise InputError(f"num_layers={layer} but the model has {layers} layers; choose 0..{layers}")
    network.eval()
    torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
    return network.to(device=device, dtype=torch_dtype), use_hidden_states


def cut_layers(model, layers: int) -> bool:
    """Keep the first ``layers`` layers, as bert-score does; False when the architecture is not known."""
    import torch

    for owner_name, attribute in (("encoder", "layer"), ("transformer", "layer"), ("encoder", "block"),
                                  ("", "layers"), ("", "layer")):
        owner = getattr(model, owner_name, None) if owner_name else model
        stack = getattr(owner, attribute, None) if owner is not None else None
        if isinstance(stack, torch.nn.ModuleList):
            if not 0 <= layers <= len(stack):
                raise InputError(f"num_layers={layers} but the model has {len(stack)} layers; choose 0..{len(stack)}")
            setattr(owner, attribute, torch.nn.ModuleList(list(stack)[:layers]))
            return True
    return False


@contextmanager
def quiet_loading(transformers):
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
