"""``knowledge/announcements.yaml``: read, validate and turn into a :class:`Schedule`.

``check_schedule`` returns the schedule (None when the file has errors) and every
problem with its line, so a broken file never replaces a working schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core.announcements.model import Announcement, Repeat, RepeatKind, Schedule, Targets
from bot.core.announcements.occurrences import busiest_day, shortest_gap
from bot.core.announcements.recurrence import CronError, check_cron
from bot.core.files.ids import ID_RE
from bot.core.files.locations import ANNOUNCEMENTS_FILE
from bot.core.files.problems import InvalidFileError, Mark, Problem, ProblemCollector, display_path, quote_lines
from bot.core.files.yamlfile import LineDict, LineList, full_width_colon_message, full_width_key, parse_yaml

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_TEXT_LENGTH = 4096  # Telegram's limit for one message
TOP_KEYS = ("announcements",)
ENTRY_KEYS = ("id", "text", "at", "targets", "pin", "repeat", "days", "cron", "until", "frequent")
DEFAULT_MIN_INTERVAL = dt.timedelta(hours=1)  # a repetition more frequent needs "frequent: true"
TIME_EXAMPLE = "2026-03-02 09:00"

TARGET_WORDS = {
    "groups": Targets.GROUPS,
    "群组": Targets.GROUPS,
    "subscribers": Targets.SUBSCRIBERS,
    "订阅者": Targets.SUBSCRIBERS,
    "both": Targets.BOTH,
    "全部": Targets.BOTH,
}
REPEAT_WORDS = {
    "daily": RepeatKind.DAILY,
    "每天": RepeatKind.DAILY,
    "weekly": RepeatKind.WEEKLY,
    "每周": RepeatKind.WEEKLY,
    "cron": RepeatKind.CRON,
}
_DAY_NAMES = (
    ("mon", "monday", "周一", "星期一"),
    ("tue", "tuesday", "周二", "星期二"),
    ("wed", "wednesday", "周三", "星期三"),
    ("thu", "thursday", "周四", "星期四"),
    ("fri", "friday", "周五", "星期五"),
    ("sat", "saturday", "周六", "星期六"),
    ("sun", "sunday", "周日", "星期日", "周天", "星期天"),
)
WEEKDAY_WORDS = {name: index for index, names in enumerate(_DAY_NAMES) for name in names}

_DATE_TIME = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")


_T = TypeVar("_T")


class _Checker(ProblemCollector):
    """Collects problems while turning raw YAML data into announcements."""

    def __init__(
        self,
        shown: str,
        tz: ZoneInfo,
        now: dt.datetime,
        grace: dt.timedelta,
        min_interval: dt.timedelta = DEFAULT_MIN_INTERVAL,
    ) -> None:
        super().__init__(shown)
        self.tz = tz
        self.now = now
        self.grace = grace
        self.min_interval = min_interval

    def entries(self, data: Any) -> tuple[LineList, list[Mark]]:
        if data is None:
            return LineList(), []
        if not isinstance(data, LineDict):
            self.add(None, "文件应该以“announcements:”开头，下面是通知列表（参考文件顶部的说明）。")
            return LineList(), []
        for key in data:
            if key not in TOP_KEYS:
                self.add(data.key_marks[key], self.unknown_key(key, TOP_KEYS, "文件顶层"))
        raw = data.get("announcements")
        if raw is None:
            return LineList(), []
        if not isinstance(raw, LineList):
            self.add(data.value_marks["announcements"], "announcements 应该是通知列表：每条通知以“- id: ”开头。")
            return LineList(), []
        return raw, raw.item_marks

    # -- one value each -------------------------------------------------------------
    def text(self, value: Any, mark: Mark | None, name: str) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(mark, f"{name}的 text 是空的：请写上通知内容。")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(
                mark,
                f"{name}的 text 应该是一段文字。如果文字里有冒号或方括号，请给整段加上双引号，或用“text: |”另起一行写。",
            )
            return None
        text = str(value).strip()
        if len(text) > MAX_TEXT_LENGTH:
            self.add(
                mark, f"{name}的 text 太长（{len(text)} 个字符）：Telegram 一条消息最多 {MAX_TEXT_LENGTH} 个字符。"
            )
            return None
        return text

    def moment(self, value: Any, mark: Mark | None, name: str, key: str) -> dt.datetime | None:
        """A date and time in the configured zone; ``until`` may be a date alone (the end of that day)."""
        if isinstance(value, dt.datetime):
            return value.astimezone(self.tz) if value.tzinfo is not None else value.replace(tzinfo=self.tz)
        if isinstance(value, dt.date):
            value = value.isoformat()
        match = _DATE_TIME.match(str(value).strip()) if isinstance(value, str | int) else None
        if match is None:
            self.add(mark, f"{name}的 {key}“{value}”看不懂：请写成“年-月-日 时:分”，例如 {TIME_EXAMPLE}。")
            return None
        year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
        if match.group(4) is None:
            if key != "until":
                self.add(mark, f"{name}的 {key} 只有日期，缺少时间：请写成“{match.group(0)} 09:00”这样的日期加时间。")
                return None
            hour, minute, second = 23, 59, 59
        try:
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=self.tz)
        except ValueError:
            self.add(
                mark, f"{name}的 {key}“{value}”不是一个存在的日期或时间：请检查月、日（例如 2 月没有 30 日）和时、分。"
            )
            return None

    def choice(self, value: Any, mark: Mark | None, words: dict[str, _T], what: str) -> _T | None:
        word = str(value).strip().lower() if isinstance(value, str) else None
        if word in words:
            return words[word]
        allowed = "、".join(key for key in words if key.isascii())
        chinese = "、".join(key for key in words if not key.isascii())
        self.add(mark, f"{what}“{value}”不认识：只能写 {allowed}" + (f"（或 {chinese}）" if chinese else "") + "。")
        return None

    def days(self, value: Any, mark: Mark | None, name: str) -> tuple[int, ...] | None:
        items = value if isinstance(value, list) else [value]
        marks = value.item_marks if isinstance(value, LineList) else [mark] * len(items)
        days: list[int] = []
        ok = True
        for item, item_mark in zip(items, marks, strict=True):
            word = str(item).strip().lower()
            if isinstance(item, bool) or word not in WEEKDAY_WORDS:
                hint = "用数字容易弄错周日，" if isinstance(item, int) and not isinstance(item, bool) else ""
                self.add(item_mark, f"{name}的 days 里“{item}”不是星期几：{hint}请写 mon、tue … sun 或 周一 … 周日。")
                ok = False
            elif WEEKDAY_WORDS[word] not in days:
                days.append(WEEKDAY_WORDS[word])
        if not ok:
            return None
        if not days:
            self.add(mark, f"{name}的 days 是空的：请写上星期几，例如 days: [mon, thu]。")
            return None
        return tuple(sorted(days))

    # -- one entry ------------------------------------------------------------------
    def entry(self, raw: Any, mark: Mark, index: int) -> Announcement | None:
        """One announcement, or None when it has errors (each one is reported)."""
        where = f"第 {index} 条通知"
        if not isinstance(raw, LineDict):
            if key := full_width_key(raw):
                self.add(mark, f"{where}：{full_width_colon_message(key)}")
                return None
            self.add(mark, f"{where}格式不对：每条通知应该以“- id: ”开头，下面是 text:、at: 等键。")
            return None
        errors_before = len(self.errors)
        keys, values = raw.key_marks, raw.value_marks
        announcement_id = self.identifier(raw, where)
        name = f"通知“{announcement_id}”" if announcement_id else where
        for key in raw:
            if key not in ENTRY_KEYS:
                self.add(keys[key], self.unknown_key(key, ENTRY_KEYS, name))
        for key, hint in (("text", "请写上通知内容"), ("at", f"请写上发送时间，例如 at: {TIME_EXAMPLE}")):
            if key not in raw:
                self.add(raw.mark, f"{name}缺少 {key}：{hint}。")
        text = self.text(raw.get("text"), values.get("text"), name) if "text" in raw else None
        at = self.moment(raw["at"], values["at"], name, "at") if "at" in raw else None
        until = None
        if raw.get("until") is not None:
            until = self.moment(raw["until"], values["until"], name, "until")
        targets: Targets | None = Targets.GROUPS
        if "targets" in raw:
            targets = self.choice(raw["targets"], values["targets"], TARGET_WORDS, f"{name}的 targets")
        pin = raw.get("pin", False)
        if not isinstance(pin, bool):
            self.add(values.get("pin"), f"{name}的 pin 只能写 true（置顶）或 false（不置顶）。")
        frequent = raw.get("frequent", False)
        if not isinstance(frequent, bool):
            self.add(values.get("frequent"), f"{name}的 frequent 只能写 true 或 false。")
        repeat = self.repeat(raw, name)  # None: a one-off, or errors (counted below)
        if until is not None and raw.get("repeat") is None:
            self.add(values["until"], f"{name}写了 until，但没有 repeat：只发一次的通知不需要 until。", warning=True)
            until = None
        if until is not None and at is not None and until < at:
            self.add(values["until"], f"{name}的 until 早于 at：结束时间要在第一次发送之后。")
        if len(self.errors) > errors_before or not announcement_id or not text or not at or not targets:
            return None
        announcement = Announcement(announcement_id, text, at, targets, bool(pin), repeat, until, raw.mark.line)
        if pin and not targets.groups:
            self.add(values["pin"], f"{name}只发给订阅者（私聊），pin 只在群组里有效，这里不会置顶。", warning=True)
        self.warn_if_over(announcement, values)
        if frequent is not True and self.too_frequent(announcement, values, name):
            return None
        return announcement

    def too_frequent(self, announcement: Announcement, values: dict[str, Mark], name: str) -> bool:
        """Whether a repetition sends more often than the minimum interval allows (reported)."""
        gap = shortest_gap(announcement) if announcement.repeat is not None else None
        if gap is None or gap >= self.min_interval:
            return False
        self.add(
            values.get("cron") or values.get("repeat"),
            f"{name}每隔 {_minutes(gap)}就发一次（一天最多 {busiest_day(announcement)} 次），"
            f"比允许的最短间隔 {_minutes(self.min_interval)}还密：请改写 cron，例如“0 9 * * 1-5”"
            "表示周一到周五每天 9:00 一次；确实需要这么频繁，请在这一条加上 frequent: true。",
        )
        return True

    def identifier(self, raw: LineDict, where: str) -> str | None:
        if "id" not in raw:
            self.add(raw.mark, f"{where}缺少 id：请加一行“id: 英文编号”，例如 id: weekly-report。")
            return None
        value, mark = raw["id"], raw.value_marks["id"]
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not ID_RE.fullmatch(text):
            self.add(mark, f"id“{value}”不能用：只能用英文字母、数字、下划线 _ 和减号 -，最多 40 个字符。")
            return None
        return text

    def repeat(self, raw: LineDict, name: str) -> Repeat | None:
        """The repetition, or None for a one-off (or when it has errors, each one reported)."""
        values = raw.value_marks
        if raw.get("repeat") is None:
            for key, needed in (("days", "weekly"), ("cron", "cron")):
                if raw.get(key) is not None:
                    self.add(values[key], f"{name}写了 {key}，但没有写“repeat: {needed}”：请补上，否则它只发一次。")
                    return None
            return None
        kind = self.choice(raw["repeat"], values["repeat"], REPEAT_WORDS, f"{name}的 repeat")
        if kind is None or not self.fits(kind, raw, name):
            return None
        if kind is RepeatKind.WEEKLY:
            return self.weekly(raw, name)
        if kind is RepeatKind.CRON:
            return self.cron(raw, name)
        return Repeat(kind)

    def fits(self, kind: RepeatKind, raw: LineDict, name: str) -> bool:
        """Whether days and cron are written only for the repetitions that use them (else reported)."""
        values = raw.value_marks
        if kind is not RepeatKind.WEEKLY and raw.get("days") is not None:
            self.add(values["days"], f"{name}的 days 只在“repeat: weekly”时有用：请删掉 days，或改成 repeat: weekly。")
            return False
        if kind is not RepeatKind.CRON and raw.get("cron") is not None:
            self.add(values["cron"], f"{name}的 cron 只在“repeat: cron”时有用：请删掉 cron，或改成 repeat: cron。")
            return False
        return True

    def weekly(self, raw: LineDict, name: str) -> Repeat | None:
        values = raw.value_marks
        if raw.get("days") is None:
            self.add(values["repeat"], f"{name}是每周重复，但缺少 days：例如 days: [mon, thu] 表示每周一和周四。")
            return None
        days = self.days(raw["days"], values["days"], name)
        return Repeat(RepeatKind.WEEKLY, days=days) if days is not None else None

    def cron(self, raw: LineDict, name: str) -> Repeat | None:
        values = raw.value_marks
        if raw.get("cron") is None:
            self.add(
                values["repeat"], f'{name}是按 cron 重复，但缺少 cron：例如 cron: "0 9 * * 1-5" 表示周一到周五 9:00。'
            )
            return None
        expression = str(raw["cron"]).strip()
        try:
            check_cron(expression)
        except CronError as error:
            self.add(values["cron"], f"{name}的 {error}")
            return None
        fields = expression.split()
        if fields[2] not in ("*", "?") and fields[4] not in ("*", "?"):
            self.add(
                values["cron"],
                f"{name}的 cron 同时限定了日期和星期：这里要求两者同时满足（标准 cron 是满足其一即可）。",
                warning=True,
            )
        return Repeat(RepeatKind.CRON, cron=expression)

    def warn_if_over(self, announcement: Announcement, values: dict[str, Mark]) -> None:
        # An occurrence less than the grace period late is still sent when the bot (re)starts.
        if announcement.next_after(self.now - self.grace) is not None:
            return
        when = "结束时间" if announcement.repeat else "发送时间"
        self.add(
            values.get("until" if announcement.repeat and announcement.until else "at"),
            f"通知“{announcement.id}”的{when}已经过去，它不会再发送。不需要了可以删掉这一条。",
            warning=True,
        )


def _minutes(gap: dt.timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    return f"{minutes // 60} 小时" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} 分钟"


def sendings_summary(schedule: Schedule) -> list[str]:
    """One line per repeating announcement: how often it sends, for ``faqbot check``."""
    shown = display_path(schedule.source) if schedule.source is not None else ANNOUNCEMENTS_FILE
    return [
        f"{shown}:{announcement.line}: 通知“{announcement.id}”每天最多发送 {busiest_day(announcement)} 次"
        f"（{announcement.repeat.describe(announcement.at)}）"
        for announcement in schedule.announcements
        if announcement.repeat is not None
    ]


def check_schedule(
    path: Path,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    now: dt.datetime | None = None,
    grace: dt.timedelta = dt.timedelta(0),
    min_interval: dt.timedelta = DEFAULT_MIN_INTERVAL,
) -> tuple[Schedule | None, list[Problem]]:
    """Validate an announcements file; return the schedule (None when there are errors) and every problem.

    Args:
        path: the announcements file.
        timezone: the zone the file's dates and times are in (config ``timezone``).
        now: the present, to warn about announcements that will not fire again.
        grace: how late an occurrence may still be sent (config ``announcements.grace_period_minutes``).
        min_interval: the shortest gap a repetition may have without ``frequent: true``.
    """
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(shown, 1, 1, "找不到这个文件。请检查路径是否正确。")]
    except OSError as error:
        return None, [Problem(shown, 1, 1, f"无法读取这个文件（{error.strerror}）。")]
    return parse_schedule(raw, path, timezone=timezone, now=now, grace=grace, min_interval=min_interval)


def parse_schedule(
    raw: bytes,
    path: Path,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    now: dt.datetime | None = None,
    grace: dt.timedelta = dt.timedelta(0),
    min_interval: dt.timedelta = DEFAULT_MIN_INTERVAL,
    shown: str | None = None,
) -> tuple[Schedule | None, list[Problem]]:
    """Like :func:`check_schedule` for the bytes of the file at ``path`` (already read).

    ``shown`` names the file in problems (default: ``path``), e.g. the name of a file sent by chat.
    """
    shown = shown or display_path(path)
    try:
        data = parse_yaml(raw, shown)
    except InvalidFileError as error:
        return None, error.problems
    tz = ZoneInfo(timezone)
    checker = _Checker(shown, tz, now or dt.datetime.now(tz), grace, min_interval)
    raw_entries, marks = checker.entries(data)
    announcements: list[Announcement] = []
    first_seen: dict[str, Mark] = {}
    for index, (entry, mark) in enumerate(zip(raw_entries, marks, strict=True), start=1):
        announcement = checker.entry(entry, mark, index)
        if isinstance(entry, LineDict) and isinstance(entry.get("id"), str):
            announcement_id, id_mark = entry["id"].strip(), entry.value_marks["id"]
            if announcement_id in first_seen:
                first = first_seen[announcement_id].line
                checker.add(
                    id_mark, f"id“{announcement_id}”重复了（第一次出现在第 {first} 行）：每条通知的 id 必须不同。"
                )
                continue
            first_seen[announcement_id] = id_mark
        if announcement is not None:
            announcements.append(announcement)
    problems = quote_lines(sorted(checker.problems), raw.decode("utf-8-sig"), shown)
    if checker.errors:
        return None, problems
    schedule = Schedule(tuple(announcements), path, hashlib.sha256(raw).hexdigest())
    return schedule, problems
