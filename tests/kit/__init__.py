"""Test kit for the Telegram layer: a fake Bot API, update builders, a harness around the real application, an HTML check.

Every end-to-end handler test (answering, staff, announcements) uses these pieces:
:mod:`tests.kit.api` (the fake Bot API and PTB's offline request), :mod:`tests.kit.payloads`
(update dicts as Telegram sends them), :mod:`tests.kit.harness` (the application from
``build_application`` fed those updates) and :mod:`tests.kit.html` (what a user sees).
"""
