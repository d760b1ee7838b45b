-- 4: questions handed to staff, and staff's replies on their way back to the cadre.
-- The cadre's chat id is kept only while a hand-off is open: it is set to NULL when the
-- reply is delivered (or cannot be), when staff close the question, or after the retention period.
CREATE TABLE handoffs (
    id               INTEGER PRIMARY KEY,
    created_at       TEXT    NOT NULL,              -- ISO 8601, UTC
    state            TEXT    NOT NULL DEFAULT 'open'
                     CHECK (state IN ('open', 'replied', 'answered', 'closed', 'expired')),
    kind             TEXT    NOT NULL CHECK (kind IN ('decline', 'none_of_these', 'down', 'direct')),
    chat_type        TEXT    NOT NULL,              -- where the question was first asked
    question         TEXT    NOT NULL,
    bot_said         TEXT    NOT NULL DEFAULT '',   -- what the bot answered or suggested, for staff
    entry_id         TEXT,                          -- the entry the bot answered with (a 👎), if any
    script           TEXT    NOT NULL DEFAULT 'simplified',
    question_id      INTEGER,                       -- the journal's question record, if any
    cadre_chat_id    INTEGER,                       -- only while open
    reminded_at      TEXT,
    closed_at        TEXT,
    closed_by        INTEGER,                       -- the staff member who answered or closed it
    proposed_id      TEXT,                          -- the id offered for a new FAQ entry
    reply_text       TEXT,
    reply_chat_id    INTEGER,                       -- staff's reply message: a redelivered update is not a second reply
    reply_message_id INTEGER,
    reply_state      TEXT    CHECK (reply_state IN ('pending', 'sending', 'delivered', 'failed')),
    reply_attempts   INTEGER NOT NULL DEFAULT 0,
    reply_retry_at   TEXT,
    reply_error      TEXT,
    reply_uncertain  INTEGER NOT NULL DEFAULT 0     -- sent again after a crash or timeout: may have arrived twice
);
CREATE INDEX handoffs_state_created_at ON handoffs (state, created_at);
CREATE INDEX handoffs_cadre_chat_id ON handoffs (cadre_chat_id);
CREATE UNIQUE INDEX handoffs_reply_message ON handoffs (reply_chat_id, reply_message_id);

-- The bot's messages about a hand-off in staff chats (the card, the reply and id prompts):
-- a staff reply to any of them finds its hand-off.
CREATE TABLE handoff_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    handoff_id INTEGER NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('card', 'reply', 'entry_id')),
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX handoff_messages_handoff ON handoff_messages (handoff_id);
