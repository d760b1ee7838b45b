"""How a core :class:`~bot.core.conversation.Reply` looks on Telegram: HTML text and buttons.

Pure functions: no sending here, so handlers stay thin and the layout is easy to test.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import ParseMode
from telegram.helpers import create_deep_linked_url

from bot.core.conversation import Kind as ReplyKind
from bot.core.conversation import Reply
from bot.core.handoffs.store import Kind
from bot.core.matching.text import Script, convert
from bot.core.matching.thresholds import Outcome
from bot.core.usage.votes import Tally
from bot.tg import texts
from bot.tg.buttons import Action, Button
from bot.tg.formatting import Block, escape, paragraphs, split_message, truncate
from bot.tg.handoffs.buttons import ask_staff_button, with_ask_staff
from bot.tg.texts import say

BUTTON_LABEL_LENGTH = 60
INLINE_DESCRIPTION_LENGTH = 100
DEEP_LINK_PREFIX = "faq_"
NO_VOTES = Tally()


@dataclass(frozen=True)
class Outgoing:
    """Messages to send in order (HTML); the keyboard goes under the last one."""

    texts: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None = None


def entry_link(username: str, entry_id: str) -> str:
    """``t.me/<bot>?start=faq_<id>``: opens the answer in a private chat."""
    return create_deep_linked_url(username, DEEP_LINK_PREFIX + entry_id)


def button(label: str, data: Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(truncate(label, BUTTON_LABEL_LENGTH), callback_data=data.encode())


def answer_blocks(reply: Reply) -> list[Block]:
    """The answer's paragraphs, then the quoted passage with its paragraph label."""
    blocks = paragraphs(reply.text)
    if reply.passage is not None:
        source = say(texts.SOURCE, reply.script, label=escape(reply.passage.label))
        blocks.append(Block(reply.passage.text, "blockquote", lead=source))
    return blocks


def feedback_row(
    script: Script, entry_id: str, question_id: int, tally: Tally = NO_VOTES
) -> list[InlineKeyboardButton]:
    """👍/👎 under an answer, with the number of votes so far (none shown while zero)."""
    return [
        button(_counted(texts.HELPFUL, script, tally.up), Button(Action.UP, script, question_id, entry_id)),
        button(_counted(texts.NOT_HELPFUL, script, tally.down), Button(Action.DOWN, script, question_id, entry_id)),
    ]


def _counted(label: str, script: Script, count: int) -> str:
    return say(label, script) + (f" {count}" if count else "")


def with_tally(markup: InlineKeyboardMarkup, tally: Tally) -> InlineKeyboardMarkup:
    """``markup`` with the 👍/👎 labels showing ``tally``; every other button unchanged."""
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for item in row:
            decoded = Button.decode(item.callback_data) if isinstance(item.callback_data, str) else None
            if decoded is not None and decoded.action in {Action.UP, Action.DOWN}:
                up = decoded.action is Action.UP
                label = _counted(
                    texts.HELPFUL if up else texts.NOT_HELPFUL, decoded.script, tally.up if up else tally.down
                )
                new_row.append(InlineKeyboardButton(label, callback_data=item.callback_data))
            else:
                new_row.append(item)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


def article_button(script: Script) -> InlineKeyboardButton:
    return button(say(texts.ARTICLE_BUTTON, script), Button(Action.ARTICLE, script))


def browse_button(script: Script) -> InlineKeyboardButton:
    return button(say(texts.BROWSE, script), Button(Action.TOPICS, script, 0))


def private_reply(reply: Reply, question_id: int = 0) -> Outgoing:
    """A reply in a private chat: the full answer, suggestions as buttons, or an honest decline."""
    script = reply.script
    if reply.outcome is Outcome.ANSWER:
        rows = [
            [button("🔗 " + link.question, Button(Action.ENTRY, script, 0, link.entry_id))] for link in reply.related
        ]
        if reply.passage is not None:
            rows.append([article_button(script)])
        rows.append(feedback_row(script, reply.entry_id or "", question_id))
        return Outgoing(tuple(split_message(answer_blocks(reply))), InlineKeyboardMarkup(rows))
    if reply.outcome is Outcome.SUGGEST:
        return Outgoing(tuple(split_message(paragraphs(reply.text))), suggestion_keyboard(reply, question_id))
    if reply.kind is ReplyKind.SMALL_TALK:
        return Outgoing(tuple(split_message(paragraphs(reply.text))))
    ask_staff = ask_staff_button(script, Kind.DECLINE, question_id) if question_id else None
    keyboard = with_ask_staff(InlineKeyboardMarkup([[browse_button(script)]]), ask_staff)
    return Outgoing(tuple(split_message(paragraphs(reply.text))), keyboard)


def suggestion_keyboard(reply: Reply, question_id: int) -> InlineKeyboardMarkup:
    """One button per suggested question, then "none of these"."""
    script = reply.script
    rows = [
        [button(link.question, Button(Action.ENTRY, script, question_id, link.entry_id))] for link in reply.suggestions
    ]
    rows.append([button(say(texts.NONE_OF_THESE, script), Button(Action.NONE, script, question_id))])
    return InlineKeyboardMarkup(rows)


def group_reply(reply: Reply, contact: str, bot_username: str, question_id: int = 0) -> Outgoing:
    """A reply in a group: the answer, one line with the suggestions as buttons, or one line for a miss."""
    script = reply.script
    if reply.outcome is Outcome.ANSWER and reply.entry_id is not None:
        rows = [
            feedback_row(script, reply.entry_id, question_id),
            [more_in_private(reply.entry_id, script, bot_username)],
        ]
        return Outgoing(tuple(split_message(answer_blocks(reply))), InlineKeyboardMarkup(rows))
    if reply.outcome is Outcome.SUGGEST and reply.suggestions:
        text = say(texts.GROUP_SUGGEST, script, question=escape(reply.suggestions[0].question))
        return Outgoing((text,), suggestion_keyboard(reply, question_id))
    if reply.kind is ReplyKind.UNRELATED:
        return Outgoing((say(texts.GROUP_UNRELATED, script),))
    ask_staff = ask_staff_button(script, Kind.DECLINE, question_id, bot_username=bot_username) if question_id else None
    return Outgoing(
        (say(texts.GROUP_DECLINE, script, contact=escape(convert(contact, script))),), with_ask_staff(None, ask_staff)
    )


def more_in_private(entry_id: str, script: Script, bot_username: str) -> InlineKeyboardButton:
    """A link button that opens the answer in a private chat with the bot."""
    return InlineKeyboardButton(say(texts.MORE_IN_PRIVATE, script), url=entry_link(bot_username, entry_id))


def inline_result(reply: Reply, title: str, bot_username: str) -> InlineQueryResultArticle:
    """One inline-mode result: the entry's main question as title, the answer's first line below it."""
    assert reply.entry_id is not None
    blocks = [Block.markup(say(texts.INLINE_QUESTION, reply.script, question=escape(title))), *answer_blocks(reply)]
    text = split_message(blocks)[0]
    keyboard = inline_keyboard(reply.entry_id, reply.script, bot_username)
    first_line = next((line for line in reply.text.splitlines() if line.strip()), reply.text)
    return InlineQueryResultArticle(
        id=reply.entry_id,
        title=truncate(title, BUTTON_LABEL_LENGTH),
        description=truncate(first_line, INLINE_DESCRIPTION_LENGTH),
        input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML),
        reply_markup=keyboard,
    )


def inline_keyboard(entry_id: str, script: Script, bot_username: str, tally: Tally = NO_VOTES) -> InlineKeyboardMarkup:
    """The buttons under an inline-mode answer (Telegram never shows the bot that message again)."""
    return InlineKeyboardMarkup(
        [feedback_row(script, entry_id, 0, tally), [more_in_private(entry_id, script, bot_username)]]
    )
