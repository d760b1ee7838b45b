"""The service the Telegram layer calls: ticks driven by an explicit clock, reports, notices."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.announcements.model import Targets
from bot.core.announcements.service import AnnouncementService
from bot.core.files.locations import ANNOUNCEMENTS_FILE
from bot.core.storage.connection import Database
from tests.announcement_fakes import Clock, FakeSender, FakeTelegram, at

SCHEDULE = """\
announcements:
  - id: meeting
    text: 明早九点开会
    at: 2026-03-02 09:00
    pin: true
  - id: daily
    text: 每日提醒
    at: 2026-03-02 08:00
    repeat: daily
    targets: subscribers
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    (tmp_path / ANNOUNCEMENTS_FILE).write_text(SCHEDULE, encoding="utf-8")
    return tmp_path


def make_service(knowledge: Path, clock: Clock, telegram: FakeTelegram, **behaviour: str) -> AnnouncementService:
    service = AnnouncementService(
        Database(knowledge / "bot.sqlite3"),
        knowledge / ANNOUNCEMENTS_FILE,
        FakeSender(telegram, behaviour={int(k.replace("m", "-")): v for k, v in behaviour.items()}),
        timezone="Asia/Shanghai",
        grace=timedelta(hours=1),
        clock=clock,
    )
    service.start()
    return service


async def test_scheduled_announcements_fire_and_are_reported_to_the_admins(knowledge: Path) -> None:
    clock, telegram = Clock(at(1, 12)), FakeTelegram()
    service = make_service(knowledge, clock, telegram, m1="no_pin")
    service.registry.bot_status_changed(-1, "group", "一群", "member", present=True)
    service.registry.bot_status_changed(-2, "group", "二群", "administrator", present=True)
    service.registry.subscribe(42, "张三")
    assert await service.tick() == []
    clock.now = at(2, 8)
    notices = await service.tick()
    assert telegram.inbox[42] == ["每日提醒"]
    assert [n.chat_id for n in notices] == [None]
    assert "定时通知“daily”（2026-03-02 08:00）发送完毕：共 1 个聊天，送达 1 个" in notices[0].text
    clock.now = at(2, 9)
    assert len(await service.tick()) == 2  # a report stays due until it was sent
    assert notices[0].broadcast_id is not None
    service.reported(notices[0].broadcast_id)
    (report,) = service.reports()
    assert "送达 2 个，失败 0 个" in report.text
    assert "群“一群”（-1）：没有置顶权限" in report.text
    assert report.broadcast_id is not None
    service.reported(report.broadcast_id)
    assert service.reports() == []
    assert telegram.copies() == {42: 1, -1: 1, -2: 1}


async def test_late_and_missed_occurrences_are_told_to_the_admins(knowledge: Path) -> None:
    clock, telegram = Clock(at(1, 12)), FakeTelegram()
    service = make_service(knowledge, clock, telegram)
    service.registry.subscribe(42)
    await service.tick()
    clock.now = at(2, 9, 30)  # down since 1 March 12:00
    notices = [n.text for n in await service.tick()]
    assert any("“meeting”原定 2026-03-02 09:00 发送" in text and "晚了 30 分钟" in text for text in notices)
    assert any("“daily”错过了 1 次（2026-03-02 08:00）" in text and "1 小时 0 分钟" in text for text in notices)
    assert telegram.inbox[42] == []


async def test_a_refused_file_is_reported_and_the_old_schedule_keeps_running(knowledge: Path) -> None:
    clock, telegram = Clock(at(1, 12)), FakeTelegram()
    service = make_service(knowledge, clock, telegram)
    service.registry.subscribe(42)
    await service.tick()
    (knowledge / ANNOUNCEMENTS_FILE).write_text(SCHEDULE.replace("repeat: daily", "repeat: dialy"), encoding="utf-8")
    (notice,) = await service.tick()
    assert "没有采用，继续按原来的安排发送（2 条定时通知）" in notice.text
    assert f"{ANNOUNCEMENTS_FILE}:9:13: 通知“daily”的 repeat“dialy”不认识" in notice.text
    clock.now = at(2, 8)
    await service.tick()
    assert telegram.inbox[42] == ["每日提醒"]


async def test_start_with_a_broken_file_says_nothing_is_in_force(knowledge: Path) -> None:
    (knowledge / ANNOUNCEMENTS_FILE).write_text("announcements:\n  - id: x\n", encoding="utf-8")
    service = AnnouncementService(
        Database(knowledge / "bot.sqlite3"),
        knowledge / ANNOUNCEMENTS_FILE,
        FakeSender(FakeTelegram()),
        timezone="Asia/Shanghai",
        grace=timedelta(hours=1),
    )
    service.start()
    (notice,) = await service.tick()
    assert "现在没有生效的定时通知" in notice.text


async def test_announce_steps(knowledge: Path) -> None:
    clock, telegram = Clock(at(1, 12)), FakeTelegram()
    service = make_service(knowledge, clock, telegram)
    service.registry.bot_status_changed(-1, "group", "一群", "member", present=True)
    draft = service.draft("大家好", html=False, admin_id=7, chat_id=7)
    assert "发送给：所有群组（1 个聊天）\n在群组中置顶：否" in service.controls(draft)
    draft = service.set_options(draft.id, targets=Targets.SUBSCRIBERS)
    assert "订阅者（0 个聊天）" in service.controls(draft)
    assert "没有任何接收者" in service.controls(draft)
    draft = service.set_options(draft.id, targets=Targets.GROUPS, pin=True)
    started = service.confirm(draft.id)
    assert started is not None
    assert service.confirm(draft.id) is None
    (report,) = await service.deliver(draft.id)
    assert report.chat_id == 7
    assert telegram.copies() == {-1: 1}


def test_listings(knowledge: Path) -> None:
    service = make_service(knowledge, Clock(at(2, 8, 30)), FakeTelegram())
    service.registry.bot_status_changed(-1, "group", "一群", "administrator", present=True)
    service.registry.bot_status_changed(-2, "group", "二群", "member", present=True)
    service.registry.bot_status_changed(-2, "group", "二群", "kicked", present=False)
    groups = service.groups_text()
    assert groups.startswith("已登记的群组：2 个（可发送 1 个）；订阅者：0 人。")
    assert "✅ 一群（-1）：机器人已加入，管理员" in groups
    assert "⛔ 二群（-2）：机器人已被踢出群" in groups
    listing = service.schedule_text(count=3)
    assert listing.splitlines()[1:4] == [
        "· 2026-03-02 09:00  “meeting” → 所有群组，置顶",
        "· 2026-03-03 08:00  “daily” → 订阅者",
        "· 2026-03-04 08:00  “daily” → 订阅者",
    ]
    assert "“daily”：每天 08:00（自 2026-03-02 08:00 起），每日提醒" in listing


async def test_a_late_sending_within_the_grace_period_is_not_also_called_over(knowledge: Path) -> None:
    # The bot stops the day before and starts again 30 minutes after the one-off "meeting" was due:
    # it is sent late, and nothing claims otherwise.
    telegram = FakeTelegram()
    before = make_service(knowledge, Clock(at(1, 12)), telegram)
    before.registry.bot_status_changed(-1, "group", "一群", "member", present=True)
    assert await before.tick() == []
    service = make_service(knowledge, Clock(at(2, 9, 30)), telegram)
    notices = [notice.text for notice in await service.tick()]
    assert any("定时通知“meeting”原定 2026-03-02 09:00 发送" in text and "现在补发" in text for text in notices)
    assert not [text for text in notices if "不会再发送" in text]
    assert telegram.inbox[-1] == ["明早九点开会"]


async def test_a_sending_missed_beyond_the_grace_period_is_called_over(knowledge: Path) -> None:
    telegram = FakeTelegram()
    assert await make_service(knowledge, Clock(at(1, 12)), telegram).tick() == []
    service = make_service(knowledge, Clock(at(2, 11)), telegram)
    notices = [notice.text for notice in await service.tick()]
    assert any("定时通知“meeting”错过了 1 次" in text for text in notices)
    assert any("通知“meeting”的发送时间已经过去，它不会再发送" in text for text in notices)
