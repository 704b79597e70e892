from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from viewflow.workflow.models import Process

GENESIS_HASH = "0" * 64


class CalendarOverride(models.Model):
    """An announced holiday or make-up workday that beats the packaged calendar."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "上班（调休）"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class AppendOnlyError(Exception):
    """Audit events are never changed or removed."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计事件只能追加，不能删除。")


class AuditEvent(models.Model):
    """One decision or change, hash-chained to the event before it: an event's hash covers its content and
    the previous event's hash, so no event can be changed, removed or inserted unnoticed (verify_audit).

    Written only through workflows.audit.record_event, which serialises writers.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField("动作", max_length=64)
    subject_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    subject_id = models.CharField("对象编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    from_state = models.CharField("原状态", max_length=40, blank=True)
    to_state = models.CharField("新状态", max_length=40, blank=True)
    comment = models.TextField("意见/备注", blank=True)
    # What a program reads back (a record's number and hash), so nobody parses the comment's words.
    # Hashed only when not empty: the events written before it existed keep their hashes.
    data = models.JSONField("结构化数据", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("时间")
    prev_hash = models.CharField("前一事件哈希", max_length=64)
    hash = models.CharField("事件哈希", max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"])]
        constraints = [
            # A chain has one successor per event: a fork cannot be stored.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_event_single_successor"),
        ]

    def __str__(self) -> str:
        from workflows.labels import action_label  # which imports this module

        return f"#{self.pk} {action_label(self.action)} {self.subject_type.model}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除。")


class Deadline(models.Model):
    """A time limit on a subject, counted in working days, with a reminder and an expiry action.

    Registered and cancelled through workflows.deadlines; the beat task
    workflows.tasks.evaluate_deadlines fires each reminder and each expiry once.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "计时中"
        COMPLETED = "completed", "已办结"
        CANCELLED = "cancelled", "已取消"
        EXPIRED = "expired", "已超期"

    subject_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.CASCADE)
    subject_id = models.CharField("对象编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField("期限类型", max_length=64, help_text="同一对象可有多个期限，例如 provider_reply")
    title = models.CharField("期限名称", max_length=100, help_text="用于提醒文字，例如“提供方答复期限”")
    starts_on = models.DateField("起算日期")
    workdays = models.PositiveIntegerField("工作日数")
    due_at = models.DateTimeField("到期时间", db_index=True)
    remind_before_workdays = models.PositiveIntegerField("提前提醒（工作日）", null=True, blank=True)
    remind_at = models.DateTimeField("提醒时间", null=True, blank=True, db_index=True)
    on_remind = models.CharField("提醒动作", max_length=200, blank=True)
    on_expiry = models.CharField("到期动作", max_length=200)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="提醒对象", blank=True, related_name="deadlines"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    reminded_at = models.DateTimeField("已提醒时间", null=True, blank=True)
    expired_at = models.DateTimeField("到期处理时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "办理期限"
        verbose_name_plural = "办理期限"
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "status"], name="deadline_subject_idx")]
        constraints = [
            # One running clock per subject and kind: registering again replaces it.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=models.Q(status="active"),
                name="deadline_one_active_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.subject_type.model}:{self.subject_id}，{self.due_at:%Y-%m-%d}）"


class SubjectProcess(Process):
    """The viewflow process of one subject (workflows.flowtasks.SubjectFlow): a subclass adds the one-to-one field
    to its subject, which is set once, at start. Later saves by viewflow (status, finished) touch only viewflow's own
    table, not the subclass's."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [f.name for f in Process._meta.concrete_fields if not f.primary_key]
        super().save(*args, **kwargs)
