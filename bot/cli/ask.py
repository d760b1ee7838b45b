"""``faqbot ask``: print the reply a user would get."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli.common import add_knowledge_option, load_snapshot
from bot.cli.render import render_line, render_plain
from bot.core.conversation import Responder
from bot.core.follow_ups import Turn
from bot.core.knowledge.snapshot import KnowledgeHolder
from bot.core.texts import DEFAULT_CONTACT


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("ask", help="answer one question (or '-' for one per line on stdin)")
    add_knowledge_option(parser)
    parser.add_argument("--json", action="store_true", help="write the result as JSON")
    parser.add_argument("--contact", default=DEFAULT_CONTACT, help="contact named when the article has no answer")
    parser.add_argument(
        "--conversation",
        action="store_true",
        help="with -: answer each line in the context of the lines before it; an empty line starts a new conversation",
    )
    parser.add_argument("question", help="the question, or - to read one question per line from stdin")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    snapshot = load_snapshot(args.knowledge)
    if snapshot is None:
        return 1
    responder = Responder(KnowledgeHolder(snapshot), contact=args.contact)
    if args.question != "-":
        reply = responder.reply(args.question)
        print(json.dumps(reply.as_json(), ensure_ascii=False) if args.json else render_plain(reply))
        return 0
    previous: Turn | None = None
    for line in sys.stdin:
        question = line.rstrip("\r\n")
        if args.conversation and not question.strip():
            previous = None
            continue
        reply = responder.reply(question, previous=previous if args.conversation else None)
        previous = reply.turn or previous
        print(json.dumps(reply.as_json(), ensure_ascii=False) if args.json else render_line(reply), flush=True)
    return 0
