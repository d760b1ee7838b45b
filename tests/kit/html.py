"""What a user sees of a message in Telegram's HTML: the tags Telegram allows, checked, and stripped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote", "tg-spoiler", "span"}
)


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in TELEGRAM_TAGS, f"Telegram does not support <{tag}>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"unbalanced </{tag}> (open: {self.stack})"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(message_html: str) -> str:
    """What a reader sees of a Telegram HTML message; asserts the markup is valid for Telegram."""
    assert not re.search(r"&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-f]+);)", message_html, re.IGNORECASE), (
        f"unescaped & in {message_html!r}"
    )
    parser = _TelegramHtml()
    parser.feed(message_html)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return "".join(parser.text)
