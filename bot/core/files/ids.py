"""The ids staff give FAQ entries and announcements: English letters, digits, ``_`` or ``-``; at most 40."""

from __future__ import annotations

import re

ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
