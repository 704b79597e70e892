"""The dashboard's stored rows: the daily aggregates beat keeps, the assessment weights, and the 情况通报."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from workflows.textlimits import DESCRIPTION, validator


class DailyFigure(models.Model):
    """What happened on one day, counted once by beat (dashboard.aggregates): e.g. the applications submitted
    that day to one provider department, by the state they are in now. Recomputed day by day in one
    transaction, so the job may run again at any time."""

    day = models.DateField("日期")
    measure = models.CharField("指标", max_length=32)
    department = models.ForeignKey(
        "organizations.Department", verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("分类", max_length=32, blank=True)
    value = models.PositiveBigIntegerField("数值", default=0)
    computed_at = models.DateTimeField("汇总时间")

    class Meta:
        verbose_name = "每日汇总"
        verbose_name_plural = "每日汇总"
        ordering = ["-day", "measure", "department", "key"]
        constraints = [
            models.UniqueConstraint(fields=["day", "measure", "department", "key"], name="daily_figure_unique")
        ]
        indexes = [models.Index(fields=["measure", "day"]), models.Index(fields=["computed_at"])]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.department_id} {self.key}: {self.value}"


class WeightsImmutableError(Exception):
    """Weights are never edited: a change is a new version, so a score read under an old one reads the same."""


class ScoreWeights(models.Model):
    """The bureau's weights of the 考核得分's measures (percent each). Each change is a new version."""

    version = models.PositiveIntegerField("版本", unique=True)
    timeliness = models.PositiveSmallIntegerField("按时答复权重", default=40)
    completeness = models.PositiveSmallIntegerField("目录完整度权重", default=20)
    self_check = models.PositiveSmallIntegerField("自查质量权重", default=20)
    connections = models.PositiveSmallIntegerField("共享对接权重", default=20)
    note = models.CharField("调整说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="设定人", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("设定时间", auto_now_add=True)

    MEASURES = ("timeliness", "completeness", "self_check", "connections")

    class Meta:
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"考核权重 第{self.version}版"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise WeightsImmutableError("考核权重设定后不可修改；请设定新版本。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise WeightsImmutableError("考核权重不可删除。")

    def as_dict(self) -> dict[str, int]:
        return {measure: getattr(self, measure) for measure in self.MEASURES}


class BulletinState(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已印发"


class Bulletin(models.Model):
    """情况通报: drafted from the period's figures (by beat or the bureau), edited, then issued as a record.

    `snapshot` holds the figures, rankings and charts as they were at issue; nothing reads the live data
    for an issued bulletin again."""

    title = models.CharField("标题", max_length=200)
    period_start = models.DateField("统计期自")
    period_end = models.DateField("统计期至")
    scheduled = models.BooleanField("定时起草", default=False, help_text="由定时任务按 BULLETIN_SCHEDULE 起草")
    progress = models.TextField("一、工作进展", max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    problems = models.TextField("二、存在问题", max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    next_steps = models.TextField("三、下一步工作", max_length=DESCRIPTION, validators=[validator(DESCRIPTION)])
    state = FSMField("状态", default=BulletinState.DRAFT, choices=BulletinState.choices, protected=True)
    snapshot = models.JSONField("印发时数据快照", default=dict, blank=True)
    record = models.ForeignKey(
        "pdf_templates.Record", verbose_name="文书", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="印发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)

    class Meta:
        verbose_name = "情况通报"
        verbose_name_plural = "情况通报"
        ordering = ["-period_end", "-id"]
        constraints = [
            # Beat drafts one per period, however often it runs.
            models.UniqueConstraint(
                fields=["period_start", "period_end"], condition=Q(scheduled=True), name="bulletin_scheduled_once"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="bulletin_period"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("dashboard:bulletin", kwargs={"pk": self.pk})

    def record_departments(self):
        """Every department reads an issued bulletin (pdf_templates)."""
        from organizations.models import Department

        return list(Department.objects.filter(is_active=True))

    @transition(field=state, source=BulletinState.DRAFT, target=BulletinState.ISSUED)
    def issue(self) -> None:
        pass
