"""Sequence labelling: entity-level NER scores (``seqeval``).

:mod:`.schemes` holds the tag grammar and the vectorised entity extractors,
:mod:`.metric` the ``seqeval`` metric and its ``classification_report`` view.
"""

from nlpmetrics.metrics.sequence_labeling.metric import SeqEval, classification_report
from nlpmetrics.metrics.sequence_labeling.schemes import SCHEMES, parse_tag

__all__ = ["SCHEMES", "SeqEval", "classification_report", "parse_tag"]
