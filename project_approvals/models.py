"""IT construction projects (建设项目), the data bureau's first review (初审), the funding gate's snapshots and the
finance bureau's funding decisions.

A project's state lives in a django-fsm field and changes only in project_approvals.services; viewflow routes the
human tasks (project_approvals.flows). The gate (project_approvals.gate) is computed from live data whenever it is
shown; a GateEvaluation keeps what it said at a decision, immutable, with its SHA-256.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from project_approvals.choices import (
    AttachmentKind,
    FundingKind,
    GateKind,
    GatePurpose,
    ProjectType,
    ReviewOutcome,
)
from systems_inventory.choices import Deployment
from workflows.models import SubjectProcess
from workflows.textlimits import COMMENT, CONDITIONS, DESCRIPTION, NOTICE_REASON, validator

MONEY = {"max_digits": 14, "decimal_places": 2}


class ProjectState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待负责人确认"
    IN_REVIEW = "in_review", "政数局初审中"
    RETURNED = "returned", "退回修改"
    PASSED = "passed", "初审通过"
    NOT_PASSED = "not_passed", "初审不通过"
    APPROVED = "approved", "已立项"
    BUDGETED = "budgeted", "已批复预算"
    ACCEPTED = "accepted", "已验收"


# The department edits the project in EDITABLE_STATES; the first review has passed in REVIEW_PASSED_STATES.
EDITABLE_STATES = [ProjectState.DRAFT, ProjectState.RETURNED]
REVIEW_PASSED_STATES = [ProjectState.PASSED, ProjectState.APPROVED, ProjectState.BUDGETED, ProjectState.ACCEPTED]
# Seen outside the department (the bureau's, the approver's and finance's lists): sent at least once.
SENT_STATES = [s for s in ProjectState.values if s != ProjectState.DRAFT]
# Conditions of these projects' first reviews are still tracked (the gate's rule 7).
LIVE_STATES = [ProjectState.PASSED, ProjectState.APPROVED, ProjectState.BUDGETED]


class ConstructionProject(models.Model):
    """A department's IT construction project (政务信息化建设项目), from its proposal to its acceptance."""

    department = models.ForeignKey(
        "organizations.Department", verbose_name="建设部门", on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField("项目名称", max_length=100)
    project_type = models.CharField("项目类型", max_length=12, choices=ProjectType.choices)
    year = models.PositiveSmallIntegerField("建设年度")
    description = models.TextField("建设内容", max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    construction_budget = models.DecimalField("建设预算（万元）", **MONEY, default=0, validators=[MinValueValidator(0)])
    annual_om_budget = models.DecimalField("年运维预算（万元）", **MONEY, default=0, validators=[MinValueValidator(0)])
    systems = models.ManyToManyField(
        "systems_inventory.InfoSystem",
        verbose_name="建设或改造的已登记系统",
        blank=True,
        related_name="projects",
    )
    new_system_name = models.CharField(
        "拟新建系统名称", max_length=100, blank=True, help_text="新建系统建成后须在信息系统清单中登记"
    )
    new_system_category = models.ForeignKey(
        "systems_inventory.FunctionCategory",
        verbose_name="新建系统功能类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    produced_resources = models.ManyToManyField(
        "catalog.DataResource", verbose_name="将产生的目录资源", blank=True, related_name="producing_projects"
    )
    consumed_resources = models.ManyToManyField(
        "catalog.DataResource", verbose_name="将使用的目录资源", blank=True, related_name="consuming_projects"
    )
    sharing_plan = models.TextField(
        "数据共享方案",
        max_length=DESCRIPTION,
        validators=[validator(DESCRIPTION)],
        help_text="项目数据如何接入共享平台、向哪些部门共享",
    )
    deployment = models.CharField("部署方式", max_length=16, choices=Deployment.choices)
    is_classified = models.BooleanField("涉密项目", default=False)
    not_on_cloud_reason = models.TextField(
        "不部署政务云的原因",
        blank=True,
        help_text="非涉密系统应依托政务云建设部署；涉密项目不部署政务云的，说明涉密依据",
        max_length=NOTICE_REASON,
        validators=[validator(NOTICE_REASON)],
    )
    state = FSMField("状态", default=ProjectState.DRAFT, choices=ProjectState.choices, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("负责人确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认负责人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader_comment = models.TextField("负责人意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    review_due_at = models.DateTimeField("初审期限", null=True, blank=True)
    approval_number = models.CharField("立项文号", max_length=60, blank=True)
    approved_on = models.DateField("立项日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="立项登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acceptance_comment = models.TextField("验收意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "建设项目"
        verbose_name_plural = "建设项目"
        ordering = ["-id"]
        indexes = [models.Index(fields=["department", "state"]), models.Index(fields=["state", "year"])]
        permissions = [
            ("can_edit_project", "可填报本部门建设项目"),
            ("can_confirm_project", "可确认本部门建设项目"),
            ("can_review_project", "可初审建设项目"),
            ("can_approve_project", "可登记立项和验收"),
            ("can_decide_funding", "可安排项目预算和运维经费"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(construction_budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(condition=Q(annual_om_budget__gte=0), name="project_om_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("project_approvals:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"XM{self.pk:06d}" if self.pk else "XM（未保存）"

    @property
    def on_gov_cloud(self) -> bool:
        return self.deployment == Deployment.GOV_CLOUD

    def record_departments(self):
        """Who may open the project's records besides their issuer: the department, and the departments of the
        finance bureau and the approving authority (the first review is the condition for both)."""
        from organizations.models import Department
        from organizations.roles import Role

        roles = [Role.FINANCE.value, Role.PROJECT_APPROVER.value]
        return [self.department, *Department.objects.filter(users__groups__name__in=roles).distinct()]

    # Transitions. Called only from project_approvals.services, which locks, audits, notifies and issues records.
    @transition(field=state, source=EDITABLE_STATES, target=ProjectState.SUBMITTED)
    def submit(self) -> None:
        """Sent to the department's leader for confirmation."""

    @transition(field=state, source=ProjectState.SUBMITTED, target=ProjectState.DRAFT)
    def send_back(self) -> None:
        """The leader does not confirm it: back to the staff who filled it in."""

    @transition(field=state, source=ProjectState.SUBMITTED, target=ProjectState.IN_REVIEW)
    def confirm(self) -> None:
        """The leader confirms: to the data bureau's first review."""

    @transition(field=state, source=ProjectState.IN_REVIEW, target=ProjectState.RETURNED)
    def return_for_correction(self) -> None:
        pass

    @transition(field=state, source=ProjectState.IN_REVIEW, target=ProjectState.PASSED)
    def pass_review(self) -> None:
        pass

    @transition(field=state, source=ProjectState.IN_REVIEW, target=ProjectState.NOT_PASSED)
    def fail_review(self) -> None:
        pass

    @transition(field=state, source=ProjectState.PASSED, target=ProjectState.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=ProjectState.APPROVED, target=ProjectState.BUDGETED)
    def fund(self) -> None:
        pass

    @transition(field=state, source=ProjectState.BUDGETED, target=ProjectState.ACCEPTED)
    def accept(self) -> None:
        pass


class ProjectAttachment(models.Model):
    """A feasibility study or other material: PDF or image, type checked by content."""

    project = models.ForeignKey(
        ConstructionProject, verbose_name="建设项目", on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("材料类型", max_length=16, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to="projects/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "项目材料"
        verbose_name_plural = "项目材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"


class EvaluationError(Exception):
    """Gate evaluations are never changed or removed."""


class GateEvaluationQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise EvaluationError("闸口核验快照不可修改。")

    def delete(self):
        raise EvaluationError("闸口核验快照不可删除。")


class GateEvaluation(models.Model):
    """What the funding gate said at one decision: every rule's result and evidence, the rule set's version and
    the SHA-256 of the canonical JSON (`snapshot`), which is kept byte for byte. Never changed nor removed."""

    kind = models.CharField("核验对象", max_length=12, choices=GateKind.choices)
    purpose = models.CharField("核验环节", max_length=16, choices=GatePurpose.choices)
    project = models.ForeignKey(
        ConstructionProject,
        verbose_name="建设项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    system = models.ForeignKey(
        "systems_inventory.InfoSystem",
        verbose_name="信息系统",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_evaluations",
    )
    year = models.PositiveSmallIntegerField("经费年度", null=True, blank=True)
    passed = models.BooleanField("闸口通过")
    ruleset_version = models.CharField("规则集版本", max_length=20)
    snapshot = models.TextField("核验快照（规范 JSON）")
    sha256 = models.CharField("快照哈希 SHA-256", max_length=64, db_index=True)
    evaluated_at = models.DateTimeField("核验时间")
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核验时操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = GateEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "闸口核验快照"
        verbose_name_plural = "闸口核验快照"
        ordering = ["-evaluated_at", "-id"]
        indexes = [models.Index(fields=["system", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=GateKind.PROJECT, project__isnull=False, system__isnull=True))
                | (Q(kind=GateKind.SYSTEM_OM, system__isnull=False, project__isnull=True, year__isnull=False)),
                name="gate_evaluation_one_subject",
            )
        ]

    def __str__(self) -> str:
        subject = self.project or self.system
        return f"{subject} {self.get_purpose_display()}核验（{'通过' if self.passed else '未通过'}）"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EvaluationError("闸口核验快照不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EvaluationError("闸口核验快照不可删除。")

    @property
    def content(self) -> dict[str, Any]:
        return json.loads(self.snapshot)

    @property
    def rules(self) -> list[dict[str, Any]]:
        return self.content["rules"]


class FirstReview(models.Model):
    """The data bureau's first review of a project (初审意见), with the gate as it stood and the 初审意见书."""

    project = models.ForeignKey(
        ConstructionProject, verbose_name="建设项目", on_delete=models.PROTECT, related_name="reviews"
    )
    outcome = models.CharField("初审结论", max_length=12, choices=ReviewOutcome.choices)
    comment = models.TextField("初审意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    evaluation = models.ForeignKey(
        GateEvaluation, verbose_name="闸口核验快照", on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey(
        "pdf_templates.Record", verbose_name="初审意见书", null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="初审人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("初审时间")

    class Meta:
        verbose_name = "初审意见"
        verbose_name_plural = "初审意见"
        ordering = ["project", "-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project.reference} 初审：{self.get_outcome_display()}"


class ConditionStatus(models.TextChoices):
    OPEN = "open", "待落实"
    MET = "met", "已落实"


class ReviewCondition(models.Model):
    """A condition of a conditional pass (初审附条件), with its due date: tracked until the bureau finds it met.
    One still open past its due date fails the department's gate (rule 7)."""

    review = models.ForeignKey(
        FirstReview, verbose_name="初审意见", on_delete=models.PROTECT, related_name="conditions"
    )
    # Copied from the review: the gate reads a department's open conditions in one query.
    project = models.ForeignKey(
        ConstructionProject, verbose_name="建设项目", on_delete=models.PROTECT, related_name="conditions"
    )
    text = models.TextField("条件", max_length=CONDITIONS, validators=[validator(CONDITIONS)])
    due_on = models.DateField("落实期限")
    status = models.CharField("落实情况", max_length=8, choices=ConditionStatus.choices, default=ConditionStatus.OPEN)
    met_at = models.DateTimeField("确认落实时间", null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    met_comment = models.TextField("落实情况说明", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    position = models.PositiveSmallIntegerField("序号", default=0)

    class Meta:
        verbose_name = "初审附条件"
        verbose_name_plural = "初审附条件"
        ordering = ["project", "position", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.text}（{self.due_on:%Y-%m-%d}前）"

    @property
    def reference(self) -> str:
        return f"{self.project.reference}-条件{self.position}"


class FundingDecision(models.Model):
    """A budget decision of the finance bureau (财政批复预算), or a system's annual O&M funding (运维经费): recorded
    only while the gate passes, with the snapshot that said so and the 资金闸口核验单. Never changed."""

    kind = models.CharField("经费类型", max_length=8, choices=FundingKind.choices)
    project = models.ForeignKey(
        ConstructionProject,
        verbose_name="建设项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_decisions",
    )
    system = models.ForeignKey(
        "systems_inventory.InfoSystem",
        verbose_name="信息系统",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_decisions",
    )
    year = models.PositiveSmallIntegerField("预算年度")
    amount = models.DecimalField("金额（万元）", **MONEY, validators=[MinValueValidator(0)])
    budget_line = models.CharField("预算科目", max_length=100)
    comment = models.TextField("说明", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    evaluation = models.OneToOneField(
        GateEvaluation, verbose_name="闸口核验快照", on_delete=models.PROTECT, related_name="funding_decision"
    )
    record = models.ForeignKey(
        "pdf_templates.Record", verbose_name="资金闸口核验单", null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间")

    class Meta:
        verbose_name = "经费安排"
        verbose_name_plural = "经费安排"
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=FundingKind.PROJECT, project__isnull=False, system__isnull=True))
                | (Q(kind=FundingKind.OM, system__isnull=False, project__isnull=True)),
                name="funding_decision_one_subject",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_decision_amount_positive"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(kind=FundingKind.PROJECT), name="funding_decision_one_per_project"
            ),
            models.UniqueConstraint(
                fields=["system", "year"], condition=Q(kind=FundingKind.OM), name="funding_decision_one_om_per_year"
            ),
        ]

    def __str__(self) -> str:
        subject = self.project or self.system
        return f"{subject} {self.year}年{self.get_kind_display()} {self.amount}万元"


class ConstructionProjectProcess(SubjectProcess):
    """The viewflow process of one project; its artifact is the project."""

    project = models.OneToOneField(
        ConstructionProject, verbose_name="建设项目", null=True, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = "建设项目流程"
        verbose_name_plural = "建设项目流程"
