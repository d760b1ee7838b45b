"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""

RELEVANCE_BIAS = -1.64
RELEVANCE = {
    "confidence": 1.177,
    "cosine": -0.905,
    "entry_coverage": 2.92,
    "question_coverage": 1.299,
    "question_recall": -0.572,
    "ratio": 0.77,
    "other_form": -0.141,
    "same_form": -0.051,
    "length_ratio": 0.285,
    "change_risk": -0.39,
    "unknown_share": -1.344,
    "pair_coverage": 1.122,
    "information": -1.996,
    "missing": 2.145,
    "bare_form": -0.06,
    "entry_missing": -1.961,
}
