"""Relevance weights fitted by ``python -m benchmarks.relevance --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml, never on a held-out part.
``RELEVANCE`` weighs each input of :data:`~bot.core.matching.features.RELEVANCE_FEATURES`
into the logit of how likely (0-100) a message is about the FAQ.
"""

RELEVANCE_BIAS = -1.442
RELEVANCE = {
    "confidence": 1.076,
    "cosine": -0.839,
    "entry_coverage": 3.483,
    "question_coverage": 1.616,
    "question_recall": -0.761,
    "ratio": 0.875,
    "other_form": 0.01,
    "same_form": -0.11,
    "length_ratio": -0.324,
    "change_risk": -0.246,
    "unknown_share": -2.104,
    "pair_coverage": 0.703,
    "information": -2.003,
    "missing": 2.013,
    "bare_form": -0.117,
    "entry_missing": -1.82,
}
