"""The demo's self-check, after seed 000 (“数字通化” 情况通报):

- the campaign of 5月19日, closed: 42 departments checked, 15 of them run 68 self-built systems (市公安局,
  市中级人民法院, 市文旅局, 市住建局 and 市住房公积金 among them), and 38 interfaces of 7 departments (市中级人民法院,
  市住房公积金, 市自然资源局, 市卫健委, 市文旅局, 市民政局, 市住建局) connected to the sharing platform;
- a second campaign in progress, with reports in every state a running campaign has: ga_applicant finds the
  公安局's report returned with the bureau's comments, zj_leader the 住建局's waiting for confirmation, and
  zs_coordinator reports waiting for review; two departments are already late. The 市政数局's own report waits
  for review too, by dc_coordinator.

Everything goes through the services, so tasks, deadlines, audit events, records and notices are real. The
bureau may not decide its own department's report: dc_coordinator (东昌区政数局, data bureau role) reviews the
市政数局's. Idempotent: a campaign already there is not made again.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog.models import PUBLISHED_STATES, DataResource
from organizations.models import Department, User
from organizations.roles import Role
from systems_inventory import demo_zombies, services, statistics
from systems_inventory.models import SYSTEM_FIELDS, Campaign, DepartmentReport, FunctionCategory, LineAction
from workflows import deadlines
from workflows.models import Deadline

DEMO_AFTER = ("organizations", "catalog", "requests")
DEMO_PASSWORD = "govshare2026"
FIRST_TITLE = "全市信息系统建设自查（5月19日部署）"
SECOND_TITLE = "信息系统建设自查（第二轮）"
INSTRUCTIONS = (
    "请各部门全面梳理本部门自建信息系统的数量、名称、功能、使用范围、使用频度、审批部门和时间、经费来源、部署和数据存储情况及接口方式，"
    "经部门负责人确认后报送，做到全面、详实、准确。非涉密系统应部署在市政务云，未部署的请说明原因。"
)

# Department → its self-built systems: (name, category, interfaces connected to the sharing platform, overrides).
SYSTEMS: dict[str, list[tuple[str, str, int, dict[str, Any]]]] = {
    "TH-GA": [
        ("户籍管理系统", "REGISTRATION", 0, {"is_classified": True, "deployment": "own_room"}),
        ("警务综合平台", "SUPERVISION", 0, {"is_classified": True, "deployment": "own_room"}),
        ("出入境证件受理系统", "APPROVAL", 0, {"deployment": "other", "reason": "部署于公安专网"}),
        ("交通违法处理系统", "SUPERVISION", 0, {"deployment": "other", "reason": "部署于公安专网"}),
        ("视频监控联网共享平台", "VIDEO", 0, {"deployment": "own_room", "reason": "视频存储量大，政务云容量不足"}),
        ("治安管理信息系统", "SUPERVISION", 0, {"deployment": "other", "reason": "部署于公安专网"}),
        ("110接处警系统", "VIDEO", 0, {"deployment": "other", "reason": "部署于公安专网"}),
        ("网约房登记系统", "REGISTRATION", 0, {"frequency": "weekly"}),
    ],
    "TH-FY": [
        ("审判流程管理系统", "BUSINESS", 3, {"deployment": "other", "reason": "部署于法院专网"}),
        ("电子卷宗随案生成系统", "ARCHIVES", 0, {"deployment": "other", "reason": "部署于法院专网"}),
        ("执行案件管理系统", "BUSINESS", 2, {}),
        ("诉讼服务平台", "PUBLIC_SERVICE", 2, {"scope": "public"}),
        ("庭审直播系统", "PORTAL", 0, {"scope": "public", "frequency": "weekly"}),
        ("司法公开网站", "PORTAL", 0, {"scope": "public"}),
    ],
    "TH-WL": [
        ("旅游景区客流统计系统", "DECISION", 0, {"frequency": "quarterly", "users": 3}),
        ("文化馆活动预约系统", "PUBLIC_SERVICE", 0, {"deployment": "own_room", "reason": "机房托管合同未到期"}),
        ("A级景区管理系统", "BUSINESS", 0, {"frequency": "monthly"}),
        ("文化市场综合执法系统", "SUPERVISION", 2, {}),
        ("智慧旅游服务平台", "PUBLIC_SERVICE", 2, {"scope": "public"}),
    ],
    "TH-ZJ": [
        ("房屋网签备案系统", "REGISTRATION", 3, {}),
        ("建设工程档案管理系统", "ARCHIVES", 0, {"frequency": "weekly"}),
        ("物业维修资金管理系统", "FINANCE", 0, {"deployment": "own_room", "reason": "正在迁移至政务云"}),
        ("建筑市场监管平台", "SUPERVISION", 0, {}),
        ("公租房管理系统", "BUSINESS", 2, {}),
        ("施工图审查系统", "APPROVAL", 0, {"funding": "self_raised"}),
    ],
    "TH-GJJ": [
        ("住房公积金综合业务系统", "BUSINESS", 4, {}),
        ("公积金网上服务大厅", "PUBLIC_SERVICE", 2, {"scope": "public"}),
        ("公积金贷款审批系统", "APPROVAL", 2, {}),
        ("12329服务热线系统", "PUBLIC_SERVICE", 0, {"scope": "public"}),
        (
            "公积金数据备份系统",
            "EXCHANGE",
            0,
            {"deployment": "own_room", "reason": "异地灾备要求", "frequency": "monthly"},
        ),
    ],
    "TH-ZRZY": [
        ("不动产登记系统", "REGISTRATION", 3, {}),
        ("国土空间规划一张图系统", "GIS", 2, {}),
        ("土地供应管理系统", "BUSINESS", 0, {}),
        ("测绘成果管理系统", "GIS", 0, {"frequency": "monthly"}),
        ("矿产资源管理系统", "BUSINESS", 0, {"frequency": "quarterly"}),
    ],
    "TH-WJW": [
        ("全民健康信息平台", "EXCHANGE", 3, {}),
        ("电子健康档案系统", "BUSINESS", 2, {}),
        ("妇幼保健管理系统", "BUSINESS", 0, {}),
        ("疾病预防控制信息系统", "SUPERVISION", 0, {"funding": "higher_level"}),
        ("医疗机构监管平台", "SUPERVISION", 0, {"frequency": "weekly"}),
        ("家庭医生签约系统", "PUBLIC_SERVICE", 0, {"scope": "public"}),
    ],
    "TH-MZ": [
        ("社会救助管理系统", "BUSINESS", 2, {}),
        ("婚姻登记系统", "REGISTRATION", 2, {}),
        ("养老服务管理平台", "PUBLIC_SERVICE", 0, {}),
        ("殡葬管理系统", "BUSINESS", 0, {"frequency": "monthly"}),
    ],
    "TH-YB": [
        ("医保智能审核系统", "SUPERVISION", 0, {}),
        ("医保基金监管系统", "SUPERVISION", 0, {}),
        ("医保经办服务系统", "BUSINESS", 0, {"scope": "public"}),
        ("药品招采管理系统", "BUSINESS", 0, {"frequency": "monthly"}),
    ],
    "TH-JT": [
        ("道路运输管理系统", "BUSINESS", 0, {}),
        ("公交智能调度系统", "VIDEO", 0, {"deployment": "own_room", "reason": "车载终端接入需本地部署"}),
        ("出租车监管平台", "SUPERVISION", 0, {}),
        ("路政管理系统", "BUSINESS", 0, {"frequency": "stopped", "users": 0}),
    ],
    "TH-RS": [
        ("就业服务管理系统", "PUBLIC_SERVICE", 0, {}),
        ("人才服务平台", "PUBLIC_SERVICE", 0, {"scope": "public"}),
        ("劳动保障监察系统", "SUPERVISION", 0, {}),
        ("职业技能鉴定系统", "BUSINESS", 0, {"frequency": "quarterly"}),
    ],
    "TH-SCJG": [
        ("企业登记注册系统", "REGISTRATION", 0, {}),
        ("食品安全追溯平台", "SUPERVISION", 0, {}),
        ("特种设备监管系统", "SUPERVISION", 0, {"frequency": "weekly"}),
    ],
    "TH-ZS": [
        ("政务服务网上办事大厅", "APPROVAL", 0, {"scope": "public"}),
        ("政务数据共享交换平台", "EXCHANGE", 0, {}),
        ("12345政务服务热线系统", "PUBLIC_SERVICE", 0, {"scope": "public"}),
    ],
    "TH-JY": [
        ("中小学学籍管理系统", "REGISTRATION", 0, {}),
        ("义务教育招生入学系统", "PUBLIC_SERVICE", 0, {"scope": "public", "frequency": "quarterly"}),
        ("教育资源公共服务平台", "PUBLIC_SERVICE", 0, {"frequency": "stopped", "users": 0}),
    ],
    "TH-YJ": [
        ("应急指挥调度平台", "VIDEO", 0, {}),
        ("安全生产监管系统", "SUPERVISION", 0, {}),
    ],
}
# Departments whose systems the nation or the province built (seed 000 三(三)): they declare 无自建系统.
HIGHER_LEVEL = {
    "TH-SF": "全国社区矫正信息系统",
    "TH-TJ": "国家统计联网直报系统",
    "TH-TY": "全国退役军人信息管理系统",
}
CONTRACTORS = ["吉林某信息技术有限公司", "长春某软件股份有限公司", "通化某网络科技有限公司", "北京某数据科技有限公司"]
FUNDING = ["budget", "budget", "special", "budget", "higher_level"]
# The second campaign: where each department's report stands (the rest wait to be filled in).
SECOND = {
    "TH-ZJ": "confirming",
    "TH-GA": "returned",
    "TH-FY": "submitted",
    "TH-WL": "submitted",
    "TH-WJW": "submitted",
    "TH-MZ": "submitted",
    "TH-ZS": "submitted",  # the bureau's own: dc_coordinator reviews it, zs_coordinator may not
    "TH-GJJ": "accepted",
    "TH-ZRZY": "accepted",
    "TH-JT": "draft",
    "TH-YB": "draft",
}
LATE = ("TH-JY", "TH-YJ")  # their clock is moved back: beat marks them late


def _abbr(code: str) -> str:
    return code.lower().removeprefix("th-")


def load(*, stdout) -> None:
    coordinator = User.objects.filter(username="zs_coordinator").first()
    if coordinator is None or not Department.objects.filter(code="TH-ZS").exists():
        stdout.write("信息系统自查演示数据：缺少演示部门或政数局账号，跳过。")
        return
    for code, name in import_module("systems_inventory.migrations.0002_function_categories").CATEGORIES:
        FunctionCategory.objects.get_or_create(code=code, defaults={"name": name})
    demo = Demo(coordinator)
    if not Campaign.objects.filter(title=FIRST_TITLE).exists():
        demo.first_campaign()
    if not Campaign.objects.filter(title=SECOND_TITLE).exists():
        demo.second_campaign()
    first = Campaign.objects.get(title=FIRST_TITLE)
    stdout.write(f"信息系统自查：{FIRST_TITLE}（已结束）{statistics.sentence(statistics.of(first))}")
    second = Campaign.objects.get(title=SECOND_TITLE)
    states = dict(second.reports.values_list("department__code", "state"))
    stdout.write(
        f"  {SECOND_TITLE}进行中：ga_applicant 有退回补正的报告（{states.get('TH-GA')}），zj_leader 有待确认的报告，"
        f"zs_coordinator 有 {sum(1 for c, s in states.items() if s == 'submitted' and c != 'TH-ZS')} 份待审核报告，"
        f"市政数局本部门的报告（{states.get('TH-ZS')}）由 dc_coordinator（东昌区政数局）审核。"
    )
    demo_zombies.load(stdout=stdout)


class Demo:
    def __init__(self, coordinator: User) -> None:
        self.coordinator = coordinator
        self.departments = {d.code: d for d in Department.objects.filter(is_active=True)}
        self.staff = _department_staff(list(self.departments.values()))
        # The bureau does not decide its own department's report: a county bureau's coordinator reviews it.
        self.own_reviewer = _county_reviewer(self.departments["TH-DC"])
        self.categories = {c.code: c for c in FunctionCategory.objects.all()}
        self.resources: dict[int, list[DataResource]] = {}
        for resource in DataResource.objects.filter(status__in=PUBLISHED_STATES).order_by("code"):
            self.resources.setdefault(resource.provider_department_id, []).append(resource)

    def filler(self, report: DepartmentReport) -> User:
        return self.staff[f"{_abbr(report.department.code)}_applicant"]

    def leader(self, report: DepartmentReport) -> User:
        return self.staff[f"{_abbr(report.department.code)}_leader"]

    def reviewer(self, report: DepartmentReport) -> User:
        return self.own_reviewer if report.department_id == self.coordinator.department_id else self.coordinator

    def launch(self, title: str, workdays: int) -> Campaign:
        draft = services.campaign_create(
            actor=self.coordinator, data={"title": title, "instructions": INSTRUCTIONS, "due_workdays": workdays}
        )
        return services.campaign_launch(actor=self.coordinator, obj=draft)

    def reports(self, campaign: Campaign) -> list[DepartmentReport]:
        return list(campaign.reports.select_related("department", "campaign").order_by("department__code"))

    # -- the campaign of seed 000

    def first_campaign(self) -> None:
        campaign = self.launch(FIRST_TITLE, 10)
        for report in self.reports(campaign):
            self.fill_in(report)
            services.report_submit(actor=self.filler(report), obj=report)
            services.report_confirm(actor=self.leader(report), obj=report, comment="经核对，情况属实。")
            services.report_accept(actor=self.reviewer(report), obj=report, comment="自查情况全面、详实、准确。")
        services.campaign_close(actor=self.coordinator, obj=campaign)

    def fill_in(self, report: DepartmentReport) -> None:
        code, filler = report.department.code, self.filler(report)
        rows = SYSTEMS.get(code, [])
        resources = self.resources.get(report.department_id, [])
        for index, (name, category, interfaces, extra) in enumerate(rows):
            linked = resources[index : index + 1]  # its first few systems produce the department's resources
            services.line_add(
                actor=filler, report=report, data=self.data(name, category, interfaces, extra, index), resources=linked
            )
        if code in HIGHER_LEVEL:
            data = self.data(
                HIGHER_LEVEL[code],
                "BUSINESS",
                0,
                {"deployment": "higher_platform", "reason": "上级统建，部署于上级平台"},
                1,
            )
            services.line_add(
                actor=filler,
                report=report,
                data={**data, "build_type": "higher_level", "funding_source": "higher_level"},
            )
        if not rows:
            services.report_declare(actor=filler, obj=report, no_self_built=True)

    def data(self, name: str, category: str, interfaces: int, extra: dict[str, Any], index: int) -> dict[str, Any]:
        seed = sum(map(ord, name))
        deployment = extra.get("deployment", "gov_cloud")
        return {
            "name": name,
            "function": f"{name}：支撑本部门相关业务办理、数据管理和统计查询。",
            "category": self.categories[category],
            "build_type": "self_built",
            "usage_scope": extra.get("scope", "internal" if seed % 3 else "cross_department"),
            "usage_frequency": extra.get("frequency", "daily"),
            "user_count": extra.get("users", 20 + seed % 180),
            "approving_authority": "市发改委",
            "approval_date": timezone.localdate().replace(year=2014 + seed % 9, month=1 + seed % 12, day=1 + seed % 28),
            "approval_number": f"通发改审批〔{2014 + seed % 9}〕{seed % 90 + 1}号",
            "construction_year": 2014 + seed % 9 + (seed % 2),
            "contractor": CONTRACTORS[seed % len(CONTRACTORS)],
            "funding_source": extra.get("funding", FUNDING[seed % len(FUNDING)]),
            "annual_om_cost": f"{(seed % 60) + 5}.{seed % 10}0",
            "deployment": deployment,
            "is_classified": extra.get("is_classified", False),
            "not_on_cloud_reason": extra.get("reason", ""),
            "database_kind": ["Oracle", "MySQL", "达梦", "PostgreSQL", "人大金仓"][seed % 5],
            "data_volume": f"约 {seed % 400 + 20} GB",
            "storage_location": "市政务云" if deployment == "gov_cloud" else "本部门机房",
            "interface_method": "api" if interfaces else ["db_exchange", "file", "none", "api"][seed % 4],
            "connected": interfaces > 0,
            "connected_since": dt.date(timezone.localdate().year - 1, 6, 10) if interfaces else None,
            "interface_count": interfaces,
            "responsible_person": f"{'王李张刘陈杨赵黄周吴'[seed % 10]}{'伟芳敏静强磊军洋'[index % 8]}",
            "responsible_phone": f"0435-35{seed % 100000:05d}",
        }

    # -- a campaign in progress

    def second_campaign(self) -> None:
        campaign = self.launch(SECOND_TITLE, 15)
        for report in self.reports(campaign):
            target = SECOND.get(report.department.code)
            if target is not None:
                getattr(self, f"to_{target}")(report)
        self.make_late(campaign)

    def prepare(self, report: DepartmentReport) -> None:
        filler = self.filler(report)
        services.report_start(actor=filler, obj=report)
        services.lines_confirm_all(actor=filler, report=report)
        if not report.lines.exclude(action=LineAction.RETIRE).filter(build_type="self_built").exists():
            services.report_declare(actor=filler, obj=report, no_self_built=True)

    def to_draft(self, report: DepartmentReport) -> None:
        services.report_start(actor=self.filler(report), obj=report)

    def to_confirming(self, report: DepartmentReport) -> None:
        self.prepare(report)
        line = report.lines.order_by("position").first()
        if line is not None:  # the department corrects one figure: the register will take a new version
            data = {name: getattr(line, name) for name in SYSTEM_FIELDS}
            data["user_count"] = (line.user_count or 0) + 40
            services.line_update(actor=self.filler(report), obj=line, data=data, resources=line.resources.all())
        services.report_submit(actor=self.filler(report), obj=report)

    def to_submitted(self, report: DepartmentReport) -> None:
        self.to_confirming(report)
        services.report_confirm(actor=self.leader(report), obj=report, comment="已核对。")

    def to_accepted(self, report: DepartmentReport) -> None:
        self.to_submitted(report)
        services.report_accept(actor=self.reviewer(report), obj=report, comment="同意。")

    def to_returned(self, report: DepartmentReport) -> None:
        self.to_submitted(report)
        off_cloud = report.lines.exclude(deployment="gov_cloud").filter(is_classified=False).order_by("position")[:2]
        comments = {line.pk: "请补充迁移至政务云的计划和时间，或说明不能迁移的依据。" for line in off_cloud}
        services.report_return(
            actor=self.reviewer(report),
            obj=report,
            comment="部分系统部署情况说明不充分，请补正后重新报送。",
            line_comments=comments,
        )

    def make_late(self, campaign: Campaign) -> None:
        """Two departments' clocks are moved back past due; beat (run here) marks them late and tells the bureau."""
        yesterday = timezone.now() - dt.timedelta(days=1)
        reports = campaign.reports.filter(department__code__in=LATE)
        ids = [str(pk) for pk in reports.values_list("pk", flat=True)]
        Deadline.objects.filter(subject_id__in=ids, kind=services.DEADLINE_KIND, status=Deadline.Status.ACTIVE).filter(
            subject_type__model="departmentreport"
        ).update(due_at=yesterday, remind_at=None)
        reports.update(due_at=yesterday)
        deadlines.evaluate()


def _department_staff(departments: list[Department]) -> dict[str, User]:
    """<abbr>_applicant and <abbr>_leader of every department (the share applications' demo makes them first;
    made here when it did not run)."""
    wanted = {
        f"{_abbr(d.code)}_{suffix}": (d, role)
        for d in departments
        for suffix, role in (("applicant", Role.APPLICANT), ("leader", Role.DEPT_LEADER))
    }
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    password = make_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        [
            User(username=name, department=d, password=password, last_name=d.name[:2])
            for name, (d, _r) in wanted.items()
            if name not in existing
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    for name, (_d, role) in wanted.items():
        if not users[name].has_role(role):
            users[name].groups.add(Group.objects.get_or_create(name=role.value)[0])
    return {u.username: u for u in User.objects.filter(username__in=wanted)}  # their roles read afresh


def _county_reviewer(department: Department) -> User:
    user, created = User.objects.get_or_create(
        username="dc_coordinator",
        defaults={
            "department": department,
            "last_name": "赵",
            "first_name": "东",
            "email": "dc_coordinator@tonghua.gov.example",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.DATA_BUREAU.value)[0])
    return user
