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


def test_it_designates_the_base_libraries_sources_and_registers_one_copy_once():
    from catalog.models import AuthoritativeSource, ResourceStatus, SourceCopy

    out = io.StringIO()
    organizations_demo.load(stdout=out)
    demo.load(stdout=out)
    demo.load(stdout=out)  # idempotent
    sources = {s.datum: s for s in AuthoritativeSource.objects.select_related("item__resource__provider_department")}
    assert set(sources) == {"公民身份号码", "统一社会信用代码"}
    assert sources["公民身份号码"].item.resource.base_library == "population"
    assert sources["公民身份号码"].item.resource.provider_department.code == "TH-GA"
    assert sources["统一社会信用代码"].item.resource.base_library == "legal_entity"
    copy = SourceCopy.objects.select_related("item__resource").get()
    assert copy.source == sources["公民身份号码"] and copy.item.name == "身份证号"
    assert copy.item.resource.status == ResourceStatus.REGISTERED
