"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""

RELEVANCE_BIAS = -1.274
RELEVANCE = {
    "confidence": 1.104,
    "cosine": -1.311,
    "entry_coverage": 3.271,
    "question_coverage": 1.855,
    "question_recall": -0.881,
    "ratio": 0.737,
    "other_form": 0.024,
    "same_form": -0.208,
    "length_ratio": -0.651,
    "change_risk": -0.15,
    "unknown_share": -2.306,
    "pair_coverage": 0.798,
    "information": -1.874,
    "missing": 2.145,
    "bare_form": -0.215,
    "entry_missing": -1.961,
}
