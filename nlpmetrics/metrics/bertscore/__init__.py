"""BERTScore: bert-score 0.3.13's numbers on torch + transformers, with the model loaded once per process.

The parts, each with one job:

* :mod:`.metric` — the :class:`BERTScore` metric (options, rows, idf corpus pass); light to import;
* :mod:`.idf` — document frequencies and idf weights (no torch);
* :mod:`.tables` — bert-score's default model per language and layer per model;
* :mod:`.models` — which model, layer and device, the baseline files, loading a model cut at its layer;
* :mod:`.tokens` — texts to token ids as bert-score's ``sent_encode`` intends;
* :mod:`.batching` — token budgets per device, batches by length, CPU threads;
* :mod:`.matching` — greedy matching of token vectors and bert-score's P, R, F;
* :mod:`.engine` — the loaded :class:`~.engine.Encoder` (cached per process): embed each distinct
  text once, score pairs chunk by chunk.

torch and transformers are imported inside functions, on first use.

Importing this package registers the metric and imports neither torch nor transformers.
"""

from __future__ import annotations

from nlpmetrics.metrics.bertscore.idf import DocumentFrequencies, IdfWeights
from nlpmetrics.metrics.bertscore.metric import BERTScore, document_frequencies

__all__ = ["BERTScore", "DocumentFrequencies", "IdfWeights", "document_frequencies"]
