"""Questions handed to staff and staff's replies back to the cadre (no Telegram here).

- :mod:`~bot.core.handoffs.store`: the records and their states (migration 4);
- :mod:`~bot.core.handoffs.service`: limits, retention, reminders, exactly-once reply delivery;
- :mod:`~bot.core.handoffs.faqedit`: a question (and staff's answer) into ``faq.yaml``, installed as an upload;
- :mod:`~bot.core.handoffs.texts`: every sentence of the feature.
"""
