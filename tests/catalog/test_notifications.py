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
