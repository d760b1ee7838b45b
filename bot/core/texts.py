"""Fixed texts of the conversation: the replies every surface (Telegram, the terminal chat) shares.

Simplified Chinese; :class:`~bot.core.conversation.Responder` converts them to the asker's script and
fills in ``{contact}``.
"""

from __future__ import annotations

DEFAULT_CONTACT = "所在单位的组织人事部门"
SUGGEST = "我不太确定您问的是哪一个。您是不是想问："
UNCOVERED = "关于“双百双招”的报道没有提到这个问题，我无法给出答案。如需了解，请咨询{contact}。可以发送 /faq 查看我能回答的问题。"
UNRELATED = "我是“双百双招”行动的问答助手，只回答关于这项行动的问题。可以发送 /faq 查看我能回答的问题；其他事项请咨询{contact}。"
SMALL_TALK = "不客气！还有关于“双百双招”的问题，随时问我。"
EMPTY = "您好！我是“双百双招”问答助手。请直接输入您的问题，例如“要去多长时间？”，或发送 /faq 查看全部问题。"
UNKNOWN_ENTRY = "这个问题已经不在问答库里了（可能刚刚更新过）。请重新提问，或发送 /faq 查看全部问题。"
