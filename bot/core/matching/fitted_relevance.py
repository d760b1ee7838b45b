"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""

RELEVANCE_BIAS = -1.39
RELEVANCE = {
    "confidence": 1.069,
    "cosine": -0.847,
    "entry_coverage": 3.493,
    "question_coverage": 1.631,
    "question_recall": -0.722,
    "ratio": 0.834,
    "other_form": -0.001,
    "same_form": -0.123,
    "length_ratio": -0.337,
    "change_risk": -0.227,
    "unknown_share": -2.164,
    "pair_coverage": 0.735,
    "information": -2.021,
    "missing": 2.053,
    "bare_form": -0.13,
    "entry_missing": -1.861,
}
