"""Property tests: any Unicode string gives a valid, deterministic result without an exception."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.knowledge.faq_file import load_knowledge
from bot.core.matching.focus import has_content
from bot.core.matching.matcher import Matcher, MatchResult
from bot.core.matching.text import clean, normalize
from bot.core.matching.thresholds import Outcome
from bot.paths import PROJECT_ROOT


@functools.cache
def faq_matcher() -> Matcher:
    return Matcher(load_knowledge(PROJECT_ROOT / "knowledge"))


def assert_valid(result: MatchResult, query: str, limit: int = 5) -> None:
    matcher = faq_matcher()
    assert result.query == query
    assert isinstance(result.outcome, Outcome)
    assert len(result.candidates) <= limit
    scores = [candidate.score for candidate in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 100.0 for score in scores)
    assert len({c.entry_id for c in result.candidates}) == len(result.candidates)
    assert all(c.entry_id in matcher.knowledge for c in result.candidates)
    if not result.candidates:
        assert result.outcome is Outcome.DECLINE
    else:
        best = result.candidates[0].score
        decided = matcher.thresholds.decide(best, result.margin, result.relevance)
        if decided is Outcome.ANSWER and not has_content(result.normalized):
            # A message that says nothing of what it asks (他, 还有呢) is at most given suggestions,
            # unless it names the programme or is a phrasing word for word.
            assert result.outcome in {Outcome.ANSWER, Outcome.SUGGEST}
        else:
            assert result.outcome is decided


# Every code point that UTF-8 can carry: letters of many scripts, emoji, marks, controls.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=200)
CHINESE_LIKE = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from(list("，。？！ 　\u200b\u200d\ufeff\x00\x1b😀🙏１２３abc")),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_TEXT, CHINESE_LIKE))
def test_any_string_gives_a_valid_deterministic_result(query: str) -> None:
    first = faq_matcher().match(query)
    assert_valid(first, query)
    assert faq_matcher().match(query) == first


@settings(max_examples=100, deadline=None)
@given(ANY_TEXT, st.integers(min_value=0, max_value=10))
def test_limit_is_respected(query: str, limit: int) -> None:
    assert_valid(faq_matcher().match(query, limit=limit), query, limit)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_clean_is_idempotent(text: str) -> None:
    assert clean(clean(text)) == clean(text)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_normalize_never_raises_and_has_no_invisible_characters(text: str) -> None:
    normalized = normalize(text)
    assert "\u200b" not in normalized
    assert all(ch.isprintable() for ch in normalized)


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "双" * 5000,
        "双百双招是什么？" * 700,
        "😀🙏🔥" * 50,
        "\u200b\u200c\u200d\u2060\ufeff",
        "\x00\x01\x02\x1b[31m\x7f",
        "\ud7ff\ue000\U0010fffd",
        "a\u0301\u0308" * 100,  # combining marks
        "𠀀𠀁𪚥",  # CJK extension B
        "مرحبا שלום Привет",
        "\n\t\r",
        "ｓｈｕａｎｇｂａｉ",
        "1" * 5000,
        "a" * 5000,
    ],
)
def test_edge_cases(query: str) -> None:
    result = faq_matcher().match(query)
    assert_valid(result, query)
    assert faq_matcher().match(query) == result
