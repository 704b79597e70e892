"""Records already issued: the department named as addressee (主送机关) may open them too."""

from django.db import migrations


def add_addressee_departments(apps, schema_editor):
    Record = apps.get_model("pdf_templates", "Record")
    Department = apps.get_model("organizations", "Department")
    by_name = dict(Department.objects.values_list("name", "pk"))
    Through = Record.departments.through
    existing = set(Through.objects.values_list("record_id", "department_id"))
    missing = []
    for record_id, addressee in Record.objects.exclude(addressee="").values_list("pk", "addressee").iterator():
        department_id = by_name.get(addressee.strip())
        if department_id is not None and (record_id, department_id) not in existing:
            missing.append(Through(record_id=record_id, department_id=department_id))
    Through.objects.bulk_create(missing, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("pdf_templates", "0001_initial"),
        ("organizations", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(add_addressee_departments, migrations.RunPython.noop)]
