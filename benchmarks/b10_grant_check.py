"""B10: GET /api/grants/check under load, against a trivial JSON view behind the same gunicorn.

One gunicorn (2 sync workers, loopback, the settings' persistent database connections; Redis as the
cache when CACHE_URL is set), loaded at concurrency 8 for BENCH_LOAD_SECONDS (10) each: first the
trivial view (benchmarks.urls, the floor of our stack), then the grant check with a valid token for a
consumer holding a grant of two of the resource's three items. The token's rate limit is lifted, as
the issue measured it ("unthrottled"); its counting still runs on every call.

Targets: at least 0.7 times the trivial view's requests per second, p99 at most 20 ms.
"""

from __future__ import annotations

import datetime as dt

from benchmarks import harness
from benchmarks.harness import bench_database, setup_django
from benchmarks.server import gunicorn, load, seconds_per_load

TARGET_RATIO, TARGET_P99_MS = 0.7, 20.0
CONCURRENCY = 8


def world() -> str:
    """A consumer granted two items of a provider's resource; returns a raw API token."""
    from catalog.models import DataItem, DataResource
    from organizations.models import User
    from requests.models import ApplicationState, Grant, ShareApplication
    from requests.services import api_token_issue

    consumer = harness.department("B10-GA", "B10 使用部门")
    provider = harness.department("B10-ZJ", "B10 提供部门")
    applicant = User.objects.get_or_create(username="b10-applicant", defaults={"department": consumer})[0]
    resource, created = DataResource.objects.get_or_create(
        code="220500-B10-00001",
        defaults={
            "name": "B10 房屋登记信息",
            "provider_department": provider,
            "domain": "other",
            "share_class": "conditional",
            "security_level": 2,
            "network": "extranet",
            "update_frequency": "daily",
            "status": "registered",
        },
    )
    if created:
        items = [
            DataItem.objects.create(resource=resource, position=n, name=name, data_type="C", security_level=2)
            for n, name in enumerate(["房屋坐落", "建筑面积", "产权人身份证号"])
        ]
        today = dt.date.today()
        application = ShareApplication.objects.create(
            applicant_department=consumer,
            applicant=applicant,
            provider_department=provider,
            resource=resource,
            scenario="B10",
            business_matter="B10",
            share_method="query_api",
            period_start=today,
            period_end=today + dt.timedelta(days=365),
            state=ApplicationState.GRANTED,
        )
        grant = Grant.objects.create(
            application=application,
            number="B10〔2026〕1号",
            consumer_department=consumer,
            provider_department=provider,
            resource=resource,
            share_method="query_api",
            valid_from=today - dt.timedelta(days=1),
            valid_to=today + dt.timedelta(days=365),
        )
        grant.items.add(*items[:2])
    return api_token_issue(department=provider, name="B10 交换平台")[1]


def run() -> str:
    from django.conf import settings

    token = world()
    seconds = seconds_per_load()
    check = "/api/grants/check?consumer=B10-GA&resource=220500-B10-00001&items=%E6%88%BF%E5%B1%8B%E5%9D%90%E8%90%BD"
    with gunicorn(env={"GRANT_CHECK_RATE": "100000000/day"}) as port:
        for path in ("/bench/trivial.json", check):  # warm both workers' connections and code paths
            load(
                port,
                path,
                headers={"Authorization": f"Token {token}"},
                seconds=harness.sized(1, 0.5),
                concurrency=CONCURRENCY,
            )
        trivial = load(port, "/bench/trivial.json", headers={}, seconds=seconds, concurrency=CONCURRENCY)
        checked = load(
            port, check, headers={"Authorization": f"Token {token}"}, seconds=seconds, concurrency=CONCURRENCY
        )
    ratio = checked.per_second / trivial.per_second
    p99 = checked.percentile_ms(99)
    ok = ratio >= TARGET_RATIO and p99 <= TARGET_P99_MS and not (checked.failures or trivial.failures)
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return (
        f"B10 grant check trivial_req_per_s={trivial.per_second:.0f} req_per_s={checked.per_second:.0f} "
        f"ratio={ratio:.2f} p50_ms={checked.median_ms:.1f} p99_ms={p99:.1f} "
        f"target ratio>={TARGET_RATIO} p99<={TARGET_P99_MS:.0f} {'ok' if ok else 'MISSED'} "
        f"(trivial p99_ms={trivial.percentile_ms(99):.1f}, failures={checked.failures + trivial.failures}, "
        f"{vendor}, concurrency {CONCURRENCY}, {seconds:.0f} s each)"
    )


if __name__ == "__main__":
    setup_django()
    with bench_database():
        print(run())
