"""What a feature module (answering, staff, announcements) offers to ``build_application``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from telegram import BotCommand

from bot.tg.context import FaqApplication


@dataclass(frozen=True)
class CommandMenu:
    """A feature's commands for Telegram's command menu (descriptions in Chinese).

    Attributes:
        private: shown to everyone in private chats.
        group: shown in groups.
        staff: shown only to the admins, in their private chats with the bot.
    """

    private: tuple[BotCommand, ...] = ()
    group: tuple[BotCommand, ...] = ()
    staff: tuple[BotCommand, ...] = ()


class Feature(Protocol):
    """A module of ``bot.tg`` that adds handlers (and jobs) to the application."""

    def register(self, application: FaqApplication) -> None:
        """Add the feature's handlers, jobs and ``bot_data`` attributes."""

    def commands(self) -> CommandMenu:
        """The feature's entries in the command menus."""
