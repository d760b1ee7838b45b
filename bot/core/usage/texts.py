"""Fixed texts of the usage reports (Chinese): the missed-question report and the statistics."""

from __future__ import annotations

# -- missed questions (/unanswered, faqbot report) ------------------------------------------------
KIND_LABELS = {"decline": "未答", "none_of_these": "“都不是”", "down": "👎"}
WOULD_ANSWER = "现在会回答条目 {entry}"
WOULD_SUGGEST = "现在会给出建议：{entries}"
STILL_UNANSWERED = "现在仍然无法回答"
MISSED_HEADING = "未答问题（{period}）"
NOTHING_MISSED = "{heading}：没有。所有问题都得到了回答，也没有人点 👎 或“都不是”。"
MISSED_TOTAL = "{heading}：共 {total} 次，{groups} 组，次数多的在前。"
SIMILAR = "   类似问法：{shown}"
MORE_SIMILAR = "；另有 {count} 种"
ENTRIES = "   涉及条目：{entries}"
MORE_GROUPS = "……另有 {count} 组只出现过较少次数。完整列表请在终端运行 faqbot report --csv。"
CSV_COLUMNS = ("组号", "本组次数", "问法", "次数", "规范化后的问法", "类型", "相关条目", "最后一次提问")

# -- statistics (/stats) --------------------------------------------------------------------------
STATS_HEADING = "使用统计（{period}）"
GREETINGS = "（另有问候或空消息 {count} 条）"
ASKED = "提问 {count} 次{extra}"
ANSWERED, SUGGESTED, DECLINED = "直接回答", "给出建议", "无法回答"
TOP_ENTRIES = "最常回答的条目："
FEEDBACK = "反馈：👍 {up} · 👎 {down} · “都不是” {none}"
UPDATES_REFUSED = "（另有 {count} 次因错误被拒绝）"
UPDATES = "问答库更新：{count} 次{refused}"
WEEK, DAY = "周", "天"
NO_QUESTIONS = "每{unit}提问：这段时间没有提问。"
PER_UNIT = "每{unit}提问："
QUIET = "（另有 {count} {unit}没有提问）"
WEEK_FROM = "{start:%m-%d} 起"
