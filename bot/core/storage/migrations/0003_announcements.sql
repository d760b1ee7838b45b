-- 3: announcements — where they go (chat registry, subscribers) and what was delivered (broadcasts, deliveries).
-- Times are ISO 8601, UTC.

-- Groups the bot is in (or was in): registered by my_chat_member updates, kept across chat migration.
CREATE TABLE chats (
    chat_id       INTEGER PRIMARY KEY,
    type          TEXT    NOT NULL CHECK (type IN ('group', 'supergroup')),
    title         TEXT    NOT NULL DEFAULT '',
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    reason        TEXT    NOT NULL,           -- added, seen, removed, kicked, migrated, forbidden, …
    bot_status    TEXT    NOT NULL DEFAULT 'member',  -- member, administrator, restricted, left, kicked
    registered_at TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- Private chats that asked for announcements with /subscribe.
CREATE TABLE subscribers (
    chat_id       INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL DEFAULT '',
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    reason        TEXT    NOT NULL,           -- subscribed, unsubscribed, blocked
    subscribed_at TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- One row per occurrence of a scheduled announcement, or per /announce.
CREATE TABLE broadcasts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('adhoc', 'scheduled')),
    announcement_id TEXT,                     -- scheduled: the id in announcements.yaml
    occurrence_at   TEXT,                     -- scheduled: the time it was due
    text            TEXT    NOT NULL,
    html            INTEGER NOT NULL DEFAULT 0 CHECK (html IN (0, 1)),
    targets         TEXT    NOT NULL CHECK (targets IN ('groups', 'subscribers', 'both')),
    pin             INTEGER NOT NULL CHECK (pin IN (0, 1)),
    state           TEXT    NOT NULL CHECK (state IN ('draft', 'cancelled', 'sending', 'done')),
    created_by      INTEGER,                  -- adhoc: the admin's user id
    report_chat_id  INTEGER,                  -- where the delivery report goes (NULL: the admins)
    created_at      TEXT    NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    reported_at     TEXT,
    UNIQUE (announcement_id, occurrence_at)   -- an occurrence becomes a broadcast at most once
);
CREATE INDEX broadcasts_state ON broadcasts (state);

-- One row per (broadcast, chat), all created in the transaction that starts the broadcast.
-- pending → sending (the request is in flight) → sent | failed; a transient error goes back to pending.
CREATE TABLE deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    chat_id      INTEGER NOT NULL,
    audience     TEXT    NOT NULL CHECK (audience IN ('group', 'subscriber')),
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    message_id   INTEGER,
    error        TEXT,                        -- a reason code: forbidden, not_found, network, …
    detail       TEXT,                        -- Telegram's own words
    attempts     INTEGER NOT NULL DEFAULT 0,
    uncertain    INTEGER NOT NULL DEFAULT 0,  -- an attempt ended without knowing if Telegram got it (crash, timeout)
    pin          TEXT    NOT NULL CHECK (pin IN ('no', 'pending', 'pinned', 'failed')),
    pin_error    TEXT,
    created_at   TEXT    NOT NULL,
    attempted_at TEXT,
    sent_at      TEXT,
    PRIMARY KEY (broadcast_id, chat_id)
);
CREATE INDEX deliveries_state ON deliveries (state);

-- Until when the scheduler has looked at announcements.yaml (one row).
CREATE TABLE scheduler_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    checked_until TEXT    NOT NULL
);
