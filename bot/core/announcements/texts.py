"""What the bot says to admins about announcements (simplified Chinese, plain text)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.announcements import reasons
from bot.core.announcements.broadcasts import Broadcast, BroadcastKind, BroadcastState, Delivery, DeliveryReport
from bot.core.announcements.model import Schedule, Targets
from bot.core.announcements.occurrences import Missed, Occurrence, upcoming
from bot.core.announcements.registry import Audience, ChatRecord, ChatRegistry
from bot.core.files.problems import Problem
from bot.core.files.texts import FIX_AND_RETRY, item_lines, loaded_tail, problem_lines
from bot.core.files.watched import FileUpdate, ReloadStatus

MAX_LISTED = 20  # chats listed by name in a report; the rest are counted
SHOWN_COMING = 5  # the next sendings listed after an upload

UPLOAD_INVALID = "通知安排文件有 {count} 处错误，没有更新，机器人继续按原来的安排发送。"
UPLOAD_UNCHANGED = "文件内容和正在使用的通知安排相同，没有需要更新的。"
UPLOAD_LOADED = "通知安排已更新，现在共有 {count} 条定时通知。"
UPLOAD_NO_CHANGES = "通知没有变化。"
COMING = "接下来要发送："
NOTHING_COMING = "接下来没有要发送的定时通知。"


def clock(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def minutes(delta: timedelta) -> str:
    total = int(delta.total_seconds() // 60)
    return f"{total // 60} 小时 {total % 60} 分钟" if total >= 60 else f"{total} 分钟"


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def broadcast_name(broadcast: Broadcast, tz: ZoneInfo) -> str:
    if broadcast.kind is BroadcastKind.SCHEDULED and broadcast.occurrence_at is not None:
        return f"定时通知“{broadcast.announcement_id}”（{clock(broadcast.occurrence_at, tz)}）"
    return "通知"


def preview_controls(broadcast: Broadcast, audience: int) -> str:
    """The message under an /announce preview: where it goes, and what the buttons do."""
    if broadcast.state is BroadcastState.CANCELLED:
        return "已取消，这条通知没有发送。"
    if broadcast.state is not BroadcastState.DRAFT:
        return f"已确认，正在发送给 {audience} 个聊天……发送完毕后会给您发送送达报告。"
    pin = f"\n在群组中置顶：{yes_no(broadcast.pin)}" if broadcast.targets.groups else ""
    warning = "\n\n⚠️ 现在没有任何接收者，发送不会有效果。" if audience == 0 else ""
    return (
        f"☝️ 以上是通知的预览，发出后就是这个样子。\n\n发送给：{broadcast.targets.label}（{audience} 个聊天）{pin}"
        f"{warning}\n\n可以用下面的按钮修改，确认无误后点“确认发送”。在此之前不会发送任何消息。"
    )


def chat_name(registry: ChatRegistry, delivery: Delivery) -> str:
    if delivery.audience is Audience.SUBSCRIBER:
        subscriber = registry.subscriber(delivery.chat_id)
        name = subscriber.name if subscriber and subscriber.name else ""
        return f"订阅者 {name}（{delivery.chat_id}）" if name else f"订阅者 {delivery.chat_id}"
    chat = registry.chat(delivery.chat_id)
    return f"群“{chat.title}”（{delivery.chat_id}）" if chat and chat.title else f"群 {delivery.chat_id}"


def _listed(lines: list[str]) -> list[str]:
    shown = lines[:MAX_LISTED]
    if len(lines) > MAX_LISTED:
        shown.append(f"· ……还有 {len(lines) - MAX_LISTED} 个")
    return shown


def delivery_report(report: DeliveryReport, registry: ChatRegistry, tz: ZoneInfo) -> str:
    """Delivered, failed (with reasons), pins that failed, chats that may have two copies."""
    broadcast = report.broadcast
    total = len(report.deliveries)
    if total == 0:
        return f"{broadcast_name(broadcast, tz)}没有发送：没有任何接收者（{broadcast.targets.label}）。"
    lines = [
        f"{broadcast_name(broadcast, tz)}发送完毕：共 {total} 个聊天，送达 {len(report.sent)} 个，失败 {len(report.failed)} 个。"
    ]
    if report.failed:
        lines.append("\n发送失败：")
        lines += _listed(
            [
                f"· {chat_name(registry, d)}：{reasons.label(d.error)}" + (f"（{d.detail}）" if d.detail else "")
                for d in report.failed
            ]
        )
    if report.pin_failed:
        lines.append("\n已送达但没能置顶：")
        lines += _listed([f"· {chat_name(registry, d)}：{reasons.label(d.pin_error)}" for d in report.pin_failed])
    if report.uncertain:
        lines.append("\n发送中途被打断后重发，以下聊天可能收到了两份：")
        lines += _listed([f"· {chat_name(registry, d)}" for d in report.uncertain])
    return "\n".join(lines)


def schedule_notices(
    late: Sequence[Occurrence], missed: Sequence[Missed], grace: timedelta, now: datetime, tz: ZoneInfo
) -> list[str]:
    """Tell the admins what was sent late or not at all because the bot was not running."""
    notices = []
    for occurrence in late:
        notices.append(
            f"定时通知“{occurrence.announcement.id}”原定 {clock(occurrence.at, tz)} 发送，"
            f"因机器人当时没有运行，现在补发（晚了 {minutes(occurrence.lateness(now))}）。"
        )
    for item in missed:
        count = f"{item.count}{'多' if item.more else ''} 次"
        when = clock(item.first, tz) if item.count == 1 else f"{clock(item.first, tz)} 至 {clock(item.last, tz)}"
        notices.append(
            f"定时通知“{item.announcement.id}”错过了 {count}（{when}）：机器人当时没有运行，"
            f"超过了 {minutes(grace)} 的补发时限，所以没有发送。需要的话请用 /announce 手动发送。"
        )
    return notices


def problems_notice(problems: Sequence[Problem], *, accepted: bool, in_force: int = 0) -> str:
    """The problems of the schedule file; ``in_force``: announcements of the schedule that stays when refused."""
    listed = "\n".join(str(problem) for problem in problems)
    if accepted:
        return f"通知安排文件已更新，有以下提醒：\n{listed}"
    kept = f"继续按原来的安排发送（{in_force} 条定时通知）" if in_force else "现在没有生效的定时通知"
    return f"通知安排文件有错误，没有采用，{kept}。请改正后保存：\n{listed}"


def schedule_changed_notice(schedule: Schedule) -> str:
    return f"通知安排文件已更新：现在共有 {len(schedule)} 条定时通知。发送 /schedule 查看。"


def groups_listing(chats: Sequence[ChatRecord], subscribers: int, tz: ZoneInfo) -> str:
    """/groups: every registered group with its state, and the number of subscribers."""
    active = sum(chat.active for chat in chats)
    lines = [f"已登记的群组：{len(chats)} 个（可发送 {active} 个）；订阅者：{subscribers} 人。"]
    for chat in chats:
        state = "✅" if chat.active else "⛔"
        admin = "，管理员" if chat.bot_status in ("administrator", "creator") else ""
        lines.append(
            f"{state} {chat.title or '（无名称）'}（{chat.chat_id}）：{chat.reason_label}{admin}，{clock(chat.updated_at, tz)}"
        )
    if not chats:
        lines.append("还没有群组。把机器人拉进群后，群组会自动登记。")
    return "\n".join(lines)


def schedule_listing(schedule: Schedule, coming: Sequence[Occurrence], tz: ZoneInfo) -> str:
    """/schedule: what is coming, then every announcement of the file."""
    if not len(schedule):
        return "现在没有定时通知。在 announcements.yaml 里写好（格式见文件顶部的说明），再把文件发给我即可。"
    lines = ["接下来要发送的定时通知："]
    lines += [
        f"· {clock(o.at, tz)}  “{o.announcement.id}” → {o.announcement.targets.label}"
        + ("，置顶" if o.announcement.pin and o.announcement.targets.groups else "")
        for o in coming
    ] or ["· （没有了：所有定时通知都已发送完毕）"]
    lines.append(f"\n文件中共 {len(schedule)} 条：")
    for announcement in schedule:
        preview = announcement.text.replace("\n", " ")
        preview = preview[:30] + "……" if len(preview) > 30 else preview
        lines.append(f"· “{announcement.id}”：{announcement.describe_when()}，{preview}")
    return "\n".join(lines)


def targets_button(targets: Targets, chosen: Targets) -> str:
    return ("✅ " if targets is chosen else "") + {"groups": "群组", "subscribers": "订阅者", "both": "全部"}[
        targets.value
    ]


def format_schedule_upload(result: FileUpdate[Schedule], tz: ZoneInfo, now: datetime) -> str:
    """What staff are told after sending the schedule."""
    if result.status is ReloadStatus.INVALID:
        lines = [UPLOAD_INVALID.format(count=len(result.errors)) + FIX_AND_RETRY]
        return "\n".join(lines + problem_lines(result.errors))
    schedule = result.current or Schedule()
    if result.status is ReloadStatus.UNCHANGED:
        lines = [UPLOAD_UNCHANGED]
    else:
        lines = [UPLOAD_LOADED.format(count=len(schedule)), *item_lines(result.changes)]
        if result.changes.empty:
            lines.append(UPLOAD_NO_CHANGES)
    coming = upcoming(schedule, now, SHOWN_COMING)
    lines.append(COMING if coming else NOTHING_COMING)
    lines += [f"· {clock(o.at, tz)}  “{o.announcement.id}” → {o.announcement.targets.label}" for o in coming]
    return "\n".join(lines + loaded_tail(result))
