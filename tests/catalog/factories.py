"""Catalog factories (kept beside the catalog tests so tests/factories.py stays small for everyone)."""

import factory

from catalog.choices import DataType, Domain, Network, ShareClass, UpdateFrequency
from catalog.models import DataItem, DataResource, LegalBasis
from catalog.rules import department_code_part
from tests.factories import DepartmentFactory


class LegalBasisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalBasis
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"LB-{n:03d}")
    title = "《中华人民共和国个人信息保护法》"
    issuer = "全国人民代表大会常务委员会"
    article = "第十三条"


class DataResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataResource
        skip_postgeneration_save = True

    provider_department = factory.SubFactory(DepartmentFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"220500-{department_code_part(o.provider_department)}-{n:05d}")
    name = factory.Sequence(lambda n: f"房屋登记信息{n}")
    description = "不动产登记簿中的房屋信息"
    domain = Domain.URBAN_HOUSING
    share_class = ShareClass.UNCONDITIONAL
    security_level = 2
    network = Network.EXTRANET
    update_frequency = UpdateFrequency.DAILY
    query_api = True

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        for position, name in enumerate(extracted if extracted is not None else ["房屋坐落", "产权人"], start=1):
            DataItem.objects.create(
                resource=self,
                position=position,
                name=name,
                data_type=DataType.C,
                length=100,
                security_level=max(3, self.security_level),
            )


def resource_data(department, **overrides):
    """Form-like data for catalog.services.resource_create."""
    data = {
        "code": f"220500-{department_code_part(department)}-00001",
        "name": "房屋登记信息",
        "provider_department": department,
        "description": "不动产登记簿中的房屋信息",
        "domain": Domain.URBAN_HOUSING,
        "share_class": ShareClass.UNCONDITIONAL,
        "share_conditions": "",
        "legal_basis": None,
        "legal_basis_text": "",
        "security_level": 2,
        "network": Network.EXTRANET,
        "update_frequency": UpdateFrequency.DAILY,
        "update_frequency_other": "",
        "query_api": True,
        "verify_api": False,
        "bulk_exchange": False,
        "file_download": False,
        "base_library": "",
        "in_responsibility_list": False,
        "open_to_public": False,
    }
    data.update(overrides)
    return data


ITEMS = [
    {"name": "房屋坐落", "data_type": "C", "length": 200, "security_level": 2},
    {"name": "建筑面积", "data_type": "N", "length": 12, "precision": 2, "security_level": 2},
]
