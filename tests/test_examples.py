"""Examples: labelled questions the phrasings missed, filed under their entry, matched, and never measured on themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.core.files.locations import CALIBRATION_FILE, EXAMPLES_FILE
from bot.core.files.problems import InvalidFileError
from bot.core.knowledge.examples_file import load_examples, render_examples, write_examples
from bot.core.knowledge.faq_file import check_faq, load_knowledge
from bot.core.knowledge.model import content_digest
from bot.core.knowledge.snapshot import Snapshot
from bot.core.matching.evaluation import Kind, LabelledQuestion
from bot.core.matching.examples import HeldOut, choose_examples, fold_of, with_examples, without_examples
from bot.core.matching.matcher import Matcher
from bot.core.matching.thresholds import Outcome

FAQ = (
    "entries:\n"
    "  - id: price\n    questions: [香蕉多少钱一斤, 香蕉的价格]\n    answer: 三元一斤\n"
    "  - id: delivery\n    questions: [香蕉能送货上门吗, 送不送货]\n    answer: 城区当天送到\n"
    "  - id: origin\n    questions: [香蕉是哪里产的, 香蕉的产地]\n    answer: 海南\n"
)
# Asked the way a customer would, with words no phrasing has.
SLANG = "芭蕉啥行情"


def knowledge_folder(tmp_path: Path, examples: str | None = None) -> Path:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    if examples is not None:
        (tmp_path / EXAMPLES_FILE).write_text(examples, encoding="utf-8")
    return tmp_path


def test_examples_beside_the_faq_are_read_under_their_entries(tmp_path: Path) -> None:
    before = content_digest(knowledge_folder(tmp_path) / "faq.yaml")
    knowledge = load_knowledge(knowledge_folder(tmp_path, f"price:\n  - {SLANG}\n  - 一斤啥价\n"))
    assert knowledge["price"].examples == (SLANG, "一斤啥价")
    assert knowledge["delivery"].examples == ()
    assert knowledge.digest != before  # new examples are a knowledge change: the bot reloads


def test_a_matched_example_answers_its_entry_but_shows_a_phrasing(tmp_path: Path) -> None:
    plain = Snapshot.load(knowledge_folder(tmp_path)).matcher.match(SLANG)
    assert plain.outcome is not Outcome.ANSWER or plain.best is None or plain.best.entry_id != "price"
    taught = Snapshot.load(knowledge_folder(tmp_path, f"price:\n  - {SLANG}\n")).matcher.match(SLANG + "？")
    assert taught.outcome is Outcome.ANSWER
    assert taught.best is not None
    assert (taught.best.entry_id, taught.best.question) == ("price", "香蕉多少钱一斤")


@pytest.mark.parametrize(
    ("text", "words", "loads"),
    [
        ("price: 一斤啥价\n", ["price", "例句列表"], False),
        ("- 一斤啥价\n", ["条目 id", "faqbot calibrate --write"], False),
        ("price:\n  - [一斤, 啥价]\n", ["price", "例句列表"], False),
        ("price:\n  - 一斤啥价\nbanana_color:\n  - 香蕉啥颜色\n", ["banana_color", "不再使用", "提醒"], True),
        ("price:\n  - 一斤啥价\n  - 123: x\n", ["price"], False),
    ],
)
def test_a_bad_examples_file_names_the_entry_and_line(tmp_path: Path, text: str, words: list[str], loads: bool) -> None:
    knowledge, problems = check_faq(knowledge_folder(tmp_path, text))
    message = "\n".join(map(str, problems))
    assert EXAMPLES_FILE in message
    for word in words:
        assert word in message
    assert (knowledge is not None) is loads
    if not loads:
        with pytest.raises(InvalidFileError):
            load_knowledge(tmp_path)


def test_an_example_for_a_deleted_entry_is_left_out(tmp_path: Path) -> None:
    knowledge = load_knowledge(knowledge_folder(tmp_path, "gone:\n  - 香蕉啥颜色\nprice:\n  - 一斤啥价\n"))
    assert [entry.examples for entry in knowledge] == [("一斤啥价",), (), ()]


def test_no_examples_file_means_no_examples(tmp_path: Path) -> None:
    assert load_examples(tmp_path / EXAMPLES_FILE, {"price"}) == ({}, [])
    assert load_examples(knowledge_folder(tmp_path, "# nothing yet\n") / EXAMPLES_FILE, {"price"}) == ({}, [])


@pytest.mark.parametrize("text", ['他说"香蕉"多少钱', "a: b #c", "- 开头", "反斜杠\\呢", "？问号开头", "  空格  "])
def test_written_examples_read_back_unchanged(tmp_path: Path, text: str) -> None:
    path = tmp_path / EXAMPLES_FILE
    write_examples(path, {"price": (text.strip(),), "origin": ()}, "a test")
    assert load_examples(path, {"price", "origin"}) == ({"price": (text.strip(),)}, [])
    assert "a test" in path.read_text(encoding="utf-8")
    assert "origin" not in render_examples({"origin": ()}, "x").split("\n", 3)[-1]


def test_held_out_never_finds_a_question_among_its_own_examples(tmp_path: Path) -> None:
    snapshot = Snapshot.load(knowledge_folder(tmp_path, f"price:\n  - {SLANG}\n"))
    assert snapshot.matcher.match(SLANG).best.score == 100.0  # type: ignore[union-attr]  # word for word
    held = HeldOut(snapshot)
    assert held.snapshot_for(SLANG) is not snapshot
    assert held.snapshot_for(SLANG).knowledge["price"].examples == ()  # its fold is left out
    assert held.snapshot_for("香蕉的价格") is snapshot  # not an example: the snapshot itself
    assert held.match(SLANG).best != snapshot.matcher.match(SLANG).best


def test_held_out_leaves_out_only_the_questions_fold(tmp_path: Path) -> None:
    others = [
        text for text in ("一斤啥价", "批发价多少", "今天啥价", "卖多少", "多钱") if fold_of(text) != fold_of(SLANG)
    ]
    lines = "".join(f"  - {text}\n" for text in [SLANG, *others])
    held = HeldOut(Snapshot.load(knowledge_folder(tmp_path, f"price:\n{lines}")))
    assert held.snapshot_for(SLANG).knowledge["price"].examples == tuple(others)


def test_the_conversation_asker_uses_the_held_out_snapshot(tmp_path: Path) -> None:
    held = HeldOut(Snapshot.load(knowledge_folder(tmp_path, f"price:\n  - {SLANG}\n")))
    reply = held.asker()(SLANG, None)
    assert not (reply.outcome is Outcome.ANSWER and reply.score == 100.0)
    assert held.asker()("香蕉多少钱一斤", None).entry_id == "price"


def test_examples_are_the_tuning_questions_the_phrasings_miss(tmp_path: Path) -> None:
    matcher = Matcher(load_knowledge(knowledge_folder(tmp_path)))
    questions = [
        LabelledQuestion("香蕉多少钱一斤啊", Kind.POSITIVE, "price"),  # answered right: nothing to learn
        LabelledQuestion(SLANG, Kind.POSITIVE, "price"),  # missed: an example of price
        LabelledQuestion("  " + SLANG, Kind.POSITIVE, "price"),  # the same again: once
        LabelledQuestion("明天下雨吗", Kind.UNRELATED),  # not a positive
        LabelledQuestion("送货吗", Kind.POSITIVE, "no_such_entry"),  # a stale label
    ]
    assert choose_examples(matcher, questions) == {"price": (SLANG,)}


def test_with_and_without_examples(tmp_path: Path) -> None:
    knowledge = load_knowledge(knowledge_folder(tmp_path, "price:\n  - 一斤啥价\n"))
    assert all(entry.examples == () for entry in without_examples(knowledge))
    assert with_examples(knowledge, {"origin": ["哪儿种的"]})["origin"].examples == ("哪儿种的",)
    assert with_examples(knowledge, {"origin": ["哪儿种的"]})["price"].examples == ()


def test_calibrate_writes_the_examples_and_limits_that_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    knowledge_folder(tmp_path)
    labelled = tmp_path / "q.yaml"
    labelled.write_text(
        "positives:\n"
        f'  - {{q: "{SLANG}", id: price}}\n'
        '  - {q: "香蕉几块钱一斤", id: price}\n'
        '  - {q: "香蕉贵不贵", id: price, split: holdout}\n'
        "unrelated:\n"
        '  - {q: "明天下雨吗"}\n',
        encoding="utf-8",
    )
    assert main(["calibrate", "--knowledge", str(tmp_path), str(labelled)]) == 0
    assert not (tmp_path / EXAMPLES_FILE).exists()  # without --write nothing is written
    assert main(["calibrate", "--knowledge", str(tmp_path), str(labelled), "--write"]) == 0
    out = capsys.readouterr().out
    assert "phrasings alone" in out
    assert "examples: 1 tuning question" in out
    assert "held out" in out
    knowledge = load_knowledge(tmp_path)
    assert knowledge["price"].examples == (SLANG,)
    assert knowledge.thresholds is not None
    assert "examples held out" in (tmp_path / CALIBRATION_FILE).read_text(encoding="utf-8")
