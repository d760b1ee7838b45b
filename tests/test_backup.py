"""Backups and restore: a consistent copy while the bot writes, archives that are checked, nothing lost."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.conversation import Reply
from bot.core.matching.text import Script
from bot.core.matching.thresholds import Outcome
from bot.core.operations.backup import (
    BackupError,
    create_backup,
    prune_backups,
    read_archive,
    restore_backup,
)
from bot.core.operations.runlock import RunLock, holder
from bot.core.storage.connection import Database
from bot.core.usage.journal import Journal
from bot.paths import PROJECT_ROOT
from tests.kit.harness import Harness, make_config, running

NOW = datetime(2027, 3, 2, 1, 30, tzinfo=UTC)


def _reply(text: str) -> Reply:
    return Reply(outcome=Outcome.ANSWER, script=Script.SIMPLIFIED, text="…", entry_id="duration", query=text)


def _questions(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT text FROM questions ORDER BY id")]
    finally:
        connection.close()


def _knowledge(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("faq.yaml", "article.md"):
        (folder / name).write_bytes((PROJECT_ROOT / "knowledge" / name).read_bytes())
    (folder / "history").mkdir()
    (folder / "history" / "faq-20270101-000000.yaml").write_text("entries: []\n", encoding="utf-8")
    return folder


def test_a_backup_while_questions_are_recorded_is_consistent(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    writer_db = Database(database)
    journal = Journal(writer_db)
    journal.record_question(_reply("第一个问题"), "private")
    stop = threading.Event()
    written = [1]

    def keep_writing() -> None:
        while not stop.is_set():
            journal.record_question(_reply(f"问题{written[0]}"), "private")
            written[0] += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    archives = []
    try:
        source = sqlite3.connect(database, timeout=30)
        for index in range(5):
            archives.append(
                create_backup(
                    source, _knowledge_once(tmp_path), tmp_path / "backups", now=NOW + timedelta(seconds=index)
                )
            )
        source.close()
    finally:
        stop.set()
        writer.join()
        writer_db.close()
    counts = []
    for archive in archives:
        manifest, contents = read_archive(archive)  # checksums, integrity check, rows == manifest
        counts.append(manifest.rows["questions"])
        assert "knowledge/faq.yaml" in contents
    assert counts == sorted(counts)
    assert counts[-1] >= 1
    assert written[0] > 1  # the writer really wrote during the backups
    assert len({archive.name for archive in archives}) == 5


def _knowledge_once(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    return folder if folder.exists() else _knowledge(folder)


def _backup_of_a_small_bot(tmp_path: Path) -> tuple[Path, list[str]]:
    database = tmp_path / "bot" / "faqbot.sqlite3"
    db = Database(database)
    for text in ("要去多长时间？", "去哪里？", "什麼時候出發"):
        Journal(db).record_question(_reply(text), "private")
    db.close()
    knowledge = _knowledge(tmp_path / "bot" / "knowledge")
    source = sqlite3.connect(database)
    archive = create_backup(source, knowledge, tmp_path / "backups", now=NOW)
    source.close()
    return archive, _questions(database)


def test_restore_into_an_empty_folder_brings_back_every_record_and_file(tmp_path: Path) -> None:
    archive, questions = _backup_of_a_small_bot(tmp_path)
    target = tmp_path / "new"
    restored = restore_backup(archive, target / "data" / "faqbot.sqlite3", target / "knowledge", now=NOW)

    assert restored.moved_aside == ()
    assert _questions(restored.database) == questions
    assert (target / "knowledge" / "faq.yaml").read_bytes() == (
        tmp_path / "bot" / "knowledge" / "faq.yaml"
    ).read_bytes()
    assert (target / "knowledge" / "history" / "faq-20270101-000000.yaml").is_file()
    restored_db, original_db = Database(restored.database), Database(tmp_path / "bot" / "faqbot.sqlite3")
    assert restored_db.version == original_db.version
    restored_db.close()
    original_db.close()


def test_restore_over_existing_data_keeps_it_aside(tmp_path: Path) -> None:
    archive, questions = _backup_of_a_small_bot(tmp_path)
    database, knowledge = tmp_path / "bot" / "faqbot.sqlite3", tmp_path / "bot" / "knowledge"
    db = Database(database)
    Journal(db).record_question(_reply("备份之后的问题"), "private")
    db.close()

    restored = restore_backup(archive, database, knowledge, now=NOW)

    assert _questions(database) == questions
    aside_database = database.with_name("faqbot.sqlite3.before-restore-20270302-013000")
    assert aside_database in restored.moved_aside
    assert _questions(aside_database)[-1] == "备份之后的问题"
    assert (tmp_path / "bot" / "knowledge.before-restore-20270302-013000" / "faq.yaml").is_file()


def _rewrite(archive: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of ``archive`` with some members replaced (bytes) or dropped (None)."""
    with tarfile.open(archive, "r:gz") as source:
        members = {
            member.name: source.extractfile(member).read()  # type: ignore[union-attr]
            for member in source.getmembers()
            if member.isfile()
        }
    for name, data in change.items():
        if data is None:
            members.pop(name, None)
        else:
            members[name] = data
    target = archive.with_name("changed.tar.gz")
    with tarfile.open(target, "w:gz") as output:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            output.addfile(info, io.BytesIO(data))
    return target


def _manifest_with(archive: Path, **fields: object) -> bytes:
    with tarfile.open(archive, "r:gz") as source:
        data = json.loads(source.extractfile("faqbot-backup/MANIFEST.json").read())  # type: ignore[union-attr]
    data.update(fields)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        ("not-a-tar", "not a readable backup archive"),
        ("no-manifest", "no valid MANIFEST.json"),
        ("changed-faq", "knowledge/faq.yaml is damaged"),
        ("extra-file", "does not match its manifest"),
        ("outside", "unexpected file"),
        ("newer-schema", "newer than this bot understands"),
        ("garbage-database", "database"),
    ],
)
def test_a_damaged_archive_is_refused_and_nothing_changes(tmp_path: Path, damage: str, says: str) -> None:
    archive, questions = _backup_of_a_small_bot(tmp_path)
    root = "faqbot-backup/"
    if damage == "not-a-tar":
        bad = tmp_path / "bad.tar.gz"
        bad.write_bytes(b"this is not an archive")
    elif damage == "no-manifest":
        bad = _rewrite(archive, {root + "MANIFEST.json": None})
    elif damage == "changed-faq":
        bad = _rewrite(archive, {root + "knowledge/faq.yaml": b"entries: []\n"})
    elif damage == "extra-file":
        bad = _rewrite(archive, {root + "knowledge/extra.yaml": b"x: 1\n"})
    elif damage == "outside":
        bad = _rewrite(archive, {"../escape.txt": b"x"})
    elif damage == "newer-schema":
        bad = _rewrite(archive, {root + "MANIFEST.json": _manifest_with(archive, schema_version=999)})
    else:
        garbage = b"SQLite format 3\x00" + b"\xff" * 4096
        files = json.loads(_manifest_with(archive))["files"]
        files["database.sqlite3"] = hashlib.sha256(garbage).hexdigest()
        bad = _rewrite(
            archive, {root + "database.sqlite3": garbage, root + "MANIFEST.json": _manifest_with(archive, files=files)}
        )
    database, knowledge = tmp_path / "bot" / "faqbot.sqlite3", tmp_path / "bot" / "knowledge"
    faq_before = (knowledge / "faq.yaml").read_bytes()

    with pytest.raises(BackupError, match=says):
        restore_backup(bad, database, knowledge, now=NOW)

    assert _questions(database) == questions
    assert (knowledge / "faq.yaml").read_bytes() == faq_before
    assert sorted(path.name for path in (tmp_path / "bot").iterdir()) == ["faqbot.sqlite3", "knowledge"]


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    names = [f"faqbot-backup-2027030{day}-033000.tar.gz" for day in range(1, 6)]
    for name in [*names, "notes.txt"]:
        (folder / name).write_bytes(b"")
    removed = prune_backups(folder, 2)
    assert [path.name for path in removed] == names[:3]
    assert sorted(path.name for path in folder.iterdir()) == sorted([*names[3:], "notes.txt"])


def test_the_run_lock_is_held_once(tmp_path: Path) -> None:
    database = tmp_path / "faqbot.sqlite3"
    assert holder(database) is None
    with RunLock(database):
        assert holder(database) is not None
        with pytest.raises(Exception, match="already running"):
            RunLock(database).acquire()
    assert holder(database) is None


def _config_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text("knowledge: knowledge\ndatabase: data/faqbot.sqlite3\n", encoding="utf-8")
    return config


def test_the_commands_back_up_and_restore_and_restore_refuses_while_the_bot_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _config_file(tmp_path / "old")
    _knowledge(tmp_path / "old" / "knowledge")
    db = Database(tmp_path / "old" / "data" / "faqbot.sqlite3")
    Journal(db).record_question(_reply("要去多长时间？"), "private")
    db.close()
    assert main(["backup", str(tmp_path / "backups"), "--config", str(old)]) == 0
    (archive,) = (tmp_path / "backups").iterdir()
    assert f"backup written: {archive}" in capsys.readouterr().out

    new = _config_file(tmp_path / "new")
    with RunLock(tmp_path / "new" / "data" / "faqbot.sqlite3"):
        assert main(["restore", str(archive), "--config", str(new)]) == 2
    assert "the bot is running" in capsys.readouterr().err
    assert not (tmp_path / "new" / "knowledge").exists()

    assert main(["restore", str(archive), "--config", str(new)]) == 0
    out = capsys.readouterr().out
    assert "1 questions" in out
    assert _questions(tmp_path / "new" / "data" / "faqbot.sqlite3") == ["要去多长时间？"]

    assert main(["restore", str(tmp_path / "nope.tar.gz"), "--config", str(new)]) == 2
    assert "nothing was changed" in capsys.readouterr().err


def test_backup_without_a_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--config", str(_config_file(tmp_path))]) == 2
    assert "no database" in capsys.readouterr().err


async def test_the_running_bot_makes_its_daily_backup_and_keeps_the_newest(tmp_path: Path) -> None:
    from bot.config import BackupConfig

    folder = tmp_path / "daily"
    config = make_config(tmp_path, backup=BackupConfig(folder=folder, keep=2, hour=4))
    async with running(config) as bot:
        await _ask(bot, "要去多长时间？")
        assert bot.app.job_queue is not None
        (job,) = bot.app.job_queue.get_jobs_by_name("daily backup")
        assert job.trigger.fields[5].expressions[0].first == 4  # type: ignore[attr-defined]
        for _ in range(3):
            await job.run(bot.app)
    archives = sorted(folder.iterdir())
    assert len(archives) == 2
    manifest, _ = read_archive(archives[-1])
    assert manifest.rows["questions"] == 1


async def _ask(bot: Harness, text: str) -> None:
    calls = await bot.ask(text)
    assert any(call.method == "sendMessage" for call in calls)


@pytest.mark.parametrize(
    ("backup", "says"),
    [
        ("  hour: 24\n", "'backup.hour' must be an hour from 0 to 23"),
        ("  keep: 0\n", "'backup.keep' must be 1 or more"),
        ("  when: daily\n", "unknown config key 'backup.when'"),
    ],
)
def test_a_bad_backup_key_is_named(tmp_path: Path, backup: str, says: str) -> None:
    from bot.config import ConfigError, load_config

    path = tmp_path / "config.yaml"
    path.write_text("token: 1:x\nbackup:\n" + backup, encoding="utf-8")
    with pytest.raises(ConfigError, match=says):
        load_config(path)


def test_the_backup_folder_is_relative_to_the_config_file(tmp_path: Path) -> None:
    from bot.config import load_config

    path = tmp_path / "etc" / "config.yaml"
    path.parent.mkdir()
    path.write_text("token: 1:x\nbackup:\n  folder: backups\n", encoding="utf-8")
    assert load_config(path).backup.folder == tmp_path / "etc" / "backups"
    path.write_text("token: 1:x\n", encoding="utf-8")
    assert load_config(path).backup.folder is None
