"""announcements.yaml: what loads into which objects, and what is refused with which message."""

from __future__ import annotations

import re
import textwrap
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main as cli_main
from bot.core.announcements.model import Repeat, RepeatKind, Targets
from bot.core.announcements.schedule_file import check_schedule
from bot.core.files.locations import ANNOUNCEMENTS_FILE, announcements_path
from bot.paths import PROJECT_ROOT

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=TZ)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def entry(body: str) -> str:
    """A file with one announcement whose keys are ``body`` (indented four spaces)."""
    return "announcements:\n  - id: a1\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "text: 开会\nat: 2026-03-02 09:00",
            {"at": datetime(2026, 3, 2, 9, 0, tzinfo=TZ), "targets": Targets.GROUPS, "pin": False, "repeat": None},
            id="one-off with defaults",
        ),
        pytest.param(
            "text: 开会\nat: 2026-03-02 09:00:30\ntargets: both\npin: true",
            {"at": datetime(2026, 3, 2, 9, 0, 30, tzinfo=TZ), "targets": Targets.BOTH, "pin": True},
            id="seconds, YAML timestamp",
        ),
        pytest.param(
            'text: 开会\nat: "2026年3月2日 9：05"\ntargets: 订阅者',
            {"at": datetime(2026, 3, 2, 9, 5, tzinfo=TZ), "targets": Targets.SUBSCRIBERS},
            id="Chinese date, full-width colon, Chinese target",
        ),
        pytest.param(
            "text: 开会\nat: 2026/3/2 09:00\nrepeat: daily\nuntil: 2026-03-10",
            {
                "repeat": Repeat(RepeatKind.DAILY),
                "until": datetime(2026, 3, 10, 23, 59, 59, tzinfo=TZ),
            },
            id="daily until a date",
        ),
        pytest.param(
            "text: 周报\nat: 2026-03-02 17:00\nrepeat: weekly\ndays: [thu, 周一, Monday]",
            {"repeat": Repeat(RepeatKind.WEEKLY, days=(0, 3))},
            id="weekly, names mixed and repeated",
        ),
        pytest.param(
            'text: 早安\nat: 2026-03-02 08:00\nrepeat: cron\ncron: "30 8 * * 1-5"',
            {"repeat": Repeat(RepeatKind.CRON, cron="30 8 * * 1-5")},
            id="cron",
        ),
        pytest.param(
            "text: 开会\nat: 2026-03-02 09:00:00+00:00",
            {"at": datetime(2026, 3, 2, 17, 0, tzinfo=TZ)},
            id="explicit offset is converted",
        ),
    ],
)
def test_valid_entries_load(tmp_path: Path, body: str, expected: dict[str, object]) -> None:
    schedule, problems = check_schedule(write(tmp_path, entry(body)), now=NOW)
    assert problems == []
    assert schedule is not None
    (announcement,) = schedule.announcements
    for name, value in expected.items():
        assert getattr(announcement, name) == value, name
    assert announcement.line == 2


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\npinn: true"),
            5,
            5,
            "不认识的键“pinn”：是不是想写 pin？",
            id="unknown key",
        ),
        pytest.param(entry("text: x\nat: 2026-03-02"), 4, 9, "只有日期，缺少时间", id="date without time"),
        pytest.param(entry("text: x\nat: next monday"), 4, 9, "例如 2026-03-02 09:00", id="unreadable time"),
        pytest.param(entry("text: x\nat: 2026-02-30 09:00"), 4, 9, "2 月没有 30 日", id="impossible date"),
        pytest.param(entry("text: x\nat: 2026-03-02 25:00"), 4, 9, "不是一个存在的日期或时间", id="impossible hour"),
        pytest.param(entry("at: 2026-03-02 09:00"), 2, 5, "缺少 text", id="missing text"),
        pytest.param(entry("text: x"), 2, 5, "缺少 at", id="missing at"),
        pytest.param(entry("text: ''\nat: 2026-03-02 09:00"), 3, 11, "text 是空的", id="empty text"),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\ntargets: everyone"),
            5,
            14,
            "只能写 groups、subscribers、both",
            id="bad targets",
        ),
        pytest.param(entry("text: x\nat: 2026-03-02 09:00\npin: 是"), 5, 10, "pin 只能写 true", id="bad pin"),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\nrepeat: monthly"), 5, 13, "repeat“monthly”不认识", id="bad repeat"
        ),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\nrepeat: weekly\ndays: [mon, funday]"),
            6,
            17,
            "“funday”不是星期几",
            id="unknown weekday",
        ),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\nrepeat: weekly\ndays: [1]"),
            6,
            12,
            "用数字容易弄错周日",
            id="weekday number",
        ),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\nrepeat: weekly"), 5, 13, "缺少 days", id="weekly without days"
        ),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\ndays: [mon]"),
            5,
            11,
            "没有写“repeat: weekly”",
            id="days without repeat",
        ),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\nrepeat: daily\ndays: [mon]"),
            6,
            11,
            "只在“repeat: weekly”时有用",
            id="days with daily",
        ),
        pytest.param(
            entry('text: x\nat: 2026-03-02 09:00\nrepeat: cron\ncron: "0 9 * *"'),
            6,
            11,
            "要有 5 部分",
            id="cron field count",
        ),
        pytest.param(
            entry('text: x\nat: 2026-03-02 09:00\nrepeat: cron\ncron: "61 9 * * *"'),
            6,
            11,
            "cron 表达式“61 9 * * *”有误",
            id="cron minute",
        ),
        pytest.param(
            entry('text: x\nat: 2026-03-02 09:00\nrepeat: cron\ncron: "0 9 * * 9"'),
            6,
            11,
            "星期字段",
            id="cron weekday",
        ),
        pytest.param(entry("text: x\nat: 2026-03-02 09:00\nrepeat: cron"), 5, 13, "缺少 cron", id="cron missing"),
        pytest.param(
            entry("text: x\nat: 2026-03-02 09:00\nrepeat: daily\nuntil: 2026-03-01"),
            6,
            12,
            "until 早于 at",
            id="until before at",
        ),
        pytest.param(entry("text: " + "长" * 5000 + "\nat: 2026-03-02 09:00"), 3, 11, "太长", id="text too long"),
        pytest.param(
            "announcements:\n  - id: bad id\n    text: x\n    at: 2026-03-02 09:00\n",
            2,
            9,
            "只能用英文字母",
            id="bad id",
        ),
        pytest.param(
            "announcements:\n  - id: a\n    text: x\n    at: 2026-03-02 09:00\n  - id: a\n    text: y\n    at: 2026-03-03 09:00\n",
            5,
            9,
            "id“a”重复了（第一次出现在第 2 行）",
            id="duplicate id",
        ),
        pytest.param("announcement:\n  - id: a\n", 1, 1, "是不是想写 announcements？", id="unknown top key"),
        pytest.param("announcements:\n  id: a\n", 2, 3, "announcements 应该是通知列表", id="not a list"),
        pytest.param("announcements:\n  - just text\n", 2, 5, "格式不对", id="entry not a mapping"),
        pytest.param("announcements:\n  - id: a\n    text: 时间: 九点\n", 3, 13, "冒号", id="YAML error explained"),
    ],
)
def test_errors_name_the_line_and_what_to_do(tmp_path: Path, text: str, line: int, column: int, message: str) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(text, encoding="utf-8")
    schedule, problems = check_schedule(path, now=NOW)
    assert schedule is None
    errors = [problem for problem in problems if not problem.warning]
    assert any((problem.line, problem.column) == (line, column) and message in problem.message for problem in errors), (
        "\n".join(map(str, problems))
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param("text: x\nat: 2026-02-01 09:00", "发送时间已经过去", id="past one-off"),
        pytest.param(
            "text: x\nat: 2026-01-01 09:00\nrepeat: daily\nuntil: 2026-02-01", "结束时间已经过去", id="repeat ended"
        ),
        pytest.param(
            "text: x\nat: 2026-03-02 09:00\nuntil: 2026-04-01", "只发一次的通知不需要 until", id="until without repeat"
        ),
        pytest.param(
            "text: x\nat: 2026-03-02 09:00\ntargets: subscribers\npin: true",
            "pin 只在群组里有效",
            id="pin for subscribers",
        ),
        pytest.param(
            'text: x\nat: 2026-03-02 09:00\nrepeat: cron\ncron: "0 9 1 * 1"',
            "同时限定了日期和星期",
            id="cron day and weekday",
        ),
    ],
)
def test_warnings_do_not_stop_the_file(tmp_path: Path, body: str, message: str) -> None:
    schedule, problems = check_schedule(write(tmp_path, entry(body)), now=NOW)
    assert schedule is not None
    assert len(schedule) == 1
    assert [problem.warning for problem in problems] == [True]
    assert message in problems[0].message
    assert str(problems[0]).split(": ", 1)[1].startswith("提醒：")


@pytest.mark.parametrize("text", ["", "announcements:\n", "announcements: []\n", "# only comments\n"])
def test_empty_files_are_an_empty_schedule(tmp_path: Path, text: str) -> None:
    path = tmp_path / ANNOUNCEMENTS_FILE
    path.write_text(text, encoding="utf-8")
    schedule, problems = check_schedule(path, now=NOW)
    assert problems == []
    assert schedule is not None
    assert len(schedule) == 0


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    schedule, problems = check_schedule(tmp_path / ANNOUNCEMENTS_FILE)
    assert schedule is None
    assert "找不到这个文件" in problems[0].message


def test_the_shipped_file_schedules_nothing() -> None:
    path = PROJECT_ROOT / "knowledge" / ANNOUNCEMENTS_FILE
    schedule, problems = check_schedule(path)
    assert problems == []
    assert schedule is not None
    assert len(schedule) == 0


def _uncomment_examples(text: str) -> str:
    lines = text.split("# 示例", 1)[1].splitlines()[1:]
    return "\n".join(line[2:] for line in lines if line.startswith("# ") or line == "#")


def test_the_shipped_examples_are_valid(tmp_path: Path) -> None:
    """The commented examples in the shipped file's header load as they are."""
    text = (PROJECT_ROOT / "knowledge" / ANNOUNCEMENTS_FILE).read_text(encoding="utf-8")
    schedule, problems = check_schedule(write(tmp_path, _uncomment_examples(text)), now=NOW)
    assert problems == []
    assert schedule is not None
    assert [item.id for item in schedule] == ["kickoff-meeting", "weekly-report", "morning-reminder"]


def test_the_readme_example_is_valid(tmp_path: Path) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Announcements", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert example is not None
    schedule, problems = check_schedule(write(tmp_path, example.group(1)), now=NOW)
    assert problems == []
    assert schedule is not None
    assert len(schedule) >= 3


def test_timezone_is_applied(tmp_path: Path) -> None:
    path = write(tmp_path, entry("text: x\nat: 2026-03-02 09:00"))
    schedule, _ = check_schedule(path, timezone="Europe/Berlin", now=NOW)
    assert schedule is not None
    assert schedule.announcements[0].at == datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_faqbot_check_validates_the_announcements_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, entry("text: x\nat: 2026-03-02 09:00\nrepeat: weekly\ndays: [someday]"))
    assert cli_main(["check", str(tmp_path)]) == 1
    output = capsys.readouterr().out
    assert f"{ANNOUNCEMENTS_FILE}:6:12: 通知“a1”的 days 里“someday”不是星期几" in output


def test_faqbot_check_accepts_the_shipped_knowledge(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["check", str(PROJECT_ROOT / "knowledge")]) == 0
    assert f"{ANNOUNCEMENTS_FILE}: 没有问题" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("knowledge", "knowledge/announcements.yaml"),
        ("knowledge/faq.yaml", "knowledge/announcements.yaml"),
    ],
)
def test_announcements_path_is_beside_the_faq(given: str, expected: str) -> None:
    assert announcements_path(PROJECT_ROOT / given) == PROJECT_ROOT / expected


# -- how often a repetition may send ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "extra", "min_minutes", "refused"),
    [
        pytest.param("* 9 * * 1-5", "", 60, "每隔 1 分钟就发一次（一天最多 60 次）", id="every minute"),
        pytest.param("*/30 8-18 * * *", "", 60, "每隔 30 分钟就发一次（一天最多 22 次）", id="every half hour"),
        pytest.param("0,20 9 * * *", "", 60, "每隔 20 分钟", id="twice in an hour"),
        pytest.param("0 9 * * 1-5", "", 60, "", id="once a day"),
        pytest.param("0 */2 * * *", "", 60, "", id="every two hours"),
        pytest.param("0 * * * *", "", 60, "", id="every hour is the minimum"),
        pytest.param("* 9 * * 1-5", "\nfrequent: true", 60, "", id="frequent on purpose"),
        pytest.param("*/30 8-18 * * *", "", 30, "", id="a lower configured minimum"),
        pytest.param("0 * * * *", "", 120, "每隔 1 小时就发一次（一天最多 24 次）", id="a higher configured minimum"),
    ],
)
def test_a_repetition_more_frequent_than_the_minimum_is_refused(
    tmp_path: Path, cron: str, extra: str, min_minutes: int, refused: str
) -> None:
    path = write(tmp_path, entry(f'text: x\nat: 2026-03-02 09:00\nrepeat: cron\ncron: "{cron}"{extra}'))
    schedule, problems = check_schedule(path, now=NOW, min_interval=timedelta(minutes=min_minutes))
    errors = [problem for problem in problems if not problem.warning]
    if refused:
        assert schedule is None
        (error,) = errors
        assert (error.line, refused in error.message, "frequent: true" in error.message) == (6, True, True), error
    else:
        assert errors == [], errors
        assert schedule is not None
        assert len(schedule) == 1


def test_frequent_must_be_true_or_false(tmp_path: Path) -> None:
    path = write(
        tmp_path, entry('text: x\nat: 2026-03-02 09:00\nrepeat: cron\ncron: "0 9 * * *"\nfrequent: yes please')
    )
    schedule, problems = check_schedule(path, now=NOW)
    assert schedule is None
    assert "frequent 只能写 true 或 false" in problems[0].message


def test_faqbot_check_shows_how_often_each_repetition_sends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        tmp_path,
        "announcements:\n"
        "  - id: once\n    text: x\n    at: 2027-03-02 09:00\n"
        "  - id: mornings\n    text: x\n    at: 2027-03-02 08:30\n    repeat: cron\n    cron: '30 8 * * 1-5'\n"
        "  - id: hourly\n    text: x\n    at: 2027-03-02 09:00\n    repeat: cron\n    cron: '0 9-17 * * 1-5'\n",
    )
    assert cli_main(["check", str(tmp_path)]) == 0
    output = capsys.readouterr().out
    assert f"{ANNOUNCEMENTS_FILE}:5: 通知“mornings”每天最多发送 1 次" in output
    assert f"{ANNOUNCEMENTS_FILE}:10: 通知“hourly”每天最多发送 9 次" in output
    assert "“once”" not in output


def test_faqbot_check_explains_absurd_nesting_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ANNOUNCEMENTS_FILE).write_text("announcements: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    assert cli_main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert f"{ANNOUNCEMENTS_FILE}:1:1: 括号或缩进嵌套的层次太多" in captured.out
    assert "Traceback" not in captured.out + captured.err
