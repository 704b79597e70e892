"""Share applications (共享申请), their decisions and the grants they produce; scenarios (应用场景) in .scenarios.

State lives on the domain objects (django-fsm); viewflow only routes the human
tasks. Transitions are called only from requests.services.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from catalog.choices import Purpose, ShareMethod
from requests.messages import MSG_PERIOD_INVALID, MSG_PURPOSES_REQUIRED
from workflows.models import SubjectProcess
from workflows.textlimits import BASIS, CITATION, COMMENT, CONDITIONS, NOTICE_REASON, validator


class ApplicationState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    IN_REVIEW = "in_review", "审核中"
    RETURNED = "returned", "退回补正"
    COUNTERSIGNING = "countersigning", "待负责人会签"
    ESCALATED = "escalated", "协调中"
    GRANTED = "granted", "已授权"
    PARTIALLY_GRANTED = "partially_granted", "部分授权"
    REFUSED = "refused", "不予授权"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATES = [
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.RETURNED,
    ApplicationState.COUNTERSIGNING,
    ApplicationState.ESCALATED,
]
# Waiting in a reviewer's, a leader's or the bureau's 待办审核 (requests.selectors.task_list).
INBOX_STATES = [ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING, ApplicationState.ESCALATED]
DECIDED_STATES = [ApplicationState.GRANTED, ApplicationState.PARTIALLY_GRANTED, ApplicationState.REFUSED]
# The applicant may change and submit it.
EDITABLE_STATES = [ApplicationState.DRAFT, ApplicationState.RETURNED]
# The applicant may withdraw it.
WITHDRAWABLE_STATES = [ApplicationState.DRAFT, *OPEN_STATES]


class ShareApplication(models.Model):
    applicant_department = models.ForeignKey(
        "organizations.Department", verbose_name="申请部门", on_delete=models.PROTECT, related_name="applications_made"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="share_applications"
    )
    # Copied from the resource at creation: the reviewer inbox filters on it.
    provider_department = models.ForeignKey(
        "organizations.Department",
        verbose_name="提供部门",
        on_delete=models.PROTECT,
        related_name="applications_received",
    )
    resource = models.ForeignKey(
        "catalog.DataResource", verbose_name="申请资源", on_delete=models.PROTECT, related_name="applications"
    )
    resource_version = models.ForeignKey(
        "catalog.ResourceVersion",
        verbose_name="申请时资源版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="提交时固定，审核人据此审核",
    )
    items = models.ManyToManyField("catalog.DataItem", verbose_name="申请信息项", related_name="+")
    scenario = models.CharField("应用场景", max_length=200)
    business_matter = models.CharField("办理事项", max_length=200)
    purposes = models.JSONField("应用方式", default=list, help_text="减材料 / 减填写 / 业务协同，一项或多项")
    share_method = models.CharField("共享方式", max_length=16, choices=ShareMethod.choices)
    period_start = models.DateField("使用期限自")
    period_end = models.DateField("使用期限至")
    call_volume = models.CharField("调用频率或数据量", max_length=100, blank=True)
    need_legal_basis = models.TextField(
        "需求的法律法规或政策依据", blank=True, max_length=BASIS, validators=[validator(BASIS)]
    )
    applied_before = models.BooleanField("此前是否申请过", default=False)
    earlier_outcome = models.TextField(
        "此前申请结果及不予授权理由", blank=True, max_length=COMMENT, validators=[validator(COMMENT)]
    )
    previous_application = models.ForeignKey(
        "self", verbose_name="此前申请", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    renews_grant = models.ForeignKey(
        "Grant", verbose_name="续期的授权", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    cited_scenario = models.ForeignKey(
        "Scenario",
        verbose_name="依据的应用场景",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text="已授权的应用场景：本部门为其使用部门、所申请信息项在其范围内的，提交即自动授权",
    )
    form_token = models.UUIDField(
        "表单令牌",
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="申请表单打开时生成：同一表单提交两次（如双击）只建一件申请。",
    )

    state = FSMField("状态", default=ApplicationState.DRAFT, choices=ApplicationState.choices, protected=True)
    return_comment = models.TextField("补正意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    due_at = models.DateTimeField("答复期限", null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    escalated_at = models.DateTimeField("提请协调时间", null=True, blank=True)
    # Kept after the reply: the statistics and the project gate count late replies.
    was_overdue = models.BooleanField("曾超期未答复", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "共享申请"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["provider_department", "state"]),
            models.Index(fields=["applicant_department", "state"]),
            models.Index(fields=["provider_department", "was_overdue"]),
            # The dashboard reads the applications submitted since its daily aggregates' last run, and by month.
            models.Index(fields=["submitted_at"], name="application_submitted_at"),
            # The dashboard's rankings read the decisions of a period.
            models.Index(fields=["decided_at"], name="application_decided_at"),
        ]
        permissions = [
            ("can_review_application", "可审核共享申请"),
            ("can_countersign_application", "可会签共享申请"),
            ("can_arbitrate_application", "可协调共享申请"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="application_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.applicant_department} → {self.resource}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("share_requests:detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"SQ{self.pk:06d}" if self.pk else "SQ（未保存）"

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = MSG_PERIOD_INVALID
        unknown = set(self.purposes or []) - set(Purpose.values)
        if unknown or not self.purposes:
            errors["purposes"] = MSG_PURPOSES_REQUIRED
        if errors:
            raise ValidationError(errors)

    def record_departments(self):
        """Departments that may see this application's records (pdf_templates)."""
        return [self.applicant_department, self.provider_department]

    # Routing predicates for the flow (flow.If). No side effects.
    def is_auto_grantable(self) -> bool:
        """Unconditional data with no item above level 2 is shared by default (共享为原则)."""
        from catalog.choices import ShareClass

        return (
            self.resource.share_class == ShareClass.UNCONDITIONAL
            and not self.items.filter(security_level__gt=2).exists()
        )

    def negative_list_hits(self) -> list:
        from catalog.selectors import negative_list_hits

        return negative_list_hits(self.resource, self.items.values_list("pk", flat=True))

    def is_on_negative_list(self) -> bool:
        return bool(self.negative_list_hits())

    # Transitions. Called only from requests.services, which locks the row,
    # audits, notifies and issues records around them.
    @transition(field=state, source=EDITABLE_STATES, target=ApplicationState.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=state, source=ApplicationState.SUBMITTED, target=ApplicationState.IN_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(
        field=state, source=[ApplicationState.IN_REVIEW, ApplicationState.ESCALATED], target=ApplicationState.RETURNED
    )
    def return_for_correction(self) -> None:
        pass

    @transition(field=state, source=ApplicationState.IN_REVIEW, target=ApplicationState.COUNTERSIGNING)
    def propose_for_countersign(self) -> None:
        pass

    @transition(field=state, source=ApplicationState.COUNTERSIGNING, target=ApplicationState.IN_REVIEW)
    def send_back_from_countersign(self) -> None:
        pass

    @transition(
        field=state,
        source=[ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING],
        target=ApplicationState.ESCALATED,
    )
    def escalate(self) -> None:
        pass

    @transition(field=state, source=ApplicationState.ESCALATED, target=ApplicationState.IN_REVIEW)
    def order_provider_decision(self) -> None:
        """The data bureau orders the provider to decide within a new time limit."""

    @transition(
        field=state,
        source=[
            ApplicationState.SUBMITTED,
            ApplicationState.IN_REVIEW,
            ApplicationState.COUNTERSIGNING,
            ApplicationState.ESCALATED,
        ],
        target=ApplicationState.GRANTED,
    )
    def approve(self) -> None:
        """Granted in full. (Not `grant`: that name is the reverse accessor of Grant.application.)"""

    @transition(
        field=state,
        source=[ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING, ApplicationState.ESCALATED],
        target=ApplicationState.PARTIALLY_GRANTED,
    )
    def grant_partially(self) -> None:
        pass

    @transition(field=state, source=OPEN_STATES, target=ApplicationState.REFUSED)
    def refuse(self) -> None:
        """Reviewers and the bureau refuse in review or escalation (requests.services checks who decides
        when); an application still open in any state is refused when its resource leaves the catalog."""

    @transition(
        field=state,
        source=WITHDRAWABLE_STATES,
        target=ApplicationState.WITHDRAWN,
    )
    def withdraw(self) -> None:
        pass


class ApplicationAttachment(models.Model):
    """An application letter (申请函件) or other supporting file: PDF or image, type checked by content."""

    application = models.ForeignKey(
        ShareApplication, verbose_name="共享申请", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to="applications/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请附件"
        verbose_name_plural = "申请附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class RefusalReason(models.Model):
    """The maintained list of refusal reason codes (不予授权理由)."""

    code = models.CharField("理由代码", max_length=32, unique=True)
    label = models.CharField("理由", max_length=100)
    requires_legal_basis = models.BooleanField("须引用法律依据", default=False, help_text="如“法律法规禁止共享”")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "不予授权理由"
        verbose_name_plural = "不予授权理由"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    # Only the system decides on these (refuse_for_withdrawn_resources); no reviewer may cite them.
    SYSTEM_ONLY = ("RESOURCE_WITHDRAWN",)


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", "同意共享"
    PARTIALLY_GRANTED = "partially_granted", "部分同意"
    REFUSED = "refused", "不予共享"


class StandardClause(models.TextChoices):
    PURPOSE_ONLY = "purpose_only", "仅用于申请所述用途"
    NO_ONWARD_SHARING = "no_onward_sharing", "不得向第三方转授或提供"
    RETENTION_LIMIT = "retention_limit", "使用期满后按规定删除或归档，不得超期留存"

    @classmethod
    def labels_of(cls, codes) -> list[str]:
        return [cls(code).label for code in codes if code in cls.values]


class Decision(models.Model):
    """The one decision on an application. The one-to-one key makes a second decision impossible."""

    class DecidedAs(models.TextChoices):
        PROVIDER = "provider", "提供部门"
        DATA_BUREAU = "data_bureau", "政数局（协调）"
        AUTOMATIC = "automatic", "系统自动"  # unconditional data, the negative list, a withdrawn resource

    application = models.OneToOneField(
        ShareApplication, verbose_name="共享申请", on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField("决定", max_length=20, choices=DecisionOutcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_as = models.CharField("决定身份", max_length=12, choices=DecidedAs.choices)
    granted_items = models.ManyToManyField("catalog.DataItem", verbose_name="授权信息项", blank=True, related_name="+")
    granted_method = models.CharField("授权共享方式", max_length=16, choices=ShareMethod.choices, blank=True)
    granted_period_start = models.DateField("授权期限自", null=True, blank=True)
    granted_period_end = models.DateField("授权期限至", null=True, blank=True)
    conditions = models.TextField("共享条件", blank=True, max_length=CONDITIONS, validators=[validator(CONDITIONS)])
    standard_clauses = models.JSONField("标准条款", default=list, blank=True)
    adjustment_reason = models.TextField(
        "调整理由",
        blank=True,
        help_text="部分同意时，少授信息项、改变方式或缩短期限的理由",
        max_length=NOTICE_REASON,
        validators=[validator(NOTICE_REASON)],
    )
    refusal_reason = models.ForeignKey(
        RefusalReason, verbose_name="不予授权理由", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refusal_text = models.TextField(
        "理由说明", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    legal_basis = models.ForeignKey(
        "catalog.LegalBasis", verbose_name="法律依据", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_basis_citation = models.CharField(
        "依据条款", max_length=CITATION, blank=True, help_text="法律法规名称及条款", validators=[validator(CITATION)]
    )
    countersign_required = models.BooleanField("须负责人会签", default=False)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="会签人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    countersigned_at = models.DateTimeField("会签时间", null=True, blank=True)
    effective_at = models.DateTimeField("生效时间", null=True, blank=True, help_text="须会签的，会签后生效")
    record = models.ForeignKey(
        "pdf_templates.Record", verbose_name="文书", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核决定"
        verbose_name_plural = "审核决定"

    def __str__(self) -> str:
        return f"{self.application.reference} {self.get_outcome_display()}"


class GrantState(models.TextChoices):
    ACTIVE = "active", "有效"
    EXPIRED = "expired", "已到期"
    REVOKED = "revoked", "已撤销"


class Grant(models.Model):
    """An enforceable authorisation: may department X use items Y of resource Z now?"""

    # None for a grant the authorization of a scenario gave (proactive sharing): no application was made.
    application = models.OneToOneField(
        ShareApplication, verbose_name="来源申请", null=True, blank=True, on_delete=models.PROTECT, related_name="grant"
    )
    scenario = models.ForeignKey(
        "Scenario", verbose_name="来源场景", null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    number = models.CharField("授权文号", max_length=60, blank=True, db_index=True)
    consumer_department = models.ForeignKey(
        "organizations.Department", verbose_name="使用部门", on_delete=models.PROTECT, related_name="grants_held"
    )
    provider_department = models.ForeignKey(
        "organizations.Department", verbose_name="提供部门", on_delete=models.PROTECT, related_name="grants_given"
    )
    resource = models.ForeignKey(
        "catalog.DataResource", verbose_name="资源", on_delete=models.PROTECT, related_name="grants"
    )
    items = models.ManyToManyField("catalog.DataItem", verbose_name="授权信息项", related_name="grants")
    share_method = models.CharField("共享方式", max_length=16, choices=ShareMethod.choices)
    conditions = models.TextField("共享条件", blank=True, max_length=CONDITIONS, validators=[validator(CONDITIONS)])
    standard_clauses = models.JSONField("标准条款", default=list, blank=True)
    valid_from = models.DateField("有效期自")
    valid_to = models.DateField("有效期至")
    state = FSMField("状态", default=GrantState.ACTIVE, choices=GrantState.choices, protected=True)
    revoked_reason = models.TextField(
        "撤销理由", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    notice_30_sent_at = models.DateTimeField("到期前30日提醒", null=True, blank=True)
    notice_7_sent_at = models.DateTimeField("到期前7日提醒", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "共享授权"
        verbose_name_plural = "共享授权"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["consumer_department", "resource", "state"]),
            models.Index(fields=["state", "valid_to"]),
        ]
        permissions = [("can_revoke_grant", "可撤销共享授权")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="grant_validity_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.source_reference} {self.consumer_department} ← {self.resource}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("grants:detail", kwargs={"pk": self.pk})

    @property
    def source_reference(self) -> str:
        """The application it was granted on (SQ…), or the scenario whose authorization gave it (CJ…)."""
        source = self.application if self.application_id else self.scenario
        return source.reference if source is not None else ""

    def record_departments(self):
        return [self.consumer_department, self.provider_department]

    def is_in_force(self, on: dt.date) -> bool:
        return self.state == GrantState.ACTIVE and self.valid_from <= on <= self.valid_to

    def standing(self, on: dt.date) -> str:
        """The state as of `on`: an active grant outside its period (before the hourly sweep) says so."""
        if self.state == GrantState.ACTIVE and on < self.valid_from:
            return "尚未生效"
        if self.state == GrantState.ACTIVE and on > self.valid_to:
            return "已过有效期"
        return self.get_state_display()

    @transition(field=state, source=GrantState.ACTIVE, target=GrantState.EXPIRED)
    def expire(self) -> None:
        pass

    @transition(field=state, source=GrantState.ACTIVE, target=GrantState.REVOKED)
    def revoke(self) -> None:
        pass


class ClassDispute(models.Model):
    """A provider disputes an unconditional class before the data bureau instead of refusing."""

    class Outcome(models.TextChoices):
        OPEN = "open", "待协调"
        UPHELD = "upheld", "异议成立"
        DISMISSED = "dismissed", "异议不成立"

    application = models.ForeignKey(
        ShareApplication, verbose_name="共享申请", on_delete=models.PROTECT, related_name="disputes"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("异议理由", max_length=COMMENT, validators=[validator(COMMENT)])
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="协调人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_comment = models.TextField("协调意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_at = models.DateTimeField("协调时间", null=True, blank=True)

    class Meta:
        verbose_name = "共享类型异议"
        verbose_name_plural = "共享类型异议"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.application.reference} 异议（{self.get_outcome_display()}）"


class ShareApplicationProcess(SubjectProcess):
    """The viewflow process of one application; its artifact is the application."""

    application = models.OneToOneField(
        ShareApplication, verbose_name="共享申请", null=True, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = "共享申请流程"
        verbose_name_plural = "共享申请流程"


from requests.models.api import *  # noqa: E402, F403
from requests.models.scenarios import *  # noqa: E402, F403  (they refer to the models above)
