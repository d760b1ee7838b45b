"""The Chinese staff guide: linked from the README's top, and its worked examples are valid files."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.announcements.schedule_file import check_schedule
from bot.core.knowledge.faq_file import check_faq
from bot.core.knowledge.snapshot import Snapshot
from bot.paths import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "staff.md"
KNOWLEDGE = PROJECT_ROOT / "knowledge"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_links_the_guide_near_its_top() -> None:
    head = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:12]
    assert any("docs/staff.md" in line for line in head)


def test_the_worked_example_entry_and_phrasing_are_valid_and_found(tmp_path: Path) -> None:
    (entry,) = [block for block in yaml_blocks() if block.startswith("  - id: nc_training")]
    for name in ("article.md", "calibration.yaml"):
        shutil.copyfile(KNOWLEDGE / name, tmp_path / name)
    faq = (KNOWLEDGE / "faq.yaml").read_text(encoding="utf-8")
    # The phrasing the guide adds to "history", right under that entry's "questions:".
    history = faq.index("  - id: history\n")
    questions = faq.index("    questions:\n", history) + len("    questions:\n")
    faq = faq[:questions] + "      - 一共去几批人了\n" + faq[questions:]
    (tmp_path / "faq.yaml").write_text(faq.rstrip("\n") + "\n" + entry, encoding="utf-8")

    knowledge, problems = check_faq(tmp_path / "faq.yaml")

    assert knowledge is not None, [str(problem) for problem in problems]
    assert [problem for problem in problems if not problem.warning] == []
    matcher = Snapshot.load(tmp_path).matcher
    for question, entry_id in [(q, "nc_training") for q in knowledge["nc_training"].questions] + [
        ("一共去几批人了", "history")
    ]:
        best = matcher.match(question).best
        assert best is not None
        assert best.entry_id == entry_id, question


def test_the_schedule_example_is_valid(tmp_path: Path) -> None:
    (example,) = [block for block in yaml_blocks() if block.startswith("announcements:")]
    path = tmp_path / "announcements.yaml"
    path.write_text(example, encoding="utf-8")
    schedule, problems = check_schedule(path, now=datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert problems == []
    assert schedule is not None
    assert [item.id for item in schedule] == ["kickoff-meeting", "weekly-report"]


def test_the_format_example_is_a_valid_faq(tmp_path: Path) -> None:
    (example,) = [block for block in yaml_blocks() if block.startswith("synonyms:")]
    shutil.copyfile(KNOWLEDGE / "article.md", tmp_path / "article.md")
    (tmp_path / "faq.yaml").write_text(example.replace("related: [destination]", "related: []"), encoding="utf-8")
    knowledge, problems = check_faq(tmp_path / "faq.yaml")
    assert knowledge is not None, [str(problem) for problem in problems]
