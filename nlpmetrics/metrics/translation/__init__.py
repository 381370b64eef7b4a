"""Machine translation metrics (``bleu``, ``chrf``, ``ter``): sacrebleu's numbers, computed faster.

Importing the package registers the metrics (:mod:`.bleu`, :mod:`.chrf`,
:mod:`.ter`).  Their private helpers:

* :mod:`._sacrebleu_segments` - the base of chrF and TER: rows are sacrebleu's segment statistics;
* :mod:`._ngram_counts` - n-gram counts of a whole batch with numpy (BLEU's clipped matches, chrF's matches);
* :mod:`._fast_13a` - sacrebleu's ``13a`` tokenizer, same output, faster.
"""

from nlpmetrics.metrics.translation.bleu import BLEU
from nlpmetrics.metrics.translation.chrf import ChrF
from nlpmetrics.metrics.translation.ter import TER

__all__ = ["BLEU", "TER", "ChrF"]
