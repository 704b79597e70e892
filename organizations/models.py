from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from organizations.roles import Role


class Department(models.Model):
    class Level(models.TextChoices):
        CITY = "city", "市级"
        COUNTY = "county", "县（市、区）级"

    code = models.CharField("部门编码", max_length=32, unique=True)
    name = models.CharField("部门名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=16, help_text="用于文号，例如“通政数”（通政数共〔2026〕15号）")
    level = models.CharField("层级", max_length=8, choices=Level.choices, default=Level.CITY)
    parent = models.ForeignKey(
        "self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    seal_text = models.CharField("印章文字", max_length=60, help_text="公章上沿弧形排列的机构全称")
    # Seed 000 asks every department for its 共享负责人员名单: one officer and one contact.
    sharing_officer_name = models.CharField("共享工作负责人", max_length=50, blank=True)
    sharing_officer_phone = models.CharField("负责人电话", max_length=30, blank=True)
    sharing_officer_email = models.EmailField("负责人邮箱", blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系人电话", max_length=30, blank=True)
    contact_email = models.EmailField("联系人邮箱", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "上级部门不能形成循环。"})
            ancestor = ancestor.parent


class User(AbstractUser):
    """A person. Belongs to one department; roles are groups (organizations.roles.Role)."""

    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField("电话", max_length=30, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names read family name first, with no space.
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_names

    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.role_names]


SUBSTITUTION_PERIOD_REVERSED = "结束日期不能早于开始日期。"
SUBSTITUTION_PERIOD_OVER = "结束日期已经过去，请填写今天或以后的日期。"
SUBSTITUTION_TOO_LONG = "代理期限最长 {days} 天（含首尾两天），请提前结束日期。"
SUBSTITUTION_REASON_MISSING = "请填写事由，例如“出差”“休假”“外出培训”。"
SUBSTITUTION_OVERLAP = "这段时间与已设置的代理（{other}）重叠。同一时间只能指定一位代理人，请调整日期或先撤销原代理。"


class Substitution(models.Model):
    """An absent user names a colleague who acts for them between two dates."""

    principal = models.ForeignKey(
        User, verbose_name="被代理人", on_delete=models.CASCADE, related_name="substitutions_given"
    )
    substitute = models.ForeignKey(
        User, verbose_name="代理人", on_delete=models.CASCADE, related_name="substitutions_taken"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "代理授权"
        verbose_name_plural = "代理授权"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="substitution_period_valid"),
            models.CheckConstraint(condition=~Q(principal=models.F("substitute")), name="substitution_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.substitute} 代理 {self.principal}（{self.starts_on}—{self.ends_on}）"

    @property
    def period_status(self) -> str:
        today = timezone.localdate()
        if self.ends_on < today:
            return "已结束"
        return "未开始" if self.starts_on > today else "进行中"

    def clean(self) -> None:
        errors = {}
        if self.principal_id and self.principal_id == self.substitute_id:
            errors["substitute"] = "不能指定本人为代理人。"
        if self.principal_id and self.substitute_id and self.principal.department_id != self.substitute.department_id:
            # Tasks are scoped by department; an outsider must not see them.
            errors["substitute"] = "代理人必须与被代理人同属一个部门。"
        elif self.substitute_id and self.substitute.is_superuser:
            errors["substitute"] = "系统管理员账号不能作为代理人，请指定本部门的工作人员。"
        if not self.reason.strip():
            errors["reason"] = SUBSTITUTION_REASON_MISSING
        if self.starts_on and self.ends_on:
            errors.update(self._period_errors())
        if errors:
            raise ValidationError(errors)

    def _period_errors(self) -> dict[str, str]:
        if self.ends_on < self.starts_on:
            return {"ends_on": SUBSTITUTION_PERIOD_REVERSED}
        if self._state.adding and self.ends_on < timezone.localdate():
            return {"ends_on": SUBSTITUTION_PERIOD_OVER}  # one already over stays editable in the admin
        if (self.ends_on - self.starts_on).days + 1 > settings.SUBSTITUTION_MAX_DAYS:
            return {"ends_on": SUBSTITUTION_TOO_LONG.format(days=settings.SUBSTITUTION_MAX_DAYS)}
        if not self.principal_id:
            return {}
        # One substitute at a time, so that it is clear who answers for the absent colleague's tasks.
        overlapping = (
            Substitution.objects.filter(
                principal_id=self.principal_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            )
            .exclude(pk=self.pk)
            .select_related("substitute")
            .first()
        )
        if overlapping is not None:
            other = f"{overlapping.substitute}，{overlapping.starts_on}—{overlapping.ends_on}"
            return {"starts_on": SUBSTITUTION_OVERLAP.format(other=other)}
        return {}
