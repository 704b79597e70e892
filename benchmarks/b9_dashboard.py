"""B9: the 数据看板's first page with 1,000,000 share applications, 100,000 catalog resources and 10,000 systems,
and a 情况通报 with its charts issued and rendered.

Rows are written with bulk_create in the shape the services leave them, the applications submitted over the
last 300 days; beat's daily aggregates are then computed (`aggregate_s`), and the first page is served
through Django's test Client as the data bureau sees it (the whole city, this year so far). Its query count
is taken at a small size too, to show it does not grow with the data. `bulletin_s` is one bulletin drafted
for the last 30 days, issued (figures, rankings and charts frozen, the record numbered) and its PDF
rendered. Targets (PostgreSQL, full size): first page ≤ 200 ms server time, bulletin ≤ 3 s.

The benchmarks share one database in a run: the page counts every benchmark's rows (it is the city's page),
and the check compares the figures of B9's own departments with the rows B9 wrote.
"""

from __future__ import annotations

import datetime as dt
import time

from benchmarks.harness import SMOKE, bench_database, department, median_ms, setup_django, sized

ROUNDS = sized(15, 3)
DEPARTMENTS = 50
BATCH = 5_000
SMALL = sized((1_000, 2_000, 20_000), (100, 200, 2_000))  # (systems, resources, applications)
FULL = sized((10_000, 100_000, 1_000_000), (400, 2_000, 20_000))
TARGET_MS = 200
BULLETIN_TARGET_S = 3
STATES = ["granted", "granted", "refused", "in_review", "withdrawn", "granted", "escalated", "partially_granted"]


class World:
    def __init__(self) -> None:
        from django.contrib.auth.models import Group

        from organizations.models import User
        from organizations.roles import Role
        from systems_inventory.models import FunctionCategory

        self.departments = [
            department(f"B9-{n:02d}", f"B9 部门{n:02d}", short_name=f"B9{n}", seal_text=f"B9 部门{n:02d}")
            for n in range(DEPARTMENTS)
        ]
        bureau = department("B9-ZS", "B9 政数局", short_name="B9政数", seal_text="通化市B9政务服务和数字化建设管理局")
        self.user = User.objects.get_or_create(username="b9-bureau", defaults={"department": bureau})[0]
        self.user.groups.add(Group.objects.get_or_create(name=Role.DATA_BUREAU.value)[0])
        self.category = FunctionCategory.objects.get_or_create(code="B9", defaults={"name": "B9 类别"})[0]
        self.systems = self.resources = self.applications = 0
        self.now = None

    def grow(self, systems: int, resources: int, applications: int) -> None:
        from django.db import connection, transaction
        from django.utils import timezone

        self.now = self.now or timezone.now()
        with transaction.atomic():
            self._systems(systems)
            self._resources(resources)
        for start in range(self.applications, applications, 100_000):
            with transaction.atomic():
                self._applications(start, min(applications, start + 100_000))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.systems, self.resources, self.applications = systems, resources, applications

    def _systems(self, systems: int) -> None:
        from systems_inventory.models import InfoSystem

        InfoSystem.objects.bulk_create(
            (
                InfoSystem(
                    department=self.departments[n % DEPARTMENTS],
                    name=f"B9 系统{n:05d}",
                    function="B9",
                    category=self.category,
                    build_type="self_built",
                    usage_scope="internal",
                    usage_frequency="daily",
                    funding_source="budget",
                    deployment="gov_cloud" if n % 4 else "own_room",
                    interface_method="api" if n % 3 == 0 else "none",
                    connected=n % 3 == 0,
                    interface_count=1 if n % 3 == 0 else 0,
                    responsible_person="王伟",
                    responsible_phone="0435-3500000",
                    version=1,
                )
                for n in range(self.systems, systems)
            ),
            batch_size=BATCH,
        )

    def _resources(self, resources: int) -> None:
        from catalog.models import DataResource

        DataResource.objects.bulk_create(
            (
                DataResource(
                    code=f"220500-B9{n % DEPARTMENTS:02d}-{n:06d}",
                    name=f"B9 资源{n:06d}",
                    provider_department=self.departments[n % DEPARTMENTS],
                    domain="other",
                    domain_other="B9",
                    share_class=["conditional", "unconditional", "none"][n % 3],
                    security_level=2,
                    network="extranet",
                    update_frequency="daily",
                    query_api=True,
                    status="draft" if n % 10 == 9 else "registered",
                    registered_at=None if n % 10 == 9 else self.now - dt.timedelta(days=n % 300),
                    version=1,
                )
                for n in range(self.resources, resources)
            ),
            batch_size=BATCH,
        )

    def _applications(self, start: int, end: int) -> None:
        from catalog.models import DataResource
        from requests.models import ShareApplication

        registered = DataResource.objects.filter(code__startswith="220500-B9", status="registered").order_by("pk")
        resources = list(registered.values_list("pk", "provider_department_id")[:500])
        ShareApplication.objects.bulk_create(
            (
                ShareApplication(
                    applicant_department=self.departments[(n + 1) % DEPARTMENTS],
                    applicant=self.user,
                    provider_department_id=resources[n % len(resources)][1],
                    resource_id=resources[n % len(resources)][0],
                    scenario="B9",
                    business_matter="B9",
                    purposes=["fewer_materials"],
                    share_method="query_api",
                    period_start=dt.date(2026, 1, 1),
                    period_end=dt.date(2026, 12, 31),
                    state=STATES[n % len(STATES)],
                    submitted_at=self.now - dt.timedelta(days=1 + n % 300, minutes=n % 600),
                    decided_at=self.now - dt.timedelta(days=n % 300)
                    if STATES[n % len(STATES)] in ("granted", "refused", "partially_granted")
                    else None,
                    was_overdue=n % 37 == 0,
                    escalated_at=self.now if STATES[n % len(STATES)] == "escalated" else None,
                )
                for n in range(start, end)
            ),
            batch_size=BATCH,
        )


def first_page(world: World) -> tuple[float, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(world.user)
    url = reverse("dashboard:index")

    def view() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    view()  # warm
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        view()
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        view()
    return median_ms(samples), len(queries)


def _check(world: World) -> None:
    """The page's figures must be right, not only fast: one B9 provider's applications as B9 wrote them."""
    from dashboard.aggregates import bounds
    from dashboard.figures import Filters, sharing
    from dashboard.forms import default_range
    from requests.models import ShareApplication

    start, end = default_range()
    home = world.departments[0]
    shown = {f.key: f.value for f in sharing.overview(world.user, Filters(start, end, home)).figures}
    first, after = bounds(start, end)
    expected = ShareApplication.objects.filter(
        provider_department=home, submitted_at__gte=first, submitted_at__lt=after
    ).count()
    assert expected and shown["applications"] == expected, (shown["applications"], expected)


def bulletin(world: World) -> float:
    from django.utils import timezone

    from dashboard.services import bulletin_draft, bulletin_issue
    from pdf_templates.rendering import missing_glyph_fonts, render_record_pdf

    today = timezone.localdate()
    started = time.perf_counter()
    draft = bulletin_draft(actor=world.user, period_start=today - dt.timedelta(days=30), period_end=today)
    issued = bulletin_issue(actor=world.user, obj=draft)
    pdf = render_record_pdf(issued.record).content
    elapsed = time.perf_counter() - started
    assert missing_glyph_fonts(pdf) == [] and pdf.startswith(b"%PDF")
    return round(elapsed, 2)


def run() -> str:
    from django.db import connection

    from dashboard import aggregates

    world = World()
    world.grow(*SMALL)
    aggregates.refresh()
    _, small_queries = first_page(world)
    started = time.perf_counter()
    world.grow(*FULL)
    generated_s = time.perf_counter() - started
    started = time.perf_counter()
    aggregates.refresh()
    aggregate_s = time.perf_counter() - started
    ms, queries = first_page(world)
    _check(world)
    bulletin_s = bulletin(world)
    judged = connection.vendor == "postgresql" and not SMOKE
    ok = ms <= TARGET_MS and queries == small_queries and bulletin_s <= BULLETIN_TARGET_S
    return (
        f"B9 dashboard db={connection.vendor} applications={FULL[2]} resources={FULL[1]} systems={FULL[0]} "
        f"first_page_ms={ms} queries={queries} queries_at_{SMALL[2]}={small_queries} bulletin_s={bulletin_s} "
        f"aggregate_s={aggregate_s:.1f} generate_s={generated_s:.1f} "
        + (
            f"target<={TARGET_MS}ms,<={BULLETIN_TARGET_S}s {'ok' if ok else 'MISSED'}"
            if judged
            else "target n/a (judged on PostgreSQL, full size)"
        )
    )


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
