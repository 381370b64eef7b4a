"""BERTScore: bert-score 0.3.13's numbers on torch + transformers, with the model loaded once per process.

The parts, each with one job:

* :mod:`.metric` — the :class:`BERTScore` metric (options, rows, idf corpus pass); light to import;
* :mod:`.idf` — document frequencies and idf weights (no torch);
* :mod:`.tables` — bert-score's default model per language and layer per model;
* :mod:`.engine` — the heavy half (torch, transformers imported on first use): load a model,
  embed texts in batches, score pairs.

Importing this package registers the metric and imports neither torch nor transformers.
"""

from __future__ import annotations

from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies, IdfWeights
from nlpmetrics.metrics.bertscore.metric import BERTScore, document_frequencies

__all__ = ["BERTScore", "DocumentFrequencies", "IdfWeights", "document_frequencies"]
