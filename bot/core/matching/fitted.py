"""Scoring weights fitted by ``python -m benchmarks.calibrate --write``; do not edit.

Fitted on the tuning part of tests/data/questions.yaml and on Tianchi part A, never on a
held-out part.  ``RANKING`` weighs each feature of
:data:`~bot.core.matching.features.FEATURES` into a candidate's ranking logit;
``ACCEPTANCE`` weighs each input of :data:`~bot.core.matching.features.ACCEPTANCE_FEATURES`
into the logit of its 0-100 confidence.  A weight of 0 is a feature the fit gives no say.
"""

RANKING_BIAS = 0.0
RANKING = {
    "cosine": 2.186,
    "entry_coverage": 3.093,
    "question_coverage": 2.941,
    "question_recall": 0.476,
    "ratio": 1.781,
    "other_form": -0.36,
    "same_form": 0.38,
    "length_ratio": -0.069,
    "change_risk": -3.691,
    "unknown_share": 0.0,
    "phrasings": -0.857,
    "pair_coverage": -1.75,
    "information": 0.0,
    "missing": 0.596,
    "bare_form": -0.021,
    "entry_missing": -0.993,
    "answer_coverage": 1.864,
    "paragraph_coverage": 1.007,
    "article_coverage": 0.0,
}

ACCEPTANCE_BIAS = -3.392
ACCEPTANCE = {
    "cosine": 1.25,
    "entry_coverage": 0.513,
    "question_coverage": -4.383,
    "question_recall": -0.72,
    "ratio": 4.418,
    "other_form": -0.926,
    "same_form": 0.01,
    "length_ratio": -0.759,
    "change_risk": -2.79,
    "unknown_share": -0.042,
    "phrasings": -1.482,
    "pair_coverage": -0.952,
    "information": 1.163,
    "missing": 0.0,
    "bare_form": -1.643,
    "entry_missing": 0.0,
    "answer_coverage": -0.233,
    "paragraph_coverage": 0.126,
    "article_coverage": -3.438,
    "lead": 0.353,
    "phrasings×lead": -0.002,
    "phrasings×entry_coverage": 3.579,
    "unknown_share×lead": -0.396,
}
