"""End-to-end: the staff tools through the real application (no network): /export, /test, reports, access."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.tg import texts as tg_texts
from bot.tg.app import set_commands
from bot.tg.staff import texts as staff_texts
from tests.kit.constants import ADMIN_ID, OTHER_USER_ID
from tests.kit.harness import Harness
from tests.kit.html import visible_text
from tests.kit.staff import (
    SECOND_ADMIN,
    admin,
    knowledge_dir,
    texts,
)
from tests.staff_helpers import write_faq

# -- export and /test --------------------------------------------------------------------------


async def test_export_sends_the_current_file(staff_bot: Harness) -> None:
    folder = knowledge_dir(staff_bot)

    (call, _) = await staff_bot.ask("/export", user=admin(staff_bot))

    assert call.method == "sendDocument"
    assert call.chat_id == ADMIN_ID
    filename, content, _ = call.files["document"]
    assert filename == "faq.yaml"
    assert content == (folder / "faq.yaml").read_bytes()
    assert call.params["caption"].startswith("当前的问答库（3 个条目）。")
    assert "不同" not in call.params["caption"]

    write_faq(folder, "entries: [")  # a broken edit that is not serving
    (call, no_schedule) = await staff_bot.ask("/export", user=admin(staff_bot))
    assert call.files["document"][1] == b"entries: ["
    assert "和机器人正在使用的版本不同" in call.params["caption"]
    assert visible_text(no_schedule.text).startswith("还没有通知安排文件 announcements.yaml。")


async def test_test_shows_what_the_engine_sees(staff_bot: Harness) -> None:
    (reply,) = texts(await staff_bot.ask("/test 一年派几个人出去", user=admin(staff_bot)))

    lines = reply.splitlines()
    assert lines[0] == "问题：一年派几个人出去"
    assert lines[2].startswith("结果：直接回答")
    assert lines[3] == "最接近的条目："
    assert lines[4].startswith("1. how_many  ")
    assert 1 <= len([line for line in lines if line[:1].isdigit()]) <= 5
    (usage,) = texts(await staff_bot.ask("/test", user=admin(staff_bot)))
    assert usage == staff_texts.TEST_USAGE


# -- reports -----------------------------------------------------------------------------------


async def ask_as_cadres(bot: Harness) -> None:
    for question in ("食堂在哪", "食堂在哪里", "食堂在哪", "能带家属吗", "一年派几个人出去"):
        await bot.ask(question, user=bot.payloads.user(OTHER_USER_ID))


async def test_unanswered_groups_and_marks_handled(staff_bot: Harness) -> None:
    await ask_as_cadres(staff_bot)

    (report,) = await staff_bot.ask("/unanswered", user=admin(staff_bot))

    lines = visible_text(report.text).splitlines()
    assert lines[0].endswith("：共 4 次，2 组，次数多的在前。")
    assert lines[1] == "1. 食堂在哪 ×3（未答 3）"
    assert lines[2] == "   类似问法：食堂在哪里"
    assert lines[3] == "   现在仍然无法回答"
    assert lines[4] == "2. 能带家属吗 ×1（未答 1）"
    assert report.button_labels == ["✅ 1", "✅ 2"]

    calls = await staff_bot.press(report, "✅ 1", user=admin(staff_bot))

    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params["text"] == "已标记为已处理：食堂在哪"
    assert calls[1].method == "editMessageReplyMarkup"
    assert [b["text"] for row in calls[1].params["reply_markup"]["inline_keyboard"] for b in row] == ["✅ 2"]
    (again,) = texts(await staff_bot.ask("/unanswered 30", user=admin(staff_bot)))
    assert "食堂" not in again
    assert "1. 能带家属吗 ×1" in again
    (pressed_twice,) = await staff_bot.press(report, "✅ 1", user=admin(staff_bot))
    assert pressed_twice.params["text"] == staff_texts.HANDLED_GONE


async def test_unanswered_when_nothing_was_missed_and_with_a_bad_argument(staff_bot: Harness) -> None:
    (report,) = await staff_bot.ask("/unanswered", user=admin(staff_bot))
    assert "：没有。" in visible_text(report.text)
    assert report.keyboard == []
    (usage,) = texts(await staff_bot.ask("/unanswered abc", user=admin(staff_bot)))
    assert usage == "用法：/unanswered 天数，例如 /unanswered 30（默认 7 天，最多 366 天）。"


async def test_stats_text_and_chart(staff_bot: Harness) -> None:
    pytest.importorskip("matplotlib")
    await ask_as_cadres(staff_bot)
    await staff_bot.ask("你好", user=staff_bot.payloads.user(OTHER_USER_ID))

    calls = await staff_bot.ask("/stats", user=admin(staff_bot))

    assert [call.method for call in calls] == ["sendMessage", "sendPhoto"]
    lines = visible_text(calls[0].text).splitlines()
    assert lines[1] == "提问 5 次"  # the greeting is not journalled as a question
    assert lines[2] == "  直接回答 1（20%）"
    assert lines[4] == "  无法回答 4（80%）"
    assert "  1. how_many 每年选派多少干部 ×1" in lines
    _, png, _ = calls[1].files["photo"]
    assert png.startswith(b"\x89PNG")
    assert calls[1].params["caption"].startswith("每天提问数（")


async def test_stats_without_the_chart_library(staff_bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    calls = await staff_bot.ask("/stats 30", user=admin(staff_bot))
    assert [call.method for call in calls] == ["sendMessage"]
    assert "提问 0 次" in visible_text(calls[0].text)


# -- access ------------------------------------------------------------------------------------


async def test_staff_commands_are_in_the_admins_menus_only(staff_bot: Harness) -> None:
    await set_commands(staff_bot.app)

    menus = {
        (call.params["scope"]["type"], call.params["scope"].get("chat_id")): [
            c["command"] for c in call.params["commands"]
        ]
        for call in staff_bot.api.called("setMyCommands")
    }
    staff = {"reload", "export", "test", "unanswered", "stats"}
    assert not staff & set(menus[("all_private_chats", None)])
    assert not staff & set(menus[("all_group_chats", None)])
    for admin_id in (ADMIN_ID, SECOND_ADMIN):
        assert staff <= set(menus[("chat", admin_id)])
        assert set(menus[("all_private_chats", None)]) <= set(menus[("chat", admin_id)])


@pytest.mark.parametrize("command", ["/reload", "/export", "/test 要去多久", "/unanswered", "/stats"])
async def test_staff_commands_refuse_non_admins(
    staff_bot: Harness, caplog: pytest.LogCaptureFixture, command: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.tg.access"):
        calls = await staff_bot.ask(command)
    assert texts(calls) == [tg_texts.ADMIN_ONLY]
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("Refused ")


async def test_a_non_admin_cannot_press_the_handled_button(staff_bot: Harness) -> None:
    await ask_as_cadres(staff_bot)
    (report,) = await staff_bot.ask("/unanswered", user=admin(staff_bot))
    (alert,) = await staff_bot.press(report, "✅ 1", user=staff_bot.payloads.user())
    assert alert.params["show_alert"] is True
    (again,) = texts(await staff_bot.ask("/unanswered", user=admin(staff_bot)))
    assert "1. 食堂在哪 ×3" in again


async def test_staff_commands_are_private_only(staff_bot: Harness) -> None:
    group = staff_bot.payloads.group_chat()
    assert await staff_bot.ask("/stats", chat=group, user=admin(staff_bot)) == []
    assert await staff_bot.ask("/unanswered@FaqTestBot", chat=group, user=admin(staff_bot)) == []


async def test_a_failing_chart_does_not_spoil_the_report(
    staff_bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("matplotlib")

    def broken_chart(stats: object) -> bytes:
        raise RuntimeError("no backend")

    monkeypatch.setattr("bot.tg.staff.handlers.questions_per_day_png", broken_chart)
    with caplog.at_level(logging.ERROR, logger="bot.tg.staff"):
        calls = await staff_bot.ask("/stats", user=admin(staff_bot))
    assert [call.method for call in calls] == ["sendMessage"]
    assert visible_text(calls[0].text).startswith("使用统计（")
    assert [record.getMessage() for record in caplog.records] == ["Could not draw the questions-per-day chart"]


async def test_help_lists_the_staff_commands_to_admins_only(staff_bot: Harness) -> None:
    (for_admin,) = texts(await staff_bot.ask("/help", user=admin(staff_bot)))
    (for_cadre,) = texts(await staff_bot.ask("/help", user=staff_bot.payloads.user(OTHER_USER_ID)))

    assert for_admin.startswith(for_cadre)
    staff_part = for_admin.removeprefix(for_cadre)
    for command in ("/reload", "/export", "/test", "/unanswered", "/stats", "/announce", "/groups", "/schedule"):
        assert f"• {command} " in staff_part
    assert "announcements.yaml（通知安排）作为文件发给我" in staff_part
    assert "/reload" not in for_cadre
