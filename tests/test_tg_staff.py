"""End-to-end: the staff files through the real application (no network): reload, the watch job, uploads."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import StaffConfig
from bot.core.announcements import texts as schedule_texts
from bot.core.files.history import backups
from bot.core.knowledge import texts as knowledge_texts
from bot.core.knowledge.reload import BACKUP_PREFIX
from bot.tg import texts as tg_texts
from bot.tg.staff import texts as staff_texts
from tests.kit.api import ApiError
from tests.kit.constants import ADMIN_ID, JSON, USER_ID
from tests.kit.harness import Harness, make_config, running
from tests.kit.html import visible_text
from tests.kit.staff import (
    PNG,
    SECOND_ADMIN,
    admin,
    answer_of,
    knowledge_dir,
    run_watch_job,
    send_file,
    texts,
    update_rows,
)
from tests.staff_helpers import BASE_FAQ, HISTORY, make_knowledge, write_faq

# -- reload ------------------------------------------------------------------------------------


async def test_reload_replies_with_the_changes(staff_bot: Harness) -> None:
    assert "以前派过干部吗" not in await answer_of(staff_bot, "以前派过干部吗")
    write_faq(knowledge_dir(staff_bot), BASE_FAQ.plus(HISTORY).replace("duration", answer="大约一百天。").yaml())

    (reply,) = texts(await staff_bot.ask("/reload", user=admin(staff_bot)))

    assert reply.splitlines() == ["问答库已更新，现在共有 4 个条目。", "新增 1 条：history", "修改 1 条：duration"]
    assert (await answer_of(staff_bot, "以前派过干部吗")).startswith("先后选派5批160名优秀干部赴上海。")
    assert update_rows(staff_bot) == [("reload", "loaded", 1, ADMIN_ID)]
    (again,) = texts(await staff_bot.ask("/reload", user=admin(staff_bot)))
    assert again == knowledge_texts.UNCHANGED


async def test_reload_of_a_broken_file_keeps_the_old_version(staff_bot: Harness) -> None:
    broken = BASE_FAQ.yaml().replace("related: [how_many]", "related: [nowhere]")
    write_faq(knowledge_dir(staff_bot), broken)

    (reply,) = texts(await staff_bot.ask("/reload", user=admin(staff_bot)))

    lines = reply.splitlines()
    assert lines[0].startswith("问答库文件有 1 处错误，没有更新，机器人继续使用原来的版本。")
    assert lines[1].endswith("faq.yaml:4:5: 条目“duration”的 related 里的“nowhere”不存在：请检查拼写。")
    assert (await answer_of(staff_bot, "一年派几个人出去")).startswith("每年选派100名左右优秀干部。")
    assert update_rows(staff_bot) == [("reload", "invalid", 0, ADMIN_ID)]


async def test_the_watch_job_loads_a_valid_change_and_tells_the_admins(staff_bot: Harness) -> None:
    assert await run_watch_job(staff_bot) == []  # first look: nothing new
    assert await run_watch_job(staff_bot) == []
    write_faq(knowledge_dir(staff_bot), BASE_FAQ.plus(HISTORY).yaml())
    assert await run_watch_job(staff_bot) == []  # seen once: maybe still being saved

    calls = await run_watch_job(staff_bot)

    for admin_id in (ADMIN_ID, SECOND_ADMIN):
        (told,) = texts(calls, admin_id)
        assert told.splitlines()[:3] == [staff_texts.WATCH_LOADED, "", "问答库已更新，现在共有 4 个条目。"]
    assert (await answer_of(staff_bot, "以前派过干部吗")).startswith("先后选派5批160名")
    assert await run_watch_job(staff_bot) == []
    assert update_rows(staff_bot) == [("watch", "loaded", 1, None)]


async def test_the_watch_job_refuses_a_broken_change_and_every_admin_gets_the_problems(
    staff_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def second_admin_never_started_the_bot(params: JSON) -> JSON:
        if int(params["chat_id"]) == SECOND_ADMIN:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return {"message_id": 1, "date": 0, "chat": {"id": params["chat_id"], "type": "private"}}

    await run_watch_job(staff_bot)
    write_faq(knowledge_dir(staff_bot), BASE_FAQ.yaml().replace("    answer: ", "    answer: [", 1))
    await run_watch_job(staff_bot)
    staff_bot.api.on("sendMessage", second_admin_never_started_the_bot)

    with caplog.at_level(logging.INFO, logger="bot.tg.staff"):
        calls = await run_watch_job(staff_bot)

    assert [call.chat_id for call in calls] == [ADMIN_ID, SECOND_ADMIN]  # both were told (one could not be reached)
    told = visible_text(calls[0].text).splitlines()
    assert told[0] == staff_texts.WATCH_INVALID
    assert told[2].startswith("问答库文件有 1 处错误")
    problem = told[3]
    assert problem.endswith(
        "faq.yaml:11:5: 方括号 [...] 列表写法有误：各项之间用英文逗号分隔，最后用 ] 结束；含有特殊符号的项请加双引号。"
    )
    logged = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(logged) == 1
    assert problem in logged[0].getMessage()  # the log says the same
    assert any(f"Could not tell staff chat {SECOND_ADMIN}" in record.getMessage() for record in caplog.records)
    assert (await answer_of(staff_bot, "一年派几个人出去")).startswith("每年选派100名左右优秀干部。")
    assert await run_watch_job(staff_bot) == []  # told once


# -- upload ------------------------------------------------------------------------------------


async def test_a_valid_upload_is_installed_with_a_backup(staff_bot: Harness) -> None:
    folder = knowledge_dir(staff_bot)
    old = (folder / "faq.yaml").read_bytes()
    new = BASE_FAQ.plus(HISTORY).yaml().encode()

    calls = await send_file(staff_bot, new)

    assert [call.method for call in calls] == ["getFile", "sendMessage"]
    lines = visible_text(calls[-1].text).splitlines()
    assert lines[:2] == ["问答库已更新，现在共有 4 个条目。", "新增 1 条：history"]
    assert lines[2].startswith("原来的文件已备份为 history/faq-")
    assert (folder / "faq.yaml").read_bytes() == new
    (backup,) = (folder / "history").iterdir()
    assert backup.read_bytes() == old
    assert (await answer_of(staff_bot, "以前派过干部吗")).startswith("先后选派5批160名")
    assert update_rows(staff_bot) == [("upload", "loaded", 1, ADMIN_ID)]


async def test_an_invalid_upload_changes_nothing(staff_bot: Harness) -> None:
    folder = knowledge_dir(staff_bot)
    old = (folder / "faq.yaml").read_bytes()
    bad = BASE_FAQ.replace("duration", passage="学习锻炼两百天").yaml().encode()

    (reply,) = texts(await send_file(staff_bot, bad, "faq_new.yaml"))

    assert reply.splitlines()[0].startswith("问答库文件有 1 处错误，没有更新")
    assert reply.splitlines()[1].startswith("faq_new.yaml:11:14: 条目“duration”的 passage 在文章里找不到")
    assert (folder / "faq.yaml").read_bytes() == old
    assert not (folder / "history").exists()
    assert update_rows(staff_bot) == [("upload", "invalid", 0, ADMIN_ID)]


@pytest.mark.parametrize(
    ("content", "name", "announced", "downloaded", "message"),
    [
        pytest.param(b"x: 1\n" * 60_000, "faq.yaml", None, False, "文件太大（293 KB，上限 256 KB）", id="oversized"),
        pytest.param(b"x: 1\n" * 60_000, "faq.yaml", 0, True, "文件太大", id="oversized, size not announced"),
        pytest.param(PNG, "faq.yaml", None, True, "不是 UTF-8 编码的文本", id="binary"),
        pytest.param(b"\x00\x00\x00\x18ftypmp42", "faq.yaml", None, True, "这不是文本文件", id="binary, utf-8"),
        pytest.param(b"PK\x03\x04", "问答库.docx", None, False, "只能接收 .yaml 文本文件", id="word document"),
        pytest.param(b"entries: [a, b\n", "faq.yaml", None, True, "方括号 [...] 列表写法有误", id="broken yaml"),
    ],
)
async def test_uploads_that_are_not_yaml_text_are_refused(
    staff_bot: Harness, content: bytes, name: str, announced: int | None, downloaded: bool, message: str
) -> None:
    folder = knowledge_dir(staff_bot)
    before = sorted(path.name for path in folder.iterdir())

    calls = await send_file(staff_bot, content, name, size=announced)

    assert bool(staff_bot.api.called("getFile")) is downloaded
    (reply,) = texts(calls)
    assert reply.startswith("问答库文件有 1 处错误，没有更新，机器人继续使用原来的版本。")
    assert message in reply
    assert sorted(path.name for path in folder.iterdir()) == before


async def test_an_upload_by_a_non_admin_is_refused_and_logged(
    staff_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    folder = knowledge_dir(staff_bot)
    old = (folder / "faq.yaml").read_bytes()

    with caplog.at_level(logging.WARNING, logger="bot.tg.staff"):
        calls = await send_file(staff_bot, BASE_FAQ.plus(HISTORY).yaml().encode(), user=staff_bot.payloads.user())

    (reply,) = texts(calls)
    assert reply.startswith("发送文件是给工作人员更新问答库和通知安排用的")  # not "this command is for admins"
    assert staff_bot.api.called("getFile") == []
    assert (folder / "faq.yaml").read_bytes() == old
    assert [r.getMessage() for r in caplog.records] == [f"Refused a file from non-admin user {USER_ID}"]


async def test_other_files_from_users_are_not_questions(staff_bot: Harness) -> None:
    calls = await send_file(staff_bot, b"%PDF-1.4", "通知.pdf", user=staff_bot.payloads.user())
    assert texts(calls) == [tg_texts.NON_TEXT]


async def test_uploads_rotate_the_backups(tmp_path: Path) -> None:
    config = make_config(
        tmp_path, knowledge=make_knowledge(tmp_path / "knowledge"), staff=replace(StaffConfig(), history_keep=2)
    )
    async with running(config) as bot:
        versions = [BASE_FAQ.replace("duration", answer=f"第{n}版。").yaml().encode() for n in range(1, 5)]
        for version in versions:
            (reply,) = texts(await send_file(bot, version))
            assert reply.startswith("问答库已更新")
        kept = backups(tmp_path / "knowledge" / "history", BACKUP_PREFIX)  # oldest first
    assert [path.read_bytes() for path in kept] == versions[1:3]  # the two replaced last
    assert (tmp_path / "knowledge" / "faq.yaml").read_bytes() == versions[-1]


# -- the schedule by chat ----------------------------------------------------------------------

SCHEDULE = "announcements:\n  - id: kickoff\n    at: 2099-03-02 09:00\n    targets: both\n    text: 动员会9:00召开。\n"


async def test_a_valid_schedule_upload_is_installed_and_in_force(staff_bot: Harness) -> None:
    folder = knowledge_dir(staff_bot)

    calls = await send_file(staff_bot, SCHEDULE.encode(), "announcements.yaml")

    assert [call.method for call in calls] == ["getFile", "sendMessage"]
    assert visible_text(calls[-1].text).splitlines() == [
        "通知安排已更新，现在共有 1 条定时通知。",
        "新增 1 条：kickoff",
        schedule_texts.COMING,
        "· 2099-03-02 09:00  “kickoff” → 所有群组和订阅者",
    ]
    assert (folder / "announcements.yaml").read_text(encoding="utf-8") == SCHEDULE
    (listing,) = texts(await staff_bot.ask("/schedule", user=admin(staff_bot)))
    assert "2099-03-02 09:00  “kickoff”" in listing
    assert update_rows(staff_bot) == []  # the FAQ's update record is not touched

    changed = SCHEDULE.replace("09:00", "10:00")
    (reply,) = texts(await send_file(staff_bot, changed.encode(), "定时通知.yaml"))
    assert reply.splitlines()[:2] == ["通知安排已更新，现在共有 1 条定时通知。", "修改 1 条：kickoff"]
    assert "原来的文件已备份为 history/announcements-" in reply
    (backup,) = (folder / "history").iterdir()
    assert backup.read_text(encoding="utf-8") == SCHEDULE
    (schedule_call,) = [
        call for call in await staff_bot.ask("/export", user=admin(staff_bot)) if call.method == "sendDocument"
    ][1:]
    assert schedule_call.files["document"][:2] == ("announcements.yaml", changed.encode())
    assert schedule_call.params["caption"].startswith("当前的通知安排（1 条定时通知）。")


async def test_an_invalid_schedule_upload_changes_nothing(staff_bot: Harness) -> None:
    folder = knowledge_dir(staff_bot)
    broken = SCHEDULE.replace("at: 2099-03-02 09:00", "at: 2099-03-02")

    (reply,) = texts(await send_file(staff_bot, broken.encode(), "announcements.yaml"))

    lines = reply.splitlines()
    assert lines[0].startswith("通知安排文件有 1 处错误，没有更新，机器人继续按原来的安排发送。")
    assert lines[1].startswith("announcements.yaml:3:9: 通知“kickoff”的 at 只有日期，缺少时间")
    assert lines[2] == "    |     at: 2099-03-02"
    assert not (folder / "announcements.yaml").exists()
    assert not (folder / "history").exists()
    (listing,) = texts(await staff_bot.ask("/schedule", user=admin(staff_bot)))
    assert listing.startswith("现在没有定时通知。")


async def test_a_schedule_from_a_non_admin_is_refused(staff_bot: Harness) -> None:
    calls = await send_file(staff_bot, SCHEDULE.encode(), "announcements.yaml", user=staff_bot.payloads.user())
    (reply,) = texts(calls)
    assert reply.startswith("发送文件是给工作人员更新问答库和通知安排用的")
    assert staff_bot.api.called("getFile") == []
    assert not (knowledge_dir(staff_bot) / "announcements.yaml").exists()
