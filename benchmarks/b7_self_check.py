"""B7: a self-check campaign's statistics page and the register search, 200 departments and 5,000 systems.

The campaign has a report per department, nine in ten accepted, with a line per system (what its statistics
read), and the register holds the systems (what the search reads). Rows are written with bulk_create in the
shape the services leave them; the measured pages are served through Django's test Client as the data bureau
sees them: `systems_inventory:campaign_detail` (progress of every department, the figures and breakdowns from
the accepted reports) and `systems_inventory:index` with a keyword and two filters (its first page of 20).

The query counts are taken at a small size too, to show they do not grow with the data. Target: ≤ 100 ms
server time each (on PostgreSQL).
"""

from __future__ import annotations

import time

from benchmarks.harness import SMOKE, bench_database, department, median_ms, setup_django, sized

ROUNDS = sized(15, 3)
SMALL = sized((20, 500), (10, 100))  # (departments, systems)
FULL = sized((200, 5_000), (40, 400))
TARGET_MS = 100
DEPLOYMENTS = ["gov_cloud", "gov_cloud", "gov_cloud", "own_room", "higher_platform", "other"]
FREQUENCIES = ["daily", "daily", "weekly", "monthly", "quarterly", "stopped"]
FUNDING = ["budget", "budget", "special", "higher_level", "self_raised", "other"]
METHODS = ["api", "db_exchange", "file", "none"]
WORDS = ["登记", "审批", "监管", "档案", "服务", "调度", "统计", "共享"]


def _fields(n: int, category) -> dict:
    deployment = DEPLOYMENTS[n % len(DEPLOYMENTS)]
    connected = n % 3 == 0
    return {
        "name": f"B7 {WORDS[n % len(WORDS)]}系统{n:05d}",
        "function": f"支撑{WORDS[(n // 3) % len(WORDS)]}业务办理",
        "category": category,
        "build_type": "self_built" if n % 7 else "higher_level",
        "usage_scope": "internal",
        "usage_frequency": FREQUENCIES[n % len(FREQUENCIES)],
        "user_count": 10 + n % 300,
        "funding_source": FUNDING[n % len(FUNDING)],
        "annual_om_cost": f"{n % 80}.50",
        "deployment": deployment,
        "not_on_cloud_reason": "" if deployment == "gov_cloud" else "历史建设",
        "interface_method": "api" if connected else METHODS[n % len(METHODS)],
        "connected": connected,
        "interface_count": 1 + n % 4 if connected else 0,
        "responsible_person": "王伟",
        "responsible_phone": "0435-3500000",
    }


class World:
    def __init__(self) -> None:
        from django.contrib.auth.models import Group

        from organizations.models import User
        from organizations.roles import Role
        from systems_inventory.models import Campaign, FunctionCategory

        bureau_department = department("B7-ZS", "B7 政数局", short_name="B7政数", seal_text="B7")
        self.user = User.objects.get_or_create(username="b7-bureau", defaults={"department": bureau_department})[0]
        self.user.groups.add(Group.objects.get_or_create(name=Role.DATA_BUREAU.value)[0])
        self.category = FunctionCategory.objects.get_or_create(code="B7", defaults={"name": "B7 类别"})[0]
        self.campaign = Campaign.objects.create(
            title="B7 自查", state="launched", due_workdays=10, created_by=self.user
        )
        self.reports: list = []
        self.departments = 0
        self.systems = 0

    def grow(self, departments: int, systems: int) -> None:
        """Add departments (each with its report) and systems (each with its accepted line) up to the sizes."""
        from django.db import connection, transaction

        from systems_inventory.models import DepartmentReport, InfoSystem, LineAction, ReportLine

        with transaction.atomic():
            new = [
                department(f"B7-{n:03d}", f"B7 部门{n:03d}", short_name=f"B7{n}", seal_text="B7")
                for n in range(self.departments, departments)
            ]
            reports = DepartmentReport.objects.bulk_create(
                DepartmentReport(
                    campaign=self.campaign,
                    department=d,
                    state="accepted" if n % 10 else ("submitted" if n % 20 else "draft"),
                    is_current=False,
                    is_late=n % 17 == 0,
                )
                for n, d in enumerate(new, start=self.departments)
            )
            self.reports += reports
            fresh = range(self.systems, systems)
            owners = [self.reports[n % len(self.reports)] for n in fresh]
            created = InfoSystem.objects.bulk_create(
                InfoSystem(department_id=owner.department_id, version=1, **_fields(n, self.category))
                for n, owner in zip(fresh, owners, strict=True)
            )
            ReportLine.objects.bulk_create(
                ReportLine(report=owner, system=system, action=LineAction.CONFIRM, **_fields(n, self.category))
                for n, owner, system in zip(fresh, owners, created, strict=True)
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE systems_inventory_infosystem, systems_inventory_reportline, systems_inventory_departmentreport"
                )
        self.departments, self.systems = departments, systems


def measure(world: World) -> dict[str, tuple[float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(world.user)
    pages = {
        "statistics": (reverse("systems_inventory:campaign_detail", args=[world.campaign.pk]), {}),
        "search": (reverse("systems_inventory:index"), {"q": "登记", "deployment": "gov_cloud", "connected": "yes"}),
    }
    results = {}
    for name, (url, params) in pages.items():

        def view(url=url, params=params) -> None:
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)

        view()  # warm
        samples = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            view()
            samples.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            view()
        results[name] = (median_ms(samples), len(queries))
    return results


def _check(world: World) -> None:
    """What the page shows must be right, not only fast: the checked departments and the systems counted."""
    from systems_inventory import statistics

    found = statistics.compute(world.campaign)["findings"]
    accepted = sum(1 for n in range(world.departments) if n % 10)
    assert found["departments_checked"] == accepted, found["departments_checked"]
    assert found["systems_in_use"] > 0 and found["self_built_systems"] < found["systems_in_use"]


def run() -> str:
    from django.db import connection

    world = World()
    world.grow(*SMALL)
    small = measure(world)
    started = time.perf_counter()
    world.grow(*FULL)
    generated_s = time.perf_counter() - started
    big = measure(world)
    _check(world)
    judged = connection.vendor == "postgresql" and not SMOKE
    verdicts = []
    for name in ("statistics", "search"):
        ok = big[name][0] <= TARGET_MS and big[name][1] == small[name][1]
        verdicts.append(f"{name}={'ok' if ok else 'MISSED'}")
    return (
        f"B7 self-check db={connection.vendor} departments={FULL[0]} systems={FULL[1]} "
        f"statistics_ms={big['statistics'][0]} statistics_queries={big['statistics'][1]} "
        f"search_ms={big['search'][0]} search_queries={big['search'][1]} "
        f"queries_at_{SMALL[0]}x{SMALL[1]}={small['statistics'][1]}/{small['search'][1]} generate_s={generated_s:.1f} "
        + (f"target<={TARGET_MS}ms {' '.join(verdicts)}" if judged else "target n/a (judged on PostgreSQL, full size)")
    )


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
