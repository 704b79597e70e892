import io

import pytest

from catalog import demo, rules
from catalog.models import DataItem, DataResource, NegativeListEntry, ResourceVersion
from catalog.selectors import base_library_rates
from organizations import demo as organizations_demo

pytestmark = pytest.mark.django_db


def test_it_loads_a_varied_catalog_once():
    out = io.StringIO()
    organizations_demo.load(stdout=out)
    demo.load(stdout=out)
    count, items = DataResource.objects.count(), DataItem.objects.count()
    assert 190 <= count <= 230
    assert set(DataResource.objects.values_list("share_class", flat=True)) == {"unconditional", "conditional", "none"}
    assert set(DataResource.objects.values_list("security_level", flat=True)) == {1, 2, 3, 4}
    assert set(DataResource.objects.exclude(base_library="").values_list("base_library", flat=True)) == {
        "population",
        "legal_entity",
        "spatial",
        "credit",
        "e_license",
        "housing",
        "social_security",
        "archives",
    }
    assert set(DataResource.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "registered",
        "mounted",
        "withdrawn",
    }
    assert ResourceVersion.objects.filter(number=1).count() == DataResource.objects.filter(version=1).count()
    assert NegativeListEntry.objects.count() == 3
    for resource in DataResource.objects.select_related("provider_department"):
        assert rules.check_code(resource.code, resource.provider_department) == [], resource.code
        names = resource.current_items().values_list("name", flat=True)
        assert rules.duplicate_item_names(names) == {} and rules.check_item_count(len(names)) == {}, resource.code
    population = next(rate for rate in base_library_rates() if rate.base_library == "population")
    assert population.expected == 1500 and 0 < population.items <= 740
    demo.load(stdout=out)
    assert (DataResource.objects.count(), DataItem.objects.count()) == (count, items)
