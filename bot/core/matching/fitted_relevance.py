"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""

RELEVANCE_BIAS = -2.233
RELEVANCE = {
    "confidence": 1.128,
    "cosine": -1.077,
    "entry_coverage": 2.632,
    "question_coverage": 0.842,
    "question_recall": -0.332,
    "ratio": 1.295,
    "other_form": -0.241,
    "same_form": -0.14,
    "length_ratio": -0.497,
    "change_risk": 0.061,
    "unknown_share": -2.019,
    "pair_coverage": 1.28,
    "information": -1.692,
    "missing": 2.2,
    "bare_form": -0.148,
    "entry_missing": -2.04,
}
