"""The project-approving authority's role (a group, as organizations' 0002 makes the others), and on PostgreSQL a
trigger that refuses UPDATE and DELETE of gate evaluations: a snapshot reads the same forever."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION project_approvals_gateevaluation_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'project_approvals_gateevaluation is immutable: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER project_approvals_gateevaluation_no_update_delete
    BEFORE UPDATE OR DELETE ON project_approvals_gateevaluation
    FOR EACH ROW EXECUTE FUNCTION project_approvals_gateevaluation_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS project_approvals_gateevaluation_no_update_delete ON project_approvals_gateevaluation;
DROP FUNCTION IF EXISTS project_approvals_gateevaluation_immutable();
"""


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="project_approver")


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("project_approvals", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.RunPython(create_group, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
