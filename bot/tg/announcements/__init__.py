"""Announcements on Telegram: handlers, the /announce preview, and the sender adapter."""
