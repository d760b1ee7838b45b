"""The database file: a damaged one moved aside at start, a lost one noticed while running, admins told."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CallbackContext

from bot.core.storage.connection import Database
from bot.core.storage.health import FileState, FileWatch, Start, open_database
from bot.tg import storagewatch
from tests.kit.constants import ADMIN_ID, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text

NOW = datetime(2026, 3, 2, 9, 30)


def test_a_missing_database_is_created_and_an_existing_one_opened(tmp_path: Path) -> None:
    first = open_database(tmp_path / "bot.sqlite3", NOW)
    first.db.close()
    second = open_database(tmp_path / "bot.sqlite3", NOW)
    second.db.close()
    assert (first.start, second.start) == (Start.CREATED, Start.OPENED)


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_started(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(content)
    opened = open_database(path, NOW)
    try:
        assert opened.start is Start.REPLACED
        assert opened.moved_to == tmp_path / "bot.sqlite3.broken-20260302-093000"
        assert opened.moved_to.read_bytes() == content  # kept for whoever restores
        opened.db.connection.execute("SELECT COUNT(*) FROM questions").fetchone()
    finally:
        opened.db.close()


def test_the_watch_sees_a_file_deleted_or_replaced(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = Database(path)
    watch = FileWatch(path)
    assert watch.state() is FileState.OK
    replacement = tmp_path / "other.sqlite3"
    Database(replacement).close()
    replacement.replace(path)
    assert watch.state() is FileState.REPLACED
    path.unlink()
    assert watch.state() is FileState.GONE
    db.close()


async def _run_watch(bot: Harness) -> list[str]:
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name(storagewatch.JOB_NAME)
    before = len(bot.api.calls)
    await job.callback(CallbackContext.from_job(job, bot.app))
    return [visible_text(call.text) for call in bot.api.calls[before:] if call.chat_id == ADMIN_ID]


async def test_admins_are_told_when_the_database_was_damaged_at_start(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    config.database.write_bytes(b"overwritten by mistake" * 200)
    async with running(config) as bot:
        (notice,) = await _run_watch(bot)
        assert "已损坏" in notice
        assert "faqbot.sqlite3.broken-" in notice
        assert await _run_watch(bot) == []  # told once


async def test_admins_are_told_once_when_the_database_is_deleted_while_running(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(make_config(tmp_path)) as bot:
        assert await _run_watch(bot) == []
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"faqbot.sqlite3{suffix}").unlink(missing_ok=True)
        with caplog.at_level(logging.ERROR):
            (notice,) = await _run_watch(bot)
        assert "被删除了" in notice
        assert "从备份恢复" in notice
        assert "faqbot.sqlite3 gone" in caplog.text
        assert await _run_watch(bot) == []  # once per episode


async def test_a_new_database_says_so_in_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        async with running(make_config(tmp_path)):
            pass
    assert "Created a new, empty database" in caplog.text


async def test_a_storage_failure_is_reported_once_per_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(make_config(tmp_path, admin_chat_id=ADMIN_ID)) as bot:
        journal = bot.app.bot_data.journal
        record = journal.record_question

        def disk_full(*args: Any, **kwargs: Any) -> int:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(journal, "record_question", disk_full)
        with caplog.at_level(logging.WARNING):
            before = len(bot.api.calls)
            for _ in range(5):
                await bot.ask("要去多长时间？")  # still answered
            await asyncio.gather(*storagewatch._NOTICES)
            notices = [call for call in bot.api.calls[before:] if call.chat_id == ADMIN_ID]
        assert len(notices) == 1
        assert "数据库写入失败" in visible_text(notices[0].text)
        assert len(bot.api.sent(USER_ID)) == 5
        assert len([r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]) == 1

        monkeypatch.setattr(journal, "record_question", record)
        await bot.ask("要去多长时间？")  # the episode ends
        assert "can be written again" in caplog.text
        monkeypatch.setattr(journal, "record_question", disk_full)
        before = len(bot.api.calls)
        await bot.ask("要去多长时间？")
        await asyncio.gather(*storagewatch._NOTICES)
        assert len([call for call in bot.api.calls[before:] if call.chat_id == ADMIN_ID]) == 1
