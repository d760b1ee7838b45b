"""Fixed texts of the staff tools (simplified Chinese; staff read them as written)."""

from __future__ import annotations

COMMAND_RELOAD = "重新加载问答库"
COMMAND_EXPORT = "导出当前问答库文件"
COMMAND_TEST = "测试一个问题的匹配结果"
COMMAND_UNANSWERED = "查看没答上的问题"
COMMAND_STATS = "使用统计"

WATCH_LOADED = "问答库文件有改动，已自动重新加载。"
WATCH_INVALID = "⚠️ 服务器上的问答库文件有改动，但有错误，没有加载。"
TEST_USAGE = "用法：/test 问题，例如 /test 要去多长时间？"
DAYS_USAGE = "用法：/{command} 天数，例如 /{command} 30（默认 {default} 天，最多 {most} 天）。"
EXPORT_CAPTION = "当前的问答库（{count} 个条目）。修改后把文件直接发回给我，我检查无误后就会启用。"
EXPORT_DIFFERS = "注意：服务器上的这个文件和机器人正在使用的版本不同（可能有错误还没加载），发送 /reload 可以查看原因。"
EXPORT_FAILED = "读取问答库文件失败：{error}"
EXPORT_SCHEDULE_CAPTION = "当前的通知安排（{count} 条定时通知）。修改后同样直接发回给我。"
EXPORT_NO_SCHEDULE = "还没有通知安排文件 announcements.yaml。写好后直接发给我即可（格式见工作人员指南）。"
FILES_FOR_STAFF = (
    "发送文件是给工作人员更新问答库和通知安排用的，您不在管理员名单里，所以这个文件没有被使用。"
    "如果您有问题，请直接用文字发给我。"
)
UPLOAD_RECEIVED = "收到文件，正在检查……"
UPLOAD_DOWNLOAD_FAILED = "文件下载失败，请重新发送。"
HANDLED_BUTTON = "✅ {number}"
HANDLED_HINT = "把问法加进问答库后，可以点下面的编号，把那一组标记为已处理（以后再有人这样问，还会出现在这里）。"
HANDLED_DONE = "已标记为已处理：{text}"
HANDLED_GONE = "这一组已经处理过了，或已不在这段时间的报告里。"
BUTTON_EXPIRED = "这个按钮已经失效了。"
CHART_CAPTION = "每天提问数（{period}）"
