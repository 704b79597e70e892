"""A campaign over three departments (the 公安局, the 住建局 and the bureau's own 政数局), launched on a Monday, and
the register's systems of the 住建局."""

import pytest

from systems_inventory.models import DepartmentReport
from systems_inventory.services import campaign_create, campaign_launch
from tests.factories import UserFactory

# The share applications' resource with a grant to the 公安局: a shut-down system's catalog resource.
from tests.requests.conftest import housing_grant, housing_resource, privacy_law  # noqa: F401
from tests.systems_inventory.helpers import make_system


@pytest.fixture
def coordinator_colleague(zhengshu):
    """A second 政数局 coordinator: two reviewers at once."""
    return UserFactory(
        username="zs_colleague", last_name="吴", first_name="同事", department=zhengshu, roles=["data_bureau"]
    )


@pytest.fixture
def zhujian_systems(zhujian):
    """The 住建局's register: two self-built systems in use, and one that stopped running long ago."""
    registry = make_system(zhujian, name="房屋网签备案系统")
    records = make_system(
        zhujian, name="建设工程档案管理系统", connected=False, interface_count=0, interface_method="none"
    )
    gone = make_system(zhujian, name="老旧物业管理系统", status="retired")
    return registry, records, gone


@pytest.fixture
def campaign(
    frozen, coordinator, gongan, zhujian, zhengshu, gongan_applicant, gongan_leader, zhujian_clerk, zhujian_leader
):
    draft = campaign_create(
        actor=coordinator,
        data={"title": "2026年信息系统建设自查", "due_workdays": 10, "covers_all": False},
        departments=[gongan, zhujian, zhengshu],
    )
    return campaign_launch(actor=coordinator, obj=draft)


@pytest.fixture
def zhujian_report(campaign, zhujian, zhujian_systems) -> DepartmentReport:
    return DepartmentReport.objects.get(campaign=campaign, department=zhujian)


@pytest.fixture
def gongan_report(campaign, gongan) -> DepartmentReport:
    return DepartmentReport.objects.get(campaign=campaign, department=gongan)


@pytest.fixture
def catalog_resource(zhujian_clerk, coordinator):
    """A registered resource of the 住建局, which its systems produce."""
    from catalog.services import resource_create, resource_register, resource_submit
    from tests.catalog.factories import resource_data

    resource = resource_create(
        actor=zhujian_clerk,
        data=resource_data(zhujian_clerk.department, code="220500-ZJ-00009"),
        items=[{"name": "合同编号", "data_type": "C", "length": 40, "security_level": 2}],
    )
    resource_submit(actor=zhujian_clerk, obj=resource)
    return resource_register(actor=coordinator, obj=resource)
