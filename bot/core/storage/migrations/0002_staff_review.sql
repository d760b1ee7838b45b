-- 2: what staff reports need.
-- Period queries by outcome and by feedback kind (missed questions, statistics).
CREATE INDEX questions_outcome_created_at ON questions (outcome, created_at);
CREATE INDEX feedback_kind_created_at ON feedback (kind, created_at);

-- A missed phrasing that staff marked as handled (e.g. added to the FAQ).  Records
-- of it made before handled_at no longer appear in the missed-question report;
-- a later one does, because the fix did not work.
CREATE TABLE missed_handled (
    normalized TEXT    PRIMARY KEY,
    handled_at TEXT    NOT NULL,              -- ISO 8601, UTC
    handled_by INTEGER                        -- the admin's user id
);

-- Every new version of the knowledge that was loaded or refused.
CREATE TABLE knowledge_updates (
    id         INTEGER PRIMARY KEY,
    created_at TEXT    NOT NULL,
    source     TEXT    NOT NULL CHECK (source IN ('watch', 'reload', 'upload')),
    status     TEXT    NOT NULL CHECK (status IN ('loaded', 'invalid')),
    digest     TEXT    NOT NULL,
    added      INTEGER NOT NULL DEFAULT 0,
    removed    INTEGER NOT NULL DEFAULT 0,
    changed    INTEGER NOT NULL DEFAULT 0,
    problems   INTEGER NOT NULL DEFAULT 0,    -- errors of a refused file
    user_id    INTEGER                        -- the admin who sent /reload or the file; NULL for the watcher
);
CREATE INDEX knowledge_updates_created_at ON knowledge_updates (created_at);
