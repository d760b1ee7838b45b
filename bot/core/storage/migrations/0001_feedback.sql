-- 1: answers rated with 👍 / 👎 under each reply.
CREATE TABLE feedback (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,              -- ISO 8601, UTC
    chat_type  TEXT    NOT NULL,              -- private, group, supergroup, channel, terminal
    entry_id   TEXT    NOT NULL,
    vote       INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    user_id    INTEGER                        -- NULL unless config asks to store user ids
);
CREATE INDEX feedback_created_at ON feedback (created_at);
