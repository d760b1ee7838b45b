"""Fixed texts of the announcements feature (simplified Chinese; users' replies are converted to their script)."""

from __future__ import annotations

SUBSCRIBED = "已订阅：以后的通知会发到这里。发送 /unsubscribe 可以随时退订。"
ALREADY_SUBSCRIBED = "您已经订阅了通知。发送 /unsubscribe 可以退订。"
NOT_SAVED = "抱歉，现在无法保存您的设置（服务器存储出了问题），这次操作没有生效。请稍后再试。"
UNSUBSCRIBED = "已退订，以后不会再收到通知。发送 /subscribe 可以重新订阅。"
NOT_SUBSCRIBED = "您没有订阅通知。发送 /subscribe 可以订阅。"
ANNOUNCE_USAGE = (
    "用法：/announce 通知内容\n"
    "内容可以有多行，也可以用粗体等格式。也可以回复一条文字消息并发送 /announce，把那条消息作为通知。"
)
DONE_ALREADY = "这条通知已经确认或取消过了。"
SENDING = "开始发送……"
CANCELLED = "已取消。"
GROUP_ADDED = "机器人已加入群“{title}”（{chat_id}），以后的群组通知会发到这里。"
GROUP_REMOVED = "机器人已离开群“{title}”（{chat_id}），以后不再向这里发送通知。"

COMMAND_SUBSCRIBE = "订阅通知"
COMMAND_UNSUBSCRIBE = "退订通知"
COMMAND_ANNOUNCE = "发送通知（先预览，确认后发送）"
COMMAND_GROUPS = "已登记的群组"
COMMAND_SCHEDULE = "定时通知安排"

TARGETS = "发送给："
PIN = "在群组中置顶：{value}"
CONFIRM = "✅ 确认发送"
CANCEL = "✖️ 取消"
UNSENDABLE = "这条通知无法发送：{error}"
