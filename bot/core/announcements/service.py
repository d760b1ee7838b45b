"""Announcements as one object the Telegram layer calls: start, reload, tick, /announce steps.

Every method returns :class:`Notice` values — messages for an admin or for all
admins — so the handlers only send them.  Time comes from ``clock`` (tests set it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.announcements import texts
from bot.core.announcements.broadcasts import MAX_ATTEMPTS, Broadcast, BroadcastState
from bot.core.announcements.delivery import Broadcaster, Sender
from bot.core.announcements.holder import ScheduleFile
from bot.core.announcements.ledger import Ledger
from bot.core.announcements.model import Targets
from bot.core.announcements.occurrences import Occurrence, upcoming
from bot.core.announcements.registry import ChatRegistry
from bot.core.announcements.schedule_file import DEFAULT_MIN_INTERVAL
from bot.core.files.watched import ReloadStatus
from bot.core.storage.clock import utc_now
from bot.core.storage.connection import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A message for staff.

    Attributes:
        chat_id: where it goes; None means the admins.
        broadcast_id: set for a delivery report: call :meth:`AnnouncementService.reported` once it is sent.
    """

    text: str
    chat_id: int | None = None
    broadcast_id: int | None = None


class AnnouncementService:
    """The registry, the ledger, the schedule and the broadcaster of one bot."""

    def __init__(
        self,
        db: Database,
        schedule_path: Path,
        sender: Sender,
        *,
        timezone: str,
        grace: timedelta,
        clock: Callable[[], datetime] = utc_now,
        max_attempts: int = MAX_ATTEMPTS,
        min_interval: timedelta = DEFAULT_MIN_INTERVAL,
    ) -> None:
        self.registry = ChatRegistry(db)
        self.ledger = Ledger(db, self.registry)
        self.holder = ScheduleFile(
            schedule_path, timezone=timezone, grace=grace, min_interval=min_interval, clock=self.now
        )
        self.tz = ZoneInfo(timezone)
        self.grace = grace
        self.clock = clock
        self.broadcaster = Broadcaster(self.ledger, self.registry, sender, max_attempts=max_attempts, clock=self.now)
        self._pending: list[Notice] = []  # notices from start(), handed out by the next tick()

    def now(self) -> datetime:
        return self.clock()

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> None:
        """Once, before anything is sent: recover interrupted requests and load the schedule.

        Problems of the schedule file are handed out by the first :meth:`tick`.
        """
        recovered = self.ledger.recover()
        if recovered:
            logger.warning("%d deliveries were in flight when the bot stopped; they will be sent again", recovered)
        if not self.holder.path.exists():
            logger.info("no announcements file at %s; no scheduled announcements", self.holder.path)
            return
        self._pending += self.reload(now=True, quiet=True)

    def reload(self, *, now: bool = False, quiet: bool = False) -> list[Notice]:
        """Look at the schedule file (``now``: whether or not it looks changed); notices when it changed.

        A new version is announced (with its warnings); a refused one is reported once.
        """
        result = self.holder.reload() if now else self.holder.poll()
        if result is None or result.status is ReloadStatus.UNCHANGED:
            return []
        if not result.ok:
            for problem in result.problems:
                logger.warning("announcements file refused: %s", problem)
            in_force = len(self.holder.schedule)
            return [Notice(texts.problems_notice(result.problems, accepted=False, in_force=in_force))]
        logger.info("announcements file loaded: %d announcements", len(self.holder.schedule))
        notices = []
        if not quiet:
            notices.append(Notice(texts.schedule_changed_notice(self.holder.schedule)))
        if result.problems:
            notices.append(Notice(texts.problems_notice(result.problems, accepted=True)))
        return notices

    async def tick(self) -> list[Notice]:
        """The scheduler's step: reload the file if changed, fire what is due, finish and report broadcasts."""
        notices, self._pending = self._pending, []
        notices += self.reload()
        now = self.now()
        tick = self.ledger.start_due(self.holder.schedule, now, self.grace)
        for occurrence, broadcast_id in tick.started:
            logger.info("announcement %s due %s: broadcast %d", occurrence.announcement.id, occurrence.at, broadcast_id)
        notices += [
            Notice(text) for text in texts.schedule_notices(tick.plan.late, tick.plan.missed, self.grace, now, self.tz)
        ]
        await self.broadcaster.resume()
        return notices + self.reports()

    def reports(self) -> list[Notice]:
        """Delivery reports of finished broadcasts not yet reported."""
        return [
            Notice(
                texts.delivery_report(self.ledger.report(broadcast.id), self.registry, self.tz),
                broadcast.report_chat_id,
                broadcast.id,
            )
            for broadcast in self.ledger.unreported()
        ]

    def reported(self, broadcast_id: int) -> None:
        self.ledger.mark_reported(broadcast_id, at=self.now())

    # -- /announce -------------------------------------------------------------------
    def draft(self, text: str, *, html: bool, admin_id: int, chat_id: int) -> Broadcast:
        return self.ledger.draft(text, html=html, created_by=admin_id, report_chat_id=chat_id, at=self.now())

    def controls(self, broadcast: Broadcast) -> str:
        """The text under a preview, with the current options and audience."""
        if broadcast.state is BroadcastState.DRAFT:
            return texts.preview_controls(broadcast, self.registry.audience_size(broadcast.targets))
        return texts.preview_controls(broadcast, len(self.ledger.deliveries(broadcast.id)))

    def set_options(self, broadcast_id: int, *, targets: Targets | None = None, pin: bool | None = None) -> Broadcast:
        return self.ledger.update_draft(broadcast_id, targets=targets, pin=pin)

    def cancel(self, broadcast_id: int) -> Broadcast:
        self.ledger.cancel(broadcast_id)
        return self.ledger.broadcast_or_fail(broadcast_id)

    def confirm(self, broadcast_id: int) -> Broadcast | None:
        """Create the deliveries; None when the draft was already confirmed or cancelled."""
        return self.ledger.start(broadcast_id, at=self.now())

    async def deliver(self, broadcast_id: int) -> list[Notice]:
        """Send a confirmed broadcast; its report when it is complete."""
        await self.broadcaster.deliver(broadcast_id)
        return [notice for notice in self.reports() if notice.broadcast_id == broadcast_id]

    # -- listings ---------------------------------------------------------------------
    def groups_text(self) -> str:
        return texts.groups_listing(self.registry.chats(), len(self.registry.subscribers()), self.tz)

    def upcoming(self, count: int = 10) -> list[Occurrence]:
        return upcoming(self.holder.schedule, self.now(), count)

    def schedule_text(self, count: int = 10) -> str:
        return texts.schedule_listing(self.holder.schedule, self.upcoming(count), self.tz)
