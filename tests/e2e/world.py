"""What the browser journeys need beyond the demo city: run after `manage.py load_demo`, on the e2e server's
database (tests/e2e/server.py). Idempotent, like the demo.

The applicant's journey applies for a resource of its own, registered here through the catalog's services, so
that no demo application of the same department on the same resource stands in its way (the form would warn
of it). Everything else the journeys use is the demo's: the personas, the reviewers' inboxes, the 政数局's
overdue queue.
"""

from catalog.choices import DataType, Domain, Network, ShareClass, UpdateFrequency
from catalog.models import DataResource, LegalBasis
from catalog.services import resource_create, resource_register, resource_submit
from organizations.models import User

RESOURCE_CODE = "220500-ZJ-00190"  # a code no demo entry takes (the demo's copy of 一数一源 is 00090)
RESOURCE_NAME = "住房维修资金缴存信息"
# (name, data type, length, precision, security level): the 证件号码 at level 3 makes a grant need the
# 住建局 leader's countersignature.
ITEMS = [
    ("房屋编号", DataType.C, 32, None, 2),
    ("业主姓名", DataType.C, 50, None, 2),
    ("证件号码", DataType.C, 18, None, 3),
    ("缴存金额", DataType.Y, 16, 2, 2),
    ("缴存日期", DataType.D, None, None, 2),
]


def build() -> None:
    if DataResource.objects.filter(code=RESOURCE_CODE).exists():
        return
    clerk = User.objects.get(username="zj_applicant")
    bureau = User.objects.get(username="zs_coordinator")
    resource = resource_create(
        actor=clerk,
        data={
            "code": RESOURCE_CODE,
            "name": RESOURCE_NAME,
            "provider_department": clerk.department,
            "description": "住宅专项维修资金的缴存记录，按房屋归集。",
            "domain": Domain.URBAN_HOUSING,
            "share_class": ShareClass.CONDITIONAL,
            "share_conditions": "仅限办理住房相关政务服务事项时使用。",
            "legal_basis": LegalBasis.objects.get(code="LB-003"),
            "security_level": 2,
            "network": Network.EXTRANET,
            "update_frequency": UpdateFrequency.DAILY,
            "query_api": True,
            "verify_api": True,
        },
        items=[
            {"name": name, "data_type": data_type, "length": length, "precision": precision, "security_level": level}
            for name, data_type, length, precision, level in ITEMS
        ],
    )
    resource_submit(actor=clerk, obj=resource)
    resource_register(actor=bureau, obj=resource)
