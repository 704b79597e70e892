"""The closed lists of the self-check (seed 004: 系统数量、名称、功能、使用范围、使用频度、审批部门和时间、经费来源).
No Django models here."""

from django.db import models


class BuildType(models.TextChoices):
    SELF_BUILT = "self_built", "自建"
    # Seed 000: systems the nation or the province built, whose data goes straight to the higher level.
    HIGHER_LEVEL = "higher_level", "上级统建"
    PURCHASED = "purchased", "购买服务"


class UsageScope(models.TextChoices):
    INTERNAL = "internal", "部门内部"
    CROSS_DEPARTMENT = "cross_department", "跨部门"
    PUBLIC = "public", "面向公众"


class UsageFrequency(models.TextChoices):
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度及以下"
    STOPPED = "stopped", "已停用"


class FundingSource(models.TextChoices):
    BUDGET = "budget", "财政预算"
    SPECIAL = "special", "专项资金"
    HIGHER_LEVEL = "higher_level", "上级拨款"
    SELF_RAISED = "self_raised", "自筹"
    OTHER = "other", "其他"


class Deployment(models.TextChoices):
    GOV_CLOUD = "gov_cloud", "政务云"
    OWN_ROOM = "own_room", "部门自有机房"
    HIGHER_PLATFORM = "higher_platform", "上级平台"
    OTHER = "other", "其他"


class InterfaceMethod(models.TextChoices):
    API = "api", "接口"
    DB_EXCHANGE = "db_exchange", "库表交换"
    FILE = "file", "文件"
    NONE = "none", "无"
