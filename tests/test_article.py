"""The cleaned article is reproducible from the seed and clean of the seed's damage."""

from __future__ import annotations

import re

from bot.core.knowledge.article import load_article
from bot.paths import PROJECT_ROOT
from scripts.clean_article import DEFAULT_OUTPUT, DEFAULT_SEED, render

ARTICLE = PROJECT_ROOT / "knowledge" / "article.md"


def test_committed_article_is_the_script_output() -> None:
    assert DEFAULT_OUTPUT.read_text(encoding="utf-8") == render(DEFAULT_SEED.read_text(encoding="utf-8"))


def test_article_is_clean() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", text), "pinyin left in"
    assert "幸;幢" not in text
    assert "幸福淮北" in text
    assert "長" not in text and "雙" not in text, "traditional characters left in"
    assert "分享" not in text and "相关新闻" not in text


def test_article_keeps_title_body_and_byline_with_stable_ids() -> None:
    article = load_article(ARTICLE)
    assert article.title == "安徽淮北：每年选派百名干部赴长三角学习锻炼百天"
    assert article.ids == ("title", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "byline")
    byline = article.paragraph("byline")
    assert byline is not None and "杨赛君" in byline.text and "黄顺" in byline.text
    p8 = article.paragraph("p8")
    assert p8 is not None and p8.label == "第8段"


def test_quotes_are_found_regardless_of_punctuation_width() -> None:
    article = load_article(ARTICLE)
    found = article.find_quote("先后选派5批160名优秀干部赴上海")
    assert found is not None and found.id == "p8"
    assert article.find_quote("2月8日上午,安徽省淮北市") is not None
    assert article.find_quote("不存在的句子") is None
