"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit events.

A row trigger does not fire on TRUNCATE: 0006 adds the statement trigger that refuses it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflows_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflows_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflows_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON workflows_auditevent
    FOR EACH ROW EXECUTE FUNCTION workflows_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS workflows_auditevent_no_update_delete ON workflows_auditevent;
DROP FUNCTION IF EXISTS workflows_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
