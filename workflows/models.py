from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

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
    """One decision or change, hash-chained to the event before it (DESIGN.md §5).

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
        return f"#{self.pk} {self.action} {self.subject_type.model}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除。")
