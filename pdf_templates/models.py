"""Issued records (文书): one row per stamped PDF, never edited after issue (numbered, sealed, hashed)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class RecordType(models.TextChoices):
    REVIEW_OPINION = "review_opinion", "审核意见书"
    REFUSAL_NOTICE = "refusal_notice", "不予共享告知书"
    REVOCATION_NOTICE = "revocation_notice", "撤销通知"
    SHUTDOWN_NOTICE = "shutdown_notice", "关停通知书"
    SHUTDOWN_CONFIRMATION = "shutdown_confirmation", "关停确认书"
    FIRST_REVIEW_OPINION = "first_review_opinion", "初审意见书"
    FUNDING_GATE_SHEET = "funding_gate_sheet", "资金闸口核验单"
    SELF_CHECK_OPINION = "self_check_opinion", "自查审核意见"
    SCENARIO_AUTHORIZATION = "scenario_authorization", "场景授权书"
    BULLETIN = "bulletin", "情况通报"


# The character after the issuer's short name in a document number (通政数共〔2026〕15号).
# Each type has its own series, so each needs its own code.
TYPE_CODES: dict[str, str] = {
    RecordType.REVIEW_OPINION: "共",
    RecordType.REFUSAL_NOTICE: "共告",
    RecordType.REVOCATION_NOTICE: "共撤",
    RecordType.SHUTDOWN_NOTICE: "停",
    RecordType.SHUTDOWN_CONFIRMATION: "停确",
    RecordType.FIRST_REVIEW_OPINION: "审",
    RecordType.FUNDING_GATE_SHEET: "核",
    RecordType.SELF_CHECK_OPINION: "查",
    RecordType.SCENARIO_AUTHORIZATION: "共场",
    RecordType.BULLETIN: "通报",
}

# The purpose line under the star of the special-purpose seal (专用章).
SEAL_PURPOSES: dict[str, str] = {
    RecordType.REVIEW_OPINION: "数据共享审核专用章",
    RecordType.REFUSAL_NOTICE: "数据共享审核专用章",
    RecordType.REVOCATION_NOTICE: "数据共享审核专用章",
    RecordType.SHUTDOWN_NOTICE: "信息系统管理专用章",
    RecordType.SHUTDOWN_CONFIRMATION: "信息系统管理专用章",
    RecordType.FIRST_REVIEW_OPINION: "项目审核专用章",
    RecordType.FUNDING_GATE_SHEET: "资金核验专用章",
    RecordType.SELF_CHECK_OPINION: "信息系统管理专用章",
    RecordType.SCENARIO_AUTHORIZATION: "数据共享审核专用章",
    RecordType.BULLETIN: "政务数据管理专用章",
}


class RecordCounter(models.Model):
    """The last number used per issuer, type and year; locked while a number is taken."""

    issuer = models.ForeignKey("organizations.Department", verbose_name="发文机关", on_delete=models.PROTECT)
    type = models.CharField("文书类型", max_length=32, choices=RecordType.choices)
    year = models.PositiveIntegerField("年度")
    last_number = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "文号计数器"
        verbose_name_plural = "文号计数器"
        constraints = [models.UniqueConstraint(fields=["issuer", "type", "year"], name="record_counter_unique")]

    def __str__(self) -> str:
        return f"{self.issuer.short_name}{TYPE_CODES[self.type]}〔{self.year}〕 已用至 {self.last_number}"


class RecordImmutableError(Exception):
    """Issued records are never edited: a correction is a new record that supersedes."""


class Record(models.Model):
    class RenderStatus(models.TextChoices):
        PENDING = "pending", "生成中"
        RENDERED = "rendered", "已生成"

    class SignatureStatus(models.TextChoices):
        PENDING = "pending", "待生成"
        SIGNED = "signed", "已电子签名（PAdES-B）"
        UNSIGNED = "unsigned", "未电子签名"

    # Only the renderer writes these, once; everything else is fixed at issue.
    RENDER_FIELDS = frozenset(
        {
            "pdf",
            "pdf_sha256",
            "render_status",
            "signature_status",
            "signature_field",
            "rendered_at",
            "render_attempts",
            "last_error",
        }
    )

    type = models.CharField("文书类型", max_length=32, choices=RecordType.choices)
    issuer = models.ForeignKey(
        "organizations.Department", verbose_name="发文机关", on_delete=models.PROTECT, related_name="issued_records"
    )
    subject_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    subject_id = models.CharField("对象编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    year = models.PositiveIntegerField("年度")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=64, unique=True)
    title = models.CharField("标题", max_length=200)
    addressee = models.CharField("主送机关", max_length=200, blank=True)
    # The canonical JSON of everything the document states; data_sha256 is its hash.
    snapshot = models.TextField("数据快照（规范 JSON）")
    data_sha256 = models.CharField("数据哈希 SHA-256", max_length=64)
    verification_code = models.CharField("核验码", max_length=32, unique=True)
    issued_at = models.DateTimeField("签发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True, on_delete=models.PROTECT
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name="更正的原文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    # Departments besides the issuer that may open this record, fixed at issue
    # from the subject's record_departments() so access can be queried.
    departments = models.ManyToManyField(
        "organizations.Department", verbose_name="可查阅部门", blank=True, related_name="visible_records"
    )

    render_status = models.CharField(
        "生成状态", max_length=16, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    pdf = models.FileField("PDF 文件", upload_to="records/%Y/", blank=True)
    pdf_sha256 = models.CharField("PDF 哈希 SHA-256", max_length=64, blank=True)
    signature_status = models.CharField(
        "签名状态", max_length=16, choices=SignatureStatus.choices, default=SignatureStatus.PENDING
    )
    signature_field = models.CharField("签名域", max_length=100, blank=True)
    rendered_at = models.DateTimeField("生成时间", null=True, blank=True)
    render_attempts = models.PositiveIntegerField("生成尝试次数", default=0)
    last_error = models.TextField("最近一次生成错误", blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "type", "year", "sequence"], name="record_number_unique"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["render_status"]),
            models.Index(fields=["issuer", "type", "issued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.RENDER_FIELDS:
                raise RecordImmutableError("文书签发后不可修改；如需更正，请签发新的文书并引用原文书。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordImmutableError("文书签发后不可删除。")

    @property
    def type_code(self) -> str:
        return TYPE_CODES[self.type]

    @property
    def seal_purpose(self) -> str:
        return SEAL_PURPOSES[self.type]

    @property
    def content(self) -> dict[str, Any]:
        return json.loads(self.snapshot)

    @property
    def data(self) -> dict[str, Any]:
        return self.content["data"]

    @property
    def is_rendered(self) -> bool:
        return self.render_status == self.RenderStatus.RENDERED

    @property
    def data_sha256_grouped(self) -> str:
        """The hash in groups of four, as printed on the document."""
        return " ".join(self.data_sha256[i : i + 4] for i in range(0, len(self.data_sha256), 4))


def format_number(short_name: str, type_code: str, year: int, sequence: int) -> str:
    return f"{short_name}{type_code}〔{year}〕{sequence}号"
