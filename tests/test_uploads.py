"""Installing an FAQ file sent by staff: refusal, validation in place, backup, atomic replace."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.conversation import Responder
from bot.core.files.history import backup, backups, prune_history, write_atomically
from bot.core.files.uploads import UploadLimits, precheck
from bot.core.files.watched import Changes, ReloadStatus
from bot.core.knowledge.reload import BACKUP_PREFIX, FaqFile
from bot.core.knowledge.snapshot import KnowledgeHolder, Snapshot
from tests.staff_helpers import BASE_FAQ, HISTORY, make_knowledge

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00"  # valid UTF-8, but binary


def start(folder: Path) -> tuple[FaqFile, Responder]:
    make_knowledge(folder)
    holder = KnowledgeHolder(Snapshot.load(folder))
    return FaqFile(holder, folder), Responder(holder)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.startswith(".upload-"))


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        pytest.param(b"x: 1\n" * 60_000, "faq.yaml", "文件太大（293 KB，上限 256 KB）", id="oversized"),
        pytest.param(PNG, "faq.yaml", "根本不是文本文件", id="binary"),
        pytest.param(MP4, "faq.yaml", "这不是文本文件", id="binary utf-8"),
        pytest.param("entries:\n  - id: 时间\n".encode("gbk"), "faq.yaml", "不是 UTF-8", id="gbk"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00", "faq.docx", "只能接收 .yaml", id="word document"),
        pytest.param(b"entries: [a, b\n", "faq.yml", "方括号", id="yaml syntax"),
        pytest.param(b"  \n", "faq.yaml", "文件是空的", id="empty"),
        pytest.param(b"entries: " + b"[" * 5000 + b"]" * 5000, "faq.yaml", "嵌套的层次太多", id="nested too deep"),
    ],
)
def test_precheck_refuses_what_is_not_yaml_text(raw: bytes, name: str, message: str) -> None:
    problems = precheck(raw, name, UploadLimits().max_bytes)
    assert len(problems) == 1
    assert message in problems[0].message
    assert str(problems[0]).startswith(f"{name}:")


def test_precheck_accepts_yaml_text_without_a_name() -> None:
    assert precheck(BASE_FAQ.yaml().encode(), None, 1024 * 1024) == []


def test_valid_upload_is_backed_up_installed_and_loaded(tmp_path: Path) -> None:
    reloader, responder = start(tmp_path)
    old = (tmp_path / "faq.yaml").read_bytes()
    new = BASE_FAQ.plus(HISTORY).replace("duration", answer="大约一百天。").yaml().encode()
    result = reloader.install(new, "faq (2).yaml", UploadLimits(), NOW)
    assert result.status is ReloadStatus.LOADED
    assert result.changes == Changes(added=("history",), changed=("duration",))
    assert (tmp_path / "faq.yaml").read_bytes() == new
    assert result.backup == tmp_path / "history" / "faq-20250301-093000.yaml"
    assert result.backup.read_bytes() == old
    assert responder.reply("以前派过干部吗").entry_id == "history"
    assert leftovers(tmp_path) == []
    assert reloader.poll() is None  # the watcher does not load it a second time
    assert reloader.poll() is None


def test_invalid_upload_changes_nothing(tmp_path: Path) -> None:
    reloader, responder = start(tmp_path)
    old = (tmp_path / "faq.yaml").read_bytes()
    before = reloader.holder.snapshot
    # Valid YAML, valid on its own terms, but the passage is not in the article beside the live file.
    bad = BASE_FAQ.replace("duration", passage="学习锻炼两百天").yaml().encode()
    result = reloader.install(bad, "faq.yaml", UploadLimits(), NOW)
    assert result.status is ReloadStatus.INVALID
    assert [str(p).split(": ", 1)[0] for p in result.errors] == ["faq.yaml:11:14"]
    assert "passage 在文章里找不到" in result.errors[0].message
    assert (tmp_path / "faq.yaml").read_bytes() == old
    assert not (tmp_path / "history").exists()
    assert reloader.holder.snapshot is before
    assert responder.reply("一年派几个人出去").entry_id == "how_many"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("raw", "name"),
    [(b"x: 1\n" * 60_000, "faq.yaml"), (PNG, "faq.yaml"), (PNG, "photo.png")],
    ids=["oversized", "binary", "not yaml"],
)
def test_refused_upload_never_touches_the_folder(tmp_path: Path, raw: bytes, name: str) -> None:
    reloader, _ = start(tmp_path)
    files = sorted(path.name for path in tmp_path.iterdir())
    result = reloader.install(raw, name, UploadLimits(), NOW)
    assert result.status is ReloadStatus.INVALID
    assert sorted(path.name for path in tmp_path.iterdir()) == files


def test_same_file_again_is_not_installed(tmp_path: Path) -> None:
    reloader, _ = start(tmp_path)
    result = reloader.install((tmp_path / "faq.yaml").read_bytes(), "faq.yaml", UploadLimits(), NOW)
    assert result.status is ReloadStatus.UNCHANGED
    assert not (tmp_path / "history").exists()


def test_backups_rotate_keeping_the_newest(tmp_path: Path) -> None:
    reloader, _ = start(tmp_path)
    limits = UploadLimits(history_keep=3)
    versions = [BASE_FAQ.replace("duration", answer=f"第{n}版。").yaml().encode() for n in range(6)]
    for number, version in enumerate(versions):
        result = reloader.install(version, "faq.yaml", limits, NOW + timedelta(minutes=number))
        assert result.status is ReloadStatus.LOADED
    kept = backups(tmp_path / "history", BACKUP_PREFIX)
    assert [path.name for path in kept] == [
        "faq-20250301-093300.yaml",
        "faq-20250301-093400.yaml",
        "faq-20250301-093500.yaml",
    ]
    assert kept[-1].read_bytes() == versions[-2]  # the version replaced last


def test_backups_in_the_same_second_get_a_counter(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    names = []
    for number in range(12):
        faq.write_text(f"version {number}\n", encoding="utf-8")
        saved = backup(faq, tmp_path / "history", 20, NOW, BACKUP_PREFIX)
        assert saved is not None
        names.append(saved.name)
    assert names[:3] == ["faq-20250301-093000.yaml", "faq-20250301-093000-2.yaml", "faq-20250301-093000-3.yaml"]
    ordered = backups(tmp_path / "history", BACKUP_PREFIX)
    assert [path.read_text(encoding="utf-8") for path in ordered] == [f"version {n}\n" for n in range(12)]
    prune_history(tmp_path / "history", 1, BACKUP_PREFIX)
    faq.write_text("version 12\n", encoding="utf-8")
    after_pruning = backup(
        faq, tmp_path / "history", 20, NOW, BACKUP_PREFIX
    )  # numbered after the newest, not reusing a name
    assert after_pruning is not None
    assert after_pruning.name == "faq-20250301-093000-13.yaml"
    assert [path.read_text(encoding="utf-8") for path in backups(tmp_path / "history", BACKUP_PREFIX)] == [
        "version 11\n",
        "version 12\n",
    ]
    removed = prune_history(tmp_path / "history", 1, BACKUP_PREFIX)
    assert [path.name for path in removed] == ["faq-20250301-093000-12.yaml"]
    assert [path.read_text(encoding="utf-8") for path in backups(tmp_path / "history", BACKUP_PREFIX)] == [
        "version 12\n"
    ]


def test_backup_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert backup(tmp_path / "faq.yaml", tmp_path / "history", 20, NOW, BACKUP_PREFIX) is None


def test_write_atomically_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "faq.yaml"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o600])
def test_an_installed_upload_keeps_the_file_mode(tmp_path: Path, mode: int) -> None:
    reloader, _ = start(tmp_path)
    faq = tmp_path / "faq.yaml"
    faq.chmod(mode)
    new = BASE_FAQ.plus(HISTORY).yaml().encode()
    assert reloader.install(new, "faq.yaml", UploadLimits(), NOW).status is ReloadStatus.LOADED
    assert stat.S_IMODE(faq.stat().st_mode) == mode
    write_atomically(faq, new + b"\n")
    assert stat.S_IMODE(faq.stat().st_mode) == mode
