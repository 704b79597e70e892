"""The demo's dashboard: the daily aggregates counted, a second version of the assessment weights, and two
issued 情况通报 (seed 000's, for the year so far, whose first part reads 全市42个部门开展信息系统自查，15个部门
共有68个自建系统 and 7个部门的38个接口; and last month's), with this week's scheduled draft waiting to be issued.

Idempotent: a bulletin already there (by title) is not made again; the weights get their second version once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dashboard import aggregates, rankings, tasks
from dashboard.models import Bulletin, ScoreWeights
from dashboard.services import bulletin_draft, bulletin_issue, bulletin_update
from organizations.models import User

DEMO_AFTER = ("organizations", "catalog", "requests", "systems_inventory", "project_approvals", "pdf_templates")
SEED_TITLE = "关于政务信息资源共享工作的情况通报"
MONTH_TITLE = "关于上月政务数据共享工作的情况通报"
SEED_INTRO = (
    "我市自启动政务信息资源数据归集共享工作以来，市政数局与相关部门克服了政务外网覆盖不全、专业技术人员紧缺等"
    "问题，使政务信息资源共享工作取得了阶段性成果。现将有关情况通报如下。"
)


def load(*, stdout) -> None:
    coordinator = User.objects.filter(username="zs_coordinator").first()
    if coordinator is None:
        stdout.write("数据看板演示数据：缺少政数局账号，跳过。")
        return
    aggregates.refresh()
    rankings.current_weights()
    if ScoreWeights.objects.count() < 2:
        from dashboard.services import weights_set

        weights_set(
            actor=coordinator,
            timeliness=40,
            completeness=30,
            self_check=20,
            connections=10,
            note="演示：加重目录完整度",
        )
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    plan = [
        (SEED_TITLE, today.replace(month=1, day=1), today, SEED_INTRO),
        (MONTH_TITLE, last_month_end.replace(day=1), last_month_end, ""),
    ]
    for title, start, end, intro in plan:
        if Bulletin.objects.filter(title=title).exists():
            continue
        draft = bulletin_draft(actor=coordinator, period_start=start, period_end=end)
        progress = f"{intro}\n{draft.progress}" if intro else draft.progress
        draft = bulletin_update(
            actor=coordinator,
            obj=draft,
            title=title,
            progress=progress,
            problems=draft.problems,
            next_steps=draft.next_steps,
        )
        bulletin_issue(actor=coordinator, obj=draft)
    scheduled = tasks.draft_scheduled(today)
    issued = Bulletin.objects.filter(state="issued").select_related("record")
    stdout.write(
        "数据看板：每日汇总已计算；情况通报 "
        + "、".join(f"{b.record.number}（{b.title}）" for b in issued)
        + (f"；本周定时起草的草稿待印发（{scheduled.title}）。" if scheduled else "。")
    )
