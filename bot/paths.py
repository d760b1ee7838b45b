"""Where the shipped knowledge lives."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_knowledge_dir() -> Path:
    """``$FAQBOT_KNOWLEDGE``, else ``./knowledge``, else the project's own ``knowledge/``."""
    if env := os.environ.get("FAQBOT_KNOWLEDGE"):
        return Path(env)
    local = Path("knowledge")
    if (local / "faq.yaml").is_file():
        return local
    return PROJECT_ROOT / "knowledge"
