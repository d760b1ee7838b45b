"""``faqbot chat``: the bot's conversation in the terminal, no token needed.

The same :class:`~bot.core.conversation.Responder` as on Telegram; buttons become
numbers: after a reply, type ``1``–``3`` to pick a suggestion or related
question (``0`` for "none of these"); ``/faq`` lists the topics the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.cli.common import add_knowledge_option, load_snapshot
from bot.cli.render import render_plain
from bot.config import ConfigError, load_config
from bot.core.conversation import Memory, Reply, Responder
from bot.core.knowledge.snapshot import KnowledgeHolder
from bot.core.matching.text import Script, convert
from bot.core.matching.thresholds import Outcome
from bot.core.texts import DEFAULT_CONTACT

CONVERSATION = "terminal"  # the one conversation of a terminal session
PROMPT = "问："
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})
GREETING = (
    "双百双招问答助手 · 终端版（和 Telegram 上的机器人一样的问答）\n"
    "直接输入问题，例如：要去多长时间？ 每年选派多少干部？\n"
    "输入 /faq 按分类浏览全部问题，/help 查看帮助，Ctrl-D 退出。"
)
HELP = (
    "• 直接输入问题，回车即可；简体、繁体都可以。\n"
    "• 回答下面列出的问题带编号，输入编号就能查看（0 表示“都不是”）。\n"
    "• /faq 按分类浏览全部问题；/quit 或 Ctrl-D 退出。"
)
PICK_HINT = "（输入编号查看，或直接输入新问题）"
BAD_NUMBER = "没有这个编号：请输入 {low}–{high} 之间的数字，或直接输入问题。"
UNKNOWN_COMMAND = "没有这个命令。可以用 /faq、/help、/quit，或直接输入问题。"
NONE_REPLY = "好的，这个问题我暂时答不上来。如需了解，请咨询{contact}。也可以输入 /faq 浏览全部问题。"
TOPICS_HEADER = "常见问题分类："
TOPIC_HEADER = "{topic}："
GOODBYE = "再见！"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("chat", help="talk to the bot in the terminal (no token needed)")
    add_knowledge_option(parser)
    parser.add_argument(
        "--config", type=Path, default=None, metavar="PATH", help="take the contact (and knowledge) from a config file"
    )
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class Choice:
    """What typing a number does: answer an entry, list a topic, or say "none of these"."""

    entry_id: str | None = None
    topic: str | None = None


NONE_OF_THESE = Choice()


class ChatSession:
    """One terminal conversation: turns typed lines into the text to print."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.script = Script.SIMPLIFIED
        self.choices: dict[int, Choice] = {}
        self.memory = Memory()  # one conversation: follow-ups lean on the last answer

    def say(self, text: str) -> str:
        return convert(text, self.script)

    def respond(self, line: str) -> str | None:
        """The text to show for one typed line; None means the user wants to leave."""
        line = line.strip()
        command = unicodedata.normalize("NFKC", line).lower()
        if command in QUIT_COMMANDS:
            return None
        if not line:
            return ""
        if command.isdigit() and self.choices:
            return self.pick(int(command))
        if command.startswith("/"):
            return self.command(command)
        return self.question(line)

    def command(self, command: str) -> str:
        if command in {"/faq", "/menu"}:
            return self.topics()
        if command in {"/help", "/start"}:
            return self.say(HELP)
        return self.say(UNKNOWN_COMMAND)

    def question(self, text: str) -> str:
        reply = self.responder.reply(text, previous=self.memory.recall(CONVERSATION))
        if reply.turn is not None:
            self.memory.remember(CONVERSATION, reply.turn)
        if not reply.empty:
            self.script = reply.script
        return self.show(reply)

    def show(self, reply: Reply) -> str:
        links = reply.suggestions if reply.outcome is Outcome.SUGGEST else reply.related
        self.choices = {number: Choice(entry_id=link.entry_id) for number, link in enumerate(links, start=1)}
        if reply.outcome is Outcome.SUGGEST:
            self.choices[0] = NONE_OF_THESE
        text = render_plain(reply)
        return text + "\n" + self.say(PICK_HINT) if self.choices else text

    def pick(self, number: int) -> str:
        choice = self.choices.get(number)
        if choice is None:
            return self.say(BAD_NUMBER).format(low=min(self.choices), high=max(self.choices))
        if choice.topic is not None:
            return self.topic(choice.topic)
        if choice.entry_id is not None:
            return self.show(self.responder.reply_for_entry(choice.entry_id, self.script))
        self.choices = {}
        return self.say(NONE_REPLY.format(contact=self.responder.contact))

    def topics(self) -> str:
        knowledge = self.responder.holder.snapshot.knowledge
        self.choices = {number: Choice(topic=topic) for number, topic in enumerate(knowledge.topics, start=1)}
        lines = [self.say(TOPICS_HEADER)]
        for number, topic in enumerate(knowledge.topics, start=1):
            count = sum(entry.topic == topic for entry in knowledge)
            lines.append(f"  {number}. {self.say(topic)}（{count}）")
        return "\n".join([*lines, self.say(PICK_HINT)])

    def topic(self, topic: str) -> str:
        entries = [entry for entry in self.responder.holder.snapshot.knowledge if entry.topic == topic]
        self.choices = {number: Choice(entry_id=entry.id) for number, entry in enumerate(entries, start=1)}
        lines = [self.say(TOPIC_HEADER.format(topic=topic))]
        lines += [f"  {number}. {self.say(entry.questions[0])}" for number, entry in enumerate(entries, start=1)]
        return "\n".join([*lines, self.say(PICK_HINT)])


def _enable_line_editing() -> None:
    """Arrow keys and history for input() where the platform has readline."""
    with contextlib.suppress(ImportError):
        importlib.import_module("readline")


def run(args: argparse.Namespace) -> int:
    contact, knowledge = DEFAULT_CONTACT, args.knowledge
    if args.config is not None:
        try:
            config = load_config(args.config, require_token=False)
        except ConfigError as error:
            print(f"faqbot: {error}", file=sys.stderr)
            return 2
        contact, knowledge = config.contact, knowledge or config.knowledge
    snapshot = load_snapshot(knowledge)
    if snapshot is None:
        return 1
    session = ChatSession(Responder(KnowledgeHolder(snapshot), contact=contact))
    interactive = sys.stdin.isatty()
    if interactive:
        _enable_line_editing()
    print(GREETING + "\n", flush=True)
    while True:
        try:
            line = input(session.say(PROMPT))
        except (EOFError, KeyboardInterrupt):
            print("\n" + session.say(GOODBYE))
            return 0
        if not interactive:
            print(line)  # echo piped input so the transcript reads like a conversation
        text = session.respond(line)
        if text is None:
            print(session.say(GOODBYE))
            return 0
        if text:
            print(text + "\n", flush=True)
