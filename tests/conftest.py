import os
import socket
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from tests.factories import DepartmentFactory, UserFactory

REDIS_URL = os.environ.get("GOVSHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# The moment the `frozen` fixture stops the clock at unless the test is marked `frozen_at`: a Monday.
FROZEN_AT = "2026-03-02 10:00 +0800"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"frozen_at(moment): where the `frozen` fixture stops the clock (default {FROZEN_AT})"
    )


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    """Deselect what this machine cannot run, and say so.

    PostgreSQL-only tests run in CI's second pass (DATABASE_URL=postgres://…).
    Integration tests need Redis; with GOVSHARE_REQUIRE_SERVICES=1 (CI) a
    missing Redis is an error instead.
    """
    _leave_out_browser_tests(config, items)
    on_postgres = connection.vendor == "postgresql"
    redis_ok = _redis_reachable()
    if not redis_ok and os.environ.get("GOVSHARE_REQUIRE_SERVICES") == "1":
        raise pytest.UsageError("GOVSHARE_REQUIRE_SERVICES=1 but Redis on 127.0.0.1:6379 is not reachable")
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("postgres") and not on_postgres) or (
            item.get_closest_marker("integration") and not redis_ok
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"govshare: deselected {len(drop)} test(s) needing PostgreSQL or Redis "
                f"(database here: {connection.vendor}, redis reachable: {redis_ok})"
            )


def _leave_out_browser_tests(config, items) -> None:
    """The browser tests (tests/e2e, marked e2e) run on their own: `make e2e`, `pytest tests/e2e` or `-m e2e`.
    A run that collected them with other tests and chose no marker (`make test`) leaves them out, and says so."""
    browser = [item for item in items if item.get_closest_marker("e2e")]
    if not browser or len(browser) == len(items) or config.getoption("markexpr"):
        return
    config.hook.pytest_deselected(items=browser)
    items[:] = [item for item in items if not item.get_closest_marker("e2e")]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"govshare: deselected {len(browser)} browser test(s); `make e2e` runs them")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` in the serial order of the tests (tests/xdist_scheduling.py)."""
    if config.getvalue("dist") == "loadscope":
        from tests.xdist_scheduling import ModuleRunScheduling

        return ModuleRunScheduling(config, log)
    return None


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """Each process caches the calendar overrides (workflows.workdays), and a test's rollback
    removes its overrides without a signal: no test may see another's."""
    from workflows.workdays import forget_calendar

    forget_calendar()
    yield
    forget_calendar()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (each test process has its own, tests/settings.py): the per-address
    rate limits (the verify page) count from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory) -> Path:
    """Each test stores its uploads and records in a folder of its own, never in var/media (which
    parallel workers would share)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def frozen(request):
    """The clock stands still at the test's `frozen_at` mark (default FROZEN_AT); the fixture's value is
    time_machine's traveller, to move on with `frozen.move_to(...)`.

    A module whose every test needs it says `pytestmark = pytest.mark.usefixtures("frozen")`: the clock
    then stops before the module's other fixtures build their data.
    """
    marker = request.node.get_closest_marker("frozen_at")
    with time_machine.travel(marker.args[0] if marker else FROZEN_AT, tick=False) as traveller:
        yield traveller


# ---------------------------------------------------------------- the departments (codes and names of the demo)


@pytest.fixture
def gongan(db):
    return DepartmentFactory(code="TH-GA", name="市公安局", short_name="通公", seal_text="通化市公安局")


@pytest.fixture
def zhujian(db):
    return DepartmentFactory(code="TH-ZJ", name="市住建局", short_name="通住建", seal_text="通化市住房和城乡建设局")


@pytest.fixture
def zhengshu(db):
    return DepartmentFactory(
        code="TH-ZS", name="市政数局", short_name="通政数", seal_text="通化市政务服务和数字化建设管理局"
    )


@pytest.fixture
def caizheng(db):
    return DepartmentFactory(code="TH-CZ", name="市财政局", short_name="通财", seal_text="通化市财政局")


@pytest.fixture
def shenji(db):
    return DepartmentFactory(code="TH-SJ", name="市审计局", short_name="通审", seal_text="通化市审计局")


# ---------------------------------------------------------------- personas: one fixture, one name, one user each
# The demo's personas (organizations.demo) under the same usernames; the others named <department>_<role>.


@pytest.fixture
def gongan_applicant(gongan):
    """The 公安局 applicant."""
    return UserFactory(
        username="ga_applicant", last_name="王", first_name="警官", department=gongan, roles=["applicant"]
    )


@pytest.fixture
def gongan_leader(gongan):
    """The 公安局 department leader (the consumer's leader for grants)."""
    return UserFactory(
        username="ga_leader", last_name="郑", first_name="局长", department=gongan, roles=["dept_leader"]
    )


@pytest.fixture
def gongan_reviewer(gongan):
    """A 公安局 reviewer: a provider reviewer of another department than the 住建局."""
    return UserFactory(username="ga_reviewer", department=gongan, roles=["provider_reviewer"])


@pytest.fixture
def zhujian_reviewer(zhujian):
    """The 住建局 reviewer."""
    return UserFactory(
        username="zj_reviewer", last_name="李", first_name="审核", department=zhujian, roles=["provider_reviewer"]
    )


@pytest.fixture
def zhujian_colleague(zhujian):
    return UserFactory(
        username="zj_colleague", last_name="赵", first_name="同事", department=zhujian, roles=["provider_reviewer"]
    )


@pytest.fixture
def zhujian_clerk(zhujian):
    """The 住建局's catalog clerk (an applicant of that department), who registers its resources."""
    return UserFactory(username="zj_clerk", last_name="孙", first_name="编目", department=zhujian, roles=["applicant"])


@pytest.fixture
def zhujian_leader(zhujian):
    """The 住建局 department leader, who countersigns grants of level ≥ 3."""
    return UserFactory(
        username="zj_leader", last_name="张", first_name="负责", department=zhujian, roles=["dept_leader"]
    )


@pytest.fixture
def coordinator(zhengshu):
    """The 政数局 coordinator."""
    return UserFactory(
        username="zs_coordinator", last_name="陈", first_name="协调", department=zhengshu, roles=["data_bureau"]
    )


@pytest.fixture
def zhengshu_leader(zhengshu):
    """The 政数局 department leader."""
    return UserFactory(
        username="zs_leader", last_name="孙", first_name="领导", department=zhengshu, roles=["dept_leader"]
    )


@pytest.fixture
def finance_officer(caizheng):
    return UserFactory(username="cz_finance", last_name="刘", first_name="财务", department=caizheng, roles=["finance"])


@pytest.fixture
def auditor(shenji):
    return UserFactory(username="sj_auditor", last_name="周", first_name="审计", department=shenji, roles=["auditor"])


@pytest.fixture
def shenji_colleague(shenji):
    """A 审计局 applicant: no auditor, so they read only what a substitution lends them."""
    return UserFactory(username="sj_colleague", department=shenji, roles=["applicant"])


@pytest.fixture
def outsider(caizheng):
    """A 财政局 applicant: party to nothing here."""
    return UserFactory(
        username="cz_applicant", last_name="钱", first_name="外人", department=caizheng, roles=["applicant"]
    )
