"""The register of departments' information systems (信息系统清单) and the self-check campaigns (自查) that keep it.

The register changes when the data bureau accepts a department's report (each accepted change makes a new
version of the system, and the report's lines keep the versions they confirmed) and when a shutdown case ends
(systems_inventory.models.shutdown). State lives in
django-fsm fields and changes only in systems_inventory.services; viewflow routes the human tasks
(systems_inventory.flows).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from systems_inventory.choices import (
    BuildType,
    Deployment,
    FundingSource,
    InterfaceMethod,
    UsageFrequency,
    UsageScope,
)
from workflows.models import SubjectProcess
from workflows.textlimits import COMMENT, DESCRIPTION, NOTICE_REASON, validator


class FunctionCategory(models.Model):
    """The maintained list of function categories (功能类别): systems of one category are compared for duplicates."""

    code = models.CharField("类别编码", max_length=32, unique=True)
    name = models.CharField("功能类别", max_length=60, unique=True)
    description = models.TextField("说明", blank=True, max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "系统功能类别"
        verbose_name_plural = "系统功能类别"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


# What the self-check records of a system (seed 004 and issue 17), in this order: the register holds it, a
# report line proposes it, versions freeze it, forms, the spreadsheet and the API show it.
SYSTEM_FIELDS = (
    "name",
    "function",
    "category",
    "build_type",
    "usage_scope",
    "usage_frequency",
    "user_count",
    "approving_authority",
    "approval_date",
    "approval_number",
    "construction_year",
    "contractor",
    "funding_source",
    "annual_om_cost",
    "deployment",
    "is_classified",
    "not_on_cloud_reason",
    "database_kind",
    "data_volume",
    "storage_location",
    "interface_method",
    "connected",
    "connected_since",
    "interface_count",
    "responsible_person",
    "responsible_phone",
)
# The finance bureau sees every system, but only these of its fields (it funds their operation).
FUNDING_FIELDS = ("name", "build_type", "usage_frequency", "funding_source", "annual_om_cost")


class SystemFields(models.Model):
    """The fields of a system, shared by the register (InfoSystem) and a report's proposal (ReportLine)."""

    name = models.CharField("系统名称", max_length=100)
    function = models.TextField("主要功能", max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    category = models.ForeignKey(FunctionCategory, verbose_name="功能类别", on_delete=models.PROTECT, related_name="+")
    build_type = models.CharField("建设方式", max_length=16, choices=BuildType.choices)
    usage_scope = models.CharField("使用范围", max_length=20, choices=UsageScope.choices)
    usage_frequency = models.CharField("使用频度", max_length=12, choices=UsageFrequency.choices)
    user_count = models.PositiveIntegerField("用户数", null=True, blank=True)
    approving_authority = models.CharField("审批部门", max_length=100, blank=True)
    approval_date = models.DateField("审批日期", null=True, blank=True)
    approval_number = models.CharField("审批文号", max_length=60, blank=True)
    construction_year = models.PositiveSmallIntegerField("建设年份", null=True, blank=True)
    contractor = models.CharField("承建单位", max_length=100, blank=True)
    funding_source = models.CharField("经费来源", max_length=16, choices=FundingSource.choices)
    annual_om_cost = models.DecimalField("年运维经费（万元）", max_digits=10, decimal_places=2, null=True, blank=True)
    deployment = models.CharField("部署方式", max_length=16, choices=Deployment.choices)
    is_classified = models.BooleanField("涉密系统", default=False)
    not_on_cloud_reason = models.TextField(
        "未部署政务云的原因",
        blank=True,
        help_text="非涉密系统未部署在政务云的，须说明原因",
        max_length=NOTICE_REASON,
        validators=[validator(NOTICE_REASON)],
    )
    database_kind = models.CharField("数据库类型", max_length=60, blank=True)
    data_volume = models.CharField("数据量（约）", max_length=60, blank=True, help_text="例如“120 GB / 300 万条”")
    storage_location = models.CharField("数据存储位置", max_length=100, blank=True)
    interface_method = models.CharField("接口方式", max_length=16, choices=InterfaceMethod.choices)
    connected = models.BooleanField("已接入共享平台", default=False)
    connected_since = models.DateField("接入时间", null=True, blank=True)
    interface_count = models.PositiveIntegerField("接入接口数", default=0)
    resources = models.ManyToManyField(
        "catalog.DataResource", verbose_name="产生的目录资源", blank=True, related_name="+"
    )
    responsible_person = models.CharField("系统负责人", max_length=50)
    responsible_phone = models.CharField("负责人联系电话", max_length=30)

    class Meta:
        abstract = True

    @property
    def on_gov_cloud(self) -> bool:
        return self.deployment == Deployment.GOV_CLOUD


class SystemStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    RETIRED = "retired", "已停止运行"
    # The end of a shutdown case (systems_inventory.models.shutdown): read-only in the register from then on.
    SHUT_DOWN = "shut_down", "已关停"
    INTEGRATED = "integrated", "已整合"


# A system that stopped running (reported by its department) may still hold data to dispose of.
RUNNING_OR_RETIRED = [SystemStatus.IN_USE, SystemStatus.RETIRED]


class InfoSystem(SystemFields):
    """One information system of one department: the register. Changed only by an accepted report."""

    department = models.ForeignKey(
        "organizations.Department", verbose_name="所属部门", on_delete=models.PROTECT, related_name="info_systems"
    )
    status = FSMField("运行状态", default=SystemStatus.IN_USE, choices=SystemStatus.choices, protected=True)
    retired_reason = models.TextField(
        "不再运行的原因", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    retired_at = models.DateTimeField("停止运行时间", null=True, blank=True)
    integrated_into = models.ForeignKey(
        "self",
        verbose_name="整合至",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrated_systems",
    )
    version = models.PositiveIntegerField("当前版本", default=0)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "信息系统"
        verbose_name_plural = "信息系统"
        ordering = ["department", "name", "id"]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "build_type"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("systems_inventory:system_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"XT{self.pk:06d}" if self.pk else "XT（未登记）"

    def record_departments(self):
        return [self.department]

    @transition(field=status, source=SystemStatus.IN_USE, target=SystemStatus.RETIRED)
    def retire(self) -> None:
        """Its department reported it no longer runs (its data is disposed of only by a shutdown case)."""

    @transition(field=status, source=RUNNING_OR_RETIRED, target=SystemStatus.SHUT_DOWN)
    def shut_down(self) -> None:
        """A shutdown case confirmed it (关停确认书): its data disposed of, its catalog resources re-pointed or
        withdrawn."""

    @transition(field=status, source=RUNNING_OR_RETIRED, target=SystemStatus.INTEGRATED)
    def integrate(self) -> None:
        """A shutdown case integrated it into `integrated_into`."""


class SystemVersion(models.Model):
    """A frozen snapshot of a system as an accepted report left it."""

    system = models.ForeignKey(InfoSystem, verbose_name="信息系统", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    snapshot = models.JSONField("快照")
    snapshot_hash = models.CharField("快照哈希", max_length=64)
    changes = models.JSONField("变更字段", default=list, blank=True)
    summary = models.CharField("变更说明", max_length=200)
    report = models.ForeignKey(
        "DepartmentReport", verbose_name="来源自查报告", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("版本时间", auto_now_add=True)

    class Meta:
        verbose_name = "信息系统版本"
        verbose_name_plural = "信息系统版本"
        ordering = ["system", "-number"]
        constraints = [models.UniqueConstraint(fields=["system", "number"], name="system_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.system.reference} v{self.number}"


class CampaignState(models.TextChoices):
    DRAFT = "draft", "未发起"
    LAUNCHED = "launched", "进行中"
    CLOSED = "closed", "已结束"


class Campaign(models.Model):
    """A self-check campaign (信息系统建设自查) run by the data bureau over a set of departments."""

    title = models.CharField("自查名称", max_length=200)
    instructions = models.TextField("工作要求", blank=True, max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    covers_all = models.BooleanField("全部部门", default=True, help_text="发起时覆盖所有启用的部门")
    departments = models.ManyToManyField(
        "organizations.Department", verbose_name="自查部门", blank=True, related_name="+"
    )
    due_workdays = models.PositiveSmallIntegerField("报送期限（工作日）", null=True, blank=True)
    due_on = models.DateField("报送截止日期", null=True, blank=True, help_text="与工作日期限二选一")
    resubmit_workdays = models.PositiveSmallIntegerField("退回后重新报送期限（工作日）", default=5)
    state = FSMField("状态", default=CampaignState.DRAFT, choices=CampaignState.choices, protected=True)
    due_at = models.DateTimeField("报送截止时间", null=True, blank=True)
    launched_at = models.DateTimeField("发起时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    # What the statistics page showed at closing, kept as it was (systems_inventory.statistics).
    statistics = models.JSONField("结束时的统计（冻结）", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "自查活动"
        verbose_name_plural = "自查活动"
        ordering = ["-created_at", "-id"]
        permissions = [("can_manage_campaigns", "可组织信息系统自查")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("systems_inventory:campaign_detail", args=[self.pk])

    @transition(field=state, source=CampaignState.DRAFT, target=CampaignState.LAUNCHED)
    def launch(self) -> None:
        pass

    @transition(field=state, source=CampaignState.LAUNCHED, target=CampaignState.CLOSED)
    def close(self) -> None:
        pass


class ReportState(models.TextChoices):
    PENDING = "pending", "待填报"
    DRAFT = "draft", "填报中"
    CONFIRMING = "confirming", "待负责人确认"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已通过"
    UNFINISHED = "unfinished", "未完成"


# The department holds the report (and its clock runs) in these; it edits it in FILL_STATES.
FILL_STATES = [ReportState.PENDING, ReportState.DRAFT, ReportState.RETURNED]
DEPARTMENT_STATES = [*FILL_STATES, ReportState.CONFIRMING]
OPEN_STATES = [*DEPARTMENT_STATES, ReportState.SUBMITTED]
DONE_STATES = [ReportState.ACCEPTED, ReportState.UNFINISHED]


class DepartmentReport(models.Model):
    """One department's answer to a campaign: the systems it runs, or 无自建系统."""

    campaign = models.ForeignKey(Campaign, verbose_name="自查活动", on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(
        "organizations.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="self_check_reports"
    )
    state = FSMField("状态", default=ReportState.PENDING, choices=ReportState.choices, protected=True)
    no_self_built = models.BooleanField("声明无自建系统", default=False)
    # True while its campaign runs: one per department (campaigns do not overlap for a department).
    is_current = models.BooleanField("所属自查进行中", default=True)
    due_at = models.DateTimeField("报送期限", null=True, blank=True)
    is_late = models.BooleanField("逾期", default=False, help_text="未在期限内报送政数局，结束后仍计入")
    submitted_at = models.DateTimeField("提交负责人确认时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("负责人确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_comment = models.TextField("审核意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    leader_comment = models.TextField("负责人意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "部门自查报告"
        verbose_name_plural = "部门自查报告"
        ordering = ["campaign", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "department"], name="report_one_per_department"),
            models.UniqueConstraint(
                fields=["department"], condition=Q(is_current=True), name="report_one_current_per_department"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]
        permissions = [
            ("can_fill_report", "可填报本部门自查报告"),
            ("can_confirm_report", "可确认本部门自查报告"),
            ("can_review_report", "可审核自查报告"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.title}：{self.department.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("systems_inventory:report_detail", args=[self.pk])

    def record_departments(self):
        return [self.department]

    # Transitions. Called only from systems_inventory.services, which locks, audits, notifies and issues records.
    @transition(field=state, source=[ReportState.PENDING, ReportState.RETURNED], target=ReportState.DRAFT)
    def start(self) -> None:
        """The department starts filling it in (or correcting it after a return)."""

    @transition(field=state, source=ReportState.DRAFT, target=ReportState.CONFIRMING)
    def submit(self) -> None:
        """Sent to the department's leader for confirmation (部门负责人确认)."""

    @transition(field=state, source=ReportState.CONFIRMING, target=ReportState.DRAFT)
    def send_back(self) -> None:
        """The leader does not confirm it: back to the staff who filled it in."""

    @transition(field=state, source=ReportState.CONFIRMING, target=ReportState.SUBMITTED)
    def confirm(self) -> None:
        """The leader confirms: the report goes to the data bureau."""

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=state, source=ReportState.SUBMITTED, target=ReportState.RETURNED)
    def return_for_correction(self) -> None:
        pass

    @transition(field=state, source=DEPARTMENT_STATES, target=ReportState.UNFINISHED)
    def lapse(self) -> None:
        """Its campaign closed before the department reported."""


class LineAction(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRM = "confirm", "确认无变化"
    EDIT = "edit", "修改"
    ADD = "add", "新增"
    RETIRE = "retire", "不再运行"


class ReportLine(SystemFields):
    """One system in a report: a register entry confirmed, edited or marked no longer run, or a new one.

    Its fields are the proposal (pre-filled from the register); accepting the report writes them to the
    register and keeps the version it made (frozen_version).
    """

    report = models.ForeignKey(
        DepartmentReport, verbose_name="自查报告", on_delete=models.CASCADE, related_name="lines"
    )
    system = models.ForeignKey(
        InfoSystem,
        verbose_name="清单中的系统",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_lines",
    )
    action = models.CharField("填报结果", max_length=12, choices=LineAction.choices, default=LineAction.PENDING)
    retire_reason = models.TextField(
        "不再运行的原因", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    review_comment = models.TextField(
        "审核意见（本系统）", blank=True, max_length=COMMENT, validators=[validator(COMMENT)]
    )
    frozen_version = models.ForeignKey(
        SystemVersion,
        verbose_name="确认的版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveIntegerField("序号", default=0)

    class Meta:
        verbose_name = "自查报告系统"
        verbose_name_plural = "自查报告系统"
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "system"], condition=Q(system__isnull=False), name="report_line_one_per_system"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_action_display()}）"

    @property
    def in_use(self) -> bool:
        return self.action != LineAction.RETIRE


class DepartmentReportProcess(SubjectProcess):
    """The viewflow process of one report; its artifact is the report."""

    report = models.OneToOneField(
        DepartmentReport, verbose_name="自查报告", null=True, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = "自查报告流程"
        verbose_name_plural = "自查报告流程"
