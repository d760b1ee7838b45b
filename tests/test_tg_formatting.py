"""HTML escaping, message splitting and button data: tables and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.matching.text import Script
from bot.tg.buttons import Action, Button
from bot.tg.formatting import Block, escape, paragraphs, split_message, telegram_length, truncate
from tests.kit.html import visible_text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<b>粗体</b>", "&lt;b&gt;粗体&lt;/b&gt;"),
        ("A & B", "A &amp; B"),
        ("&amp;", "&amp;amp;"),
        ('"引号"', '"引号"'),
        ("普通文字", "普通文字"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped
    assert visible_text(escaped) == text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("短问题", 10, "短问题"),
        ("一二三四五六七八九十", 10, "一二三四五六七八九十"),
        ("一二三四五六七八九十一", 10, "一二三四五六七八九…"),
        ("多个   空格\n换行", 20, "多个 空格 换行"),
    ],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected


def test_paragraphs_split_at_blank_lines() -> None:
    assert paragraphs("第一段。\n\n第二段\n第二行。\n \n\n第三段。") == [
        Block("第一段。"),
        Block("第二段\n第二行。"),
        Block("第三段。"),
    ]


def test_short_blocks_make_one_message() -> None:
    blocks = [Block("答案 & 说明"), Block("原文", "blockquote", lead="📖 <b>来源</b>")]
    assert split_message(blocks) == ["答案 &amp; 说明\n\n📖 <b>来源</b>\n<blockquote>原文</blockquote>"]


@pytest.mark.parametrize(
    ("blocks", "limit", "expected"),
    [
        # Whole paragraphs move to the next message rather than being cut.
        ([Block("甲" * 6), Block("乙" * 6), Block("丙" * 6)], 14, ["甲" * 6 + "\n\n" + "乙" * 6, "丙" * 6]),
        # A paragraph exactly at the limit fits.
        ([Block("甲" * 10)], 10, ["甲" * 10]),
        # An oversized paragraph splits at its lines …
        ([Block("甲" * 6 + "\n" + "乙" * 6)], 10, ["甲" * 6, "乙" * 6]),
        # … then at sentence ends …
        ([Block("甲甲甲。乙乙乙！丙丙丙？")], 8, ["甲甲甲。乙乙乙！", "丙丙丙？"]),
        # … and only as a last resort anywhere.
        ([Block("甲" * 25)], 10, ["甲" * 10, "甲" * 10, "甲" * 5]),
        # Escaping counts: five "&" become 25 characters of HTML, never a cut entity.
        ([Block("&" * 5)], 10, ["&amp;&amp;", "&amp;&amp;", "&amp;"]),
        # A split quote keeps its tag on every piece, and the heading on the first.
        (
            [Block("甲甲甲。乙乙乙。", "blockquote", lead="<b>源</b>")],
            40,
            ["<b>源</b>\n<blockquote>甲甲甲。</blockquote>", "<blockquote>乙乙乙。</blockquote>"],
        ),
    ],
)
def test_split_message(blocks: list[Block], limit: int, expected: list[str]) -> None:
    assert split_message(blocks, limit) == expected


def test_length_is_counted_in_utf16_units_like_telegram() -> None:
    assert telegram_length("汉字") == 2
    assert telegram_length("👍") == 2
    assert split_message([Block("👍" * 6)], 10) == ["👍" * 5, "👍"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("甲乙丙。！\n&<>👍 ab"), min_size=1, max_size=120),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=30, max_value=200),
    st.sampled_from(["", "blockquote", "b"]),
)
def test_split_messages_are_valid_short_and_lose_nothing(texts: list[str], limit: int, tag: str) -> None:
    blocks = [Block(text, tag) for text in texts if text.strip()]
    messages = split_message(blocks, limit)

    assert all(telegram_length(message) <= limit for message in messages)
    seen = "".join(visible_text(message) for message in messages)
    assert re.sub(r"\s", "", seen) == re.sub(r"\s", "", "".join(text for text in texts if text.strip()))


@pytest.mark.parametrize(
    "button",
    [
        Button(Action.ENTRY, Script.SIMPLIFIED, 0, "what_is"),
        Button(Action.ENTRY, Script.TRADITIONAL, 4_294_967_295, "x" * 40),
        Button(Action.UP, Script.SIMPLIFIED, 12, "duration"),
        Button(Action.DOWN, Script.TRADITIONAL, 0, "a-b_c"),
        Button(Action.NONE, Script.SIMPLIFIED, 99),
        Button(Action.TOPICS, Script.TRADITIONAL, 2),
        Button(Action.TOPIC, Script.SIMPLIFIED, 1, "7"),
    ],
)
def test_button_data_round_trips_within_64_bytes(button: Button) -> None:
    data = button.encode()
    assert data.startswith("a:")
    assert len(data.encode()) <= 64
    assert Button.decode(data) == button


@pytest.mark.parametrize(
    "data", ["", "a:", "a:e", "a:e:s", "a:x:s:0", "a:e:z:0:id", "a:e:s:-1:id", "a:e:s:zero:id", "a:e:s:0", "s:e:s:0:id"]
)
def test_malformed_button_data_is_rejected(data: str) -> None:
    assert Button.decode(data) is None
