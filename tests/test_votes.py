"""Sent replies and per-person votes (bot.core.usage.votes): what counts, once, and what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.matching.thresholds import Outcome
from bot.core.storage.connection import Database
from bot.core.usage.journal import FeedbackKind
from bot.core.usage.votes import Ballots, Tally, VoteOutcome, inline_key, message_key

ANSWER = message_key(-100, 7)  # an answer of "duration" the bot sent
SUGGESTIONS = message_key(-100, 8)  # suggestions the bot sent (best: "how_many")
STRANGER = message_key(-100, 9)  # a message the bot never recorded
UP, DOWN, NONE = FeedbackKind.UP, FeedbackKind.DOWN, FeedbackKind.NONE_OF_THESE


@pytest.fixture
def ballots(tmp_path: Path) -> Iterator[Ballots]:
    db = Database(tmp_path / "bot.sqlite3")
    ballots = Ballots(db)
    ballots.remember(ANSWER, Outcome.ANSWER, "duration", None)
    ballots.remember(SUGGESTIONS, Outcome.SUGGEST, "how_many", None)
    yield ballots
    db.close()


def feedback(ballots: Ballots) -> list[tuple[str, str | None]]:
    rows = ballots.db.connection.execute("SELECT kind, entry_id FROM feedback ORDER BY id").fetchall()
    return [(row[0], row[1]) for row in rows]


@pytest.mark.parametrize(
    ("key", "kind", "entry_id", "unrecorded"),
    [
        (ANSWER, UP, "how_many", False),  # forged: another entry than the message answers
        (ANSWER, UP, "", False),
        (ANSWER, NONE, None, False),  # "none of these" under an answer
        (SUGGESTIONS, UP, "how_many", False),  # thumbs under suggestions
        (STRANGER, UP, "duration", False),  # a message the bot did not send with buttons
        (STRANGER, UP, "duration", True),  # "unrecorded" is for inline messages only
        (inline_key("x"), NONE, None, True),  # inline messages never carry suggestions
        (inline_key("x"), UP, "", True),
    ],
)
def test_presses_on_what_the_bot_did_not_send_are_refused(
    ballots: Ballots, key: str, kind: FeedbackKind, entry_id: str | None, unrecorded: bool
) -> None:
    result = ballots.vote(key, 1, kind, entry_id, "group", unrecorded=unrecorded)
    assert result.outcome is VoteOutcome.REFUSED
    assert not result.accepted
    assert feedback(ballots) == []


@pytest.mark.parametrize(
    ("presses", "outcomes", "tally", "rows"),
    [
        ([(1, UP)], [VoteOutcome.COUNTED], Tally(1, 0), [("up", "duration")]),
        ([(1, UP), (1, UP)], [VoteOutcome.COUNTED, VoteOutcome.REPEATED], Tally(1, 0), [("up", "duration")]),
        ([(1, UP), (1, DOWN)], [VoteOutcome.COUNTED, VoteOutcome.CHANGED], Tally(0, 1), [("down", "duration")]),
        (
            [(1, UP), (2, UP), (3, DOWN)],
            [VoteOutcome.COUNTED] * 3,
            Tally(2, 1),
            [("up", "duration"), ("up", "duration"), ("down", "duration")],
        ),
    ],
)
def test_each_person_counts_once_per_answer(
    ballots: Ballots,
    presses: list[tuple[int, FeedbackKind]],
    outcomes: list[VoteOutcome],
    tally: Tally,
    rows: list[tuple[str, str]],
) -> None:
    results = [ballots.vote(ANSWER, user, kind, "duration", "group") for user, kind in presses]
    assert [result.outcome for result in results] == outcomes
    assert results[-1].tally == tally == ballots.tally(ANSWER)
    assert feedback(ballots) == rows


def test_none_of_these_counts_once_with_the_best_suggestion(ballots: Ballots) -> None:
    assert ballots.vote(SUGGESTIONS, 1, NONE, None, "private").outcome is VoteOutcome.COUNTED
    assert ballots.vote(SUGGESTIONS, 1, NONE, None, "private").outcome is VoteOutcome.REPEATED
    assert feedback(ballots) == [("none_of_these", "how_many")]


def test_inline_answers_are_accepted_unrecorded_and_still_once(ballots: Ballots) -> None:
    key = inline_key("AgAAA")
    assert ballots.vote(key, 1, UP, "duration", "inline", unrecorded=True).outcome is VoteOutcome.COUNTED
    assert ballots.vote(key, 1, UP, "duration", "inline", unrecorded=True).outcome is VoteOutcome.REPEATED
    assert feedback(ballots) == [("up", "duration")]


def test_votes_keep_no_user_id(ballots: Ballots) -> None:
    ballots.vote(ANSWER, 987654321, UP, "duration", "group")
    (voter,) = ballots.db.connection.execute("SELECT voter FROM votes").fetchone()
    assert "987654321" not in voter
    assert ballots.db.connection.execute("SELECT user_id FROM feedback").fetchone()[0] is None


def test_the_question_of_the_sent_answer_is_linked_not_the_buttons(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    db.connection.execute(
        "INSERT INTO questions (id, created_at, chat_type, text, normalized, outcome, entry_id, score)"
        " VALUES (5, '2025-03-01T00:00:00+00:00', 'group', '要去多久', '要去多久', 'answer', 'duration', 90)"
    )
    ballots = Ballots(db)
    ballots.remember(ANSWER, Outcome.ANSWER, "duration", 5)
    assert ballots.vote(ANSWER, 1, UP, "duration", "group").question_id == 5
    assert db.connection.execute("SELECT question_id FROM feedback").fetchone()[0] == 5
    with pytest.raises(ValueError, match="decline"):
        ballots.remember(STRANGER, Outcome.DECLINE, None, None)
    db.close()
