"""Registered catalog resources to apply for, made through the catalog services, and a grant of one."""

import datetime as dt

import pytest

from catalog.choices import ShareClass
from catalog.services import resource_create, resource_register, resource_submit
from tests.catalog.factories import LegalBasisFactory, resource_data
from tests.requests.grant_factory import make_grant


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


@pytest.fixture
def housing_grant(housing_resource, gongan_applicant, zhujian_reviewer):
    """公安局 may use two of the three items of 住建局's 房屋登记信息 for a year from 2026-01-01."""
    return make_grant(
        resource=housing_resource,
        applicant=gongan_applicant,
        decided_by=zhujian_reviewer,
        item_names=["房屋坐落", "建筑面积"],
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 6, 30),
    )
