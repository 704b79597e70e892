from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from workflows import labels

        labels.register(actions={"substitution.created": "指定代理人", "substitution.cancelled": "撤销代理"})
