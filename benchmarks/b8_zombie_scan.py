"""B8: the nightly zombie scan over 10,000 systems with 24 months of activity each (target ≤ 10 s, ≤ 300 MB peak
RSS, queries independent of the number of systems; judged on PostgreSQL at full size).

The world is written with bulk_create in the shape the services leave it: 100 departments, systems in twelve
function categories, a month of use per system for two years (运维上报), a tenth of them producing a registered
catalog resource with grant checks in the last two months, and another tenth consuming one (a passed project
declares it; their department's grant checks: what the 共享平台 source is computed from), and about one system in
six a candidate (idle, declared 已停用, declared 每日 but silent, connected without a call). The scan
(systems_inventory.services.zombie_scan: the platform source, the evidence, the rules, the assessments, the
suspected cases and their audit events) runs in a fresh child process, as B4's import does, so its peak RSS is its
own; the child also counts its queries.

At each size the scan runs twice: the first opens a suspected case (and an audit event) for each new candidate,
the second is a night like any other, with the same evidence. Time and memory are the first full-size run's (the
worst); the query counts of the second runs at the small and the full size must be equal. The first run's count
grows only with the new cases, by one statement per 1,000 audit events (workflows.audit.record_events' batch).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

from benchmarks.harness import SMOKE, bench_database, department, setup_django, sized

SMALL = sized(500, 60)
FULL = sized(10_000, 300)
MONTHS = sized(24, 12)
DEPARTMENTS = sized(100, 10)
TARGET_S, TARGET_MB = 10, 300
FREQUENCIES = ["daily", "daily", "daily", "weekly", "monthly", "quarterly"]


def _story(n: int) -> tuple[str, int | None, int]:
    """(declared frequency, users, days since last use) of system n: one in six is a candidate of some kind."""
    kind = n % 24
    if kind == 0:
        return "monthly", 20, 200  # idle
    if kind == 1:
        return "stopped", 0, 400  # declared 已停用
    if kind == 2:
        return "daily", 50, 45  # declared 每日, silent
    return FREQUENCIES[n % len(FREQUENCIES)], 10 + n % 300, 1 + n % 20


class World:
    def __init__(self) -> None:
        from django.contrib.auth.models import Group

        from organizations.models import User
        from organizations.roles import Role
        from systems_inventory.models import FunctionCategory

        self.bureau = department("B8-ZS", "B8 政数局", short_name="B8政数", seal_text="B8")
        self.user = User.objects.get_or_create(username="b8-bureau", defaults={"department": self.bureau})[0]
        self.user.groups.add(Group.objects.get_or_create(name=Role.DATA_BUREAU.value)[0])
        self.categories = [
            FunctionCategory.objects.get_or_create(code=f"B8-{n}", defaults={"name": f"B8 类别{n}"})[0]
            for n in range(12)
        ]
        self.departments = [
            department(f"B8-{n:03d}", f"B8 部门{n:03d}", short_name=f"B8{n}", seal_text="B8")
            for n in range(DEPARTMENTS)
        ]
        self.systems = 0

    def grow(self, systems: int, today: dt.date) -> None:
        from django.db import connection, transaction

        with transaction.atomic():
            created = self._systems(range(self.systems, systems))
            self._activity(created, today)
            self._platform(created, today)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE systems_inventory_infosystem, systems_inventory_systemactivity, share_requests_grantcheckstat"
                )
        self.systems = systems

    def _systems(self, numbers: range) -> list:
        from systems_inventory.models import InfoSystem

        rows = []
        for n in numbers:
            frequency, users, _ = _story(n)
            connected = n % 24 == 3 or n % 10 == 5  # n % 24 == 3: connected, with no call and no resource
            rows.append(
                InfoSystem(
                    department=self.departments[n % len(self.departments)],
                    name=f"B8 系统{n:05d}",
                    function="B8 基准测试系统",
                    category=self.categories[n % len(self.categories)],
                    build_type="self_built",
                    usage_scope="internal",
                    usage_frequency=frequency,
                    user_count=users,
                    funding_source="budget",
                    deployment="gov_cloud",
                    interface_method="api" if connected else "none",
                    connected=connected,
                    interface_count=1 if connected else 0,
                    responsible_person="王伟",
                    responsible_phone="0435-3500000",
                    version=1,
                )
            )
        return InfoSystem.objects.bulk_create(rows, batch_size=2000)

    def _activity(self, systems: list, today: dt.date) -> None:
        from systems_inventory.models import SystemActivity
        from systems_inventory.zombie_rules.platform import month_start

        batch = []
        for system in systems:
            n = int(system.name.split("系统")[1])
            last = today - dt.timedelta(days=_story(n)[2])
            for back in range(MONTHS - 1, -1, -1):
                month = month_start(today, back)
                if month > last:
                    break
                day = last if (month.year, month.month) == (last.year, last.month) else month.replace(day=28)
                batch.append(
                    SystemActivity(
                        system=system,
                        month=month,
                        source="operations",
                        active_users=5 + n % 50,
                        logins=100 + n % 900,
                        transactions=n % 500,
                        last_activity=day,
                    )
                )
            if len(batch) >= 20_000:
                SystemActivity.objects.bulk_create(batch, batch_size=5000)
                batch = []
        SystemActivity.objects.bulk_create(batch, batch_size=5000)

    def _platform(self, systems: list, today: dt.date) -> None:
        """A tenth of the systems produce a registered resource, checked by a few consumers in the last weeks."""
        from catalog.models import DataResource
        from requests.models import GrantCheckStat
        from systems_inventory.models import InfoSystem

        producers = [s for s in systems if int(s.name.split("系统")[1]) % 10 == 5]
        resources = DataResource.objects.bulk_create(
            [
                DataResource(
                    code=f"B8-{system.pk:07d}",
                    name=f"B8 资源{system.pk}",
                    provider_department_id=system.department_id,
                    domain="science",
                    share_class="unconditional",
                    security_level=1,
                    network="extranet",
                    update_frequency="daily",
                    query_api=True,
                    status="registered",
                    created_by=self.user,
                )
                for system in producers
            ],
            batch_size=2000,
        )
        InfoSystem.resources.through.objects.bulk_create(
            [
                InfoSystem.resources.through(infosystem_id=system.pk, dataresource_id=resource.pk)
                for system, resource in zip(producers, resources, strict=True)
            ],
            batch_size=5000,
        )
        GrantCheckStat.objects.bulk_create(
            [
                GrantCheckStat(
                    day=today - dt.timedelta(days=days),
                    consumer=self.departments[(n + k) % len(self.departments)],
                    resource=resource,
                    outcome="granted",
                    calls=1 + n % 40,
                )
                for n, resource in enumerate(resources)
                for k, days in enumerate((2, 9, 33))
            ],
            batch_size=5000,
        )
        self._consumers(systems, dict(zip([s.pk for s in producers], resources, strict=True)), today)

    def _consumers(self, systems: list, produced: dict, today: dt.date) -> None:
        """System n (n % 10 == 6) uses system n - 1's resource, as a passed project of its department declares;
        its department checked it last week."""
        from project_approvals.models import ConstructionProject
        from requests.models import GrantCheckStat

        pairs = [
            (system, produced[systems[i - 1].pk])
            for i, system in enumerate(systems)
            if i and int(system.name.split("系统")[1]) % 10 == 6 and systems[i - 1].pk in produced
        ]
        projects = ConstructionProject.objects.bulk_create(
            [
                ConstructionProject(
                    department_id=system.department_id,
                    name=f"B8 项目{system.pk}",
                    project_type="upgrade",
                    year=today.year,
                    description="B8",
                    sharing_plan="B8",
                    deployment="gov_cloud",
                    created_by=self.user,
                    state="passed",
                )
                for system, _ in pairs
            ],
            batch_size=2000,
        )
        links = zip(projects, pairs, strict=True)
        ConstructionProject.systems.through.objects.bulk_create(
            [ConstructionProject.systems.through(constructionproject=p, infosystem=s) for p, (s, _) in links],
            batch_size=5000,
        )
        ConstructionProject.consumed_resources.through.objects.bulk_create(
            [
                ConstructionProject.consumed_resources.through(constructionproject=p, dataresource=r)
                for p, (_, r) in zip(projects, pairs, strict=True)
            ],
            batch_size=5000,
        )
        GrantCheckStat.objects.bulk_create(
            [
                GrantCheckStat(
                    day=today - dt.timedelta(days=7),
                    consumer_id=system.department_id,
                    resource=resource,
                    outcome="granted",
                    calls=3,
                )
                for system, resource in pairs
            ],
            batch_size=5000,
        )


def _peak_rss_kb() -> int:
    """The child's own high-water mark (VmHWM belongs to the new image; ru_maxrss would be the parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(db_name: str) -> None:
    """Runs in the fresh process: one scan, its seconds, queries, peak RSS and findings as JSON."""
    setup_django()
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    connections["default"].settings_dict["NAME"] = db_name
    from systems_inventory.services import zombie_scan

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        scan = zombie_scan()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "queries": len(queries),
                "peak_rss_mb": _peak_rss_kb() / 1024,
                "systems": scan.systems,
                "candidates": scan.candidates,
                "opened": scan.opened,
            }
        )
    )


def _scan_in_child() -> dict:
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "benchmarks.settings")}
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.b8_zombie_scan", "--child", connection.settings_dict["NAME"]],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _check(report: dict, systems: int) -> None:
    """What the scan found must be right, not only fast: every system judged, the storied ones candidates."""
    from systems_inventory.models import ActivitySource, CaseState, ShutdownCase, SystemActivity, ZombieAssessment
    from systems_inventory.zombie_rules.evidence import scanned_systems

    # The benchmarks share one database: other benchmarks' systems are scanned too.
    assert report["systems"] == scanned_systems().count(), report
    assert scanned_systems().filter(name__startswith="B8 ").count() == systems, report
    # Idle, declared 已停用, declared 每日 but silent (unless it consumes a checked resource); connected with no
    # call (unless it produces or consumes a checked resource).
    storied = sum(
        1
        for n in range(systems)
        if n % 24 == 1 or (n % 24 in (0, 2) and n % 10 != 6) or (n % 24 == 3 and n % 10 not in (5, 6))
    )
    assert report["candidates"] >= storied, (report, storied)
    assert ShutdownCase.objects.filter(state=CaseState.SUSPECTED).count() >= storied
    idle = ZombieAssessment.objects.filter(system__name="B8 系统00000").latest("pk")
    assert "idle" in idle.rule_codes, idle.findings
    consuming = SystemActivity.objects.get(system__name="B8 系统00006", source=ActivitySource.PLATFORM)
    assert consuming.transactions == 3, consuming


def run() -> str:
    from django.db import connection
    from django.utils import timezone

    world = World()
    today = timezone.localdate()
    world.grow(SMALL, today)
    _scan_in_child()
    small = _scan_in_child()
    started = time.perf_counter()
    world.grow(FULL, today)
    generated_s = time.perf_counter() - started
    big = _scan_in_child()
    _check(big, FULL)
    nightly = _scan_in_child()
    assert nightly["opened"] == 0, nightly
    same_queries = nightly["queries"] == small["queries"]
    judged = connection.vendor == "postgresql" and not SMOKE
    verdict = (
        "target<=10s,<=300MB,constant_queries "
        + ("ok" if big["seconds"] <= TARGET_S and big["peak_rss_mb"] <= TARGET_MB and same_queries else "MISSED")
        if judged
        else f"target n/a (judged on PostgreSQL, full size) constant_queries={'yes' if same_queries else 'NO'}"
    )
    return (
        f"B8 zombie scan db={connection.vendor} systems={big['systems']} months={MONTHS} "
        f"candidates={big['candidates']} opened={big['opened']} seconds={big['seconds']:.2f} "
        f"peak_rss_mb={big['peak_rss_mb']:.0f} queries={big['queries']} nightly_seconds={nightly['seconds']:.2f} "
        f"nightly_queries={nightly['queries']} nightly_queries_at_{SMALL}={small['queries']} "
        f"generate_s={generated_s:.1f} {verdict}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        setup_django()
        with bench_database():
            print(run())
