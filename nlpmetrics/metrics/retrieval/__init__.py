"""Ranking and retrieval measures (``retrieval``): trec_eval's and ranx's numbers, every query at once.

Importing the package registers the metric (:mod:`.metric`).  Its private helpers:

* :mod:`._measures` - measure names (``recall@10``...) and their trec_eval / ranx names;
* :mod:`._judgements` - rankings and relevance judgements checked and reduced to the ranks of relevant documents;
* :mod:`._compute` - every measure of every query with numpy, in trec_eval's arithmetic.
"""

from nlpmetrics.metrics.retrieval.metric import Retrieval, RetrievalWarning

__all__ = ["Retrieval", "RetrievalWarning"]
