"""On PostgreSQL an audit event is appended in one round trip.

`workflows_audit_append` takes the chain's advisory lock, reads the head and
inserts the event with its hash, SHA-256 of the head's hash followed by the
event's canonical JSON, which the caller computed (workflows.audit). The
function is VOLATILE, so the read after the lock sees every event committed
before it; the id is drawn after the lock too, so ids follow the chain.
Python computes the same hash when it verifies the chain.
"""

from django.db import migrations

# Any fixed 64-bit key every writer takes; the genesis hash is workflows.models.GENESIS_HASH.
CREATE = """
CREATE OR REPLACE FUNCTION workflows_audit_append(
    p_actor_id bigint, p_action text, p_subject_type_id integer, p_subject_id text, p_from_state text,
    p_to_state text, p_comment text, p_ip inet, p_created_at timestamptz, p_payload text
) RETURNS TABLE (event_id bigint, event_prev_hash text, event_hash text) AS $$
DECLARE
    head text;
BEGIN
    PERFORM pg_advisory_xact_lock(1618321617);
    SELECT e.hash INTO head FROM workflows_auditevent e ORDER BY e.id DESC LIMIT 1;
    head := COALESCE(head, repeat('0', 64));
    RETURN QUERY
    INSERT INTO workflows_auditevent
        (actor_id, action, subject_type_id, subject_id, from_state, to_state, comment, ip, created_at,
         prev_hash, hash)
    VALUES
        (p_actor_id, p_action, p_subject_type_id, p_subject_id, p_from_state, p_to_state, p_comment, p_ip,
         p_created_at, head, encode(sha256(convert_to(head || p_payload, 'UTF8')), 'hex'))
    RETURNING id::bigint, prev_hash::text, hash::text;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

DROP = "DROP FUNCTION IF EXISTS workflows_audit_append(bigint, text, integer, text, text, text, text, inet, timestamptz, text);"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_deadline")]
    operations = [migrations.RunPython(create_function, drop_function)]
