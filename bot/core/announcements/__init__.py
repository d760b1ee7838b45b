"""Announcements: the schedule file, the chat registry and exactly-once delivery (no Telegram here)."""
