"""Load on the real ``faqbot run``: one group flooding, then a thousand users at once.

The bot runs as a subprocess against the fake Bot API of the tests, served on
127.0.0.1, which here enforces Telegram's flood limits like Telegram: at most 20
messages a minute in one group and 30 a second overall (requests that name a chat;
``answerCallbackQuery`` is free), and answers 429 with ``retry_after`` beyond them.
Times run from the moment an update is offered to long polling to the moment the
fake accepts the bot's answer.

Run: python -m benchmarks.load [--users 1000] [--presses 500] [--flood 60] [--private 30]
(prints numbers; nothing is asserted; it takes about a minute and a half)
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.paths import PROJECT_ROOT
from tests.fake_bot_api_server import FakeBotApiServer
from tests.kit.api import UPDATES_LIMIT, ApiCall, ApiError, FakeBotApi
from tests.kit.constants import TOKEN
from tests.kit.payloads import Payloads

JSON = dict[str, Any]
GROUP_ID = -1009876543210
QUESTIONS = (
    "双百双招是什么？",
    "要去多长时间？",
    "去哪些地方学习锻炼",
    "选派多少人",
    "主要任务是什么",
    "怎么报名参加",
    "去了以后住在哪里",
    "这是第几批了",
)
TOPICS_PAGE = "a:t:s:1"  # the topic menu's second page: the handler answers the press and edits the menu
PROFILE: list[str] = []
MESSAGE_METHODS = ("sendMessage", "editMessageText", "editMessageReplyMarkup")


class FloodLimits:
    """Telegram's limits as sliding windows, and when each chat's answers and each press's answer arrived."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.lock = threading.Lock()
        self.overall: deque[float] = deque()
        self.groups: dict[int, deque[float]] = defaultdict(deque)
        self.refused = 0
        self.accepted: dict[int, list[float]] = defaultdict(list)  # chat id -> times of accepted messages
        self.answered: dict[str, float] = {}  # callback query id -> time answered
        for method in MESSAGE_METHODS:
            api.on(method, self._message(method))
        api.on("answerCallbackQuery", self._answer_callback)
        self.fetched: dict[int, float] = {}  # update id -> when the bot first got it from getUpdates
        take = api.take_updates

        def take_and_note(offset: int, limit: int = UPDATES_LIMIT) -> list[JSON]:
            updates = take(offset, limit)
            now = time.monotonic()
            for update in updates:
                self.fetched.setdefault(update["update_id"], now)
            return updates

        api.take_updates = take_and_note  # type: ignore[method-assign]

    @staticmethod
    def _room(window: deque[float], limit: int, period: float, now: float) -> float:
        """0 if there is room in ``window``, else the seconds until there is."""
        while window and now - window[0] >= period:
            window.popleft()
        return 0.0 if len(window) < limit else window[0] + period - now

    def _message(self, method: str) -> Any:
        def answer(params: JSON) -> Any:
            chat_id = int(params["chat_id"])
            with self.lock:
                now = time.monotonic()
                wait = self._room(self.overall, 30, 1.0, now)
                if chat_id < 0:
                    wait = max(wait, self._room(self.groups[chat_id], 20, 60.0, now))
                if wait > 0:
                    self.refused += 1
                    raise ApiError(429, f"Too Many Requests: retry after {math.ceil(wait)}", math.ceil(wait))
                self.overall.append(now)
                if chat_id < 0:
                    self.groups[chat_id].append(now)
                self.accepted[chat_id].append(now)
            if method == "sendMessage":
                return self.api.new_message(params, ApiCall(method, params))
            return self.api.edited_message(params)

        return answer

    def _answer_callback(self, params: JSON) -> bool:
        with self.lock:
            self.answered[str(params["callback_query_id"])] = time.monotonic()
        return True


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]

    return f"p50 {at(0.5):6.2f} s  p90 {at(0.9):6.2f} s  p99 {at(0.99):6.2f} s  max {ordered[-1]:6.2f} s"


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


class Bot:
    """``faqbot run`` as a subprocess against ``server``."""

    def __init__(self, folder: Path, server: FakeBotApiServer, name: str) -> None:
        # A long poll the bot abandons when it stops is a broken pipe, not news.
        server.server.handle_error = lambda *args: None  # type: ignore[method-assign]
        server.server.RequestHandlerClass.protocol_version = "HTTP/1.1"  # type: ignore[attr-defined] # keep-alive
        config = folder / f"{name}.yaml"
        config.write_text(
            f"token: '{TOKEN}'\nbase_url: {server.base_url}\nknowledge: {PROJECT_ROOT / 'knowledge'}\n"
            f"database: {name}.sqlite3\n",
            encoding="utf-8",
        )
        env = {key: value for key, value in os.environ.items() if key != "FAQBOT_TOKEN"}
        env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        self.log = folder / f"{name}.log"
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, *PROFILE, "-m", "bot", "run", "--config", str(config), "--log-level", "WARNING"],
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=folder,
                env=env,
            )

    def ready(self, api: FakeBotApi) -> None:
        if not wait_until(lambda: bool(api.called("setMyCommands")), 60):
            raise SystemExit(f"the bot did not start:\n{self.log.read_text(encoding='utf-8')}")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the bot's process so far (Linux)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, *, kill: bool = False) -> None:
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(timeout=300)


def flooding_group(folder: Path, flood: int, private: int) -> None:
    api = FakeBotApi()
    limits = FloodLimits(api)
    tg = Payloads(api.bot_user)
    group = tg.group_chat(GROUP_ID)
    with FakeBotApiServer(api) as server:
        bot = Bot(folder, server, "flood")
        bot.ready(api)
        start = time.monotonic()
        for n in range(flood):
            api.push_update(tg.text(f"/ask {QUESTIONS[n % len(QUESTIONS)]}（第{n + 1}次）", chat=group))
        offered = time.monotonic()
        users = [200_000 + n for n in range(private)]
        for n, user in enumerate(users):
            api.push_update(tg.text(QUESTIONS[n % len(QUESTIONS)], user=tg.user(user)))
        wait_until(lambda: all(limits.accepted.get(user) for user in users), 120)
        replies = [limits.accepted[user][0] - offered for user in users if limits.accepted.get(user)]
        in_group = sorted(t - start for t in limits.accepted.get(GROUP_ID, []))
        bot.stop(kill=True)  # the group's backlog would take minutes to drain
    print(f"One group flooding: {flood} /ask in one group, then {private} private users ask one question each")
    print(f"  private replies  ({len(replies)}/{private}): {percentiles(replies)}")
    print(f"  group answers sent meanwhile: {len(in_group)} (the rest follow at 20 a minute)")
    print(f"  429 answers from the fake: {limits.refused}")


def thousand_users(folder: Path, users: int, presses: int) -> None:
    api = FakeBotApi()
    limits = FloodLimits(api)
    tg = Payloads(api.bot_user)
    with FakeBotApiServer(api) as server:
        bot = Bot(folder, server, "crowd")
        bot.ready(api)
        cpu_before, fake_cpu_before = bot.cpu_seconds(), time.process_time()
        askers = [300_000 + n for n in range(users)]
        queries: list[str] = []
        pressers = askers[:presses]
        offered = time.monotonic()
        for n, user in enumerate(askers):
            api.push_update(tg.text(QUESTIONS[n % len(QUESTIONS)], user=tg.user(user)))
            if n < presses:
                menu = {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": tg.private_chat(pressers[n]),
                    "from": api.bot_user,
                    "text": "menu",
                }
                press = tg.callback(TOPICS_PAGE, menu, user=tg.user(pressers[n]))
                queries.append(press["callback_query"]["id"])
                api.push_update(press)
        wait_until(lambda: all(limits.accepted.get(user) for user in askers) and len(limits.answered) >= presses, 600)
        done = time.monotonic()
        if len(limits.answered) < presses or not all(limits.accepted.get(user) for user in askers):
            print(bot.log.read_text(encoding="utf-8")[-3000:])
        replies = [limits.accepted[user][0] - offered for user in askers if limits.accepted.get(user)]
        answers = [limits.answered[query] - offered for query in queries if query in limits.answered]
        fetched = [moment - offered for moment in limits.fetched.values() if moment >= offered]
        sent = sum(len(times) for times in limits.accepted.values())
        cpu = bot.cpu_seconds() - cpu_before
        fake_cpu = time.process_time() - fake_cpu_before
        bot.stop()
    print(f"{users} users ask at once; {presses} of them also press a menu button at the same moment")
    print(f"  questions answered: {len(replies)}/{users}")
    print(f"  private replies:    {percentiles(replies)}")
    print(f"  callback answers:   {percentiles(answers)} ({len(answers)}/{presses})")
    print(f"  updates fetched:    {percentiles(fetched)} (by getUpdates, after they were offered)")
    print(f"  messages and edits: {sent} in {done - offered:.1f} s = {sent / (done - offered):.1f}/s (limit 30/s)")
    print(f"  429 answers from the fake: {limits.refused}; CPU time meanwhile: bot {cpu:.1f} s, fake {fake_cpu:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=60, help="questions in the flooding group (default 60)")
    parser.add_argument("--private", type=int, default=30, help="private users asking meanwhile (default 30)")
    parser.add_argument("--users", type=int, default=1000, help="users asking at once (default 1000)")
    parser.add_argument("--presses", type=int, default=500, help="of them, also pressing a button (default 500)")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        flooding_group(Path(folder), args.flood, args.private)
        thousand_users(Path(folder), args.users, args.presses)


if __name__ == "__main__":
    main()
