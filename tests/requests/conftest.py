"""Registered catalog resources to apply for, made through the catalog services."""

import pytest

from catalog.choices import ShareClass
from catalog.services import resource_create, resource_register, resource_submit
from tests.catalog.factories import LegalBasisFactory, resource_data
from tests.factories import UserFactory


@pytest.fixture
def zhujian_clerk(zhujian):
    return UserFactory(username="zj_clerk", last_name="孙", first_name="编目", department=zhujian, roles=["applicant"])


@pytest.fixture
def zhujian_leader(zhujian):
    """The 住建局 department leader, who countersigns grants of level ≥ 3."""
    return UserFactory(
        username="zj_leader", last_name="张", first_name="负责", department=zhujian, roles=["dept_leader"]
    )


@pytest.fixture
def privacy_law(db):
    return LegalBasisFactory(code="LB-PIPL", title="《中华人民共和国个人信息保护法》", article="第十三条")


def _registered(clerk, coordinator, code, items, **data):
    resource = resource_create(actor=clerk, data=resource_data(clerk.department, code=code, **data), items=items)
    resource_submit(actor=clerk, obj=resource)
    return resource_register(actor=coordinator, obj=resource)


@pytest.fixture
def housing_resource(zhujian_clerk, coordinator, privacy_law):
    """住建局's conditional 房屋登记信息: two level-2 items and one level-3 item (countersign)."""
    return _registered(
        zhujian_clerk,
        coordinator,
        "220500-ZJ-00001",
        [
            {"name": "房屋坐落", "data_type": "C", "length": 200, "security_level": 2},
            {"name": "建筑面积", "data_type": "N", "length": 12, "precision": 2, "security_level": 2},
            {"name": "产权人身份证号", "data_type": "C", "length": 18, "security_level": 3},
        ],
        name="房屋登记信息",
        share_class=ShareClass.CONDITIONAL,
        share_conditions="仅用于住房保障资格审核",
        legal_basis=privacy_law,
        bulk_exchange=True,
    )


@pytest.fixture
def open_resource(zhujian_clerk, coordinator):
    """住建局's unconditional 建筑企业资质信息, all items level 2: granted automatically."""
    return _registered(
        zhujian_clerk,
        coordinator,
        "220500-ZJ-00002",
        [
            {"name": "企业名称", "data_type": "C", "length": 200, "security_level": 1},
            {"name": "资质等级", "data_type": "C", "length": 20, "security_level": 2},
        ],
        name="建筑企业资质信息",
        security_level=1,
    )


@pytest.fixture
def closed_resource(zhujian_clerk, coordinator, privacy_law):
    """住建局's 不予共享 resource, citing a statute and article."""
    return _registered(
        zhujian_clerk,
        coordinator,
        "220500-ZJ-00003",
        [{"name": "保障对象病史", "data_type": "M", "security_level": 4}],
        name="住房保障对象健康状况",
        share_class=ShareClass.NONE,
        legal_basis=privacy_law,
        security_level=4,
        query_api=False,
    )
