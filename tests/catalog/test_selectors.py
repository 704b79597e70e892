"""Catalog reads: the negative-list check a share application runs on submit."""

import pytest

from catalog.models import DataItem, NegativeListEntry
from catalog.selectors import negative_list_hits
from tests.catalog.factories import DataResourceFactory, LegalBasisFactory


@pytest.fixture
def resource(zhujian):
    return DataResourceFactory(provider_department=zhujian, items=["房屋坐落", "产权人", "产权人身份证号"])


@pytest.fixture
def listing(resource, coordinator):
    def listing(*item_names, is_active=True, on=None):
        entry = NegativeListEntry.objects.create(
            resource=on or resource,
            legal_basis=LegalBasisFactory(code="LB-NL"),
            reason="个人敏感信息",
            is_active=is_active,
            created_by=coordinator,
        )
        entry.items.set(DataItem.objects.filter(resource=entry.resource, name__in=item_names))
        return entry

    return listing


def ids(resource, *names):
    return list(resource.items.filter(name__in=names).values_list("pk", flat=True))


def test_it_bans_only_the_listed_items_and_the_whole_resource_for_any(resource, listing):
    person_id = listing("产权人身份证号")
    whole = listing()
    owner = listing("产权人", "房屋坐落")
    listing(is_active=False)
    listing(on=DataResourceFactory(provider_department=resource.provider_department))

    assert negative_list_hits(resource, ids(resource, "房屋坐落")) == [whole, owner]
    assert negative_list_hits(resource, ids(resource, "产权人身份证号", "产权人")) == [person_id, whole, owner]
    assert negative_list_hits(resource, []) == [whole]
    assert negative_list_hits(resource) == [person_id, whole, owner]


def test_it_reads_the_items_lazily_only_when_an_entry_lists_items(resource, listing, django_assert_num_queries):
    lazy = resource.items.filter(name="房屋坐落").values_list("pk", flat=True)
    with django_assert_num_queries(1):
        assert negative_list_hits(resource, lazy) == []
    whole = listing()
    with django_assert_num_queries(2):  # the entries, their (no) items
        assert negative_list_hits(resource, lazy) == [whole]
    owner = listing("房屋坐落")
    with django_assert_num_queries(3):  # the entries, their items, the wanted items
        assert negative_list_hits(resource, lazy) == [whole, owner]
