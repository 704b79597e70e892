"""The closed lists of construction projects and funding (no Django models here)."""

from django.db import models


class ProjectType(models.TextChoices):
    NEW_BUILD = "new_build", "新建"
    UPGRADE = "upgrade", "升级改造"
    OM = "om", "运维"


class AttachmentKind(models.TextChoices):
    FEASIBILITY = "feasibility", "可行性研究报告"
    DESIGN = "design", "初步设计方案"
    BUDGET = "budget", "投资概算"
    OTHER = "other", "其他材料"


class ReviewOutcome(models.TextChoices):
    PASSED = "passed", "通过"
    CONDITIONAL = "conditional", "附条件通过"
    NOT_PASSED = "not_passed", "不通过"
    RETURNED = "returned", "退回修改"


class FundingKind(models.TextChoices):
    PROJECT = "project", "项目预算"
    OM = "om", "年度运维经费"


class GateKind(models.TextChoices):
    PROJECT = "project", "建设项目"
    SYSTEM_OM = "system_om", "信息系统运维经费"


class GatePurpose(models.TextChoices):
    """The decision a snapshot was taken for."""

    FIRST_REVIEW = "first_review", "初审"
    APPROVAL = "approval", "立项"
    FUNDING = "funding", "预算批复"
    OM_FUNDING = "om_funding", "运维经费安排"
    ACCEPTANCE = "acceptance", "验收"
