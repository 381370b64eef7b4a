"""Question answering: ``exact_match`` (Hugging Face ``evaluate``'s) and ``squad`` (official SQuAD scripts, JSQuAD).

Importing the package registers both metrics.  :mod:`._answers` holds what they
share: gold answers as lists and the normalisations of each reference tool.
"""

from nlpmetrics.metrics.qa.exact_match import ExactMatch
from nlpmetrics.metrics.qa.squad import Squad, SquadWarning

__all__ = ["ExactMatch", "Squad", "SquadWarning"]
