"""The identities of the offline test bot, its users and chats."""

from __future__ import annotations

from typing import Any

from bot.paths import PROJECT_ROOT

TOKEN = "123456789:TEST-token-for-offline-tests-only"
BOT_ID = 123456789
BOT_USERNAME = "FaqTestBot"
ADMIN_ID = 1001
USER_ID = 2002
OTHER_USER_ID = 3003
GROUP_ID = -1001234567890
CONTACT = "市委组织部（电话 0561-0000000）"
SHIPPED_KNOWLEDGE = PROJECT_ROOT / "knowledge"

JSON = dict[str, Any]
