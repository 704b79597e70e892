import pytest

from catalog.models import DataResource, ResourceStatus, ResourceVersion
from catalog.services import CatalogError, resource_register, resource_submit
from tests.catalog.factories import DataResourceFactory
from tests.factories import UserFactory
from tests.races import messages, run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_registers_a_resource_once_when_two_reviewers_race(zhujian_clerk, coordinator):
    other = UserFactory(username="zs_second", department=coordinator.department, roles=["data_bureau"])
    resource = DataResourceFactory(provider_department=zhujian_clerk.department)
    resource_submit(actor=zhujian_clerk, obj=resource)

    outcomes = run_concurrently(
        lambda: resource_register(actor=coordinator, obj=resource),
        lambda: resource_register(actor=other, obj=resource),
    )

    shown = messages(outcomes, CatalogError)
    assert sorted(isinstance(o, DataResource) for o in shown) == [False, True]
    assert "资源处于“已注册”状态，不能注册。" in shown
    assert DataResource.objects.get(pk=resource.pk).status == ResourceStatus.REGISTERED
    assert DataResource.objects.get(pk=resource.pk).version == 1
    assert ResourceVersion.objects.filter(resource=resource).count() == 1
