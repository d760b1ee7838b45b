"""``build_application``: the one place that wires the bot together.

Each module in :data:`FEATURES` adds its handlers and jobs (``register``) and
its command-menu entries (``commands``); ``fallback`` is registered after all of
them in the same handler group, so a feature's handler always wins over the
"unknown command" and "not text" replies; the error handler catches what escapes.

Adding a feature (staff tools, announcements):

- a module ``bot/tg/<feature>.py`` (or ``handlers.py`` of a package ``bot/tg/<feature>/``, beside its
  ``texts.py``) with ``register(application)`` and ``commands() -> CommandMenu``, listed in :data:`FEATURES`;
- handlers in the default group 0; staff-only callbacks wrapped in :func:`bot.tg.access.admin_only`;
- inline buttons with its own :class:`bot.tg.common.Callback` (a prefix: ``s``, ``n``…) and a
  ``CallbackQueryHandler`` with ``pattern=CALLBACK.pattern``; messages for staff through
  :func:`bot.tg.common.notify_staff`;
- its state as typed attributes of :class:`bot.tg.context.BotData`, set in ``register``;
- jobs on ``application.job_queue``.

Answering takes every plain private text as a question (group 0).  The hand-off feature must
see some of it first (a staff member's reply to a handed-over question, a ``/start staff_…``
deep link): those handlers are in group -1 and raise ``ApplicationHandlerStop`` when they
consumed the update.  Group 1 runs besides whatever answered (announcements register a group
on its first message; the welcome greets a group once).
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import datetime
from typing import cast
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from bot.config import Config
from bot.core.conversation import Memory, Responder
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.storage.health import Start, open_database
from bot.core.usage.journal import Journal
from bot.proxy import proxy_in_effect
from bot.tg import answering, article, errors, fallback, health, inline, privacy, storagewatch, welcome
from bot.tg.announcements import handlers as announcements
from bot.tg.connections import AiohttpRequest
from bot.tg.context import CONTEXT_TYPES, FaqApplication
from bot.tg.feature import CommandMenu, Feature
from bot.tg.handoffs import handlers as handoff
from bot.tg.lanes import ChatLanes
from bot.tg.ratelimit import IN_FLIGHT_ANSWERS, IN_FLIGHT_MESSAGES, RateLimiter
from bot.tg.staff import handlers as staff

logger = logging.getLogger(__name__)

FEATURES: tuple[Feature, ...] = (
    answering,
    inline,
    article,
    welcome,
    staff,
    announcements,
    handoff,
    health,
    privacy,
    storagewatch,
)

# Update kinds asked from Telegram (it remembers the last list, so it is always sent in full).
ALLOWED_UPDATES = (
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
    Update.MY_CHAT_MEMBER,
)
# A connection for every request the rate limiter lets out at once, and for file downloads, which it does not see
SENDING_CONNECTIONS = IN_FLIGHT_MESSAGES + IN_FLIGHT_ANSWERS + 8
BOOTSTRAP_RETRIES = 5  # start-up calls (getMe, deleteWebhook) retried on network errors, then exit


def build_application(
    config: Config, *, request: BaseRequest | None = None, snapshot: Snapshot | None = None
) -> FaqApplication:
    """The complete bot, ready for ``run_polling``/``run_webhook`` or ``async with``.

    Args:
        config: the loaded configuration (token, knowledge, database, …).
        request: a request object for every Bot API call (tests pass an offline one).
        snapshot: knowledge already loaded; by default it is loaded from ``config.knowledge``.

    Raises:
        InvalidFileError: the knowledge files have problems.
        ProxyURLError: the proxy (config key ``proxy``, or ``$HTTPS_PROXY``/``$ALL_PROXY``) cannot work.
    """
    snapshot = snapshot or Snapshot.load(config.knowledge)
    limiter = RateLimiter()
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=config.tzinfo,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(limiter)
        .concurrent_updates(ChatLanes(limiter.answers_sent))  # a chat waiting for its limit never holds up another
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if config.base_url:
        builder = builder.base_url(config.base_url)
    if config.base_file_url:
        builder = builder.base_file_url(config.base_file_url)
    if config.local_mode:
        builder = builder.local_mode(True)
    proxy = None
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        proxy = proxy_in_effect(config.proxy, config.base_url, os.environ)
        url = proxy.url if proxy else None  # long polling goes through the proxy too
        builder = builder.request(AiohttpRequest(url, SENDING_CONNECTIONS)).get_updates_request(AiohttpRequest(url))
    # The builder cannot infer the job queue's context type; it is the one set by context_types().
    application = cast(FaqApplication, builder.build())

    data = application.bot_data
    data.config = config
    data.proxy = proxy
    data.holder = KnowledgeHolder(snapshot)
    data.responder = Responder(data.holder, contact=config.contact)
    data.memory = Memory(config.conversation_minutes)
    opened = open_database(config.database, datetime.now(config.tzinfo))
    data.db, data.db_start = opened.db, opened
    if opened.start is Start.CREATED:
        logger.warning("Created a new, empty database at %s", config.database)
    data.journal = Journal(data.db)

    data.staff_commands = command_menus().staff
    for feature in FEATURES:
        feature.register(application)
    fallback.register(application)
    application.add_error_handler(errors.handle_error)
    return application


def command_menus() -> CommandMenu:
    """Every feature's commands, merged."""
    menus = [feature.commands() for feature in FEATURES]
    return CommandMenu(
        private=tuple(command for menu in menus for command in menu.private),
        group=tuple(command for menu in menus for command in menu.group),
        staff=tuple(command for menu in menus for command in menu.staff),
    )


async def set_commands(application: FaqApplication) -> None:
    """Register the command menus: private chats, groups, and each admin's private chat."""
    bot, menus = application.bot, command_menus()
    await bot.set_my_commands(menus.private, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(menus.group, scope=BotCommandScopeAllGroupChats())
    if not menus.staff:
        return
    staff_menu: tuple[BotCommand, ...] = menus.private + menus.staff
    for admin in application.bot_data.config.admins:
        try:
            await bot.set_my_commands(staff_menu, scope=BotCommandScopeChat(admin))
        except TelegramError as error:  # typically: the admin has not started a chat with the bot yet
            logger.warning("Could not set the staff command menu for admin %s: %s", admin, error)


async def _post_init(application: FaqApplication) -> None:
    try:
        await set_commands(application)
    except TelegramError as error:
        logger.warning("Could not set the command menus: %s", error)
    logger.info(
        "Serving as @%s with %d FAQ entries",
        application.bot.username,
        len(application.bot_data.holder.snapshot.knowledge),
    )


async def _post_shutdown(application: FaqApplication) -> None:
    health.write_beat(application.bot_data)  # the last word for `faqbot status`
    application.bot_data.db.close()


def webhook_secret(configured: str) -> str:
    """The secret Telegram must send with every webhook call: the configured one, else a new random one.

    Without a secret anyone who can reach the port could post forged updates (an admin's /announce).
    """
    if configured:
        return configured
    logger.info("No webhook.secret_token configured: using a new random one (given to Telegram by setWebhook)")
    return secrets.token_urlsafe(32)


def serve(application: FaqApplication, config: Config) -> None:
    """Long polling, or a webhook server when ``webhook.url`` is set; returns on SIGINT/SIGTERM."""
    webhook = config.webhook
    if webhook.enabled:
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=webhook.path or urlsplit(webhook.url).path.lstrip("/"),
            webhook_url=webhook.url,
            secret_token=webhook_secret(webhook.secret_token),
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
    else:
        application.run_polling(allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=BOOTSTRAP_RETRIES)
