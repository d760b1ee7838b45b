"""Running the bot for real: its run lock, heartbeat, backups and the status report (no ``telegram`` here)."""
