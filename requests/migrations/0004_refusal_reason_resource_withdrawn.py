from django.db import migrations


def create(apps, schema_editor):
    RefusalReason = apps.get_model("share_requests", "RefusalReason")
    RefusalReason.objects.get_or_create(
        code="RESOURCE_WITHDRAWN", defaults={"label": "数据资源已从目录撤销", "requires_legal_basis": False}
    )


class Migration(migrations.Migration):
    dependencies = [("share_requests", "0003_inbox_indexes")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
