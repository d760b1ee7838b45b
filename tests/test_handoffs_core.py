"""The hand-off core without Telegram: lifecycle, limits, retention, exactly-once replies, faq.yaml edits."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.announcements.delivery import SendResult
from bot.core.handoffs import faqedit
from bot.core.handoffs.service import HandoffService, Limits, Refusal, ReplyTaken
from bot.core.handoffs.store import MAX_ATTEMPTS, Handoff, HandoffStore, Kind, NewHandoff, State
from bot.core.handoffs.texts import delivery_report, waiting_list
from bot.core.knowledge.faq_file import load_knowledge
from bot.core.storage.connection import Database
from tests.staff_helpers import BASE_FAQ, make_knowledge

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
CADRE = 2002


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class FakeSender:
    """Returns the queued results in order (then success) and records every send."""

    def __init__(self, *results: SendResult) -> None:
        self.results = list(results)
        self.sent: list[tuple[int | None, str | None]] = []

    async def send_reply(self, handoff: Handoff) -> SendResult:
        self.sent.append((handoff.cadre_chat_id, handoff.reply_text))
        return self.results.pop(0) if self.results else SendResult.sent(700 + len(self.sent))


def service_for(db: Database, sender: FakeSender, clock: Clock, **limits: object) -> HandoffService:
    return HandoffService(HandoffStore(db), sender, Limits(**limits), clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "faqbot.sqlite3")


def new(question: str = "住宿怎么安排？", question_id: int | None = None, chat: int = CADRE) -> NewHandoff:
    return NewHandoff(Kind.DECLINE, "private", question, chat, "没有找到答案", question_id=question_id)


def stored_chat(db: Database, handoff_id: int) -> int | None:
    row = db.connection.execute("SELECT cadre_chat_id FROM handoffs WHERE id = ?", (handoff_id,)).fetchone()
    return None if row is None else row[0]


async def test_a_reply_is_delivered_once_and_the_chat_id_is_forgotten(db: Database) -> None:
    sender, clock = FakeSender(), Clock()
    service = service_for(db, sender, clock)
    handoff = service.hand_over(new()).handoff
    assert handoff is not None
    assert stored_chat(db, handoff.id) == CADRE

    assert service.take_reply(handoff.id, "  统一安排在园区公寓。 ", 1001, 55, by=1001) is ReplyTaken.TAKEN
    outcome = await service.deliver(handoff.id)
    assert outcome is not None and outcome.ok
    assert sender.sent == [(CADRE, "统一安排在园区公寓。")]
    assert outcome.handoff.state is State.ANSWERED
    assert stored_chat(db, handoff.id) is None
    assert "已送达" in delivery_report(outcome.handoff)

    assert await service.deliver(handoff.id) is None  # nothing left to send
    assert service.take_reply(handoff.id, "再说一次", 1001, 56, by=1001) is ReplyTaken.NOT_OPEN
    assert service.take_reply(handoff.id, "   ", 1001, 57, by=1001) is ReplyTaken.EMPTY
    assert len(sender.sent) == 1


@pytest.mark.parametrize(
    ("results", "delivered", "error", "sends"),
    [
        ((SendResult.failed("forbidden", "bot was blocked by the user", chat_gone=True),), False, "forbidden", 1),
        ((SendResult.retry("network", "timeout", uncertain=True),), True, "network", 2),
        (tuple(SendResult.retry("flood", "Too Many Requests") for _ in range(MAX_ATTEMPTS)), False, "flood", 5),
    ],
    ids=["blocked", "retried after a timeout", "given up"],
)
async def test_failed_sends_are_retried_or_reported(
    db: Database, results: tuple[SendResult, ...], delivered: bool, error: str, sends: int
) -> None:
    sender, clock = FakeSender(*results), Clock()
    service = service_for(db, sender, clock)
    handoff = service.hand_over(new()).handoff
    assert handoff is not None
    service.take_reply(handoff.id, "答复", 1001, 55, by=1001)
    outcomes = []
    for _ in range(MAX_ATTEMPTS + 1):
        if (outcome := await service.deliver(handoff.id)) is not None:
            outcomes.append(outcome)
        clock.now += timedelta(minutes=10)  # past every retry delay
        outcomes += await service.resume()
    (outcome,) = outcomes
    assert outcome.ok is delivered
    assert len(sender.sent) == sends
    assert stored_chat(db, handoff.id) is None
    final = HandoffStore(db).get(handoff.id)
    assert final is not None
    assert final.reply_state == ("delivered" if delivered else "failed")
    assert final.reply_error == (None if delivered else error)
    assert final.reply_uncertain is (error == "network")  # a timeout may have delivered the first try
    report = delivery_report(final)
    assert ("已送达" in report) is delivered
    if error == "forbidden":
        assert "屏蔽了机器人" in report


async def test_a_reply_in_flight_when_the_bot_died_is_sent_again_and_flagged(db: Database, tmp_path: Path) -> None:
    sender, clock = FakeSender(), Clock()
    service = service_for(db, sender, clock)
    handoff = service.hand_over(new()).handoff
    assert handoff is not None
    service.take_reply(handoff.id, "答复", 1001, 55, by=1001)
    assert service.store.claim_reply(handoff.id)  # claimed, then the process died before the outcome
    db.close()

    reopened = Database(tmp_path / "faqbot.sqlite3")
    restarted = service_for(reopened, sender, clock)
    assert restarted.start() == 1
    (outcome,) = await restarted.resume()
    assert outcome.ok
    assert outcome.handoff.reply_uncertain
    assert "两次" in delivery_report(outcome.handoff)
    assert await restarted.resume() == []
    assert len(sender.sent) == 1


def test_a_redelivered_staff_message_is_not_a_second_reply(db: Database) -> None:
    service = service_for(db, FakeSender(), Clock())
    first = service.hand_over(new("甲")).handoff
    second = service.hand_over(new("乙")).handoff
    assert first is not None and second is not None
    assert service.take_reply(first.id, "答复", 1001, 55, by=1001) is ReplyTaken.TAKEN
    assert service.take_reply(second.id, "答复", 1001, 55, by=1001) is ReplyTaken.NOT_OPEN  # same message


@pytest.mark.parametrize(
    ("limit", "asked", "refused_from"),
    [(5, 7, 5), (1, 2, 1), (3, 3, None)],
)
def test_a_cadre_can_have_at_most_n_open_handoffs(
    db: Database, limit: int, asked: int, refused_from: int | None
) -> None:
    service = service_for(db, FakeSender(), Clock(), max_open_per_user=limit)
    results = [service.hand_over(new(f"问题{number}")) for number in range(asked)]
    refused = [number for number, result in enumerate(results) if result.refusal is Refusal.TOO_MANY]
    assert refused == ([] if refused_from is None else list(range(refused_from, asked)))
    assert service.hand_over(new("别人的问题", chat=9999)).handoff is not None  # the limit is per cadre


def test_the_same_question_is_not_handed_over_twice_while_open(db: Database) -> None:
    service = service_for(db, FakeSender(), Clock())
    first = service.hand_over(new(question_id=7)).handoff
    assert first is not None
    assert service.hand_over(new(question_id=7)).refusal is Refusal.ALREADY_SENT
    assert service.hand_over(new(question_id=7, chat=9999)).handoff is not None  # another cadre may
    assert service.close(first.id, by=1001)
    assert service.hand_over(new(question_id=7)).handoff is not None  # closed: may ask again
    assert service.hand_over(new("   ")).refusal is Refusal.EMPTY


def test_closing_forgets_the_chat_and_cannot_be_done_twice(db: Database) -> None:
    service = service_for(db, FakeSender(), Clock())
    handoff = service.hand_over(new()).handoff
    assert handoff is not None
    assert service.close(handoff.id, by=1001)
    assert stored_chat(db, handoff.id) is None
    assert not service.close(handoff.id, by=1001)
    assert service.take_reply(handoff.id, "答复", 1001, 55, by=1001) is ReplyTaken.NOT_OPEN


def test_retention_and_reminders(db: Database) -> None:
    clock = Clock()
    service = service_for(db, FakeSender(), clock, remind_after=timedelta(hours=24), retention=timedelta(days=30))
    old = service.hand_over(new("旧问题")).handoff
    clock.now += timedelta(hours=23)
    recent = service.hand_over(new("新问题")).handoff
    assert old is not None and recent is not None
    assert service.due_reminders() == []
    clock.now += timedelta(hours=2)
    assert [handoff.id for handoff in service.due_reminders()] == [old.id]
    assert service.due_reminders() == []  # reminded once
    assert "旧问题" in waiting_list(service.waiting(), clock.now.tzinfo)  # type: ignore[arg-type]
    assert [handoff.id for handoff in service.waiting()] == [old.id, recent.id]  # oldest first

    clock.now = T0 + timedelta(days=30, minutes=1)
    assert service.expire() == 1
    assert stored_chat(db, old.id) is None
    assert stored_chat(db, recent.id) == CADRE
    expired = service.store.get(old.id)
    assert expired is not None and expired.state is State.EXPIRED
    clock.now += timedelta(days=1)
    assert service.expire() == 1
    assert db.connection.execute("SELECT COUNT(*) FROM handoffs WHERE cadre_chat_id IS NOT NULL").fetchone()[0] == 0


def test_the_reply_message_is_unique(db: Database) -> None:
    store = HandoffStore(db)
    first = store.create(new("甲"), T0)
    second = store.create(new("乙"), T0)
    store.set_reply(first.id, "答", 1, 2, by=None)
    with pytest.raises(sqlite3.IntegrityError), db.transaction() as connection:
        connection.execute("UPDATE handoffs SET reply_chat_id = 1, reply_message_id = 2 WHERE id = ?", (second.id,))


# -- faq.yaml edits --------------------------------------------------------------------------------

FAQ = """\
# staff comment at the top
synonyms:
  - [沪苏浙, 江浙沪]
entries:
  - id: duration   # a comment after the id
    topic: 项目概况
    questions:
      - 要去多长时间
      - "学习锻炼多少天"   # why we keep it
    answer: >-
      每次学习锻炼100天左右。
    passage: 学习锻炼100天左右
  - id: how_many
    questions: [每年选派多少干部, 一年派几个人出去]
    answer: 每年选派100名左右优秀干部。
  # a trailing comment
"""


@pytest.mark.parametrize(
    ("entry_id", "question", "expected_questions"),
    [
        ("duration", "住宿: 怎么安排?", ("要去多长时间", "学习锻炼多少天", "住宿: 怎么安排?")),
        ("how_many", '一共"几"个人', ("每年选派多少干部", "一年派几个人出去", '一共"几"个人')),
    ],
    ids=["block list", "flow list"],
)
def test_a_phrasing_is_added_keeping_the_file(
    tmp_path: Path, entry_id: str, question: str, expected_questions: tuple[str, ...]
) -> None:
    edited = faqedit.add_phrasing(FAQ, entry_id, question)
    kept = [line for line in FAQ.splitlines() if "#" in line]
    assert all(line in edited.splitlines() for line in kept)  # every comment line survives as it was
    assert len(edited.splitlines()) == len(FAQ.splitlines()) + (1 if entry_id == "duration" else 0)
    folder = make_knowledge(tmp_path / "k")
    (folder / "faq.yaml").write_text(edited, encoding="utf-8")
    assert load_knowledge(folder)[entry_id].questions == expected_questions


def test_a_new_entry_is_appended_like_the_others(tmp_path: Path) -> None:
    edited = faqedit.add_entry(FAQ, "staff_q3", "出发前要体检吗", "要。\n请到市人民医院体检。")
    assert edited.startswith(FAQ.rstrip("\n").rsplit("\n", 1)[0])  # everything before is untouched
    assert "  - id: staff_q3\n    topic:" in edited
    folder = make_knowledge(tmp_path / "k")
    (folder / "faq.yaml").write_text(edited, encoding="utf-8")
    entry = load_knowledge(folder)["staff_q3"]
    assert (entry.questions, entry.answer, entry.topic) == (
        ("出发前要体检吗",),
        "要。\n请到市人民医院体检。",
        "工作人员解答",
    )


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [(FAQ, "nope"), ("entries: [ ]\n", "duration"), ("- a\n- b\n", "duration"), ("entries: [\n", "x")],
    ids=["no such entry", "no entries", "not a mapping", "broken yaml"],
)
def test_edits_that_cannot_be_made_say_why(text: str, entry_id: str) -> None:
    with pytest.raises(faqedit.FaqEditError):
        faqedit.add_phrasing(text, entry_id, "问题")


def test_proposed_ids_are_free_and_typed_ids_are_checked(tmp_path: Path) -> None:
    knowledge = load_knowledge(make_knowledge(tmp_path / "k", BASE_FAQ))
    assert faqedit.propose_id(knowledge, 12) == "staff_q12"
    assert faqedit.clean_id("  id： health_check ") == "health_check"
    assert faqedit.valid_id("health_check")
    assert not faqedit.valid_id("体检")
    assert not faqedit.valid_id("a" * 41)


def test_migration_4_is_additive(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = Database(path, target_version=3)
    tables_before = {row[0] for row in old.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    old.close()
    db = Database(path, target_version=4)
    tables_after = {row[0] for row in db.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables_after - tables_before == {"handoffs", "handoff_messages"}
    db.migrate()
    assert HandoffStore(db).create(new(), T0).state is State.OPEN
