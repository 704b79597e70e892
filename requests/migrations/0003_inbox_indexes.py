"""Indexes for the reviewer inbox (B2): the newest open human tasks first, without sorting them all.

viewflow_task is viewflow's table, so this is SQL in our migration.

- A partial index holds only open tasks (NEW or ASSIGNED), a small and stable
  fraction of a table that keeps every finished task; it is ordered as
  requests.selectors.task_list orders (-created, -id), so the first page is read
  off the index and joined row by row until it is full.
- PostgreSQL only: extended statistics on (status, flow_task_type, flow_task).
  Open tasks are all human review/countersign/arbitrate tasks; without knowing
  that correlation the planner multiplies the selectivities, expects a handful
  of rows and sorts all 100k open tasks instead of walking the index (EXPLAIN
  ANALYZE in benchmarks/b2_inbox.py: 560 ms → 4 ms).

On PostgreSQL the index is built CONCURRENTLY so a large production table is
not locked for writes.
"""

from django.db import migrations

INDEX = "share_inbox_open_task_idx"
STATISTICS = "share_inbox_task_stats"


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    concurrently = "CONCURRENTLY " if postgres else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} "
        "ON viewflow_task (created DESC, id DESC) WHERE status IN ('NEW', 'ASSIGNED')"
    )
    if postgres:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies, mcv) "
            "ON status, flow_task_type, flow_task FROM viewflow_task"
        )
        schema_editor.execute("ANALYZE viewflow_task")


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    schema_editor.execute(f"DROP INDEX {'CONCURRENTLY ' if postgres else ''}IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("share_requests", "0002_refusal_reasons"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
