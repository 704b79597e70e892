"""一数一源: the bureau designates authoritative sources and their equivalent names; a resource submitted with items
that duplicate a source is shown as such in the review, and registered as a copy pointing to the source, or
returned."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from catalog.choices import ShareClass
from catalog.models import AuthoritativeSource, DatumAlias, ResourceStatus, SourceCopy
from catalog.selectors import copies_among, duplicates
from catalog.services import (
    MSG_BUREAU_ONLY,
    MSG_NO_DUPLICATES,
    MSG_SOURCE_ITEM_UNPUBLISHED,
    MSG_SOURCE_NAME_TAKEN,
    CatalogError,
    resource_create,
    resource_register,
    resource_register_as_copy,
    resource_return,
    resource_submit,
    source_deactivate,
    source_designate,
    source_set_aliases,
)
from notifications.models import Notification
from tests.catalog.factories import LegalBasisFactory, resource_data
from tests.factories import DepartmentFactory, UserFactory
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def minzheng_clerk(db):
    department = DepartmentFactory(code="TH-MZ", name="市民政局", short_name="通民", seal_text="通化市民政局")
    return UserFactory(username="mz_clerk", department=department, roles=["applicant"])


def _resource(clerk, code, name, items, *, submit=True):
    resource = resource_create(
        actor=clerk,
        data=resource_data(
            clerk.department,
            code=code,
            name=name,
            share_class=ShareClass.CONDITIONAL,
            share_conditions="仅用于身份核验",
            legal_basis=LegalBasisFactory(code="LB-PIPL"),
        ),
        items=[{"name": item, "data_type": "C", "length": 50, "security_level": 2} for item in items],
    )
    return resource_submit(actor=clerk, obj=resource) if submit else resource


@pytest.fixture
def population_resource(gongan_applicant, coordinator):
    """公安局's 户籍人口信息 (人口基础库), registered."""
    resource = _resource(gongan_applicant, "220500-GA-00001", "户籍人口信息", ["姓名", "公民身份号码", "户籍地址"])
    return resource_register(actor=coordinator, obj=resource)


@pytest.fixture
def id_source(population_resource, coordinator):
    """公民身份号码 is 公安局's, also known as 身份证号."""
    return source_designate(
        actor=coordinator,
        item=population_resource.items.get(name="公民身份号码"),
        datum="公民身份号码",
        aliases=["身份证号", "身份证号码"],
        basis="《中华人民共和国居民身份证法》第三条",
    )


@pytest.fixture
def duplicate(minzheng_clerk, id_source):
    """民政局 submits its own list of people with their 身份证号: a copy of 公安局's datum."""
    return _resource(minzheng_clerk, "220500-MZ-00001", "低保对象身份信息", ["姓名", "身份证号", "低保证编号"])


def test_the_bureau_designates_a_source_with_its_equivalent_names(id_source, coordinator):
    assert id_source.item.resource.provider_department.name == "市公安局"
    assert sorted(id_source.names()) == ["公民身份号码", "身份证号", "身份证号码"]
    event = AuditEvent.objects.get(action="catalog.source_designated")
    assert event.data["aliases"] == ["身份证号", "身份证号码"] and "户籍人口信息" in event.comment


def test_only_the_bureau_designates_and_only_registered_items(population_resource, gongan_applicant, coordinator):
    item = population_resource.items.get(name="姓名")
    with pytest.raises(CatalogError) as exc:
        source_designate(actor=gongan_applicant, item=item, datum="姓名")
    assert exc.value.message == MSG_BUREAU_ONLY
    draft = _resource(gongan_applicant, "220500-GA-00002", "流动人口信息", ["姓名"], submit=False)
    with pytest.raises(CatalogError) as exc:
        source_designate(actor=coordinator, item=draft.items.get(), datum="流动人口姓名")
    assert exc.value.message == MSG_SOURCE_ITEM_UNPUBLISHED


def test_a_name_means_one_datum(id_source, population_resource, coordinator):
    with pytest.raises(CatalogError) as exc:
        source_designate(
            actor=coordinator,
            item=population_resource.items.get(name="户籍地址"),
            datum="户籍地址",
            aliases=["身份证号"],
        )
    assert exc.value.errors["aliases"] == [MSG_SOURCE_NAME_TAKEN.format(name="身份证号", datum="公民身份号码")]
    source_set_aliases(actor=coordinator, obj=id_source, aliases=["身份证号", "居民身份证号码"])
    assert sorted(DatumAlias.objects.values_list("name", flat=True)) == ["居民身份证号码", "身份证号"]


def test_a_duplicate_is_found_by_the_datum_or_an_equivalent_name(duplicate, id_source, population_resource):
    assert [(item.name, source) for item, source in duplicates(duplicate)] == [("身份证号", id_source)]
    assert duplicates(population_resource) == []  # the source's own resource duplicates nothing
    source_deactivate(actor=id_source.designated_by, obj=id_source)
    assert duplicates(duplicate) == []


def test_the_bureau_registers_the_duplicate_as_a_copy(duplicate, id_source, coordinator, minzheng_clerk):
    resource = resource_register_as_copy(actor=coordinator, obj=duplicate, comment="与公安局户籍人口信息重复")
    assert resource.status == ResourceStatus.REGISTERED
    copy = SourceCopy.objects.get()
    assert copy.item.name == "身份证号" and copy.source == id_source
    assert copies_among([resource]) == [copy]
    event = AuditEvent.objects.get(action="catalog.resource_registered_as_copy")
    assert event.data["copies"] == [[copy.item_id, id_source.pk]]
    notice = Notification.objects.filter(recipient=minzheng_clerk, event="catalog_review_result").latest("pk")
    assert "已注册为权威数源的副本" in notice.body and "市公安局" in notice.body


def test_a_resource_without_duplicates_is_not_registered_as_a_copy(id_source, minzheng_clerk, coordinator):
    other = _resource(minzheng_clerk, "220500-MZ-00002", "婚姻登记信息", ["男方姓名", "女方姓名"])
    with pytest.raises(CatalogError) as exc:
        resource_register_as_copy(actor=coordinator, obj=other)
    assert exc.value.message == MSG_NO_DUPLICATES
    assert not SourceCopy.objects.exists()


# ---------------------------------------------------------------- over HTTP


def test_the_review_shows_the_duplicate_and_its_source_and_registers_it_as_a_copy(duplicate, coordinator):
    bureau = client_for(coordinator)
    page = bureau.get(reverse("catalog:resource_detail", args=[duplicate.pk])).content.decode()
    assert 'data-testid="duplicates"' in page and "身份证号" in page and "市公安局" in page and "户籍人口信息" in page
    response = bureau.post(reverse("catalog:register_as_copy", args=[duplicate.pk]), {"comment": "登记为副本"})
    assert response.status_code == 302
    page = bureau.get(reverse("catalog:resource_detail", args=[duplicate.pk])).content.decode()
    assert 'data-testid="sources"' in page and "是副本，权威数源为市公安局" in page


def test_the_bureau_may_return_the_duplicate_instead(duplicate, coordinator):
    resource_return(actor=coordinator, obj=duplicate, comment="身份证号请向公安局申请共享，不再重复编目")
    assert not SourceCopy.objects.exists()


def test_only_the_bureau_registers_copies_and_keeps_sources(duplicate, id_source, minzheng_clerk, gongan_applicant):
    for user in (minzheng_clerk, gongan_applicant):
        client = client_for(user)
        if user == gongan_applicant:  # another department's entry under review: not even seen
            assert client.post(reverse("catalog:register_as_copy", args=[duplicate.pk])).status_code == 404
        else:
            assert client.post(reverse("catalog:register_as_copy", args=[duplicate.pk])).status_code == 403
        assert client.post(reverse("catalog:source_deactivate", args=[id_source.pk])).status_code == 403
        assert client.post(reverse("catalog:sources"), {"code": "x"}).status_code == 403
    assert AuthoritativeSource.objects.get().is_active and not SourceCopy.objects.exists()


def test_every_department_reads_the_sources_and_the_bureau_designates_on_the_page(
    population_resource, coordinator, minzheng_clerk
):
    bureau = client_for(coordinator)
    response = bureau.post(
        reverse("catalog:sources"),
        {"code": population_resource.code, "item_name": "公民身份号码", "aliases": "身份证号、身份证号码"},
    )
    assert response.status_code == 302
    source = AuthoritativeSource.objects.get()
    assert source.datum == "公民身份号码" and sorted(source.names()) == ["公民身份号码", "身份证号", "身份证号码"]
    response = bureau.post(reverse("catalog:sources"), {"code": population_resource.code, "item_name": "婚姻状况"})
    assert response.status_code == 400 and "该资源没有信息项：婚姻状况" in response.content.decode()
    bureau.post(reverse("catalog:source_aliases", args=[source.pk]), {"aliases": "身份证号"})
    assert list(source.aliases.values_list("name", flat=True)) == ["身份证号"]
    page = client_for(minzheng_clerk).get(reverse("catalog:sources")).content.decode()
    assert "公民身份号码" in page and "市公安局" in page and "认定权威数源" not in page
