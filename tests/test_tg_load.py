"""End-to-end: a group over Telegram's 20-a-minute limit delays only itself.

Updates go through the application's own update processor and rate limiter (as
``faqbot run`` feeds them), so a handler waiting for the group's limit is as real
as in production.  Nothing about time is asserted: only what was sent first.
(``benchmarks/load.py`` measures the delays.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable

import pytest
from telegram import Update

from bot.tg.lanes import lane_of
from tests.kit.api import ApiCall
from tests.kit.constants import GROUP_ID, JSON, USER_ID
from tests.kit.harness import Harness

FLOOD = 40  # twice the group's limit of 20 a minute, and more than PTB's default 16 concurrent updates


async def _feed(bot: Harness, payloads: list[JSON]) -> list[asyncio.Task[None]]:
    processor = bot.app.update_processor
    tasks = []
    for payload in payloads:
        update = Update.de_json(payload, bot.app.bot)
        tasks.append(asyncio.create_task(processor.process_update(update, bot.app.process_update(update))))
        await asyncio.sleep(0)  # arrival order, as the update fetcher hands them over
    return tasks


async def _wait_for(bot: Harness, predicate: Callable[[ApiCall], bool]) -> ApiCall:
    async with asyncio.timeout(10):
        while True:
            for call in list(bot.api.calls):
                if predicate(call):
                    return call
            await asyncio.sleep(0.02)


async def test_a_flooding_group_holds_up_neither_private_chats_nor_button_presses(bot: Harness) -> None:
    group = bot.payloads.group_chat()
    first = next(call for call in await bot.ask("/ask 要去多长时间？", chat=group) if call.method == "sendMessage")
    flood = [bot.payloads.text(f"/ask 第{n}个问题：要去多长时间？", chat=group) for n in range(FLOOD)]
    press = bot.payloads.callback(first.button_data("👍"), first.result)
    tasks = await _feed(bot, [*flood, bot.payloads.text("双百双招是什么？"), press])
    try:
        private = await _wait_for(bot, lambda call: call.method == "sendMessage" and call.chat_id == USER_ID)
        answered = await _wait_for(bot, lambda call: call.method == "answerCallbackQuery")
        calls = list(bot.api.calls)

        def group_replies_before(call: ApiCall) -> int:
            earlier = calls[: calls.index(call)]
            return sum(1 for sent in earlier if sent.method == "sendMessage" and sent.chat_id == GROUP_ID)

        # 21 group replies fit into Telegram's limit at once (the first answer and 20 of the flood).
        assert group_replies_before(private) <= 21, "the private reply waited for the group's backlog"
        assert group_replies_before(answered) <= 21, "the button press waited for the group's backlog"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert "淮北市专项开展" in private.text


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("group message", "group message", True),
        ("group message", "private message", False),
        ("group message", "press in the group", False),
        ("press in the group", "press by another user in the group", False),
        ("press in the group", "press in the group", True),
        ("inline query", "private message", False),
    ],
)
def test_lanes(bot: Harness, first: str, second: str, same: bool) -> None:
    tg = bot.payloads
    message = tg.message_dict("x", chat=tg.group_chat())
    samples: dict[str, JSON] = {
        "group message": tg.text("/ask 1", chat=tg.group_chat()),
        "private message": tg.text("1"),
        "press in the group": tg.callback("a:x", message),
        "press by another user in the group": tg.callback("a:x", message, user=tg.user(4004)),
        "inline query": tg.inline_query("1"),
    }

    def lane(name: str) -> Hashable:
        return lane_of(Update.de_json(samples[name], bot.app.bot))

    assert (lane(first) == lane(second)) is same
