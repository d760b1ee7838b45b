"""Every sentence of the hand-off feature, in one place (simplified Chinese, Telegram HTML).

Cadre texts are templates for :func:`bot.tg.texts.say` (converted to the reader's
script, values escaped by the caller); staff texts are filled here or by the
Telegram layer with :func:`html.escape`-d values.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.core.announcements import reasons
from bot.core.conversation import Reply
from bot.core.handoffs.store import Handoff, Kind, ReplyState, State
from bot.core.matching.thresholds import Outcome

QUOTED_ANSWER_LENGTH = 400


# -- what cadres read --------------------------------------------------------------------

ASK_STAFF = "🙋 问工作人员"
CONFIRM = "<b>将把下面的问题发给工作人员：</b>\n<blockquote>{question}</blockquote>"
CONFIRM_ANSWER = "\n<b>连同机器人给您的回答：</b>\n<blockquote>{answer}</blockquote>"
CONFIRM_END = "\n工作人员回复后，答复会发到这个聊天里。确认发送吗？"
SEND = "✅ 发送"
CANCEL = "取消"
SENT = "已发给工作人员（编号 {number}）。工作人员回复后，答复会发到这个聊天里。"
CANCELLED = "好的，没有发送。"
TOO_MANY = "您已有 {count} 个问题在等工作人员回复。请等收到回复后再发新的问题；急事请直接联系{contact}。"
ALREADY_SENT = "这个问题已经发给工作人员了，请耐心等待回复。"
EMPTY = "请写上要问的问题。"
NO_QUESTION = "找不到原来的问题了。请发送 /ask_staff 加问题，直接问工作人员。"
ASK_STAFF_USAGE = "请在 /ask_staff 后面写上问题，例如：/ask_staff 生活补助怎么发放？"
USE_PRIVATE = "为了不在群里公开您的问题，请私聊我再问工作人员：{link}"
REPLY_TITLE = "💬 <b>工作人员回复了您的问题</b>"  # over the quoted question, then the reply
CONTACT_TITLE = "<b>联系方式</b>"
CONTACT_FIELDS = (("name", "联系人"), ("phone", "电话"), ("email", "邮箱"), ("office", "地点"), ("hours", "时间"))
CONTACT_END = "也可以发送 /ask_staff 加问题，直接问工作人员，答复会发到这里。"

COMMAND_ASK_STAFF = "问工作人员，例如 /ask_staff 住宿怎么安排"
COMMAND_CONTACT = "联系方式"


# -- what staff read ---------------------------------------------------------------------

COMMAND_HANDOFFS = "等待工作人员答复的问题"

CARD_TITLE = "🙋 <b>问题 #{number}</b>（{when}，{chat}）"
CARD_END = "直接回复（引用）这条消息写答复，答复会转给提问人。"
KINDS: dict[Kind, str] = {
    Kind.DECLINE: "机器人没有答案，提问人请工作人员回答。",
    Kind.NONE_OF_THESE: "机器人给的建议都不是提问人要问的。",
    Kind.DOWN: "提问人对机器人的回答不满意（👎）。",
    Kind.DIRECT: "提问人用 /ask_staff 直接问工作人员。",
}
CHAT_TYPES: dict[str, str] = {
    "private": "私聊",
    "group": "群聊",
    "supergroup": "群聊",
    "channel": "频道",
    "inline": "内联",
}
STATES: dict[State, str] = {
    State.OPEN: "等待答复",
    State.REPLIED: "答复发送中",
    State.ANSWERED: "已答复",
    State.CLOSED: "已关闭",
    State.EXPIRED: "已过期",
}
BOT_SAID = "机器人：{said}"
REMINDER = "⏰ 这个问题已经等了 {hours} 小时，还没有人答复："

REPLY = "✍️ 回复"
ADD = "📚 加入问答库…"
DISMISS = "不需要回复"
REPLY_PROMPT = "请回复（引用）这条消息，写下给问题 #{number} 的答复。"
DELIVERED = "✅ 答复已送达提问人（#{number}）。"
UNCERTAIN = "（机器人中途重启过，提问人可能收到了两次。）"
NOT_DELIVERED = "❌ 答复没能送达提问人（#{number}）：{reason}"
RETRYING = "答复暂时没能送达（#{number}），机器人会自动重试。"
NOT_OPEN = "问题 #{number} 已经答复过、已关闭或已过期，这条消息没有转给提问人。"
EMPTY_REPLY = "答复是空的，没有转给提问人。"
CLOSED = "问题 #{number} 已关闭，不再答复；提问人的聊天信息已删除。"
CLOSED_ALREADY = "这个问题已经答复过或关闭了。"
STATUS = "（{state}）"
NOT_STAFF = "抱歉，只有工作人员可以答复问题或修改问答库。"
GONE = "找不到这个问题了。"

ADD_CHOOSE = (
    "把问题 #{number}“{question}”加入问答库：点一个条目，把这句话加为它的问法；或点“新条目”，用工作人员的答复作回答。"
)
PHRASING = "➕ {question}（{entry_id}）"
NEW_ENTRY = "🆕 新条目"
NEEDS_REPLY = "新条目要用工作人员的答复作回答：请先回复这个问题，再选“新条目”。"
NEW_ENTRY_CONFIRM = (
    "将新建条目：\nid：<code>{entry_id}</code>\n问题：{question}\n回答：{answer}\n\n"
    "要换一个 id，请回复（引用）这条消息，写新的 id（英文字母、数字、_ 或 -，最多 40 个字符）。"
)
CREATE = "✅ 新建条目"
BAD_ID = "“{entry_id}”不能作条目 id：只能用英文字母、数字、_ 或 -，最多 40 个字符。"
ID_TAKEN = "问答库里已经有条目“{entry_id}”了，请换一个 id。"
EDIT_FAILED = "没能修改问答库：{error}"
ADDED_PHRASING = "已把“{question}”加为条目“{entry_id}”的问法。"
ADDED_ENTRY = "已新建条目“{entry_id}”。"

LIST_EMPTY = "现在没有等待答复的问题。"
LIST_TITLE = "<b>等待答复的问题</b>（{count} 个，最早的在前）："
LIST_ITEM = "#{number}　{when}　{state}：{question}"


FAILURE_REASONS = {
    "forbidden": "提问人屏蔽了机器人，或删除了和机器人的聊天",
    "not_found": "找不到提问人的聊天",
    "expired": "已超过保留期限，提问人的聊天信息已删除",
}


def clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def failure_reason(error: str) -> str:
    return FAILURE_REASONS.get(error) or reasons.label(error) or error


def shorten(text: str, length: int = QUOTED_ANSWER_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def bot_said(reply: Reply, title_of: dict[str, str]) -> str:
    """What the bot did with a question, in one line for staff (plain text)."""
    if reply.outcome is Outcome.ANSWER and reply.entry_id is not None:
        return f"回答了条目“{reply.entry_id}”（{title_of.get(reply.entry_id, '')}）：{shorten(reply.text, 200)}"
    if reply.outcome is Outcome.SUGGEST and reply.suggestions:
        listed = "；".join(f"{link.question}（{link.entry_id}）" for link in reply.suggestions)
        return f"给出了建议：{listed}"
    return "没有找到答案，没有回答。"


def card(handoff: Handoff, tz: ZoneInfo) -> str:
    """The message staff get about a hand-off (HTML)."""
    chat = CHAT_TYPES.get(handoff.chat_type, handoff.chat_type)
    lines = [
        CARD_TITLE.format(number=handoff.id, when=clock(handoff.created_at, tz), chat=escape(chat)),
        f"<blockquote>{escape(handoff.question)}</blockquote>",
        KINDS[handoff.kind],
    ]
    if handoff.bot_said:
        lines.append(BOT_SAID.format(said=escape(handoff.bot_said)))
    if handoff.state is State.OPEN:
        lines += ["", CARD_END]
    else:
        lines.append(STATUS.format(state=STATES[handoff.state]))
    return "\n".join(lines)


def reminder(handoff: Handoff, tz: ZoneInfo, now: datetime) -> str:
    hours = int((now - handoff.created_at) / timedelta(hours=1))
    return REMINDER.format(hours=hours) + "\n" + card(handoff, tz)


def delivery_report(handoff: Handoff) -> str:
    """One line for the staff member whose reply was sent (or not)."""
    if handoff.reply_state is ReplyState.DELIVERED:
        text = DELIVERED.format(number=handoff.id)
        return text + (UNCERTAIN if handoff.reply_uncertain else "")
    reason = escape(failure_reason(handoff.reply_error or ""))
    return NOT_DELIVERED.format(number=handoff.id, reason=reason)


def waiting_list(handoffs: list[Handoff], tz: ZoneInfo) -> str:
    """``/handoffs``: open questions, oldest first (HTML)."""
    if not handoffs:
        return LIST_EMPTY
    lines = [LIST_TITLE.format(count=len(handoffs))]
    for handoff in handoffs:
        lines.append(
            LIST_ITEM.format(
                number=handoff.id,
                when=clock(handoff.created_at, tz),
                state=STATES[handoff.state],
                question=escape(shorten(handoff.question, 120)),
            )
        )
    return "\n".join(lines)
