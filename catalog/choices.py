"""The vocabularies of the catalog, in the terms of the city's catalog rules. No Django models here."""

from django.db import models


class Domain(models.TextChoices):
    # Seed 002, 数据领域 释义, in its order; "other" needs a text.
    SCIENCE = "science", "科学技术创新"
    TRADE = "trade", "商贸流通"
    SOCIAL_ASSISTANCE = "social_assistance", "社会救助"
    URBAN_HOUSING = "urban_housing", "城建住房"
    EDUCATION_CULTURE = "education_culture", "教育文化"
    INDUSTRY_AGRICULTURE = "industry_agriculture", "工业农业"
    ORGANIZATIONS = "organizations", "机构团体"
    GEOSPATIAL = "geospatial", "地理空间"
    RESOURCES_ENERGY = "resources_energy", "资源能源"
    MARKET_REGULATION = "market_regulation", "市场监管"
    LIVING_SERVICES = "living_services", "生活服务"
    ECOLOGY = "ecology", "生态环境"
    TRANSPORT = "transport", "交通运输"
    WORK_SAFETY = "work_safety", "安全生产"
    SOCIAL_SECURITY = "social_security", "社保就业"
    HEALTH = "health", "医疗卫生"
    CREDIT = "credit", "信用服务"
    PUBLIC_SECURITY = "public_security", "公共安全"
    FINANCE_TAX = "finance_tax", "财税金融"
    WEATHER = "weather", "气象服务"
    LEGAL_SERVICES = "legal_services", "法律服务"
    COVID_VACCINE = "covid_vaccine", "新冠疫苗"
    OTHER = "other", "其他"


class ShareClass(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


class SecurityLevel(models.IntegerChoices):
    # Seed 002: 1 级 least harmful if leaked … 4 级 very serious harm.
    LEVEL_1 = 1, "1级"
    LEVEL_2 = 2, "2级"
    LEVEL_3 = 3, "3级"
    LEVEL_4 = 4, "4级"


class Network(models.TextChoices):
    INTERNET = "internet", "互联网"
    EXTRANET = "extranet", "政务外网"
    PRIVATE = "private", "部门专网"


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", "实时"
    DAILY = "daily", "每日"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    OTHER = "other", "其他"


class ShareMethod(models.TextChoices):
    # Each is a boolean field of the same name on DataResource.
    QUERY_API = "query_api", "信息查询接口"
    VERIFY_API = "verify_api", "信息核验接口"
    BULK_EXCHANGE = "bulk_exchange", "批量库表交换"
    FILE_DOWNLOAD = "file_download", "文件下载交换"


SHARE_METHOD_FIELDS = [method.value for method in ShareMethod]


class BaseLibrary(models.TextChoices):
    POPULATION = "population", "人口基础库"
    LEGAL_ENTITY = "legal_entity", "法人基础库"
    SPATIAL = "spatial", "空间地理基础库"
    CREDIT = "credit", "社会信用基础库"
    E_LICENSE = "e_license", "电子证照基础库"
    HOUSING = "housing", "房屋基础库"
    SOCIAL_SECURITY = "social_security", "社会保障基础库"
    ARCHIVES = "archives", "电子档案基础库"


class DataType(models.TextChoices):
    # Seed 002, 数据类型 释义.
    C = "C", "字符型"
    N = "N", "数值型"
    Y = "Y", "货币型"
    D = "D", "日期型"
    T = "T", "日期时间型"
    L = "L", "逻辑型"
    M = "M", "备注型"
    G = "G", "通用型"
    B = "B", "双精度型"
    I = "I", "整型"  # noqa: E741
    F = "F", "浮点型"


# Types whose length must be given, and the ones that may carry decimal places.
TYPES_NEEDING_LENGTH = {DataType.C, DataType.N}
TYPES_WITH_PRECISION = {DataType.N, DataType.Y, DataType.B, DataType.F}


class Purpose(models.TextChoices):
    FEWER_MATERIALS = "fewer_materials", "减材料"
    LESS_FILLING = "less_filling", "减填写"
    COORDINATION = "coordination", "业务协同"
