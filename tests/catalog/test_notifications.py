import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import DataResource, DemandItem, ImportJob
from catalog.services import (
    demand_create,
    demand_link,
    import_job_create,
    import_job_run,
    resource_register,
    resource_submit,
    resource_withdraw,
)
from notifications.models import Notification
from tests.catalog.factories import DataResourceFactory
from tests.catalog.xlsx import item_row, resource_row, workbook_bytes
from workflows.audit import verify_chain
from workflows.labels import action_label
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_notifies_the_demander_on_link_and_on_withdrawal(zhujian, zhujian_clerk, gongan_leader, coordinator):
    demand = demand_create(
        actor=gongan_leader,
        data={
            "data_name": "不动产权证书",
            "business_matter": "户口迁移",
            "purpose": "fewer_materials",
            "share_method": "verify_api",
            "update_frequency": "daily",
        },
    )
    resource = DataResourceFactory(provider_department=zhujian, name="房屋登记信息")
    resource_submit(actor=zhujian_clerk, obj=resource)
    resource = resource_register(actor=coordinator, obj=resource)
    demand_link(actor=coordinator, obj=demand, resource=resource)
    linked = Notification.objects.get(recipient=gongan_leader, event="catalog_demand_linked")
    assert "不动产权证书" in linked.title and resource.code in linked.title
    assert "房屋登记信息" in linked.body and linked.link.endswith(f"/catalog/resources/{resource.pk}/")

    resource_withdraw(actor=zhujian_clerk, obj=resource, reason="系统关停")
    withdrawn = Notification.objects.get(recipient=gongan_leader, event="catalog_resource_withdrawn")
    assert "系统关停" in withdrawn.body
    assert DemandItem.objects.get(pk=demand.pk).status == "linked"


def test_each_review_step_tells_the_other_side(zhujian, zhujian_clerk, coordinator):
    from catalog.services import resource_return

    resource = DataResourceFactory(provider_department=zhujian, name="房屋登记信息", created_by=zhujian_clerk)

    resource_submit(actor=zhujian_clerk, obj=resource)
    asked = Notification.objects.get(recipient=coordinator, event="catalog_review_requested")
    assert "房屋登记信息" in asked.body and asked.link.endswith(f"/catalog/resources/{resource.pk}/")

    resource_return(actor=coordinator, obj=resource, comment="摘要过于简单")
    returned = Notification.objects.get(recipient=zhujian_clerk, event="catalog_review_result")
    assert "退回修改" in returned.body and "摘要过于简单" in returned.body

    resource_submit(actor=zhujian_clerk, obj=resource)
    resource = resource_register(actor=coordinator, obj=resource)
    assert Notification.objects.filter(recipient=zhujian_clerk, event="catalog_review_result").count() == 2

    resource_withdraw(actor=coordinator, obj=resource, reason="与省级目录重复")
    told = Notification.objects.filter(recipient=zhujian_clerk, event="catalog_review_result").latest("pk")
    assert "政数局撤销" in told.body and "与省级目录重复" in told.body


def _run_import(actor, *, submit_after: bool, codes=("220500-ZJ-00001", "220500-ZJ-00002", "220500-ZJ-00003")):
    file = workbook_bytes([resource_row(code) for code in codes], [item_row(code) for code in codes])
    job = import_job_create(actor=actor, upload=SimpleUploadedFile("住建目录.xlsx", file.read()), submit_after=True)
    if not submit_after:
        ImportJob.objects.filter(pk=job.pk).update(submit_after=False)
    job = import_job_run(job.pk)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    return job


def test_an_import_that_submits_tells_the_bureau_once_and_each_entry_records_where_it_came_from(
    zhujian, zhujian_clerk, coordinator
):
    job = _run_import(zhujian_clerk, submit_after=True)
    asked = Notification.objects.get(recipient=coordinator, event="catalog_review_requested")
    assert "市住建局通过表格导入提交了 3 个资源目录" in asked.body and f"导入任务 #{job.pk}" in asked.body
    assert "表格导入的 3 个资源" in asked.title and asked.link.endswith("/catalog/review/")

    source = f"表格导入：导入任务 #{job.pk}（住建目录.xlsx）"
    for resource in DataResource.objects.all():
        trail = AuditEvent.objects.filter(subject_type__model="dataresource", subject_id=str(resource.pk))
        assert [(e.action, e.from_state, e.to_state, e.comment, e.actor) for e in trail.order_by("id")] == [
            ("catalog.resource_imported", "", "draft", source, zhujian_clerk),
            ("catalog.resource_submitted", "draft", "submitted", source, zhujian_clerk),
        ]
    assert verify_chain() == (AuditEvent.objects.count(), None)


def test_an_import_of_drafts_tells_nobody_and_records_each_entry_once(zhujian, zhujian_clerk, coordinator):
    _run_import(zhujian_clerk, submit_after=False)
    assert not Notification.objects.filter(event="catalog_review_requested").exists()
    imported = AuditEvent.objects.filter(subject_type__model="dataresource")
    assert sorted(imported.values_list("subject_id", flat=True)) == sorted(
        str(pk) for pk in DataResource.objects.values_list("pk", flat=True)
    )
    assert set(imported.values_list("action", flat=True)) == {"catalog.resource_imported"}
    assert action_label("catalog.resource_imported") == "表格导入资源目录"
    assert verify_chain() == (AuditEvent.objects.count(), None)
