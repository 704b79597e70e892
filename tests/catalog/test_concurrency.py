import threading

import pytest
from django.db import connection

from catalog.models import DataResource, ResourceVersion
from catalog.services import CatalogError, resource_register, resource_submit
from tests.catalog.factories import DataResourceFactory
from tests.factories import UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_registers_a_resource_once_when_two_reviewers_race(zhujian, coordinator):
    other = UserFactory(username="zs_second", department=coordinator.department, roles=["data_bureau"])
    clerk = UserFactory(username="zj_clerk2", department=zhujian, roles=["applicant"])
    resource = DataResourceFactory(provider_department=zhujian)
    resource_submit(actor=clerk, obj=resource)
    outcomes, barrier = [], threading.Barrier(2)

    def review(user):
        try:
            barrier.wait()
            resource_register(actor=user, obj=resource)
            outcomes.append("registered")
        except CatalogError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(u,)) for u in (coordinator, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["registered", "资源处于“已注册”状态，不能注册。"]
    assert DataResource.objects.get(pk=resource.pk).version == 1
    assert ResourceVersion.objects.filter(resource=resource).count() == 1
