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

        from catalog.models import DemandStatus, ImportJob, ResourceStatus
        from catalog.permissions import register_visibility

        register_visibility()
        from catalog import home

        home.register()  # its panel on the 工作台
        from workflows import labels

        labels.register(
            actions={
                "catalog.resource_created": "新建资源目录",
                "catalog.resource_imported": "表格导入资源目录",
                "catalog.resource_edited": "修改资源目录草稿",
                "catalog.resource_amended": "修改资源目录",
                "catalog.resource_submitted": "提交注册审核",
                "catalog.resource_registered": "注册",
                "catalog.resource_returned": "退回修改",
                "catalog.resource_mounted": "挂载数据",
                "catalog.resource_withdrawn": "撤销资源目录",
                "catalog.demand_created": "登记数据需求",
                "catalog.demand_linked": "需求对接资源",
                "catalog.negative_entry_created": "列入负面清单",
                "catalog.negative_entry_deactivated": "移出负面清单",
                "catalog.import_uploaded": "上传导入表格",
                "catalog.import_succeeded": "表格导入成功",
                "catalog.import_failed": "表格导入失败",
                "catalog.import_abandoned": "表格导入中断",
                "catalog.source_designated": "认定权威数源",
                "catalog.source_aliases_changed": "修改等价名称",
                "catalog.source_deactivated": "停用权威数源",
                "catalog.resource_registered_as_copy": "注册为权威数源的副本",
            },
            states={
                "catalog.dataresource": dict(ResourceStatus.choices),
                "catalog.demanditem": dict(DemandStatus.choices),
                "catalog.importjob": dict(ImportJob.Status.choices),
            },
        )
