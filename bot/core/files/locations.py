"""Where each staff file lives: the knowledge folder holds the FAQ, the article, the calibration, the examples and the schedule."""

from __future__ import annotations

from pathlib import Path

FAQ_FILE = "faq.yaml"
ARTICLE_FILE = "article.md"
CALIBRATION_FILE = "calibration.yaml"
EXAMPLES_FILE = "examples.yaml"
ANNOUNCEMENTS_FILE = "announcements.yaml"


def resolve_faq_path(path: Path) -> Path:
    """A knowledge folder means its ``faq.yaml``; a file means itself."""
    return path / FAQ_FILE if path.is_dir() else path


def calibration_path(faq_path: Path) -> Path:
    """The calibration beside the FAQ."""
    return faq_path.parent / CALIBRATION_FILE


def examples_path(faq_path: Path) -> Path:
    """The labelled examples beside the FAQ."""
    return faq_path.parent / EXAMPLES_FILE


def watched_files(faq_path: Path) -> tuple[Path, ...]:
    """The FAQ and the files read with it: a change to any of them means a reload."""
    return faq_path, faq_path.parent / ARTICLE_FILE, calibration_path(faq_path), examples_path(faq_path)


def announcements_path(knowledge: Path) -> Path:
    """The announcements file beside the FAQ: ``knowledge`` is a folder or the FAQ file."""
    folder = knowledge if knowledge.is_dir() or not knowledge.suffix else knowledge.parent
    return folder / ANNOUNCEMENTS_FILE
