"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""

RELEVANCE_BIAS = -1.797
RELEVANCE = {
    "confidence": 1.148,
    "cosine": -1.026,
    "entry_coverage": 2.431,
    "question_coverage": 0.915,
    "question_recall": -0.093,
    "ratio": 0.831,
    "other_form": -0.184,
    "same_form": -0.093,
    "length_ratio": -0.237,
    "change_risk": -0.092,
    "unknown_share": -1.898,
    "pair_coverage": 1.132,
    "information": -1.591,
    "missing": 2.424,
    "bare_form": -0.098,
    "entry_missing": -2.3,
}
