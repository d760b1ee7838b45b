"""Fixed texts of the ``/test`` explanation of a match (Chinese)."""

from __future__ import annotations

from bot.core.matching.thresholds import Outcome

OUTCOME_NAMES = {Outcome.ANSWER: "直接回答", Outcome.SUGGEST: "给出建议", Outcome.DECLINE: "不回答（说明报道里没有）"}
QUESTION = "问题：{query}"
READ_AS = "匹配用的文字：{normalized}"
NOTHING_READ = "（空：只有问候语或标点）"
BEST = "，最高 {score:.1f} 分，领先第二名 {margin:.1f} 分，与问答库的相关度 {relevance:.1f}"
RESULT = "结果：{outcome}{best}"
CLOSEST = "最接近的条目："
CANDIDATE = "{number}. {entry}  {score:.1f} 分  （{question}）"
NONE_CLOSE = "没有任何条目相近。"
RULES = (
    "规则：≥ {answer:g} 分且领先 ≥ {margin:g} 分（或 ≥ {sure:g} 分）直接回答；"
    "否则相关度 ≥ {suggest:g} 给出建议，更低则不回答。"
)
