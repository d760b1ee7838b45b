"""Reason codes stored with registry changes and failed deliveries, and their words for staff."""

from __future__ import annotations

LABELS = {
    # registry
    "added": "机器人已加入",
    "seen": "机器人在群里（登记前已加入）",
    "removed": "机器人已被移出群",
    "kicked": "机器人已被踢出群",
    "migrated": "已升级为超级群",
    "subscribed": "已订阅",
    "unsubscribed": "已退订",
    "blocked": "已屏蔽机器人",
    # deliveries
    "forbidden": "机器人无权在这里发言（已被移出、被踢出或被屏蔽）",
    "not_found": "找不到这个聊天（可能已解散）",
    "no_rights": "机器人在群里没有发言权限（被禁言）",
    "bad_request": "Telegram 拒绝了这条消息",
    "network": "网络问题，多次重试仍未成功",
    "flood": "Telegram 限制发送频率，多次等待后仍未成功",
    "internal": "机器人内部错误",
    # pins
    "no_pin_rights": "没有置顶权限（需要把机器人设为管理员并允许置顶消息）",
    "pin_failed": "置顶失败",
}


def label(reason: str | None) -> str:
    """The words for a reason code; an unknown code is shown as it is."""
    if not reason:
        return ""
    return LABELS.get(reason, reason)
