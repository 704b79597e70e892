from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Channel(models.TextChoices):
    """How a user wants one event type delivered."""

    INAPP = "inapp", "仅站内消息"
    INAPP_EMAIL = "inapp_email", "站内消息 + 邮件"
    DIGEST = "digest", "站内消息 + 每日汇总邮件"


class Notification(models.Model):
    """One message in one user's in-app inbox (站内消息)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications"
    )
    # Set when the recipient got it as substitute (代理人) of an absent colleague.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代为接收（被代理人）",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    event = models.CharField("事件类型", max_length=64)
    subject_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", null=True, blank=True, on_delete=models.CASCADE
    )
    subject_id = models.CharField("对象编号", max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient}：{self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboundEmail(models.Model):
    """The email outbox: a row per message, written in the decision's transaction.

    A Celery task moves it pending → sending → sent, or to retrying / failed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        RETRYING = "retrying", "等待重试"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_emails",
    )
    notification = models.ForeignKey(
        Notification, verbose_name="站内消息", null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    event = models.CharField("事件类型", max_length=64)
    to_address = models.EmailField("收件地址")
    subject_line = models.CharField("邮件主题", max_length=300)
    body_text = models.TextField("正文（纯文本）")
    body_html = models.TextField("正文（HTML）", blank=True)
    # Makes a message that must go out once (a user's digest of a day) unique.
    dedupe_key = models.CharField("去重键", max_length=100, null=True, blank=True, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    claim_token = models.CharField("发送凭据", max_length=32, blank=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "邮件发件箱"
        verbose_name_plural = "邮件发件箱"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.to_address} {self.subject_line}"


class NotificationPreference(models.Model):
    """A user's chosen channel for one event type; without a row the event's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField("事件类型", max_length=64)
    channel = models.CharField("接收方式", max_length=16, choices=Channel.choices)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.event}: {self.get_channel_display()}"
