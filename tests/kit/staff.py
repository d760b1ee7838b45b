"""The staff tools' side of the harness: a bot with its own knowledge folder and two admins, and what staff see."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.tg.staff.handlers import WATCH_JOB
from tests.kit.api import ApiCall
from tests.kit.constants import ADMIN_ID, JSON, OTHER_USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text
from tests.staff_helpers import make_knowledge

SECOND_ADMIN = 4004
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def admin(bot: Harness, user_id: int = ADMIN_ID) -> JSON:
    return bot.payloads.user(user_id, first_name="管理员")


def texts(calls: list[ApiCall], chat_id: int | None = None) -> list[str]:
    return [
        visible_text(call.text)
        for call in calls
        if call.method == "sendMessage" and (chat_id is None or call.chat_id == chat_id)
    ]


def knowledge_dir(bot: Harness) -> Path:
    return bot.config.knowledge


def update_rows(bot: Harness) -> list[tuple[str, str, int, int | None]]:
    with sqlite3.connect(bot.config.database) as connection:
        return connection.execute("SELECT source, status, added, user_id FROM knowledge_updates ORDER BY id").fetchall()


async def answer_of(bot: Harness, question: str) -> str:
    (text,) = texts(await bot.ask(question, user=bot.payloads.user(OTHER_USER_ID)))
    return text


async def run_watch_job(bot: Harness) -> list[ApiCall]:
    job_queue = bot.app.job_queue
    assert job_queue is not None
    (job,) = job_queue.get_jobs_by_name(WATCH_JOB)
    before = len(bot.api.calls)
    await job.run(bot.app)
    return bot.api.calls[before:]


async def send_file(
    bot: Harness, content: bytes, name: str = "faq.yaml", *, user: JSON | None = None, size: int | None = None
) -> list[ApiCall]:
    file_id = f"upload{len(bot.api.files) + 1}"
    bot.api.files[file_id] = content
    payload = bot.payloads.document(
        file_id, name, file_size=len(content) if size is None else size, user=user or admin(bot)
    )
    return await bot.send(payload)


@asynccontextmanager
async def staff_harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot with its own knowledge folder (uploads write there) and two admins."""
    knowledge = make_knowledge(tmp_path / "knowledge")
    config = make_config(tmp_path, knowledge=knowledge, admins=(ADMIN_ID, SECOND_ADMIN))
    async with running(config) as harness:
        yield harness
