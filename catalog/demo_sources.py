"""Demo 一数一源: the authoritative sources of the 人口 and 法人 base libraries, and one duplicate resource the bureau
registered as a copy pointing to its source. Through the services; idempotent. Called by catalog.demo.load()."""

from __future__ import annotations

from catalog.choices import BaseLibrary, ShareClass
from catalog.models import PUBLISHED_STATES, AuthoritativeSource, DataItem, DataResource, LegalBasis
from catalog.selectors import duplicates
from catalog.services import (
    resource_create,
    resource_register_as_copy,
    resource_submit,
    source_designate,
)
from organizations.models import User

# (datum, department, base library, item name, equivalent names, basis)
SOURCES = [
    (
        "公民身份号码",
        "TH-GA",
        BaseLibrary.POPULATION,
        "公民身份号码",
        ["身份证号", "身份证号码", "居民身份证号码"],
        "《中华人民共和国居民身份证法》第三条：公民身份号码由公安机关按照国家标准编制。",
    ),
    (
        "统一社会信用代码",
        "TH-SCJG",
        BaseLibrary.LEGAL_ENTITY,
        "统一编号",
        ["社会信用代码", "企业统一社会信用代码"],
        "《法人和其他组织统一社会信用代码制度建设总体方案》（国发〔2015〕33号）：登记管理部门赋码。",
    ),
]
COPY_CODE = "220500-ZJ-00090"
COPY_NAME = "公租房申请人身份信息"
COPY_ITEMS = [("申请人姓名", 50), ("身份证号", 18), ("申请编号", 32)]


def load(*, stdout) -> None:
    bureau = User.objects.filter(username="zs_coordinator").first()
    if bureau is None:
        return
    for datum, department, library, item_name, aliases, basis in SOURCES:
        if AuthoritativeSource.objects.filter(datum=datum).exists():
            continue
        item = (
            DataItem.objects.filter(
                name=item_name,
                retired_at=None,
                resource__provider_department__code=department,
                resource__base_library=library,
                resource__status__in=PUBLISHED_STATES,
            )
            .order_by("resource__code")
            .first()
        )
        if item is not None:
            source_designate(actor=bureau, item=item, datum=datum, aliases=aliases, basis=basis)
    _duplicate(bureau)
    sources = AuthoritativeSource.objects.count()
    copies = DataResource.objects.filter(items__source_copy__isnull=False).distinct().count()
    stdout.write(f"一数一源：权威数源 {sources} 项，登记为副本的资源 {copies} 个（目录 → 权威数源）。")


def _duplicate(bureau: User) -> None:
    """住建局 catalogues its applicants' 身份证号 again: the bureau registers the entry as a copy of 公安局's."""
    clerk = User.objects.filter(username="zj_leader").first()
    if clerk is None or DataResource.objects.filter(code=COPY_CODE).exists():
        return
    basis = LegalBasis.objects.filter(code="LB-003").first()
    resource = resource_create(
        actor=clerk,
        data={
            "code": COPY_CODE,
            "name": COPY_NAME,
            "provider_department": clerk.department,
            "description": "公租房申请受理时登记的申请人身份信息。",
            "domain": "urban_housing",
            "share_class": ShareClass.CONDITIONAL,
            "share_conditions": "仅用于住房保障资格审核。",
            "legal_basis": basis,
            "security_level": 2,
            "network": "extranet",
            "update_frequency": "daily",
            "query_api": True,
        },
        items=[{"name": name, "data_type": "C", "length": length, "security_level": 2} for name, length in COPY_ITEMS],
    )
    resource = resource_submit(actor=clerk, obj=resource)
    if duplicates(resource):
        resource_register_as_copy(actor=bureau, obj=resource, comment="身份证号以公安局户籍人口数据为准，登记为副本。")
