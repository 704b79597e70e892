from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "政务数据资源目录"

    def ready(self) -> None:
        from notifications.events import register

        register("catalog_demand_linked", "数据需求已对接")
        register("catalog_resource_withdrawn", "资源目录已撤销")
        register("catalog_review_requested", "资源目录待注册审核")
        register("catalog_review_result", "资源目录审核结果")
