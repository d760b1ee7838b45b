"""The shipped FAQ (knowledge/), loaded once per test process, and a responder over it."""

from __future__ import annotations

import functools

from bot.core.conversation import Responder
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.paths import PROJECT_ROOT


@functools.cache
def shipped() -> Snapshot:
    return Snapshot.load(PROJECT_ROOT / "knowledge")


@functools.cache
def responder() -> Responder:
    return Responder(KnowledgeHolder(shipped()), contact="组织部")
