"""On PostgreSQL the database also refuses TRUNCATE of the audit events.

The row trigger of 0002 does not fire on TRUNCATE, which emptied the chain in one statement
(and `verify_audit` then found nothing to fault). A statement-level BEFORE TRUNCATE trigger
raises, for every role including the table owner. Like every ordinary trigger it does not fire
with `session_replication_role = replica`, which only a superuser may set: the project's
`manage.py flush` (workflows/management/commands/flush.py, also what test teardown calls)
sets it for its own transaction, so a superuser can still reset a development database.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION workflows_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflows_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflows_auditevent_no_truncate
    BEFORE TRUNCATE ON workflows_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION workflows_auditevent_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS workflows_auditevent_no_truncate ON workflows_auditevent;
DROP FUNCTION IF EXISTS workflows_auditevent_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0005_auditevent_data")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
