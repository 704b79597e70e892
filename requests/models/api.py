"""The grant check API's side: the exchange platform's tokens and the calls it made."""

from __future__ import annotations

from django.db import models


class ApiToken(models.Model):
    """A per-system credential for the exchange platform's grant check API. Only its hash is stored."""

    name = models.CharField("系统名称", max_length=100)
    department = models.ForeignKey(
        "organizations.Department", verbose_name="所属部门", on_delete=models.PROTECT, related_name="api_tokens"
    )
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    token_hash = models.CharField("令牌哈希", max_length=64, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class GrantCheckStat(models.Model):
    """Calls of the grant check API per day, consumer, resource and outcome.

    Counted in the cache on each call and written here by beat (requests.tasks.flush_grant_check_stats),
    so a call costs no database write.
    """

    day = models.DateField("日期")
    consumer = models.ForeignKey(
        "organizations.Department", verbose_name="使用部门", on_delete=models.CASCADE, related_name="+"
    )
    resource = models.ForeignKey(
        "catalog.DataResource", verbose_name="资源", on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField("核验结果", max_length=24)
    calls = models.PositiveBigIntegerField("调用次数", default=0)

    class Meta:
        verbose_name = "授权核验调用统计"
        verbose_name_plural = "授权核验调用统计"
        ordering = ["-day", "consumer", "resource", "outcome"]
        constraints = [
            models.UniqueConstraint(fields=["day", "consumer", "resource", "outcome"], name="grant_check_stat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.consumer_id}/{self.resource_id} {self.outcome}: {self.calls}"


__all__ = ["ApiToken", "GrantCheckStat"]
