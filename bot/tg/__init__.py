"""The Telegram surface of the bot: thin handlers over :mod:`bot.core`.

``bot.tg.app.build_application`` wires every feature module (each offers
``register(application)`` and ``commands()``) into one PTB ``Application``.
"""
