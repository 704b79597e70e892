"""catalog.DataResource.source_system_id (a bare number) is gone; its values live on as the register's links
(InfoSystem.resources), carried over by systems_inventory's migration 0004 before catalog's 0006 drops the column."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from catalog.models import DataResource
from systems_inventory.models import InfoSystem
from tests.catalog.factories import resource_data
from tests.systems_inventory.helpers import make_system

BEFORE = [("catalog", "0005_authoritative_sources"), ("systems_inventory", "0003_zombie_shutdown")]
AFTER = [
    ("catalog", "0006_remove_dataresource_source_system_id"),
    ("systems_inventory", "0004_resources_from_catalog_source_system"),
]


def test_the_catalog_entry_holds_no_system_number_any_more():
    assert "source_system_id" not in {field.name for field in DataResource._meta.get_fields()}
    assert InfoSystem._meta.get_field("resources").related_model is DataResource


@pytest.mark.django_db(transaction=True)
def test_the_numbers_become_the_register_s_links_and_come_back_on_the_way_down(zhujian, capsys):
    system = make_system(zhujian, name="房屋网签备案系统")
    linked = DataResource.objects.create(**resource_data(zhujian, code="220500-ZJ-00001"))
    stray = DataResource.objects.create(**resource_data(zhujian, code="220500-ZJ-00002", name="物业信息"))
    plain = DataResource.objects.create(**resource_data(zhujian, code="220500-ZJ-00003", name="租赁信息"))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps.get_model("catalog", "DataResource")
        old.objects.filter(pk=linked.pk).update(source_system_id=system.pk)
        old.objects.filter(pk=stray.pk).update(source_system_id=system.pk + 1000)  # no such system

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        assert list(system.resources.all()) == [linked]  # the stray number names no system: printed
        assert "220500-ZJ-00002 → " in capsys.readouterr().out
        assert not InfoSystem.objects.filter(resources=plain).exists()

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # backwards: the link becomes the number again
        old = executor.loader.project_state(BEFORE).apps.get_model("catalog", "DataResource")
        assert old.objects.get(pk=linked.pk).source_system_id == system.pk
        assert old.objects.get(pk=plain.pk).source_system_id is None
    finally:
        call_command("migrate", verbosity=0)
