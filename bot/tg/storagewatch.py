"""Watching the database file: the admins hear when it was lost, replaced or unreadable.

At start a damaged file has been moved aside (:mod:`bot.core.storage.health`); the
first run of the job tells the admins.  Then every :data:`INTERVAL_SECONDS` the job
checks that the file at the configured path is still the one the bot writes to, and
tells the admins once per episode when it is gone or replaced, naming the restore.
"""

from __future__ import annotations

import logging

from bot.core.announcements.service import Notice
from bot.core.storage.health import FileState, FileWatch, Start
from bot.tg.announcements import send_notices
from bot.tg.context import Context, FaqApplication
from bot.tg.feature import CommandMenu

logger = logging.getLogger(__name__)

JOB_NAME = "watch-database"
INTERVAL_SECONDS = 30.0

REPLACED_AT_START = (
    "⚠️ 数据库文件 {path} 已损坏（不是 SQLite 数据库），已改名保存为 {moved}，机器人用一个新的空数据库继续运行："
    "群组登记、订阅者、统计和发送记录都从零开始。如有备份，请停止机器人，把备份复制回 {path} 后再启动。"
)
LOST = (
    "⚠️ 数据库文件 {path} {what}。机器人仍在写入原来打开的文件，但重启后这些记录（群组、订阅者、统计、发送记录）"
    "都会丢失。请尽快停止机器人，从备份恢复 {path} 后再启动。"
)
WHAT = {FileState.GONE: "被删除了", FileState.REPLACED: "被另一个文件替换了"}


def commands() -> CommandMenu:
    return CommandMenu()


def register(application: FaqApplication) -> None:
    data = application.bot_data
    if application.job_queue is None or data.db.path is None:
        return
    watch = FileWatch(data.db.path)
    state = {"last": FileState.OK, "first": True}

    async def watch_database(context: Context) -> None:
        """Tell the admins about a database replaced at start, or lost while running (once per episode)."""
        notices = []
        opened = context.bot_data.db_start
        if state["first"]:
            state["first"] = False
            if opened.start is Start.REPLACED:
                notices.append(Notice(REPLACED_AT_START.format(path=watch.path, moved=opened.moved_to)))
        now = watch.state()
        if now is not FileState.OK and now is not state["last"]:
            logger.error("The database file %s %s while the bot was running", watch.path, now.value)
            notices.append(Notice(LOST.format(path=watch.path, what=WHAT[now])))
        state["last"] = now
        await send_notices(context, notices)

    application.job_queue.run_repeating(watch_database, interval=INTERVAL_SECONDS, first=1.0, name=JOB_NAME)
