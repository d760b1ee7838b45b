"""Questions handed to staff, on Telegram: the cadre's side (handlers), the staff chat (staff), the buttons."""
