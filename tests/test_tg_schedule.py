"""End-to-end: scheduled announcements through the real application — fired once, refused files, listing."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.announcement_fakes import Clock, at
from tests.kit.constants import ADMIN_ID, SHIPPED_KNOWLEDGE, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text
from tests.test_tg_announcements import add_bot_to, deliveries, messages_to, run_job, service

SCHEDULE = """\
announcements:
  - id: meeting
    text: 动员会明早九点开始
    at: 2026-03-02 09:00
    targets: both
    pin: true
  - id: morning
    text: 早上好，请报平安
    at: 2026-03-02 08:00
    repeat: cron
    cron: "0 8 * * 1-5"
    targets: subscribers
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, folder, ignore=shutil.ignore_patterns("source"))
    (folder / "announcements.yaml").write_text(SCHEDULE, encoding="utf-8")
    return folder


@asynccontextmanager
async def scheduled_bot(tmp_path: Path, knowledge: Path, now: datetime) -> AsyncIterator[tuple[Harness, Clock]]:
    clock = Clock(now)
    async with running(make_config(tmp_path, knowledge=knowledge)) as harness:
        service(harness).clock = clock
        yield harness, clock


async def setup_audience(bot: Harness) -> None:
    await add_bot_to(bot, -101)
    await add_bot_to(bot, -102)
    await bot.ask("/subscribe")


async def test_a_scheduled_announcement_fires_once(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 58)) as (bot, clock):
        await setup_audience(bot)
        assert deliveries(await run_job(bot), "动员会明早九点开始") == {}
        sent: Counter[int] = Counter()
        reports = []
        for minute in range(59, 63):  # the job runs every few seconds; here once a minute around 09:00
            clock.now = at(2, 8) + timedelta(minutes=minute)
            calls = await run_job(bot)
            sent += deliveries(calls, "动员会明早九点开始")
            reports += messages_to(calls, ADMIN_ID)
        assert sent == {-101: 1, -102: 1, USER_ID: 1}
        assert [visible_text(r) for r in reports] == [
            "定时通知“meeting”（2026-03-02 09:00）发送完毕：共 3 个聊天，送达 3 个，失败 0 个。"
        ]
        assert {call.params["chat_id"] for call in bot.api.called("pinChatMessage")} == {-101, -102}


async def test_a_repeating_announcement_fires_on_each_occurrence(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 0)) as (bot, clock):  # Monday 2 March
        await setup_audience(bot)
        await run_job(bot)
        received = []
        for day in range(2, 10):
            for hour, minute in ((7, 59), (8, 0), (8, 1), (12, 0)):
                clock.now = at(day, hour, minute)
                received += messages_to(await run_job(bot), USER_ID)
        assert received.count("早上好，请报平安") == 6  # Monday to Friday, then Monday again


@pytest.mark.parametrize(
    ("back_at", "sent", "notice"),
    [
        pytest.param(
            at(2, 9, 40),
            1,
            "原定 2026-03-02 09:00 发送，因机器人当时没有运行，现在补发（晚了 40 分钟）",
            id="within grace",
        ),
        pytest.param(at(2, 10, 5), 0, "“meeting”错过了 1 次（2026-03-02 09:00）", id="beyond grace"),
    ],
)
async def test_grace_period_after_downtime(
    tmp_path: Path, knowledge: Path, back_at: datetime, sent: int, notice: str
) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 30)) as (bot, _):
        await setup_audience(bot)
        await run_job(bot)
    # the bot is down from 08:30 …
    async with scheduled_bot(tmp_path, knowledge, back_at) as (bot, _):
        calls = await run_job(bot)
        assert deliveries(calls, "动员会明早九点开始") == ({-101: sent, -102: sent, USER_ID: sent} if sent else {})
        assert any(notice in visible_text(text) for text in messages_to(calls, ADMIN_ID))


async def test_a_bad_file_is_refused_and_the_old_schedule_keeps_running(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 50)) as (bot, clock):
        await setup_audience(bot)
        await run_job(bot)
        (knowledge / "announcements.yaml").write_text(
            SCHEDULE.replace("at: 2026-03-02 09:00", "at: 2026-03-02").replace("targets: both", "target: both"),
            encoding="utf-8",
        )
        clock.now = at(2, 8, 55)
        (notice,) = messages_to(await run_job(bot), ADMIN_ID)
        shown = visible_text(notice)
        assert shown.startswith("通知安排文件有错误，没有采用，继续按原来的安排发送（2 条定时通知）。")
        assert "announcements.yaml:4:9: 通知“meeting”的 at 只有日期，缺少时间" in shown
        assert "announcements.yaml:5:5: 通知“meeting”有一个不认识的键“target”：是不是想写 targets？" in shown
        clock.now = at(2, 9)
        calls = await run_job(bot)
        assert deliveries(calls, "动员会明早九点开始") == {-101: 1, -102: 1, USER_ID: 1}

        (knowledge / "announcements.yaml").write_text(SCHEDULE.replace("动员会", "总结会"), encoding="utf-8")
        clock.now = at(2, 9, 1)
        # "meeting" (09:00) is within the grace period: not called over, which a late start would contradict.
        (changed,) = (visible_text(text) for text in messages_to(await run_job(bot), ADMIN_ID))
        assert changed == "通知安排文件已更新：现在共有 2 条定时通知。发送 /schedule 查看。"

        (knowledge / "announcements.yaml").write_text(SCHEDULE.replace("动员会", "表彰会"), encoding="utf-8")
        clock.now = at(2, 10, 1)
        changed, warning = (visible_text(text) for text in messages_to(await run_job(bot), ADMIN_ID))
        assert changed == "通知安排文件已更新：现在共有 2 条定时通知。发送 /schedule 查看。"
        assert "提醒：通知“meeting”的发送时间已经过去，它不会再发送。" in warning


async def test_schedule_lists_what_is_coming(tmp_path: Path, knowledge: Path) -> None:
    async with scheduled_bot(tmp_path, knowledge, at(2, 8, 30)) as (bot, _):
        (listing,) = messages_to(await bot.ask("/schedule", user=bot.payloads.user(ADMIN_ID)), ADMIN_ID)
        lines = visible_text(listing).splitlines()
        assert lines[:4] == [
            "接下来要发送的定时通知：",
            "· 2026-03-02 09:00  “meeting” → 所有群组和订阅者，置顶",
            "· 2026-03-03 08:00  “morning” → 订阅者",
            "· 2026-03-04 08:00  “morning” → 订阅者",
        ]
        assert "· “morning”：按 cron “0 8 * * 1-5”（自 2026-03-02 08:00 起），早上好，请报平安" in lines
