from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    """The lowest app: departments, users, roles and substitutes. It imports no other app of ours."""

    name = "organizations"
    verbose_name = "组织机构"
