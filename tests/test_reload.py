"""Live reload: change detection, validation, the atomic swap and the change summary."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from bot.core.conversation import Responder
from bot.core.files.watched import Changes, ReloadStatus
from bot.core.knowledge import texts as knowledge_texts
from bot.core.knowledge.faq_file import load_knowledge
from bot.core.knowledge.model import content_digest
from bot.core.knowledge.reload import ARTICLE, SYNONYMS, FaqFile, diff_knowledge
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from bot.core.knowledge.texts import describe_changes, format_update
from bot.core.matching.thresholds import Outcome
from tests.staff_helpers import BASE_FAQ, DURATION, HISTORY, Faq, make_knowledge, write_faq


def start(folder: Path, faq: Faq = BASE_FAQ) -> tuple[FaqFile, Responder]:
    make_knowledge(folder, faq)
    holder = KnowledgeHolder(Snapshot.load(folder))
    return FaqFile(holder, folder), Responder(holder)


def settle(reloader: FaqFile) -> None:
    """Let the watcher record the files as they are now (first poll after start)."""
    assert reloader.poll() is None
    assert reloader.poll() is None


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        pytest.param(BASE_FAQ, Changes(), id="same"),
        pytest.param(BASE_FAQ.plus(HISTORY), Changes(added=("history",)), id="added"),
        pytest.param(BASE_FAQ.without("posts_count"), Changes(removed=("posts_count",)), id="removed"),
        pytest.param(
            BASE_FAQ.replace("duration", answer="大约一百天。"),
            Changes(changed=("duration",)),
            id="answer changed",
        ),
        pytest.param(
            BASE_FAQ.replace("how_many", questions=(*BASE_FAQ.entries[1].questions, "派多少人")),
            Changes(changed=("how_many",)),
            id="question added",
        ),
        pytest.param(Faq(tuple(reversed(BASE_FAQ.entries))), Changes(), id="entries moved"),
        pytest.param(
            Faq(BASE_FAQ.entries, synonyms=(("沪苏浙", "江浙沪", "苏浙沪"),)),
            Changes(parts=(SYNONYMS,)),
            id="synonyms",
        ),
        pytest.param(
            BASE_FAQ.without("duration").plus(HISTORY).replace("how_many", answer="一百名左右。", related=()),
            Changes(added=("history",), removed=("duration",), changed=("how_many",)),
            id="all at once",
        ),
    ],
)
def test_diff_by_entry_id(tmp_path: Path, new: Faq, expected: Changes) -> None:
    old = load_knowledge(make_knowledge(tmp_path / "old"))
    assert diff_knowledge(old, load_knowledge(make_knowledge(tmp_path / "new", new))) == expected


def test_diff_sees_a_changed_article_paragraph(tmp_path: Path) -> None:
    old = load_knowledge(make_knowledge(tmp_path / "old"))
    folder = make_knowledge(tmp_path / "new")
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("今年13个城市", "今年14个城市"), encoding="utf-8")
    assert diff_knowledge(old, load_knowledge(folder)) == Changes(changed=("posts_count",), parts=(ARTICLE,))


@pytest.mark.parametrize(
    ("summary", "lines"),
    [
        (Changes(), [knowledge_texts.NO_CHANGES]),
        (Changes(added=("a", "b")), ["新增 2 条：a、b"]),
        (
            Changes(removed=("x",), changed=("y",), parts=(SYNONYMS,)),
            ["删除 1 条：x", "修改 1 条：y", "同义词有改动。"],
        ),
    ],
)
def test_change_summary_in_chinese(summary: Changes, lines: list[str]) -> None:
    assert describe_changes(summary).splitlines() == lines


def test_content_digest_is_the_knowledge_digest(tmp_path: Path) -> None:
    folder = make_knowledge(tmp_path)
    assert content_digest(folder / "faq.yaml") == load_knowledge(folder).digest


def test_nothing_changed_means_nothing_to_report(tmp_path: Path) -> None:
    reloader, _ = start(tmp_path)
    before = reloader.holder.snapshot
    for _ in range(3):
        assert reloader.poll() is None
    (tmp_path / "faq.yaml").touch()  # new time stamp, same content
    settle(reloader)
    assert reloader.holder.snapshot is before
    assert reloader.reload().status is ReloadStatus.UNCHANGED


def test_valid_change_is_loaded_once_the_file_settles(tmp_path: Path) -> None:
    reloader, responder = start(tmp_path)
    settle(reloader)
    assert responder.reply("以前派过干部吗").outcome is not Outcome.ANSWER
    write_faq(tmp_path, BASE_FAQ.plus(HISTORY).replace("duration", answer="大约一百天。").yaml())
    assert reloader.poll() is None  # seen once: maybe still being written
    result = reloader.poll()
    assert result is not None
    assert result.status is ReloadStatus.LOADED
    assert result.changes == Changes(added=("history",), changed=("duration",))
    assert responder.reply("以前派过干部吗").entry_id == "history"
    assert responder.reply("学习锻炼多少天").text == "大约一百天。"
    assert reloader.poll() is None  # reported once


def test_invalid_change_keeps_the_old_version_and_names_the_lines(tmp_path: Path) -> None:
    reloader, responder = start(tmp_path)
    settle(reloader)
    before = reloader.holder.snapshot
    broken = (
        BASE_FAQ.yaml()
        .replace("related: [how_many]", "related: [nowhere]")
        .replace("  - id: how_many", "  - id: duration")
    )
    write_faq(tmp_path, broken)
    reloader.poll()
    result = reloader.poll()
    assert result is not None
    assert result.status is ReloadStatus.INVALID
    assert not result.ok
    messages = [str(problem) for problem in result.errors]
    assert any("faq.yaml:" in m and "id“duration”重复了" in m for m in messages), messages
    assert any("“nowhere”不存在" in m for m in messages), messages
    assert all(m.split(":")[1].isdigit() for m in messages)  # file:line:column: message
    assert reloader.holder.snapshot is before
    assert responder.reply("一年派几个人出去").entry_id == "how_many"
    # The same broken file is reported once, even when saved again without changes.
    (tmp_path / "faq.yaml").touch()
    assert reloader.poll() is None
    assert reloader.poll() is None
    # /reload reports it again on demand.
    assert reloader.reload().status is ReloadStatus.INVALID
    # Fixed: loaded.
    write_faq(tmp_path, BASE_FAQ.replace("duration", answer="大约一百天。").yaml())
    reloader.poll()
    fixed = reloader.poll()
    assert fixed is not None
    assert fixed.changes == Changes(changed=("duration",))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("delete", "找不到这个文件"),
        ("yaml", "方括号 [...] 列表写法有误"),
        ("tab", "Tab"),
        ("gbk", "UTF-8"),
    ],
)
def test_broken_files_never_replace_the_working_one(tmp_path: Path, damage: str, message: str) -> None:
    reloader, responder = start(tmp_path)
    settle(reloader)
    faq = tmp_path / "faq.yaml"
    if damage == "delete":
        faq.unlink()
    elif damage == "yaml":
        write_faq(tmp_path, BASE_FAQ.yaml().replace("answer: ", "answer: [", 1))
    elif damage == "tab":
        write_faq(tmp_path, BASE_FAQ.yaml().replace("    topic:", "\ttopic:", 1))
    else:
        faq.write_bytes(BASE_FAQ.yaml().encode("gbk"))
    reloader.poll()
    result = reloader.poll()
    assert result is not None
    assert result.status is ReloadStatus.INVALID
    assert message in str(result.errors[0])
    assert responder.reply("一年派几个人出去").entry_id == "how_many"


def test_a_changed_article_is_noticed(tmp_path: Path) -> None:
    reloader, responder = start(tmp_path)
    settle(reloader)
    article = tmp_path / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("104个岗位", "105个岗位"), encoding="utf-8")
    reloader.poll()
    result = reloader.poll()
    assert result is not None
    assert result.changes == Changes(changed=("posts_count",), parts=(ARTICLE,))
    reply = responder.reply("今年有多少个岗位")
    assert reply.passage is not None
    assert "105个岗位" in reply.passage.text


def test_first_poll_catches_a_change_made_after_the_start(tmp_path: Path) -> None:
    reloader, _ = start(tmp_path)
    write_faq(tmp_path, BASE_FAQ.plus(HISTORY).yaml())  # before the watcher looked at all
    reloader.poll()
    result = reloader.poll()
    assert result is not None
    assert result.changes.added == ("history",)


def test_warnings_do_not_stop_a_reload(tmp_path: Path) -> None:
    reloader, _ = start(tmp_path)
    twice = BASE_FAQ.replace("duration", questions=("要去多长时间", "要去多长时间？", "学习锻炼多少天"))
    write_faq(tmp_path, twice.yaml())
    result = reloader.reload()
    assert result.status is ReloadStatus.LOADED
    assert result.warnings
    assert not result.errors


ASKERS = 6
SWAPS = 31  # odd: the last version installed is B, the first one asked is A


def test_questions_during_a_burst_of_reloads_see_one_whole_version(tmp_path: Path) -> None:
    """Each reply comes wholly from version A or wholly from version B, never a mix."""
    version_a = BASE_FAQ
    renamed = dataclasses.replace(DURATION, id="duration_b", answer="版本B：一百天。", related=("posts_count",))
    version_b = BASE_FAQ.without("duration").plus(renamed).replace("how_many", related=("duration_b",))
    whole = {
        ("duration", DURATION.answer, "第2段", ("how_many",)),  # "学习锻炼100天左右" is in p2
        ("duration_b", "版本B：一百天。", "第2段", ("posts_count",)),
    }
    reloader, responder = start(tmp_path, version_a)
    started = threading.Barrier(ASKERS + 1)
    done = threading.Event()
    seen: list[tuple[str | None, str, str, tuple[str, ...]]] = []
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            replies = [responder.reply("学习锻炼多少天")]
            started.wait()
            while not done.is_set():
                replies.append(responder.reply("学习锻炼多少天"))
            replies.append(responder.reply("学习锻炼多少天"))
            seen.extend(
                (r.entry_id, r.text, r.passage.label if r.passage else "", tuple(link.entry_id for link in r.related))
                for r in replies
            )
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=ask) for _ in range(ASKERS)]
    for thread in threads:
        thread.start()
    started.wait()
    results = []
    for swap in range(SWAPS):
        write_faq(tmp_path, (version_b if swap % 2 == 0 else version_a).yaml())
        results.append(reloader.reload())
    done.set()
    for thread in threads:
        thread.join()
    assert not failures
    assert [result.status for result in results] == [ReloadStatus.LOADED] * SWAPS
    assert set(seen) == whole  # both versions answered, and nothing else


def test_format_update_for_each_outcome(tmp_path: Path) -> None:
    reloader, _ = start(tmp_path)
    assert format_update(reloader.reload(), 3) == knowledge_texts.UNCHANGED
    broken = "\n".join(["entries:"] + [f"  - id: bad{n}\n    questions: []\n    answer: x" for n in range(20)])
    write_faq(tmp_path, broken)
    invalid = format_update(reloader.reload(), 3).splitlines()
    assert invalid[0].startswith("问答库文件有 20 处错误，没有更新，机器人继续使用原来的版本。")
    assert invalid[1].endswith("faq.yaml:3:16: 条目“bad0”的 questions 是空的：请至少写一个问题。")
    assert invalid[2] == "    |     questions: []"  # each problem quotes its line
    assert len(invalid) == 1 + 15 * 2 + 1
    assert invalid[-1] == "……还有 5 处，运行 faqbot check 可以看到全部。"
    twice = BASE_FAQ.replace("duration", questions=("要去多长时间", "要去多长时间？", "学习锻炼多少天")).plus(HISTORY)
    write_faq(tmp_path, twice.yaml())
    loaded = format_update(reloader.reload(), 4).splitlines()
    assert loaded[:3] == ["问答库已更新，现在共有 4 个条目。", "新增 1 条：history", "修改 1 条：duration"]
    assert loaded[3] == "另有 1 条提醒（不影响使用，建议修改）："
    assert "提醒：条目“duration”里问题“要去多长时间？”写了两遍。" in loaded[4]
