"""Evidence that a system is used (使用情况证据), and the nightly zombie scan's explainable findings (僵尸研判).

A system's use is told month by month, by whoever knows it: the department's own figures (自报, from the
self-check), an operator's spreadsheet (运维上报), a monitor pushing through the API with the system's own token
(接口推送), and govshare itself from the grant check's statistics (共享平台). One row per system, month and source:
sending the same again replaces it, so nothing is counted twice.

The scan (systems_inventory.zombie_rules) reads that evidence with the register and writes, per candidate, a
ZombieAssessment: which rules fired, with the evidence's values and dates and the rule set's version. What the
bureau then decides is a ShutdownCase (systems_inventory.models.shutdown).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActivitySource(models.TextChoices):
    SELF_REPORT = "self_report", "自报"
    OPERATIONS = "operations", "运维上报"
    PUSH = "push", "接口推送"
    PLATFORM = "platform", "共享平台"


# The sources people send (the 共享平台 figures are govshare's own, computed by the scan).
SENT_SOURCES = [ActivitySource.SELF_REPORT, ActivitySource.OPERATIONS, ActivitySource.PUSH]


class SystemActivity(models.Model):
    """How much one system was used in one month, as one source tells it."""

    system = models.ForeignKey(
        "systems_inventory.InfoSystem", verbose_name="信息系统", on_delete=models.PROTECT, related_name="activity"
    )
    month = models.DateField("月份", help_text="该月第一天")
    source = models.CharField("来源", max_length=12, choices=ActivitySource.choices)
    active_users = models.PositiveIntegerField("活跃用户数", default=0)
    logins = models.PositiveIntegerField("登录次数", default=0)
    transactions = models.PositiveBigIntegerField("业务办理量", default=0, help_text="写入数据的业务笔数")
    last_activity = models.DateField(
        "最近活动日期", null=True, blank=True, help_text="该月有使用而未填写的，按该月最后一天（或今天）计"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    token = models.ForeignKey(
        "systems_inventory.SystemToken",
        verbose_name="推送令牌",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField("报送时间", auto_now=True)

    class Meta:
        verbose_name = "信息系统使用情况"
        verbose_name_plural = "信息系统使用情况"
        ordering = ["system", "-month", "source"]
        constraints = [
            models.UniqueConstraint(fields=["system", "month", "source"], name="system_activity_one_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.system_id} {self.month:%Y-%m} {self.get_source_display()}"

    @property
    def has_activity(self) -> bool:
        return bool(self.active_users or self.logins or self.transactions)


# What counts as use in a month, in a query (the scan's): any user, login or transaction.
USED = Q(active_users__gt=0) | Q(logins__gt=0) | Q(transactions__gt=0)


class SystemToken(models.Model):
    """A credential for one system's monitor to push its usage (POST /api/systems/activity). Only its hash is kept.

    Not a grant check token (requests.ApiToken): that one may ask about any department's grants for the exchange
    platform; this one may only tell how one system is used.
    """

    system = models.ForeignKey(
        "systems_inventory.InfoSystem", verbose_name="信息系统", on_delete=models.PROTECT, related_name="tokens"
    )
    prefix = models.CharField("前缀", max_length=12)
    token_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "使用情况推送令牌"
        verbose_name_plural = "使用情况推送令牌"
        ordering = ["system", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{'启用' if self.is_active else '已停用'}）"


class ScanTrigger(models.TextChoices):
    NIGHTLY = "nightly", "每日定时"
    ON_DEMAND = "on_demand", "政数局发起"


class ZombieScan(models.Model):
    """One run of the rules over every system in use: when, which rule set, and what it found."""

    trigger = models.CharField("发起方式", max_length=12, choices=ScanTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ruleset_version = models.CharField("规则集版本", max_length=20)
    thresholds = models.JSONField("阈值", default=dict)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    is_running = models.BooleanField("进行中", default=True)
    systems = models.PositiveIntegerField("研判系统数", default=0)
    candidates = models.PositiveIntegerField("疑似僵尸系统数", default=0)
    suppressed = models.PositiveIntegerField("已排除（证据未变）", default=0)
    opened = models.PositiveIntegerField("新列为疑似", default=0)
    cleared = models.PositiveIntegerField("证据消失自动排除", default=0)

    class Meta:
        verbose_name = "僵尸系统扫描"
        verbose_name_plural = "僵尸系统扫描"
        ordering = ["-started_at", "-id"]
        constraints = [
            # One scan at a time: a second one waits on this index for the first to commit (finished by then).
            models.UniqueConstraint(fields=["is_running"], condition=Q(is_running=True), name="one_running_scan")
        ]

    def __str__(self) -> str:
        return f"扫描 #{self.pk}（{self.get_trigger_display()}）"


class Severity(models.TextChoices):
    CANDIDATE = "candidate", "列为疑似"
    WARNING = "warning", "提示"


class ZombieAssessment(models.Model):
    """What one scan found about one candidate: the rules that fired, each with its evidence, as it was then.

    `findings` is a list of {code, name, clause, severity, evidence: {…}, key: {…}, text}: `evidence` holds every
    value and date shown, `key` the facts that make it the same evidence another time (no day counts), so a
    dismissal holds until the evidence changes (systems_inventory.zombie_rules.suppressed).
    """

    scan = models.ForeignKey(ZombieScan, verbose_name="扫描", on_delete=models.PROTECT, related_name="assessments")
    system = models.ForeignKey(
        "systems_inventory.InfoSystem",
        verbose_name="信息系统",
        on_delete=models.PROTECT,
        related_name="zombie_assessments",
    )
    case = models.ForeignKey(
        "systems_inventory.ShutdownCase",
        verbose_name="关停案件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    ruleset_version = models.CharField("规则集版本", max_length=20)
    findings = models.JSONField("命中规则与证据")
    fingerprint = models.CharField("证据指纹", max_length=64)
    assessed_on = models.DateField("研判日期")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "僵尸研判"
        verbose_name_plural = "僵尸研判"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["system", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.system_id} 研判 {self.assessed_on}"

    @property
    def rule_codes(self) -> list[str]:
        return [finding["code"] for finding in self.findings]
