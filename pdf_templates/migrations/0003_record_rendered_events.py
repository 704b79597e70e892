"""Records rendered before PDFs had a record_rendered event get one now, stating the PDF hash the database
holds, so every rendered record's PDF can be checked against the chain (pdf_templates.trail)."""

from django.db import migrations


def add_rendered_events(apps, schema_editor):
    from workflows.audit import record_event  # the live chain writer: it locks and hashes as every writer does

    Record = apps.get_model("pdf_templates", "Record")
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    rendered = Record.objects.filter(render_status="rendered").order_by("pk")
    if not rendered.exists():
        return
    content_type = ContentType.objects.filter(app_label="pdf_templates", model="record").first()
    done = set()
    if content_type is not None:
        done = set(
            AuditEvent.objects.filter(subject_type=content_type, action="record_rendered").values_list(
                "subject_id", flat=True
            )
        )
    for record in rendered.iterator():
        if str(record.pk) not in done:
            record_event(
                subject=record,
                action="record_rendered",
                comment=f"生成{record.number}《{record.title}》PDF，文件哈希 {record.pdf_sha256}（补记：此前生成的文书）",
            )


class Migration(migrations.Migration):
    dependencies = [
        ("pdf_templates", "0002_addressee_departments"),
        ("workflows", "0004_audit_append_function"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_rendered_events, migrations.RunPython.noop)]
