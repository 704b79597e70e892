"""Carry catalog.DataResource.source_system_id (a bare number) over to the register's link,
InfoSystem.resources, before catalog's migration 0006 drops the column.

A number naming a system of the register becomes that system's link to the resource. A number naming no system
(typed before the register existed, or mistyped) has nothing to link to: it is printed, with its resource's code,
so that the operator can link it by hand; the registered entries' version snapshots (catalog.ResourceVersion)
keep the number they froze either way. Backwards, each resource gets the first system linking it.
"""

from django.db import migrations


def carry_over(apps, schema_editor):
    DataResource = apps.get_model("catalog", "DataResource")
    InfoSystem = apps.get_model("systems_inventory", "InfoSystem")
    Link = InfoSystem.resources.through
    numbered = DataResource.objects.exclude(source_system_id=None).values_list("pk", "code", "source_system_id")
    systems = set(InfoSystem.objects.values_list("pk", flat=True))
    unmatched = []
    for resource_id, code, system_id in numbered.iterator():
        if system_id in systems:
            Link.objects.get_or_create(infosystem_id=system_id, dataresource_id=resource_id)
        else:
            unmatched.append(f"{code} → {system_id}")
    if unmatched:
        print(f"\n  来源信息系统编号在信息系统清单中不存在，未能关联（请人工关联）：{'；'.join(unmatched)}")


def carry_back(apps, schema_editor):
    DataResource = apps.get_model("catalog", "DataResource")
    InfoSystem = apps.get_model("systems_inventory", "InfoSystem")
    for system_id, resource_id in (
        InfoSystem.resources.through.objects.order_by("pk").values_list("infosystem_id", "dataresource_id")
    ):
        DataResource.objects.filter(pk=resource_id, source_system_id=None).update(source_system_id=system_id)


class Migration(migrations.Migration):
    dependencies = [
        ("systems_inventory", "0003_zombie_shutdown"),
        ("catalog", "0005_authoritative_sources"),
    ]
    run_before = [("catalog", "0006_remove_dataresource_source_system_id")]

    operations = [migrations.RunPython(carry_over, carry_back)]
