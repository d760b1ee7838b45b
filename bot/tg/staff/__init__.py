"""The staff tools on Telegram: /reload, /export, /test, /unanswered, /stats and staff files sent by chat."""
