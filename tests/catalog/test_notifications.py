import pytest

from catalog.models import DemandItem
from catalog.services import demand_create, demand_link, resource_register, resource_submit, resource_withdraw
from notifications.models import Notification
from tests.catalog.factories import DataResourceFactory

pytestmark = pytest.mark.django_db


def test_it_notifies_the_demander_on_link_and_on_withdrawal(zhujian, zhujian_staff, gongan_staff, coordinator):
    demand = demand_create(
        actor=gongan_staff,
        data={
            "data_name": "不动产权证书",
            "business_matter": "户口迁移",
            "purpose": "fewer_materials",
            "share_method": "verify_api",
            "update_frequency": "daily",
        },
    )
    resource = DataResourceFactory(provider_department=zhujian, name="房屋登记信息")
    resource_submit(actor=zhujian_staff, obj=resource)
    resource = resource_register(actor=coordinator, obj=resource)
    demand_link(actor=coordinator, obj=demand, resource=resource)
    linked = Notification.objects.get(recipient=gongan_staff, event="catalog_demand_linked")
    assert "不动产权证书" in linked.title and resource.code in linked.title
    assert "房屋登记信息" in linked.body and linked.link.endswith(f"/catalog/resources/{resource.pk}/")

    resource_withdraw(actor=zhujian_staff, obj=resource, reason="系统关停")
    withdrawn = Notification.objects.get(recipient=gongan_staff, event="catalog_resource_withdrawn")
    assert "系统关停" in withdrawn.body
    assert DemandItem.objects.get(pk=demand.pk).status == "linked"


def test_each_review_step_tells_the_other_side(zhujian, zhujian_staff, coordinator):
    from catalog.services import resource_return

    resource = DataResourceFactory(provider_department=zhujian, name="房屋登记信息", created_by=zhujian_staff)

    resource_submit(actor=zhujian_staff, obj=resource)
    asked = Notification.objects.get(recipient=coordinator, event="catalog_review_requested")
    assert "房屋登记信息" in asked.body and asked.link.endswith(f"/catalog/resources/{resource.pk}/")

    resource_return(actor=coordinator, obj=resource, comment="摘要过于简单")
    returned = Notification.objects.get(recipient=zhujian_staff, event="catalog_review_result")
    assert "退回修改" in returned.body and "摘要过于简单" in returned.body

    resource_submit(actor=zhujian_staff, obj=resource)
    resource = resource_register(actor=coordinator, obj=resource)
    assert Notification.objects.filter(recipient=zhujian_staff, event="catalog_review_result").count() == 2

    resource_withdraw(actor=coordinator, obj=resource, reason="与省级目录重复")
    told = Notification.objects.filter(recipient=zhujian_staff, event="catalog_review_result").latest("pk")
    assert "政数局撤销" in told.body and "与省级目录重复" in told.body
