"""What the engine sees for one question (``/test``), so staff can try a phrasing first."""

from __future__ import annotations

from bot.core.matching import texts
from bot.core.matching.matcher import MatchResult
from bot.core.matching.thresholds import Thresholds


def describe_match(result: MatchResult, thresholds: Thresholds) -> str:
    """The outcome, the top entries with their scores, and the limits that decided it (Chinese)."""
    lines = [
        texts.QUESTION.format(query=result.query),
        texts.READ_AS.format(normalized=result.normalized or texts.NOTHING_READ),
    ]
    best = (
        texts.BEST.format(score=result.best.score, margin=result.margin, relevance=result.relevance)
        if result.best
        else ""
    )
    lines.append(texts.RESULT.format(outcome=texts.OUTCOME_NAMES[result.outcome], best=best))
    if result.candidates:
        lines.append(texts.CLOSEST)
        for number, candidate in enumerate(result.candidates[:5], start=1):
            lines.append(
                texts.CANDIDATE.format(
                    number=number, entry=candidate.entry_id, score=candidate.score, question=candidate.question
                )
            )
    else:
        lines.append(texts.NONE_CLOSE)
    lines.append(
        texts.RULES.format(
            answer=thresholds.answer, margin=thresholds.margin, sure=thresholds.sure, suggest=thresholds.suggest
        )
    )
    return "\n".join(lines)
