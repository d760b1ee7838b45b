"""What the engine sees for one question (``/test``), so staff can try a phrasing first."""

from __future__ import annotations

from bot.core.matching.matcher import MatchResult
from bot.core.matching.thresholds import Outcome, Thresholds

OUTCOME_NAMES = {Outcome.ANSWER: "直接回答", Outcome.SUGGEST: "给出建议", Outcome.DECLINE: "不回答（说明报道里没有）"}


def describe_match(result: MatchResult, thresholds: Thresholds) -> str:
    """The outcome, the top entries with their scores, and the limits that decided it (Chinese)."""
    lines = [f"问题：{result.query}", f"匹配用的文字：{result.normalized or '（空：只有问候语或标点）'}"]
    best = f"，最高 {result.best.score:.1f} 分，领先第二名 {result.margin:.1f} 分" if result.best else ""
    lines.append(f"结果：{OUTCOME_NAMES[result.outcome]}{best}")
    if result.candidates:
        lines.append("最接近的条目：")
        for number, candidate in enumerate(result.candidates[:5], start=1):
            lines.append(f"{number}. {candidate.entry_id}  {candidate.score:.1f} 分  （{candidate.question}）")
    else:
        lines.append("没有任何条目相近。")
    lines.append(
        f"规则：≥ {thresholds.answer:g} 分且领先 ≥ {thresholds.margin:g} 分（或 ≥ {thresholds.sure:g} 分）直接回答；"
        f"≥ {thresholds.suggest:g} 分给出建议；更低则不回答。"
    )
    return "\n".join(lines)
