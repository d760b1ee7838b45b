"""The bot's core: knowledge, matching, storage and announcements.

Nothing in this package imports ``telegram``: it takes and returns plain
dataclasses so the Telegram handlers, the terminal chat and the command line
share it, and tests exercise it without a bot.
"""
