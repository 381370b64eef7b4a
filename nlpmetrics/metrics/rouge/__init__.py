"""ROUGE (``rouge``): rouge-score's numbers for every type, vectorised, with CJK tokenizers.

Importing the package registers the metric (:mod:`.metric`).  Its private helpers:

* :mod:`._tokens` - rouge-score's English tokenizer over a whole batch, and the CJK tokenizers;
* :mod:`._batch` - token ids of many texts, concatenated (:class:`~._batch.TokenBatch`);
* :mod:`._table` - n-gram and LCS counts of short pairs in one padded table;
* :mod:`._scores` - precision / recall / F-measure of every pair, and the general counting path;
* :mod:`._lcs` - bit-parallel longest common subsequence (lengths and rouge-score's traceback);
* :mod:`._lsum` - summary-level rougeLsum of multi-sentence texts.
"""

from nlpmetrics.metrics.rouge.metric import Rouge, RougeWarning

__all__ = ["Rouge", "RougeWarning"]
