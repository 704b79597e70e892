"""Audit events carry structured `data`; workflows_audit_append (0004) stores it.

The hash covers `data` only when it is not empty (workflows.audit.event_payload), so every event
written before this migration, all with `{}`, keeps its hash. The function takes the data as its
last argument; the old ten-argument function is dropped.
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION workflows_audit_append(
    p_actor_id bigint, p_action text, p_subject_type_id integer, p_subject_id text, p_from_state text,
    p_to_state text, p_comment text, p_ip inet, p_created_at timestamptz, p_payload text, p_data jsonb
) RETURNS TABLE (event_id bigint, event_prev_hash text, event_hash text) AS $$
DECLARE
    head text;
BEGIN
    PERFORM pg_advisory_xact_lock(1618321617);
    SELECT e.hash INTO head FROM workflows_auditevent e ORDER BY e.id DESC LIMIT 1;
    head := COALESCE(head, repeat('0', 64));
    RETURN QUERY
    INSERT INTO workflows_auditevent
        (actor_id, action, subject_type_id, subject_id, from_state, to_state, comment, data, ip, created_at,
         prev_hash, hash)
    VALUES
        (p_actor_id, p_action, p_subject_type_id, p_subject_id, p_from_state, p_to_state, p_comment, p_data, p_ip,
         p_created_at, head, encode(sha256(convert_to(head || p_payload, 'UTF8')), 'hex'))
    RETURNING id::bigint, prev_hash::text, hash::text;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

DROP = (
    "DROP FUNCTION IF EXISTS workflows_audit_append"
    "(bigint, text, integer, text, text, text, text, inet, timestamptz, text, jsonb);"
)
DROP_OLD = (
    "DROP FUNCTION IF EXISTS workflows_audit_append(bigint, text, integer, text, text, text, text, inet, timestamptz, text);"
)


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_OLD, params=None)
        schema_editor.execute(CREATE, params=None)


def restore_old_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        previous = import_module("workflows.migrations.0004_audit_append_function")
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(previous.CREATE, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0004_audit_append_function")]
    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="结构化数据"),
        ),
        migrations.RunPython(create_function, restore_old_function),
    ]
