"""The statutory shutdown chain of a system (关停), which loses no data.

A ShutdownCase is one episode of a system's shutdown or integration (one open at a time per system):

    zombie_suspected ─┬ dismissed (in use; the same evidence does not flag it again)
                      ├ cleared (a scan found its evidence gone before anyone acted: closed by the scan itself)
                      └ shutdown_proposed (关停通知书; objection window) ─┬ objection ─┬ withdrawn (in use)
                                                                      │            └ upheld ─┐
                                                                      └ accepted / window closed ─┤
                         disposing | integrating (every data store archived or migrated) ←──────┘
                           → verifying (the bureau checks each disposition; a rejected one goes back)
                           → shut_down | integrated into its successor (关停确认书)

The scan opens a case in zombie_suspected; so do a department asking to retire its own system and the bureau
proposing on its own (both then follow the same chain). The system itself stays `in_use` in the register until
the case ends, when it becomes `shut_down` or `integrated` (read-only, with the case's whole trail).
State changes only in systems_inventory.services.shutdown; viewflow routes the human tasks (flows.ShutdownFlow).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, FSMField, transition

from workflows.models import SubjectProcess
from workflows.textlimits import COMMENT, NOTICE_REASON, validator


class ShutdownKind(models.TextChoices):
    SHUTDOWN = "shutdown", "关停"
    INTEGRATION = "integration", "整合"


class CaseOrigin(models.TextChoices):
    SCAN = "scan", "扫描研判"
    DEPARTMENT = "department", "部门申请停用"
    BUREAU = "bureau", "政数局提出"


class CaseState(models.TextChoices):
    SUSPECTED = "zombie_suspected", "疑似僵尸系统"
    PROPOSED = "shutdown_proposed", "已通知（异议期内）"
    OBJECTION = "objection", "异议待决定"
    DISPOSING = "disposing", "数据处置中"
    INTEGRATING = "integrating", "整合迁移中"
    VERIFYING = "verifying", "待核验确认"
    SHUT_DOWN = "shut_down", "已关停"
    INTEGRATED = "integrated", "已整合"
    DISMISSED = "dismissed", "已排除（继续使用）"
    WITHDRAWN = "withdrawn", "已撤回关停（继续使用）"
    CLEARED = "cleared", "已排除（证据消失）"


# The state groups: the transitions below use them as sources, the rules and selectors read them.
DISPOSAL_STATES = [CaseState.DISPOSING, CaseState.INTEGRATING]  # the department records dispositions
CASE_DEPARTMENT_STATES = [CaseState.PROPOSED, *DISPOSAL_STATES]  # the department's step, on its clock
OPEN_CASE_STATES = [CaseState.SUSPECTED, CaseState.PROPOSED, CaseState.OBJECTION, *DISPOSAL_STATES, CaseState.VERIFYING]
ENDED_STATES = [CaseState.SHUT_DOWN, CaseState.INTEGRATED]  # the system is gone
# The bureau kept the system in use: the same evidence does not flag it again (services.scan).
KEPT_STATES = [CaseState.DISMISSED, CaseState.WITHDRAWN]
# The system stays in use too, but nobody judged it: the same evidence, should it come back, flags it again.
CLOSED_STATES = [*ENDED_STATES, *KEPT_STATES, CaseState.CLEARED]


class ShutdownCase(models.Model):
    """One system's shutdown or integration, from suspicion to the 关停确认书 (or back to use)."""

    system = models.ForeignKey(
        "systems_inventory.InfoSystem",
        verbose_name="信息系统",
        on_delete=models.PROTECT,
        related_name="shutdown_cases",
    )
    state = FSMField("状态", default=CaseState.SUSPECTED, choices=CaseState.choices, protected=True)
    origin = models.CharField("来源", max_length=12, choices=CaseOrigin.choices)
    kind = models.CharField("处置方式", max_length=12, choices=ShutdownKind.choices, default=ShutdownKind.SHUTDOWN)
    successor = models.ForeignKey(
        "systems_inventory.InfoSystem",
        verbose_name="整合至（承接系统）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The assessment the latest decision rests on (the scan's newest while suspected; frozen by the proposal).
    assessment = models.ForeignKey(
        "systems_inventory.ZombieAssessment",
        verbose_name="研判依据",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    request_reason = models.TextField(
        "部门申请停用的理由", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposal_reason = models.TextField(
        "关停（整合）理由", blank=True, max_length=NOTICE_REASON, validators=[validator(NOTICE_REASON)]
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField("通知时间", null=True, blank=True)
    objection_due_at = models.DateTimeField("异议期限", null=True, blank=True)
    disposition_due_at = models.DateTimeField("数据处置期限", null=True, blank=True)
    is_overdue = models.BooleanField("数据处置逾期", default=False, help_text="未在期限内完成数据处置，结束后仍计入")
    decision_reason = models.TextField(
        "排除或撤回意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)]
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("立案时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "关停案件"
        verbose_name_plural = "关停案件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["system"], condition=Q(state__in=OPEN_CASE_STATES), name="one_open_case"),
        ]
        indexes = [models.Index(fields=["state", "disposition_due_at"])]
        permissions = [
            ("can_decide_shutdown", "可研判和决定信息系统关停"),
            ("can_answer_shutdown", "可答复本部门信息系统的关停（异议、数据处置、申请停用）"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.system.name}（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("systems_inventory:case_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"GT{self.pk:06d}" if self.pk else "GT（新）"

    def record_departments(self):
        return [self.system.department]

    @property
    def disposal_state(self) -> str:
        return CaseState.INTEGRATING if self.kind == ShutdownKind.INTEGRATION else CaseState.DISPOSING

    # Transitions. Called only from systems_inventory.services, which locks, audits, notifies and issues records.
    @transition(field=state, source=CaseState.SUSPECTED, target=CaseState.DISMISSED)
    def dismiss(self) -> None:
        """The bureau keeps the system in use: not a zombie on this evidence."""

    @transition(field=state, source=CaseState.SUSPECTED, target=CaseState.CLEARED)
    def clear(self) -> None:
        """A scan found the evidence that made the system a candidate gone (e.g. its use resumed) while the case
        was still only suspected: closed as 证据消失, by the scan."""

    @transition(field=state, source=CaseState.SUSPECTED, target=CaseState.PROPOSED)
    def propose(self) -> None:
        """The bureau issues the 关停通知书; the department's objection window opens."""

    @transition(field=state, source=CaseState.PROPOSED, target=CaseState.OBJECTION)
    def file_objection(self) -> None:
        """The department objects within the window: the bureau decides."""

    @transition(field=state, source=CaseState.OBJECTION, target=CaseState.WITHDRAWN)
    def withdraw(self) -> None:
        """The bureau accepts the objection: the shutdown is withdrawn, the system stays in use."""

    @transition(field=state, source=[CaseState.PROPOSED, CaseState.OBJECTION], target=RETURN_VALUE(*DISPOSAL_STATES))
    def start_disposal(self) -> str:
        """No objection (accepted, or the window closed), or the shutdown upheld: the data is disposed of."""
        return self.disposal_state

    @transition(field=state, source=DISPOSAL_STATES, target=CaseState.VERIFYING)
    def submit_dispositions(self) -> None:
        """Every store disposed of: the bureau verifies."""

    @transition(field=state, source=CaseState.VERIFYING, target=RETURN_VALUE(*DISPOSAL_STATES))
    def return_dispositions(self) -> str:
        """The bureau found a disposition wanting: back to the department."""
        return self.disposal_state

    @transition(field=state, source=CaseState.VERIFYING, target=RETURN_VALUE(*ENDED_STATES))
    def confirm(self) -> str:
        """The bureau confirms (关停确认书)."""
        return CaseState.INTEGRATED if self.kind == ShutdownKind.INTEGRATION else CaseState.SHUT_DOWN


class ObjectionOutcome(models.TextChoices):
    OPEN = "open", "待决定"
    UPHELD = "upheld", "维持关停"
    WITHDRAWN = "withdrawn", "撤回关停"


class Objection(models.Model):
    """The department's objection (异议) to a 关停通知书, within its window, and the bureau's decision on it."""

    case = models.ForeignKey(ShutdownCase, verbose_name="关停案件", on_delete=models.PROTECT, related_name="objections")
    reasons = models.TextField("异议理由", max_length=COMMENT, validators=[validator(COMMENT)])
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)
    outcome = models.CharField("决定", max_length=12, choices=ObjectionOutcome.choices, default=ObjectionOutcome.OPEN)
    decision_reason = models.TextField("决定理由", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = "关停异议"
        verbose_name_plural = "关停异议"
        ordering = ["case", "filed_at"]

    def __str__(self) -> str:
        return f"{self.case.reference} 异议（{self.get_outcome_display()}）"


class StoreKind(models.TextChoices):
    DATABASE = "database", "数据库"
    FILES = "files", "文件存储"
    BACKUP = "backup", "备份"
    OTHER = "other", "其他"


class DataStore(models.Model):
    """Somewhere a system keeps data: each must be archived or migrated before the system is shut down."""

    system = models.ForeignKey(
        "systems_inventory.InfoSystem", verbose_name="信息系统", on_delete=models.PROTECT, related_name="data_stores"
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=StoreKind.choices)
    location = models.CharField("存储位置", max_length=100, blank=True)
    volume = models.CharField("数据量（约）", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "数据存储"
        verbose_name_plural = "数据存储"
        ordering = ["system", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class DispositionMethod(models.TextChoices):
    ARCHIVE = "archive", "归档"
    MIGRATE = "migrate", "迁移"


class Retention(models.TextChoices):
    """保管期限, as archives are kept."""

    PERMANENT = "permanent", "永久"
    YEARS_30 = "30y", "定期30年"
    YEARS_10 = "10y", "定期10年"


class DispositionState(models.TextChoices):
    RECORDED = "recorded", "待核验"
    VERIFIED = "verified", "已核验"
    REJECTED = "rejected", "核验未通过"


class DataDisposition(models.Model):
    """What happened to one store's data in one case: archived (where, how, how much, its manifest's SHA-256,
    for how long) or migrated (into which system or catalog resource), with evidence; verified by the bureau.

    A rejected one stays, with the reason; the department records the store again.
    """

    case = models.ForeignKey(
        ShutdownCase, verbose_name="关停案件", on_delete=models.PROTECT, related_name="dispositions"
    )
    store = models.ForeignKey(DataStore, verbose_name="数据存储", on_delete=models.PROTECT, related_name="dispositions")
    method = models.CharField("处置方式", max_length=12, choices=DispositionMethod.choices)
    row_count = models.PositiveBigIntegerField("记录数", help_text="归档或迁移的记录（行、文件）数")
    archive_location = models.CharField("归档位置", max_length=200, blank=True)
    archive_format = models.CharField("归档格式", max_length=60, blank=True)
    manifest_sha256 = models.CharField("归档清单 SHA-256", max_length=64, blank=True)
    retention = models.CharField("保管期限", max_length=12, choices=Retention.choices, blank=True)
    target_system = models.ForeignKey(
        "systems_inventory.InfoSystem",
        verbose_name="迁入系统",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_resource = models.ForeignKey(
        "catalog.DataResource",
        verbose_name="迁入目录资源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("说明", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])
    state = FSMField("核验状态", default=DispositionState.RECORDED, choices=DispositionState.choices, protected=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("填报时间", auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核验人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("核验时间", null=True, blank=True)
    verification_comment = models.TextField("核验意见", blank=True, max_length=COMMENT, validators=[validator(COMMENT)])

    class Meta:
        verbose_name = "数据处置"
        verbose_name_plural = "数据处置"
        ordering = ["case", "store", "recorded_at"]
        constraints = [
            # One standing disposition per store and case: a rejected one makes room for the next.
            models.UniqueConstraint(
                fields=["case", "store"],
                condition=~Q(state=DispositionState.REJECTED),
                name="one_standing_disposition",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store.name}：{self.get_method_display()}（{self.get_state_display()}）"

    @transition(field=state, source=DispositionState.RECORDED, target=DispositionState.VERIFIED)
    def verify(self) -> None:
        pass

    @transition(field=state, source=DispositionState.RECORDED, target=DispositionState.REJECTED)
    def reject(self) -> None:
        pass


class AttachmentPurpose(models.TextChoices):
    OBJECTION = "objection", "异议材料"
    EVIDENCE = "evidence", "处置证明"


class ShutdownAttachment(models.Model):
    """A file given in a case: an objection's supporting material, or a disposition's evidence (checked by content)."""

    case = models.ForeignKey(
        ShutdownCase, verbose_name="关停案件", on_delete=models.PROTECT, related_name="attachments"
    )
    purpose = models.CharField("用途", max_length=12, choices=AttachmentPurpose.choices)
    objection = models.ForeignKey(
        Objection, verbose_name="异议", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    disposition = models.ForeignKey(
        DataDisposition,
        verbose_name="数据处置",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField("文件", upload_to="shutdown/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "关停案件附件"
        verbose_name_plural = "关停案件附件"
        ordering = ["case", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ShutdownCaseProcess(SubjectProcess):
    """The viewflow process of one case (from its 关停通知书 on); its artifact is the case."""

    case = models.OneToOneField(
        ShutdownCase, verbose_name="关停案件", null=True, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = "关停案件流程"
        verbose_name_plural = "关停案件流程"
