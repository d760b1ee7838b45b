"""Storage: the SQLite connection and its numbered migrations, the database file's health, and the clock."""
