"""The 住建局 in good standing (its self-check accepted, a system connected, a registered resource), the approving
authority (市发改委) and a second finance officer."""

import pytest

from tests.factories import DepartmentFactory, UserFactory
from tests.project_approvals.helpers import resource, self_check, system_named


@pytest.fixture
def fagai(db):
    return DepartmentFactory(code="TH-FG", name="市发改委", short_name="通发改", seal_text="通化市发展和改革委员会")


@pytest.fixture
def approver(fagai):
    """The 市发改委's project approver (立项 and 验收)."""
    return UserFactory(
        username="fgw_approver", last_name="冯", first_name="审批", department=fagai, roles=["project_approver"]
    )


@pytest.fixture
def finance_colleague(caizheng):
    return UserFactory(
        username="cz_finance2", last_name="许", first_name="财务", department=caizheng, roles=["finance"]
    )


@pytest.fixture
def coordinator_colleague(zhengshu):
    return UserFactory(
        username="zs_colleague", last_name="吴", first_name="同事", department=zhengshu, roles=["data_bureau"]
    )


@pytest.fixture
def housing_data(zhujian_clerk, coordinator):
    """The 住建局's registered 房屋网签备案信息, which the project will produce."""
    return resource(zhujian_clerk, coordinator, "220500-ZJ-00011", name="房屋网签备案信息")


@pytest.fixture
def good_standing(frozen, coordinator, zhujian, zhujian_clerk, zhujian_leader, housing_data):
    """The 住建局's self-check accepted, with its 房屋网签备案系统 connected (two interfaces) in the register."""
    self_check(
        coordinator,
        zhujian,
        zhujian_clerk,
        zhujian_leader,
        systems=[{"name": "房屋网签备案系统", "resources": [housing_data]}],
    )
    return system_named(zhujian, "房屋网签备案系统")
