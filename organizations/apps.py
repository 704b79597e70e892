from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    """The lowest app: departments, users, roles and substitutes. It imports no other app of ours."""

    name = "organizations"
    verbose_name = "组织机构"


class AxesConfig(AxesAppConfig):
    """django-axes (login throttling, organizations.login_throttle), under a Chinese name in the admin."""

    verbose_name = "登录限制"
