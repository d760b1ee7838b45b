-- 5: the replies the bot sent with buttons, and one vote per person per answer.
-- A 👍/👎 or "none of these" press counts only for a message recorded here with that entry
-- (forged callback data for any other message is refused), and each person's vote counts once.
-- Times are ISO 8601, UTC.

-- A sent answer or suggestion: the message its buttons sit under.  message_key is
-- "<chat id>:<message id>" (or "inline:<inline message id>" for inline-mode answers).
CREATE TABLE sent_replies (
    message_key TEXT    PRIMARY KEY,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('answer', 'suggest')),
    entry_id    TEXT,                         -- the answered entry, or the best suggestion
    question_id INTEGER,                      -- the journaled question, if any
    sent_at     TEXT    NOT NULL
);

-- One row per (message, person).  voter is a one-way digest of the message key and the user
-- id (the user id itself is not stored); feedback_id is the row counted by /stats, changed in
-- place when the person changes their vote.
CREATE TABLE votes (
    message_key TEXT    NOT NULL,
    voter       TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('up', 'down', 'none_of_these')),
    feedback_id INTEGER REFERENCES feedback (id),
    voted_at    TEXT    NOT NULL,
    PRIMARY KEY (message_key, voter)
);
