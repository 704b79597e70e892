"""`manage.py flush`, Django's, able to empty the audit table on PostgreSQL.

The audit table refuses TRUNCATE (workflows migration 0006) for every role; a superuser's
transaction with `session_replication_role = replica` skips ordinary triggers, so this flush
sets it around its TRUNCATE. For any other role the database refuses and the flush fails,
audit trail intact. Test teardown (transactional tests) goes through here too.
"""

from django.core.management.commands import flush
from django.db import connections

REPLICA = "SET LOCAL session_replication_role = replica"
ORIGIN = "SET LOCAL session_replication_role = DEFAULT"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        ops = connection.ops
        original = ops.execute_sql_flush

        def execute_sql_flush(sql_list):
            return original([REPLICA, *sql_list, ORIGIN] if sql_list else sql_list)

        ops.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
        try:
            return super().handle(**options)
        finally:
            del ops.execute_sql_flush
