"""What a conversation remembers between questions: the last answer's topic, for follow-ups.

After 先锋团有多少人 a cadre asks 那书记是谁？; after a question about
allowances, 那住宿呢？.  Alone such a question is elliptical: it leans on the
turn before.  :class:`Memory` keeps, per conversation key (a private chat, one
member of a group, a reply thread), the last answered :class:`Turn` for a few
minutes; :class:`~bot.core.answering.Responder` reads an elliptical question
together with it (:func:`is_elliptical`, :func:`with_context`).  A
self-contained question ignores it, and small talk (谢谢) in between keeps it.

The memory is process-local and bounded: a restart forgets conversations,
which is harmless (the next question is simply read alone).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from bot.core.text import clean

DEFAULT_MINUTES = 10.0
MAX_CONVERSATIONS = 10_000  # the oldest are forgotten first beyond this

# A question that leans on the one before: it opens with 那/还有, points with a pronoun, or
# is a short 呢-question (那先锋团呢, 他去的哪里, 具体哪天, 一共多少人).
_OPENERS_RE = re.compile(r"^(?:那么|那|还有|另外|其他的?|其余的?|再问|然后|具体|一共|总共|他们|她们|他|她|它)")
_POINTERS_RE = re.compile(r"他|她|它|这个人|那个人|这些人|那些人|其中|前面说的|刚才说的|上面说的|这几个|那几个")
_SHORT_QUESTION_RE = re.compile(r"^\W*\w{1,8}[呢吗]\W*$")
SHORT = 4  # a question of at most this many characters says too little to stand alone
# 那X呢: the same question about another subject, named here (那住宿呢 after 有补贴吗).
_WHAT_ABOUT_RE = re.compile(r"^(?:那么|那|还有)(?P<subject>\w+?)(?:呢|吗)?\W*$")


@dataclass(frozen=True)
class Turn:
    """An answered question: what it asked (its question part) and the entry that answered it."""

    question: str
    entry_id: str


def is_elliptical(question: str) -> bool:
    """Whether a question leans on the turn before (那先锋团呢, 他去的哪里, 一共多少人)."""
    text = clean(question).strip()
    core = re.sub(r"[\W_]+", "", text)
    return bool(
        _OPENERS_RE.match(text) or _POINTERS_RE.search(text) or _SHORT_QUESTION_RE.match(text) or 0 < len(core) <= SHORT
    )


def names_new_subject(question: str) -> bool:
    """Whether a follow-up names its own subject (那住宿呢, 那许大鹏呢): read alone first."""
    found = _WHAT_ABOUT_RE.match(clean(question).strip())
    return found is not None and not _POINTERS_RE.search(found.group("subject"))


def with_context(question: str, previous: Turn) -> str:
    """The follow-up read together with the question it follows."""
    return f"{previous.question}，{question}"


class Memory:
    """The last answered turn of each conversation, forgotten after ``minutes``.

    Thread-safe; ``clock`` (monotonic seconds) is injectable for tests.
    """

    def __init__(self, minutes: float = DEFAULT_MINUTES, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = minutes * 60.0
        self._clock = clock
        self._turns: OrderedDict[Hashable, tuple[float, Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, key: Hashable) -> Turn | None:
        """The conversation's last turn, or None when there is none or it is too old."""
        with self._lock:
            found = self._turns.get(key)
            if found is None:
                return None
            stamp, turn = found
            if self._clock() - stamp >= self.seconds:
                del self._turns[key]
                return None
            return turn

    def remember(self, key: Hashable, turn: Turn) -> None:
        with self._lock:
            self._turns[key] = (self._clock(), turn)
            self._turns.move_to_end(key)
            while len(self._turns) > MAX_CONVERSATIONS:
                self._turns.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._turns.pop(key, None)
