"""一数一源: the authoritative source (权威数源) of a datum, and the catalog items registered as its copies.

The data bureau designates, for a datum (公民身份号码, 统一社会信用代码…), the catalog item that is its source, and
keeps the names that mean the same datum (等价名称). A resource submitted for registration whose items carry one of
those names duplicates the source: the bureau's review shows it, and the bureau registers it as a copy pointing to
the source (SourceCopy), or returns it. Whoever applies for a copy is told which department is authoritative.

Defined here, imported by catalog.models: one module per kind of catalog data keeps catalog/models.py short.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from workflows.textlimits import BASIS, validator


class AuthoritativeSource(models.Model):
    datum = models.CharField("数据名称", max_length=100, unique=True, help_text="如“公民身份号码”")
    item = models.ForeignKey(
        "catalog.DataItem", verbose_name="权威信息项", on_delete=models.PROTECT, related_name="authoritative_for"
    )
    basis = models.TextField("认定依据", blank=True, max_length=BASIS, validators=[validator(BASIS)])
    is_active = models.BooleanField("有效", default=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="认定人", on_delete=models.PROTECT, related_name="+"
    )
    designated_at = models.DateTimeField("认定时间", auto_now_add=True)

    class Meta:
        verbose_name = "权威数源"
        verbose_name_plural = "权威数源"
        ordering = ["datum"]

    def __str__(self) -> str:
        return f"{self.datum}（{self.item.resource.provider_department.name}“{self.item.resource.name}”）"

    def names(self) -> list[str]:
        """The datum's name and its equivalent names: what a duplicate item is recognised by."""
        return [self.datum, *(alias.name for alias in self.aliases.all())]


class DatumAlias(models.Model):
    """A name the bureau holds to mean the same datum (身份证号 for 公民身份号码)."""

    source = models.ForeignKey(
        AuthoritativeSource, verbose_name="权威数源", on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField("等价名称", max_length=100, unique=True)

    class Meta:
        verbose_name = "等价名称"
        verbose_name_plural = "等价名称"
        ordering = ["source", "name"]

    def __str__(self) -> str:
        return self.name


class SourceCopy(models.Model):
    """A catalog item the bureau registered as a copy of an authoritative source's item."""

    item = models.OneToOneField(
        "catalog.DataItem", verbose_name="副本信息项", on_delete=models.CASCADE, related_name="source_copy"
    )
    source = models.ForeignKey(
        AuthoritativeSource, verbose_name="权威数源", on_delete=models.PROTECT, related_name="copies"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "副本登记"
        verbose_name_plural = "副本登记"
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item.name} → {self.source.datum}"
