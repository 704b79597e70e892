"""A resource's source system is no number on the catalogue entry any more: the register of information systems
holds the link (systems_inventory.InfoSystem.resources). systems_inventory's migration 0004 carries the numbers
over before this one drops the column (it names this migration in its run_before: the catalogue, lower in the
layers, cannot depend on it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_authoritative_sources"),
    ]

    operations = [
        migrations.RemoveField(model_name="dataresource", name="source_system_id"),
    ]
