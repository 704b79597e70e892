"""Each sharing figure against the hand-counted November (conftest), live and from the daily aggregates,
and the lists behind them showing exactly what they count, scoped to the user."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboard import aggregates
from dashboard.figures import Filters, sharing
from dashboard.models import DailyFigure
from requests.models import ApplicationState, GrantCheckStat
from tests.dashboard.conftest import NOVEMBER

pytestmark = pytest.mark.django_db


def values(section):
    return {f.key: f.value for f in section.figures}


def table(section, key):
    return next(t for t in section.tables if t.key == key)


def test_bureau_figures_live(coordinator, november, nov):
    section = sharing.overview(coordinator, nov)
    assert values(section) == {"applications": 5, "granted": 2, "refused": 1, "open": 2, "overdue": 1, "escalated": 1}
    states = {row.cells[0]: row.cells[1] for row in table(section, "applications_by_state").rows}
    assert states["已授权"] == 2 and states["不予授权"] == 1 and states["审核中"] == 1 and states["协调中"] == 1
    assert sum(states.values()) == 5
    providers = {row.cells[0]: row.cells[1:] for row in table(section, "applications_by_provider").rows}
    assert providers == {"市住建局": [4, 2, 1, 1], "市公安局": [1, 1, 0, 0]}


def test_the_same_from_the_daily_aggregates_and_live_after_them(coordinator, november, nov, gongan_applicant):
    aggregates.refresh(today=dt.date(2026, 12, 8))
    assert aggregates.covered_until() is not None
    assert values(sharing.overview(coordinator, nov))["applications"] == 5
    assert DailyFigure.objects.filter(measure=aggregates.APPLICATIONS).count() == 6  # one (day, provider, state) each
    first = sorted(DailyFigure.objects.values_list("day", "measure", "department", "key", "value"))
    aggregates.refresh(today=dt.date(2026, 12, 8))  # again: the same rows
    assert sorted(DailyFigure.objects.values_list("day", "measure", "department", "key", "value")) == first
    assert "每日汇总截至" in sharing.freshness(coordinator)


def test_aggregates_follow_a_changed_state_on_the_next_run(coordinator, november, nov):
    aggregates.refresh(today=dt.date(2026, 12, 8))
    escalated = november[2]
    # As a later decision saves it (the services save updated_at with the state).
    type(escalated).objects.filter(pk=escalated.pk).update(state=ApplicationState.GRANTED, updated_at=timezone.now())
    aggregates.refresh(today=dt.date(2026, 12, 8))
    assert values(sharing.overview(coordinator, nov))["granted"] == 3


def test_by_month_outcomes_reasons_and_reply_times(coordinator, november):
    autumn = Filters(dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    months = {row.cells[0]: row.cells[1] for row in sharing.by_month(coordinator, autumn).rows}
    assert months == {"2026-10": 1, "2026-11": 5}
    outcomes, _ = sharing.outcomes(coordinator, Filters(*NOVEMBER))
    assert {row.cells[0]: row.cells[1:] for row in outcomes.rows} == {"市住建局": [1, 0, 1], "市公安局": [1, 0, 0]}
    # Working days in (submitted, decided]: 11-02→11-04 is 2, 11-03→11-10 is 5, 11-06→11-06 is 0.
    times = {row.cells[0]: row.cells[1:] for row in sharing.reply_times(coordinator, Filters(*NOVEMBER)).rows}
    assert times == {"市住建局": [2, 3.5, 5], "市公安局": [1, 0, 0]}


def test_department_filter_is_the_provider(coordinator, november, zhujian):
    section = sharing.overview(coordinator, Filters(*NOVEMBER, zhujian))
    assert values(section)["applications"] == 4


def test_leader_sees_own_department_against_the_city(zhujian_leader, november, zhujian, nov):
    mine = Filters(*NOVEMBER, zhujian)
    section = sharing.overview(zhujian_leader, mine, leader_department=zhujian)
    assert values(section)["applications"] == 4
    rows = table(section, "applications_by_provider").rows
    own = [row for row in rows if row.highlight]
    assert [row.cells[0] for row in own] == ["市住建局"] and own[0].url
    others = [row for row in rows if not row.highlight]
    assert others and all(row.url == "" for row in others)  # the city's counts, no list behind them


def test_grant_check_calls_per_consumer_and_resource_with_the_reasons_in_words(
    coordinator, police_resource, zhujian, gongan, zhujian_leader, nov
):
    def stat(consumer, day, outcome, calls):
        GrantCheckStat.objects.create(
            day=day, consumer=consumer, resource=police_resource, outcome=outcome, calls=calls
        )

    stat(zhujian, dt.date(2026, 11, 3), "granted", 7)
    stat(zhujian, dt.date(2026, 11, 4), "granted", 5)
    stat(zhujian, dt.date(2026, 11, 4), "no_grant", 2)
    stat(gongan, dt.date(2026, 11, 5), "expired", 1)
    stat(zhujian, dt.date(2026, 12, 1), "granted", 100)  # after the period

    bureau = sharing.grant_checks(coordinator, nov)
    assert list(bureau.columns) == ["使用部门", "资源", "授权已到期", "已授权", "无授权"]
    assert [row.cells for row in bureau.rows] == [
        ["市住建局", police_resource.name, 0, 12, 2],
        ["市公安局", police_resource.name, 1, 0, 0],
    ]
    own = sharing.grant_checks(zhujian_leader, nov)  # a department sees its own calls only
    assert [row.cells[0] for row in own.rows] == ["市住建局"]
