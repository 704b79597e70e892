"""The demo's zombie systems, after the self-check's demo (systems_inventory.demo) has filled the register.

Two years of use for every system in use, reported by each department's spreadsheet (运维上报); one system's
monitor pushing through the API with its own token (接口推送); a few grant checks today and yesterday on the
resources the register's systems produce (共享平台). A handful of systems tell a story: long idle, declared 每日
but silent, declared 已停用. Then the nightly scan runs and the bureau and the departments act, every step
through the services, so records, audit events, tasks and notices are real:

- dismissed: systems in use whose only finding is the sharing platform (not connected, or connected to call the
  province's platforms with no city resource of their own): not zombies, their connection followed up apart;
- in the objection window, one objection waiting for the bureau's decision, disposals under way (one with a
  disposition recorded and another verified), two shut down, two integrated into their successors, and a
  department's own request to retire a system; the other candidates wait in 僵尸系统研判;
- one idle system's use resumes (its department reports this month) and the next scan closes its case as
  已排除（证据消失）.

Idempotent: once a scan exists, nothing is made again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from organizations.models import Department, User
from requests.models import Grant, GrantState
from requests.services.grant_check import count_check_call, flush_grant_check_stats
from systems_inventory import activity_excel, services
from systems_inventory.models import (
    CaseState,
    DataDisposition,
    DataStore,
    InfoSystem,
    ShutdownCase,
    SystemStatus,
    ZombieScan,
)
from systems_inventory.zombie_rules.platform import month_start
from workflows.spreadsheets import workbook

# Days since each storied system was last used (the others: a few days).
IDLE = {
    "旅游景区客流统计系统": 245,
    "矿产资源管理系统": 280,
    "殡葬管理系统": 220,
    "职业技能鉴定系统": 300,
    "庭审直播系统": 190,
}
# Idle at the first scan, then its department reports use this month: the next scan clears its case (证据消失).
RESUMED = "庭审直播系统"
SILENT = {"12329服务热线系统": 52, "出租车监管平台": 75}
PUSHED = "房屋网签备案系统"  # its monitor pushes through the API
DISMISS = {
    "诉讼服务平台": "该平台的接口调用最高人民法院统一平台，不产生本市目录资源，保留使用。",
    "公积金网上服务大厅": "接口对接省公积金中心，业务数据由综合业务系统编目，保留使用。",
    "电子健康档案系统": "接口调用省全民健康信息平台，已要求补充编目，保留使用。",
}
# Candidates in daily use whose only finding is the sharing platform (not connected, or connected without a call):
# not zombies; the bureau keeps them and follows up their connection. These few it has not decided yet.
UNDECIDED = {
    "文化市场综合执法系统",
    "建设工程档案管理系统",
    "医保经办服务系统",
    "政务服务网上办事大厅",
    "公交智能调度系统",
}
PLATFORM_ONLY = {"not_connected_producing", "connection_contradicted", "duplicate_function"}
IN_USE = "系统近期有使用记录，不属于僵尸系统，保留使用；未接入共享平台的问题另行督办接入。"
OBJECTION_WINDOW = {"旅游景区客流统计系统": "近 245 天无使用，按规定关停。", "路政管理系统": "部门自报已停用。"}
OBJECTED = ("殡葬管理系统", "每年清明、冬至集中使用，且存有历年殡葬服务档案，请保留。")
DISPOSING = ("矿产资源管理系统", "出租车监管平台")
SHUT_DOWN = ("教育资源公共服务平台", "职业技能鉴定系统")
INTEGRATE = {"12329服务热线系统": "12345政务服务热线系统", "文化馆活动预约系统": "智慧旅游服务平台"}
REQUESTED = ("公积金数据备份系统", "异地灾备已由市政务云统一提供，本系统拟停用。")
EVIDENCE = b"%PDF-1.4\n% govshare demo: archive manifest\n"


def load(*, stdout) -> None:
    if ZombieScan.objects.exists():
        stdout.write(_summary())
        return
    coordinator = User.objects.get(username="zs_coordinator")
    today = timezone.localdate()
    _report_usage(today)
    _platform_calls(today)
    services.zombie_scan()
    Stories(coordinator).tell()
    _resume(today)
    services.zombie_scan()  # the next night's scan: RESUMED is no longer a candidate
    stdout.write(_summary())


def _summary() -> str:
    counts = dict.fromkeys(CaseState.values, 0)
    for state in ShutdownCase.objects.values_list("state", flat=True):
        counts[state] += 1
    labels = dict(CaseState.choices)
    told = "，".join(f"{labels[state]} {n}" for state, n in counts.items() if n)
    return f"僵尸系统：{told}（zs_coordinator 在“僵尸系统研判”，各部门在“自查待办”办理）。"


# --- evidence --------------------------------------------------------------------------------------------


def _last_use(system: InfoSystem, today: dt.date) -> dt.date:
    days = IDLE.get(system.name) or SILENT.get(system.name) or 1 + system.pk % 5
    return today - dt.timedelta(days=days)


def _rows(system: InfoSystem, today: dt.date) -> list[list[Any]]:
    """Its months from two years back to its last use: users, logins, transactions, the last day of use."""
    last = _last_use(system, today)
    users = max(system.user_count or 0, 3)
    rows = []
    for back in range(23, -1, -1):
        month = month_start(today, back)
        if month > last:
            break
        day = last if (month.year, month.month) == (last.year, last.month) else month.replace(day=28)
        logins = users * (8 + (system.pk + back) % 12)
        rows.append([system.reference, system.name, f"{month:%Y-%m}", users, logins, logins // 3, day.isoformat()])
    return rows


def _import(department: Department, rows: list[list[Any]]) -> None:
    """A department's spreadsheet of its systems' months (运维上报), through the import service."""
    book = workbook(write_only=True)
    sheet = book.create_sheet(activity_excel.SHEET)
    sheet.append(activity_excel.HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = services.activity_import(actor=_staff(department, "applicant"), upload=out)
    assert result.ok, result.errors


def _report_usage(today: dt.date) -> None:
    """Each department's spreadsheet of its systems' two years (运维上报)."""
    systems = InfoSystem.objects.filter(status=SystemStatus.IN_USE).exclude(name=PUSHED).order_by("pk")
    for department in Department.objects.filter(info_systems__in=systems).distinct().order_by("code"):
        _import(department, [row for system in systems.filter(department=department) for row in _rows(system, today)])
    pushed = InfoSystem.objects.filter(name=PUSHED).first()
    if pushed is not None:
        token, _raw = services.system_token_issue(actor=_staff(pushed.department, "applicant"), system=pushed)
        for _, _, month, users, logins, transactions, day in _rows(pushed, today):
            year, number = map(int, month.split("-"))
            values = {"month": dt.date(year, number, 1), "active_users": users, "logins": logins}
            values |= {"transactions": transactions, "last_activity": dt.date.fromisoformat(day)}
            services.activity_push(token=token, values=values)


def _resume(today: dt.date) -> None:
    """RESUMED's department reports this month's use (a trial broadcast yesterday)."""
    system = InfoSystem.objects.filter(name=RESUMED, status=SystemStatus.IN_USE).first()
    if system is None:
        return
    day = max(today - dt.timedelta(days=1), today.replace(day=1))
    _import(system.department, [[system.reference, system.name, f"{today:%Y-%m}", 6, 40, 2, day.isoformat()]])


def _platform_calls(today: dt.date) -> None:
    """Consumers checking their grants today and yesterday (the grant check's counters, flushed as beat does)."""
    for n, grant in enumerate(Grant.objects.filter(state=GrantState.ACTIVE).order_by("pk")[:40]):
        for day in (today - dt.timedelta(days=1), today):
            for _ in range(1 + n % 4):
                count_check_call(
                    consumer_id=grant.consumer_department_id, resource_id=grant.resource_id, outcome="granted", day=day
                )
    flush_grant_check_stats(today=today)


def _staff(department: Department, role: str) -> User:
    return User.objects.get(username=f"{department.code.lower().removeprefix('th-')}_{role}")


# --- the stories -----------------------------------------------------------------------------------------


class Stories:
    def __init__(self, coordinator: User) -> None:
        self.bureau = coordinator
        # The bureau does not decide its own department's systems: a county bureau's coordinator does.
        self.other_bureau = User.objects.get(username="dc_coordinator")

    def case(self, name: str) -> ShutdownCase | None:
        return ShutdownCase.objects.filter(system__name=name, state=CaseState.SUSPECTED).first()

    def decider(self, system: InfoSystem) -> User:
        return self.other_bureau if system.department_id == self.bureau.department_id else self.bureau

    def tell(self) -> None:
        self.dismiss()
        for name, reason in OBJECTION_WINDOW.items():
            self.propose(name, reason)
        if case := self.propose(OBJECTED[0], "近 220 天无使用，按规定关停。"):
            services.case_object(
                actor=_staff(case.system.department, "leader"),
                obj=case,
                reasons=OBJECTED[1],
                attachments=[SimpleUploadedFile("殡葬服务档案说明.pdf", EVIDENCE)],
            )
        disposing = [self.accepted(name) for name in DISPOSING]
        if disposing[0] is not None:
            self.dispose(disposing[0], verify=True)
        if disposing[1] is not None:
            self.dispose(disposing[1], verify=False, submit=False)
        for name in SHUT_DOWN:
            if case := self.accepted(name):
                self.dispose(case, verify=True, confirm=True)
        for name, successor in INTEGRATE.items():
            self.integrate(name, successor)
        system = InfoSystem.objects.filter(name=REQUESTED[0]).first()
        if system is not None and not system.shutdown_cases.exists():
            services.case_request(actor=_staff(system.department, "leader"), system=system, reason=REQUESTED[1])

    def dismiss(self) -> None:
        """The platform-only candidates in use are kept (the next scans leave them alone on the same evidence)."""
        suspected = ShutdownCase.objects.filter(state=CaseState.SUSPECTED, assessment__isnull=False)
        for case in suspected.select_related("system", "assessment").order_by("pk"):
            name = case.system.name
            if name in UNDECIDED or not set(case.assessment.rule_codes) <= PLATFORM_ONLY:
                continue
            if name in INTEGRATE or name in INTEGRATE.values():
                continue
            services.case_dismiss(actor=self.decider(case.system), obj=case, reason=DISMISS.get(name, IN_USE))

    def propose(self, name: str, reason: str) -> ShutdownCase | None:
        case = self.case(name)
        if case is None:
            return None
        services.case_propose(actor=self.decider(case.system), obj=case, kind="shutdown", reason=reason)
        return ShutdownCase.objects.get(pk=case.pk)

    def accepted(self, name: str) -> ShutdownCase | None:
        case = self.propose(name, "经研判属于僵尸系统，按规定关停。")
        if case is not None:
            services.case_accept(actor=_staff(case.system.department, "applicant"), obj=case)
            case = ShutdownCase.objects.get(pk=case.pk)
        return case

    def dispose(self, case: ShutdownCase, *, verify: bool, submit: bool = True, confirm: bool = False) -> None:
        """Its stores archived with their manifests' checksums (on the 政务云's archive; only the first when it is
        not yet submitted), then verified and confirmed as asked."""
        clerk = _staff(case.system.department, "applicant")
        stores = DataStore.objects.filter(system=case.system).order_by("pk")
        for store in stores if submit else stores[:1]:
            manifest = f"{case.system.reference}/{store.name}".encode()
            services.disposition_record(
                actor=clerk,
                obj=case,
                store=store,
                values={
                    "method": "archive",
                    "row_count": 10_000 + case.system.pk * 731,
                    "archive_location": f"市政务云数据备份库 /archive/{case.system.reference}",
                    "archive_format": "数据库转储 + CSV",
                    "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
                    "retention": "30y",
                },
                attachments=[SimpleUploadedFile("归档清单.pdf", EVIDENCE)],
            )
        if not submit:
            return
        services.dispositions_submit(actor=clerk, obj=case)
        if verify:
            for disposition in DataDisposition.objects.filter(case=case, state="recorded"):
                services.disposition_verify(actor=self.decider(case.system), obj=disposition)
        if confirm:
            services.case_confirm(actor=self.decider(case.system), obj=case)

    def integrate(self, name: str, successor_name: str) -> None:
        system = InfoSystem.objects.filter(name=name, status=SystemStatus.IN_USE).first()
        successor = InfoSystem.objects.filter(name=successor_name, status=SystemStatus.IN_USE).first()
        if system is None or successor is None:
            return
        reason = f"功能与“{successor_name}”重复，整合至该平台统一运行。"
        if case := self.case(name):
            services.case_propose(
                actor=self.decider(system), obj=case, kind="integration", reason=reason, successor=successor
            )
        else:
            services.system_propose(
                actor=self.decider(system), system=system, kind="integration", reason=reason, successor=successor
            )
        case = ShutdownCase.objects.get(system=system, state=CaseState.PROPOSED)
        services.case_accept(actor=_staff(system.department, "applicant"), obj=case)
        case = ShutdownCase.objects.get(pk=case.pk)
        clerk = _staff(system.department, "applicant")
        for store in DataStore.objects.filter(system=system):
            services.disposition_record(
                actor=clerk,
                obj=case,
                store=store,
                values={"method": "migrate", "row_count": 50_000 + system.pk * 97, "target_system": successor},
                attachments=[SimpleUploadedFile("迁移核对记录.pdf", EVIDENCE)],
            )
        services.dispositions_submit(actor=clerk, obj=case)
        for disposition in DataDisposition.objects.filter(case=case):
            services.disposition_verify(actor=self.decider(system), obj=disposition)
        services.case_confirm(actor=self.decider(system), obj=case)
