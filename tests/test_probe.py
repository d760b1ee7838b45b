"""``/test``: what the engine sees for a phrasing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.explain import describe_match
from bot.core.matching.thresholds import Thresholds
from tests.staff_helpers import make_knowledge


@pytest.mark.parametrize(
    ("question", "outcome", "first"),
    [
        ("一年派几个人出去", "结果：直接回答，最高 {score} 分", "1. how_many  {score} 分  （一年派几个人出去）"),
        ("食堂在哪里吃饭", "结果：不回答（说明报道里没有）", None),
        ("食堂在哪", "结果：不回答（说明报道里没有）", None),
        ("你好！", "结果：不回答（说明报道里没有）", None),
    ],
)
def test_describe_match(tmp_path: Path, question: str, outcome: str, first: str | None) -> None:
    matcher = Snapshot.load(make_knowledge(tmp_path)).matcher
    result = matcher.match(question)
    rules = Thresholds(answer=62.0, margin=8.0, sure=90.0, suggest=40.0)
    lines = describe_match(result, rules).splitlines()
    score = f"{result.best.score:.1f}" if result.best else ""
    assert lines[0] == f"问题：{question}"
    assert lines[2].startswith(outcome.format(score=score))
    if first is not None:
        assert lines[3] == "最接近的条目："
        assert lines[4] == first.format(score=score)
    listed = [line for line in lines if line[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert [line.split()[1] for line in listed] == [candidate.entry_id for candidate in result.candidates[:5]]
    if result.best is not None:
        assert f"相关度 {result.relevance:.1f}" in lines[2]
    assert lines[-1] == "规则：≥ 62 分且领先 ≥ 8 分（或 ≥ 90 分）直接回答；否则相关度 ≥ 40 给出建议，更低则不回答。"


def test_empty_question_says_what_was_left() -> None:
    matcher = Snapshot.load(Path(__file__).resolve().parent.parent / "knowledge").matcher
    assert (
        describe_match(matcher.match("您好"), Thresholds()).splitlines()[1] == "匹配用的文字：（空：只有问候语或标点）"
    )
