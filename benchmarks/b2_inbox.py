"""B2: a provider reviewer's inbox, first page, with 100k open and 1M total tasks (PostgreSQL).

Rows are generated with INSERT … SELECT (generate_series on PostgreSQL, a
recursive CTE on SQLite) straight into viewflow's process and task tables,
share_requests_shareapplicationprocess and share_requests_shareapplication,
shaped as the flow leaves them: an open application has its start done and
its review task NEW (or ASSIGNED); a finished one has start, review and end
done. Ten provider departments share the applications; the reviewer's
department gets a tenth.

Measured: `requests.selectors.inbox_page(user)` (the first 50 tasks, nearest
deadline first, and the capped total) with every attribute the inbox template
reads, and the inbox page itself through Django's test Client (the same + the
session/user/menu). The query counts are
taken at a small size too, to show they do not grow with the data.

On SQLite it scales down to 10k open / 100k total so `make bench` stays
short; the line says which. B2_EXPLAIN=1 prints EXPLAIN ANALYZE of the page
query and the count to stderr.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from benchmarks.harness import SMOKE, bench_database, department, median_ms, setup_django, sized

PAGE_SIZE = 50
ROUNDS = sized(25, 3)
SMALL = sized((1_000, 10_000), (600, 3_000))  # a page of 50 needs 500+ open: a tenth are the reviewer's
FULL = sized({"postgresql": (100_000, 1_000_000)}, {})
SCALED_DOWN = sized((10_000, 100_000), (1_000, 6_000))  # SQLite and others (and smoke mode)
PROVIDERS = 10
FLOW = "share_requests/flows.ShareApplicationFlow"
# The rows a real process leaves (requests.flows): an open one waits in review, a done one ended.
OPEN_STEPS = [("start", "START", "DONE")]
DONE_STEPS = [("start", "START"), ("review", "HUMAN"), ("end", "END")]


def _series(vendor: str, n: int) -> tuple[str, str]:
    """(WITH prefix, FROM clause) yielding i = 1..n."""
    if vendor == "postgresql":
        return "", f"generate_series(1, {int(n)}) AS s(i)"
    return f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(n)}) ", "s"


class World:
    def __init__(self) -> None:
        from django.contrib.auth.models import Group

        from catalog.models import DataResource
        from organizations.models import Department, User
        from organizations.roles import Role

        def dept(n: int) -> Department:
            return department(f"B2-{n:02d}", f"B2 部门{n:02d}", short_name=f"B2{n}", seal_text="B2")

        self.providers = [dept(n) for n in range(PROVIDERS)]
        self.applicants = [dept(n) for n in range(PROVIDERS, 2 * PROVIDERS)]
        reviewers = Group.objects.get_or_create(name=Role.PROVIDER_REVIEWER.value)[0]
        applicants = Group.objects.get_or_create(name=Role.APPLICANT.value)[0]
        self.reviewer = User.objects.get_or_create(username="b2-reviewer", defaults={"department": self.providers[0]})[
            0
        ]
        self.reviewer.groups.add(reviewers)
        self.colleague = User.objects.get_or_create(
            username="b2-colleague", defaults={"department": self.providers[0]}
        )[0]
        self.colleague.groups.add(reviewers)
        self.applicant_users = []
        for d in self.applicants:
            user = User.objects.get_or_create(username=f"b2-applicant-{d.code}", defaults={"department": d})[0]
            user.groups.add(applicants)
            self.applicant_users.append(user)
        self.resources = [
            DataResource.objects.get_or_create(
                code=f"220500-B2-{n:05d}",
                defaults={
                    "name": f"B2 资源{n}",
                    "provider_department": d,
                    "domain": "other",
                    "share_class": "conditional",
                    "security_level": 2,
                    "network": "extranet",
                    "update_frequency": "daily",
                    "status": "registered",
                },
            )[0]
            for n, d in enumerate(self.providers)
        ]
        self.open = self.done = 0

    def grow(self, open_n: int, total_n: int) -> None:
        """Add applications until `open_n` open tasks of `total_n` tasks exist (ours; others' rows don't count)."""
        from django.db import connection, transaction

        open_tasks_per = len(OPEN_STEPS) + 1
        done = (total_n - open_tasks_per * open_n) // len(DONE_STEPS)
        vendor = connection.vendor
        with transaction.atomic(), connection.cursor() as cursor:
            self._add(cursor, vendor, open_n - self.open, is_open=True)
            self._add(cursor, vendor, done - self.done, is_open=False)
            if vendor == "postgresql":
                for table in ("viewflow_process", "viewflow_task", "share_requests_shareapplication"):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE viewflow_task, viewflow_process, share_requests_shareapplication")
        self.open, self.done = open_n, done

    def _add(self, cursor, vendor: str, n: int, *, is_open: bool) -> None:
        if n <= 0:
            return
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM viewflow_process")
        p0 = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM share_requests_shareapplication")
        a0 = cursor.fetchone()[0]
        with_, from_ = _series(vendor, n)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # Spread over the past year, newest last; ids and times grow together, as in real life.
        seconds = 365 * 86400
        created = (
            f"(TIMESTAMP '{now:%Y-%m-%d %H:%M:%S}' - ({seconds} - i * {seconds // max(n, 1)}) * INTERVAL '1 second')"
            if vendor == "postgresql"
            else f"datetime('{now:%Y-%m-%d %H:%M:%S}', '-' || ({seconds} - i * {seconds // max(n, 1)}) || ' seconds')"
        )
        providers = ",".join(str(d.pk) for d in self.providers)
        applicants = ",".join(str(d.pk) for d in self.applicants)
        users = ",".join(str(u.pk) for u in self.applicant_users)
        resources = ",".join(str(r.pk) for r in self.resources)
        pick = (
            (lambda values, expr: f"(ARRAY[{values}])[({expr}) % {PROVIDERS} + 1]")
            if vendor == "postgresql"
            else (lambda values, expr: _sqlite_pick(values, expr))
        )
        state = "'in_review'" if is_open else "'granted'"
        json_list = "'[\"fewer_materials\"]'" + ("::jsonb" if vendor == "postgresql" else "")
        json_obj = "'{}'" + ("::jsonb" if vendor == "postgresql" else "")
        false = "false" if vendor == "postgresql" else "0"
        cursor.execute(
            f"""{with_}INSERT INTO share_requests_shareapplication (
                id, scenario, business_matter, purposes, share_method, period_start, period_end, call_volume,
                need_legal_basis, applied_before, earlier_outcome, state, return_comment, submitted_at, due_at,
                decided_at, was_overdue, created_at, updated_at, applicant_id, applicant_department_id,
                provider_department_id, resource_id)
            SELECT {a0} + i, '户籍迁入住所核验', '户口迁入登记', {json_list}, 'query_api', '2026-01-01',
                '2026-12-31', '', '', {false}, '', {state}, '', {created}, {created},
                {"NULL" if is_open else created}, {false}, {created}, {created}, {pick(users, "i")},
                {pick(applicants, "i")}, {pick(providers, "i")}, {pick(resources, "i")}
            FROM {from_}"""
        )
        cursor.execute(
            f"""{with_}INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
            SELECT {p0} + i, '{FLOW}', {"'NEW'" if is_open else "'DONE'"}, {created},
                {"NULL" if is_open else created}, {json_obj} FROM {from_}"""
        )
        cursor.execute(
            f"""{with_}INSERT INTO share_requests_shareapplicationprocess (process_ptr_id, application_id)
            SELECT {p0} + i, {a0} + i FROM {from_}"""
        )
        steps = (
            [(name, kind, status) for name, kind, status in OPEN_STEPS] + [("review", "HUMAN", None)]
            if is_open
            else [(name, kind, "DONE") for name, kind in DONE_STEPS]
        )
        for name, kind, status in steps:
            if status is None:
                # One review task in twenty already taken: by the reviewer or by a colleague.
                status_sql = "CASE WHEN i % 20 = 0 THEN 'ASSIGNED' ELSE 'NEW' END"
                owner_sql = f"CASE WHEN i % 40 = 0 THEN {self.reviewer.pk} WHEN i % 20 = 0 THEN {self.colleague.pk} END"
            else:
                status_sql, owner_sql = f"'{status}'", "NULL"
            human = kind == "HUMAN"
            cursor.execute(
                f"""{with_}INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, finished, token,
                    owner_id, owner_permission, process_id, data)
                SELECT '{FLOW}.{name}', '{kind}', {status_sql}, {created},
                    {"NULL" if status is None else created}, 'start', {owner_sql},
                    {"'share_requests.can_review_application'" if human else "NULL"}, {p0} + i, {json_obj}
                FROM {from_}"""
            )


def _sqlite_pick(values: str, expr: str) -> str:
    items = values.split(",")
    whens = " ".join(f"WHEN {k} THEN {v}" for k, v in enumerate(items))
    return f"(CASE ({expr}) % {len(items)} {whens} END)"


def measure(world: World) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from organizations.models import User
    from requests import selectors

    def page() -> list:
        user = User.objects.get(pk=world.reviewer.pk)  # a request's fresh user: no role cache
        rows = selectors.inbox_page(user, size=PAGE_SIZE).rows
        seen = []
        for row in rows:  # what requests/tasks.html reads
            task, application = row.task, row.application
            seen.append((application.reference, application.applicant_department.name, application.resource.name))
            seen.append((str(task.flow_task), task.owner, task.created, application.due_at, row.countdown))
        return rows

    client = Client()
    client.force_login(world.reviewer)
    url = reverse("share_requests:tasks")

    def view() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    page(), view()  # warm
    results = {}
    for name, fn in (("selector", page), ("view", view)):
        samples = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            fn()
        results[name] = (median_ms(samples), len(queries))
    assert len(page()) == PAGE_SIZE
    return results


def explain(world: World) -> None:
    from organizations.models import User
    from requests import selectors
    from workflows.selectors import serial_plans

    user = User.objects.get(pk=world.reviewer.pk)
    tasks = selectors.task_list(user)
    with serial_plans():  # as requests.selectors.inbox_page reads it
        print("--- B2 page query\n" + tasks[:PAGE_SIZE].explain(analyze=True), file=sys.stderr)
    print("--- B2 count query\n" + tasks.explain(analyze=True), file=sys.stderr)


def run() -> str:
    from django.db import connection

    vendor = connection.vendor
    full = FULL.get(vendor, SCALED_DOWN)
    world = World()
    world.grow(*SMALL)
    small = measure(world)
    started = time.perf_counter()
    world.grow(*full)
    generated_s = time.perf_counter() - started
    big = measure(world)
    if os.environ.get("B2_EXPLAIN") and vendor == "postgresql":
        explain(world)
    note = "" if vendor in FULL or SMOKE else " (scaled down on this database; run on PostgreSQL for 100k/1M)"
    return (
        f"B2 reviewer inbox db={vendor} open={full[0]} total={full[1]} median_ms={big['selector'][0]} "
        f"queries={big['selector'][1]} view_median_ms={big['view'][0]} view_queries={big['view'][1]} "
        f"queries_at_total_{SMALL[1]}={small['selector'][1]}/{small['view'][1]} "
        f"small_median_ms={small['selector'][0]} generate_s={generated_s:.0f} "
        + (f"target<=50ms {'ok' if big['view'][0] <= 50 else 'MISSED'}" if vendor in FULL else "target n/a")
        + note
    )


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
