"""Typed PTB context: what the application keeps in ``bot_data``, ``chat_data`` and ``user_data``.

Handlers read ``context.bot_data.responder`` and so on — attributes, never
string keys.  Feature modules add the attributes they need here (and set them
in their ``register``), so everything a handler can reach is declared in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from telegram import BotCommand, User
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Config
from bot.core.announcements.service import AnnouncementService
from bot.core.conversation import Memory, Responder
from bot.core.handoffs.service import HandoffService
from bot.core.knowledge.reload import FaqFile
from bot.core.knowledge.snapshot import KnowledgeHolder
from bot.core.matching.text import Script
from bot.core.operations.heartbeat import UnreachableTracker, UpdateTracker
from bot.core.storage.connection import Database
from bot.core.storage.health import Opened
from bot.core.usage.journal import Journal
from bot.core.usage.votes import Ballots
from bot.proxy import Proxy

# Telegram app languages written in traditional characters (IETF tags as Telegram reports them).
TRADITIONAL_LANGUAGES = frozenset({"zh-hant", "zh-tw", "zh-hk", "zh-mo", "zh-hant-tw", "zh-hant-hk"})


class BotData:
    """Shared by every handler; the core objects are set by ``build_application``."""

    config: Config
    holder: KnowledgeHolder
    responder: Responder
    memory: Memory  # the last answered turn of each conversation, for follow-up questions
    db: Database
    db_start: Opened  # how the database was found at start
    journal: Journal
    reloader: FaqFile  # set by the staff feature
    announcements: AnnouncementService  # set by bot.tg.announcements.register
    handoffs: HandoffService  # set by bot.tg.handoffs.handlers.register
    staff_commands: tuple[BotCommand, ...] = ()  # every feature's staff commands, for an admin's /help
    ballots: Ballots  # set by bot.tg.answering.register
    updates: UpdateTracker  # set by bot.tg.health.register
    unreachable: UnreachableTracker  # set by bot.tg.health.register

    def __init__(self) -> None:
        self.last_error_report: float = float("-inf")  # monotonic time of the last report to the admins
        self.storage_failing = False  # a write to the database failed and none has succeeded since
        self.proxy: Proxy | None = None  # the proxy every Bot API call goes through, if any
        self.heartbeat_written: float = float("-inf")  # monotonic time the heartbeat file was last written


@dataclass
class RecentAnswer:
    """A question answered in a group: when, by which message, and who has asked it since."""

    at: float  # monotonic time of the answer
    message_id: int  # the bot's answer
    askers: set[int] = field(default_factory=set)


class ChatData:
    """Per chat."""

    def __init__(self) -> None:
        # Normalised question -> its answer in the repeat window (groups: a repeat points to it).
        self.recent_questions: dict[str, RecentAnswer] = {}


class UserData:
    """Per user."""

    def __init__(self) -> None:
        # The script of the user's last question, for replies that carry no text of their own (/faq, /start).
        self.script: Script | None = None


# ExtBot[int]: the bot's rate limiter (bot.tg.ratelimit) takes an int of flood retries per call.
Context: TypeAlias = CallbackContext[ExtBot[int], UserData, ChatData, BotData]
FaqApplication: TypeAlias = Application[ExtBot[int], Context, UserData, ChatData, BotData, JobQueue[Context]]

CONTEXT_TYPES = ContextTypes(bot_data=BotData, chat_data=ChatData, user_data=UserData)


def user_script(context: Context, user: User | None = None) -> Script:
    """The script to write fixed texts in for this user: their last question's, else their app language's."""
    if context.user_data is not None and context.user_data.script is not None:
        return context.user_data.script
    language = (user.language_code or "").lower() if user is not None else ""
    return Script.TRADITIONAL if language in TRADITIONAL_LANGUAGES else Script.SIMPLIFIED
