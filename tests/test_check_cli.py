"""``faqbot check`` away from the knowledge folder, and messages a staff member can act on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from bot.core.files.problems import InvalidFileError
from bot.core.files.yamlfile import parse_yaml
from bot.paths import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "knowledge"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    return code, capsys.readouterr().out.strip().splitlines()


def exported(tmp_path: Path) -> Path:
    """The FAQ as /export sends it, saved in a downloads folder without the article."""
    target = tmp_path / "Downloads" / "faq.yaml"
    target.parent.mkdir()
    shutil.copyfile(SHIPPED / "faq.yaml", target)
    return target


def test_an_exported_faq_is_checked_against_the_shipped_article(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, lines = run_cli(capsys, "check", str(exported(tmp_path)))
    assert code == 0, lines
    assert "按项目自带的文章" in lines[0]
    assert lines[-1].endswith("没有问题。") or "没有问题（" in lines[-1]


def test_a_real_mistake_in_an_exported_faq_stands_alone(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = exported(tmp_path)
    head, entries = path.read_text(encoding="utf-8").split("\nentries:\n", 1)
    path.write_text(head + "\nentries:\n" + entries.replace("    answer:", "    anwser:", 1), encoding="utf-8")
    code, lines = run_cli(capsys, "check", str(path))
    assert code == 1
    located = [line for line in lines if ": " in line and not line.startswith("    |")]
    errors = [line for line in located if "anwser" in line]
    assert len(errors) == 1
    assert "是不是想写 answer？" in errors[0]
    assert not [line for line in located[1:] if "出处" in line]  # no false alarms about the article
    assert lines[-1] == f"{path}: 2 处错误。请按上面的行号修改后再检查。"  # the unknown key, and the missing answer


def test_a_missing_article_is_one_line_not_one_per_entry(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = exported(tmp_path)
    code, lines = run_cli(capsys, "check", str(path), "--article", str(tmp_path / "nowhere.md"))
    assert code == 1
    about_article = [line for line in lines if "article.md" in line and not line.startswith("    |")]
    assert len(about_article) == 1, lines
    assert "无法核对各条目 passage 的出处" in about_article[0]


def test_check_with_no_path_says_which_files_it_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAQBOT_KNOWLEDGE", raising=False)
    code, lines = run_cli(capsys, "check")
    assert code == 0
    assert lines[0] == f"没有指定文件，检查 {SHIPPED.resolve()} 里的：faq.yaml、announcements.yaml"


def test_a_schedule_of_another_name_is_checked_as_a_schedule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "announcements (1).yaml"
    path.write_text("# 通知\nannouncements:\n  - id: a\n    text: x\n    at: 2099-03-02\n", encoding="utf-8")
    code, lines = run_cli(capsys, "check", str(path))
    assert code == 1
    assert any("at 只有日期，缺少时间" in line for line in lines)


EVERY_HALF_HOUR = (
    "announcements:\n  - id: tea\n    text: 喝茶\n    at: 2099-03-02 09:00\n    repeat: cron\n"
    '    cron: "0,30 9-11 * * 1-5"\n'
)


@pytest.mark.parametrize(
    ("config", "code"),
    [
        pytest.param(None, 1, id="the default minimum, an hour"),
        pytest.param("announcements:\n  min_interval_minutes: 30\n", 0, id="the config's minimum"),
    ],
)
def test_the_schedule_is_checked_with_the_configs_shortest_repetition(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config: str | None, code: int
) -> None:
    schedule = tmp_path / "announcements.yaml"
    schedule.write_text(EVERY_HALF_HOUR, encoding="utf-8")
    options = []
    if config is not None:
        (tmp_path / "bot.yaml").write_text(config, encoding="utf-8")
        options = ["--config", str(tmp_path / "bot.yaml")]
    got, lines = run_cli(capsys, "check", str(schedule), *options)
    assert (got, any("比允许的最短间隔" in line for line in lines)) == (code, code == 1), lines


def test_check_names_a_config_it_cannot_use(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "bot.yaml").write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    assert main(["check", str(SHIPPED), "--config", str(tmp_path / "bot.yaml")]) == 2
    assert "timezone" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "where", "words", "quote"),
    [
        pytest.param(
            "entries:\n  - id: a\n    questions: [x]\n    answer：好的\n    passage: p1\n",
            (4, 5),
            ["“answer：”用了中文冒号", "answer: "],
            "    |     answer：好的",
            id="full-width colon after a key",
        ),
        pytest.param(
            "entries:\n  - id：a\n    answer: 好的\n",
            (2, 5),
            ["“id：”用了中文冒号"],
            "    |   - id：a",
            id="full-width colon on a list item",
        ),
        pytest.param(
            "entries:\n  - id: a\n\tanswer: b\n",
            (3, 1),
            ["Tab 键缩进", "换成空格"],
            "    | [Tab]answer: b",
            id="tab",
        ),
    ],
)
def test_yaml_mistakes_are_named_and_their_line_quoted(
    text: str, where: tuple[int, int], words: list[str], quote: str
) -> None:
    with pytest.raises(InvalidFileError) as caught:
        parse_yaml(text.encode(), "faq.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == where
    assert all(word in problem.message for word in words)
    assert "缺少冒号" not in problem.message
    assert str(problem).splitlines()[1] == quote


def test_a_colon_inside_the_text_is_not_blamed() -> None:
    data = parse_yaml("entries:\n  - id: a\n    answer: 注意：好的\n".encode(), "faq.yaml")
    assert data["entries"][0]["answer"] == "注意：好的"


def test_the_config_loader_names_a_tab(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("token: x\nstaff:\n\treload_interval_seconds: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "line 3" in message
    assert "Tab" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "text", "where", "key"),
    [
        ("faq.yaml", "entries:\n  - id：a\n", (2, 5), "id"),
        ("faq.yaml", "entries：\n  - id: a\n    questions: [x]\n    answer: b\n", (1, 1), "entries"),
        ("faq.yaml", "entries:\n  - id: a\n    questions：\n      - x\n    answer: b\n", (3, 5), "questions"),
        ("announcements.yaml", "announcements:\n  - id：a\n", (2, 5), "id"),
        ("announcements.yaml", "announcements:\n  - id: a\n    text：x\n    at: 2099-01-01 09:00\n", (3, 5), "text"),
    ],
)
def test_a_full_width_colon_is_named_wherever_it_is(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, where: tuple[int, int], key: str
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, lines = run_cli(capsys, "check", str(tmp_path / name))
    assert code == 1
    located = [line for line in lines if line.startswith(f"{tmp_path / name}:{where[0]}:{where[1]}: ")]
    assert located, lines
    assert f"“{key}：”用了中文冒号“：”" in located[0]
    assert not [line for line in lines if "缺少冒号" in line]
