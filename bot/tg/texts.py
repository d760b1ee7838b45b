"""The fixed sentences the bot sends on Telegram, in simplified Chinese.

Every text goes through :func:`say`, which converts it to the reader's script
and fills in values that are already HTML-escaped, so a traditional-script
reader gets traditional buttons and hints too.
"""

from __future__ import annotations

from bot.core.matching.text import Script, convert
from bot.core.storage.health import FileState


def say(template: str, script: Script, **values: str) -> str:
    """``template`` in ``script``, with ``values`` (already escaped) filled in."""
    text = convert(template, script)
    return text.format(**values) if values else text


# Templates; ``{name}``-style fields are filled by :func:`say`.
WELCOME = (
    "您好{name}！我是“双百双招”问答助手，回答关于淮北市“双百双招”行动的问题，答案都出自相关报道。\n"
    "直接发送您的问题即可，例如“要去多长时间？”；发送 /faq 浏览全部问题。"
)
HELP_PRIVATE = (
    "<b>怎么用</b>\n"
    "• 直接发送问题，例如“每年选派多少干部？”，我会给出答案和报道原文。\n"
    "• 不确定时我会列出最接近的问题，点一下就能看答案。\n"
    "• /faq 按分类浏览全部问题。\n"
    "• 在群里：发送 /ask 问题，或 @{bot} 加问题。\n"
    "• 在任意聊天的输入框里输入 @{bot} 加问题，可以把答案发给别人。\n"
    "报道里没有的内容，请咨询{contact}。"
)
HELP_STAFF = (
    "\n\n<b>工作人员命令</b>（只有管理员能看到和使用）\n{commands}\n"
    "• 把 faq.yaml（问答库）或 announcements.yaml（通知安排）作为文件发给我，我检查无误后就会启用。"
)
HELP_GROUP = "在群里提问：发送 /ask 问题，或 @{bot} 加问题。私聊我可以浏览全部问题。"
GROUP_WELCOME = (
    "大家好！我是“双百双招”问答助手，答案都出自相关报道。"
    "在群里提问：发送 /ask 加问题、@{bot} 加问题，或者回复我的消息。私聊我可以浏览全部问题。"
)
GROUP_REPEAT = "{asker}，这个问题刚刚回答过，请看这条回复。"
ASK_USAGE = "请在 /ask 后面写上问题，例如：/ask 要去多长时间？"
GROUP_DECLINE = "报道里没有这个问题的答案，请咨询{contact}。"
GROUP_UNRELATED = "我只回答关于“双百双招”行动的问题，可以私聊我发送 /faq 查看。"
GROUP_SUGGEST = "没有把握回答。您是不是想问“{question}”？可以换个说法再问，或私聊我。"
GROUP_FAQ = "请私聊我浏览全部问题：{link}"
NON_TEXT = "我只能回答文字问题。请直接输入您的问题，或发送 /faq 浏览全部问题。"
VOICE = "我只能读文字，听不了语音：请把问题打成文字发给我，例如“要去多长时间？”。"
UNKNOWN_COMMAND = "没有这个命令。直接发送问题即可，或发送 /help 查看用法。"
ERROR_APOLOGY = "抱歉，处理您的消息时出了点问题，请稍后再试。"
ADMIN_ONLY = "抱歉，这个命令只供管理员使用。"

SOURCE = "📖 <b>原文（{label}）</b>"
HELPFUL = "👍 有帮助"
NOT_HELPFUL = "👎 没帮助"
NONE_OF_THESE = "都不是"
BROWSE = "📚 浏览全部问题"
MORE_IN_PRIVATE = "💬 私聊问更多"
ARTICLE_BUTTON = "📄 阅读报道全文"
ARTICLE_HEADING = "📄 <b>{title}</b>"
ARTICLE_MISSING = "报道原文暂时无法提供，请稍后再试。"
GROUP_ARTICLE = "报道全文较长，请私聊我阅读：{link}"
FEEDBACK_THANKS = "谢谢反馈！"
FEEDBACK_DOWN = "谢谢反馈，我们会改进这个回答。"
FEEDBACK_REPEATED = "您已经评价过了，谢谢！"
SUGGEST_DISMISSED = "我不太确定您问的是哪一个，列出的问题都不是您想问的。"
NONE_REPLY = "好的，这个问题我暂时答不上来。可以点“问工作人员”把问题交给工作人员，回复会发到这里；也可以咨询{contact}，或发送 /faq 浏览全部问题。"
BUTTON_EXPIRED = "这个按钮已经失效了，请重新提问。"

MENU_TOPICS = "📚 <b>常见问题</b>：请选择一个分类。"
MENU_TOPIC = "📂 <b>{topic}</b>：请选择一个问题。"
MENU_TOPIC_PAGED = "📂 <b>{topic}</b>（第{page}/{pages}页）：请选择一个问题。"
MENU_EMPTY = "问答库里还没有问题。"
PREVIOUS = "« 上一页"
NEXT = "下一页 »"
BACK = "« 返回分类"

INLINE_OPEN = "私聊问答助手"
INLINE_QUESTION = "❓ <b>{question}</b>"

COMMAND_START = "开始使用"
COMMAND_HELP = "使用说明"
COMMAND_FAQ = "浏览全部问题"
COMMAND_ARTICLE = "阅读报道全文"
COMMAND_ASK = "提问，例如 /ask 要去多长时间"

# -- alarms for staff (errors, backups, the database) ----------------------------------------
ERROR_REPORT = "⚠️ 处理消息时出错（详见日志）：\n<code>{summary}</code>\n{where}"
BACKUP_FAILED = "⚠️ 每日备份失败：{error}"
REPLACED_AT_START = (
    "⚠️ 数据库文件 {path} 已损坏（不是 SQLite 数据库），已改名保存为 {moved}，机器人用一个新的空数据库继续运行："
    "群组登记、订阅者、统计和发送记录都从零开始。如有备份，请停止机器人，把备份复制回 {path} 后再启动。"
)
LOST = (
    "⚠️ 数据库文件 {path} {what}。机器人仍在写入原来打开的文件，但重启后这些记录（群组、订阅者、统计、发送记录）"
    "都会丢失。请尽快停止机器人，从备份恢复 {path} 后再启动。"
)
LOST_HOW = {FileState.GONE: "被删除了", FileState.REPLACED: "被另一个文件替换了"}


STORAGE_FAILED = (
    "⚠️ 数据库写入失败（{error}），例如磁盘已满或文件损坏。机器人照常回答问题，但提问记录、订阅和发送记录暂时无法保存。"
    "请检查服务器的磁盘和数据库文件；恢复正常后不会再提醒。"
)
