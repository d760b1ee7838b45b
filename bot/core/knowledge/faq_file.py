"""The FAQ file (``knowledge/faq.yaml``) checked and parsed into :class:`Knowledge`.

``check_faq`` returns the knowledge (None when the file has errors) and every problem with its
line, as ``faqbot check`` shows them; ``load_knowledge`` either returns a complete
:class:`Knowledge` or raises :class:`InvalidFileError` listing every problem, so a broken file
never replaces a working one halfway.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from bot.core.files.ids import ID_RE
from bot.core.files.locations import ARTICLE_FILE, calibration_path, examples_path, resolve_faq_path
from bot.core.files.problems import InvalidFileError, Mark, Problem, ProblemCollector, display_path, quote_lines
from bot.core.files.yamlfile import LineDict, LineList, full_width_colon_message, full_width_key, read_yaml
from bot.core.knowledge.article import Article, load_article
from bot.core.knowledge.examples_file import load_examples
from bot.core.knowledge.model import DEFAULT_TOPIC, Entry, Knowledge, Passage, content_digest
from bot.core.matching.calibration import load_calibration
from bot.core.matching.text import normalize

PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
PLACEHOLDERS = frozenset({"contact"})
TOP_KEYS = ("synonyms", "context", "entries")
ENTRY_KEYS = ("id", "topic", "questions", "answer", "passage", "related", "tags")


class _Checker(ProblemCollector):
    """Collects problems while turning raw YAML data into entries."""

    def __init__(self, shown: str, article: Article | None) -> None:
        super().__init__(shown)
        self.article = article
        self.article_missing_reported = False  # a missing article is one problem, not one per passage
        self.question_marks: dict[tuple[str, str], Mark | None] = {}

    # -- typed accessors -------------------------------------------------------------
    def text(self, value: Any, mark: Mark | None, what: str, *, required: bool) -> str | None:
        """A non-empty piece of text; numbers are accepted as text."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(mark, f"{what} 是空的：请填写内容。")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            kind = "列表" if isinstance(value, list) else "键值对" if isinstance(value, dict) else "是/否"
            self.add(mark, f"{what} 应该是一段文字，这里却是{kind}。如果文字里有冒号或方括号，请给整段加上双引号。")
            return None
        return str(value).strip()

    def text_list(self, value: Any, mark: Mark | None, what: str) -> list[tuple[str, Mark | None]]:
        """A list of texts, each with its position."""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            self.add(mark, f"{what} 应该是一个列表：每一项单独一行，以“- ”开头。")
            return []
        if not isinstance(value, list):
            self.add(mark, f"{what} 应该是一个列表：每一项单独一行，以“- ”开头。")
            return []
        marks = value.item_marks if isinstance(value, LineList) else [mark] * len(value)
        items = []
        for item, item_mark in zip(value, marks, strict=True):
            if isinstance(item, dict) and len(item) == 1 and next(iter(item.values())) is None:
                self.add(item_mark, f"{what} 中这一项以英文问号“? ”开头，YAML 会误解它。请给它加上双引号。")
                continue
            text = self.text(item, item_mark, f"{what} 中的一项", required=True)
            if text is not None:
                items.append((text, item_mark))
        return items

    # -- the file ------------------------------------------------------------------
    def check_top(self, data: Any) -> tuple[list[Any], list[Mark], Any, Mark | None]:
        """The entries (with their positions) and the synonyms of the whole file."""
        if not isinstance(data, LineDict):
            self.add(None, "文件开头应该是 synonyms: 和 entries: 两部分（参考文件顶部的说明）。")
            return [], [], None, None
        for key in data:
            if key not in TOP_KEYS:
                self.add(data.key_marks[key], self.unknown_key(key, TOP_KEYS, "文件顶层"))
        synonyms, synonyms_mark = data.get("synonyms"), data.value_marks.get("synonyms")
        entries = data.get("entries")
        if "entries" not in data:
            self.add(data.mark, "缺少 entries:（条目列表）。")
        elif not isinstance(entries, LineList):
            self.add(data.value_marks["entries"], "entries 应该是条目列表：每个条目以“- id: ”开头。")
        elif not entries:
            self.add(data.value_marks["entries"], "entries 是空的：至少需要一个条目。")
        else:
            return list(entries), entries.item_marks, synonyms, synonyms_mark
        return [], [], synonyms, synonyms_mark

    def synonyms(self, value: Any, mark: Mark | None) -> tuple[tuple[str, ...], ...]:
        if value is None:
            return ()
        if not isinstance(value, LineList):
            self.add(mark, "synonyms 应该是一个列表，每一项是一组同义词，例如 - [沪苏浙, 江浙沪]。")
            return ()
        groups: list[tuple[str, ...]] = []
        seen: dict[str, int] = {}
        for group, group_mark in zip(value, value.item_marks, strict=True):
            words = self.text_list(group, group_mark, "同义词组")
            if len(words) < 2:
                if words:
                    self.add(group_mark, "同义词组至少要有两个词。")
                continue
            for word, word_mark in words:
                key = normalize(word)
                if len(key) < 2:
                    self.add(word_mark, f"同义词“{word}”太短：单个字做同义词会误改其他问题，请写成词语。")
                elif key in seen:
                    self.add(word_mark, f"“{word}”已经出现在第 {seen[key]} 行的同义词组里：一个词只能属于一组。")
                else:
                    seen[key] = (word_mark or group_mark).line
            groups.append(tuple(word for word, _ in words))
        return tuple(groups)

    def context(self, data: Any) -> tuple[str, ...]:
        """The ``context:`` list: words shared by every question, read as context rather than content."""
        if not isinstance(data, LineDict) or data.get("context") is None:
            return ()
        words: list[str] = []
        for word, word_mark in self.text_list(data["context"], data.value_marks.get("context"), "context"):
            if len(normalize(word)) < 2:
                self.add(word_mark, f"context 里的“{word}”太短：单个字会误删问题里的内容，请写成词语。")
            else:
                words.append(word)
        return tuple(words)

    def entry(self, raw: Any, mark: Mark, index: int) -> Entry | None:
        where = f"第 {index} 个条目"
        if not isinstance(raw, LineDict):
            if key := full_width_key(raw):
                self.add(mark, f"{where}：{full_width_colon_message(key)}")
                return None
            self.add(mark, f"{where}格式不对：每个条目应该以“- id: ”开头，下面是 questions: 和 answer:。")
            return None
        keys, values = raw.key_marks, raw.value_marks
        entry_id = self.text(raw.get("id"), values.get("id", raw.mark), f"{where}的 id", required=True)
        if "id" not in raw:
            self.add(raw.mark, f"{where}缺少 id：请加一行“id: 英文编号”。")
        elif entry_id is not None and not ID_RE.fullmatch(entry_id):
            self.add(
                values["id"],
                f"id“{entry_id}”不能用：只能用英文字母、数字、下划线 _ 和减号 -，最多 40 个字符"
                "（它会出现在 Telegram 链接里）。",
            )
            entry_id = None
        name = f"条目“{entry_id}”" if entry_id else where
        for key in raw:
            if key not in ENTRY_KEYS:
                self.add(keys[key], self.unknown_key(key, ENTRY_KEYS, f"{name}"))
        if "questions" not in raw:
            self.add(raw.mark, f"{name}缺少 questions：请至少写一个问题。")
        questions = (
            self.text_list(raw["questions"], values.get("questions"), f"{name}的 questions")
            if "questions" in raw
            else []  # reported missing above, not also as "not a list"
        )
        if "questions" in raw and not questions and raw.get("questions") == []:
            self.add(values["questions"], f"{name}的 questions 是空的：请至少写一个问题。")
        if "answer" not in raw:
            self.add(raw.mark, f"{name}缺少 answer：请写上答案。")
        answer = self.text(raw.get("answer"), values.get("answer"), f"{name}的 answer", required="answer" in raw)
        if answer is not None:
            for placeholder in PLACEHOLDER_RE.findall(answer):
                if placeholder not in PLACEHOLDERS:
                    self.add(
                        values["answer"],
                        f"{name}的 answer 里有不认识的占位符 {{{placeholder}}}：只能用 {{contact}}（联系人）。",
                    )
        topic = self.text(raw.get("topic"), values.get("topic"), f"{name}的 topic", required=False)
        passage = self.passage(raw.get("passage"), values.get("passage"), name)
        related = self.text_list(raw.get("related", []), values.get("related"), f"{name}的 related")
        tags = self.text_list(raw.get("tags", []), values.get("tags"), f"{name}的 tags")
        for question, question_mark in questions:
            self.question_marks.setdefault((entry_id or "", question), question_mark)
        if entry_id is None or not questions or answer is None:
            return None
        return Entry(
            id=entry_id,
            questions=tuple(q for q, _ in questions),
            answer=answer,
            topic=topic or DEFAULT_TOPIC,
            passage=passage,
            related=tuple(r for r, _ in related),
            tags=tuple(t for t, _ in tags),
            line=raw.mark.line,
        )

    def passage(self, value: Any, mark: Mark | None, name: str) -> Passage | None:
        text = self.text(value, mark, f"{name}的 passage", required=False)
        if text is None:
            return None
        if self.article is None:
            if not self.article_missing_reported:
                self.article_missing_reported = True
                self.add(
                    mark,
                    f"旁边没有文章 {ARTICLE_FILE}，无法核对各条目 passage 的出处：请把文件放回 knowledge 文件夹，"
                    "或用 faqbot check --article 指定文章。",
                )
            return None
        paragraph = self.article.paragraph(text)
        if paragraph is not None:
            return Passage(paragraph, paragraph.text)
        paragraph = self.article.find_quote(text)
        if paragraph is None:
            ids = "、".join(self.article.ids)
            self.add(
                mark,
                f"{name}的 passage 在文章里找不到：请从 {ARTICLE_FILE} 原样复制一句话，或写段落编号（{ids}）。",
            )
            return None
        return Passage(paragraph, text)

    def cross_check(self, entries: list[tuple[Entry, Mark]], entry_marks: dict[str, list[Mark]]) -> None:
        """Checks that need every entry: duplicate ids, repeated questions, related ids."""
        for entry_id, marks in entry_marks.items():
            for mark in marks[1:]:
                self.add(mark, f"id“{entry_id}”重复了（第一次出现在第 {marks[0].line} 行）：每个条目的 id 必须不同。")
        owners: dict[str, tuple[str, str]] = {}
        ids = set(entry_marks)
        for entry, mark in entries:
            own: set[str] = set()
            for question in entry.questions:
                where = self.question_marks.get((entry.id, question), mark)
                key = normalize(question)
                owner, owner_question = owners.setdefault(key, (entry.id, question))
                if not key:
                    self.add(where, f"条目“{entry.id}”的问题“{question}”去掉客套话和标点后是空的，无法匹配。")
                elif key in own:
                    self.add(where, f"条目“{entry.id}”里问题“{question}”写了两遍。", warning=True)
                elif owner != entry.id and owner_question == question:
                    self.add(
                        where,
                        f"问题“{question}”同时出现在条目“{owner}”和“{entry.id}”里：一个问题只能属于一个条目。",
                    )
                elif owner != entry.id:
                    self.add(
                        where,
                        f"问题“{question}”和条目“{owner}”的问题“{owner_question}”只差标点或客套话，"
                        "机器人分不清该答哪个：请删掉一个，或把两个条目合并。",
                        warning=True,
                    )
                own.add(key)
            for related in entry.related:
                if related == entry.id:
                    self.add(mark, f"条目“{entry.id}”的 related 指向了自己。")
                elif related not in ids:
                    self.add(mark, f"条目“{entry.id}”的 related 里的“{related}”不存在：请检查拼写。")


def check_faq(path: Path, *, article_path: Path | None = None) -> tuple[Knowledge | None, list[Problem]]:
    """Validate an FAQ file; return the knowledge (None when there are errors) and every problem.

    Warnings (``Problem.warning``) do not stop the file from loading; each problem
    quotes the line it points at.

    Args:
        path: the FAQ file or its knowledge folder.
        article_path: the article passages are checked against (default: the one beside the FAQ).
    """
    faq_path = resolve_faq_path(path)
    shown = display_path(faq_path)
    try:
        data = read_yaml(faq_path)
    except InvalidFileError as error:
        return None, error.problems
    source = faq_path.read_bytes().decode("utf-8-sig", errors="replace")
    article_path = article_path or faq_path.parent / ARTICLE_FILE
    article = load_article(article_path) if article_path.is_file() else None
    checker = _Checker(shown, article)
    raw_entries, marks, raw_synonyms, synonyms_mark = checker.check_top(data)
    synonyms = checker.synonyms(raw_synonyms, synonyms_mark)
    context = checker.context(data)
    entries: list[tuple[Entry, Mark]] = []
    entry_marks: dict[str, list[Mark]] = {}
    for index, (raw, mark) in enumerate(zip(raw_entries, marks, strict=True), start=1):
        if isinstance(raw, LineDict) and isinstance(raw.get("id"), str):
            entry_marks.setdefault(raw["id"].strip(), []).append(raw.value_marks["id"])
        entry = checker.entry(raw, mark, index)
        if entry is not None:
            entries.append((entry, mark))
    checker.cross_check(entries, entry_marks)
    thresholds, calibration_problems = load_calibration(calibration_path(faq_path))
    checker.problems.extend(calibration_problems)
    examples, example_problems = load_examples(examples_path(faq_path), {entry.id for entry, _ in entries})
    problems = sorted([*quote_lines(checker.problems, source, shown), *example_problems])
    if checker.errors or any(not problem.warning for problem in example_problems):
        return None, problems
    knowledge = Knowledge(
        entries=tuple(dataclasses.replace(entry, examples=examples.get(entry.id, ())) for entry, _ in entries),
        synonyms=synonyms,
        context=context,
        article=article,
        source=faq_path,
        digest=content_digest(faq_path),
        thresholds=thresholds,
    )
    return knowledge, problems


def load_knowledge(path: Path) -> Knowledge:
    """Load and validate an FAQ file or knowledge folder.

    Raises:
        InvalidFileError: with every problem found; nothing is returned half-loaded.
    """
    knowledge, problems = check_faq(path)
    if knowledge is None:
        raise InvalidFileError(problems)
    return knowledge
