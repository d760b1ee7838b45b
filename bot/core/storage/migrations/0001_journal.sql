-- 1: every question asked and every reaction to a reply.
-- User ids are NULL unless the config sets staff.store_user_ids.
CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,              -- ISO 8601, UTC
    chat_type  TEXT    NOT NULL,              -- private, group, supergroup, inline, terminal
    text       TEXT    NOT NULL,
    normalized TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('answer', 'suggest', 'decline')),
    entry_id   TEXT,                          -- the answered entry, or the best candidate
    score      REAL    NOT NULL,
    user_id    INTEGER
);
CREATE INDEX questions_created_at ON questions (created_at);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY,
    created_at  TEXT    NOT NULL,
    chat_type   TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('up', 'down', 'none_of_these')),
    entry_id    TEXT,                         -- the entry rated, or the top suggestion rejected
    question_id INTEGER REFERENCES questions (id),
    user_id     INTEGER
);
CREATE INDEX feedback_created_at ON feedback (created_at);
