from catalog.choices import ShareClass
from catalog.models import ResourceStatus


def test_it_registers_the_resources_to_apply_for(housing_resource, open_resource, closed_resource):
    for resource in (housing_resource, open_resource, closed_resource):
        assert resource.status == ResourceStatus.REGISTERED
        assert resource.current_version is not None
    assert housing_resource.share_class == ShareClass.CONDITIONAL
    assert sorted(housing_resource.items.values_list("security_level", flat=True)) == [2, 2, 3]
    assert closed_resource.share_class == ShareClass.NONE
