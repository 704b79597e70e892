"""续期: the bureau extends a scenario's validity as it nears its end, with a new 场景授权书; its proactive grants run
to the new end in the same transaction; through the service, over HTTP, and two bureau users at once (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from requests.messages import (
    MSG_SCENARIO_BUREAU_ONLY,
    MSG_SCENARIO_RENEW_NOT_LATER,
    MSG_SCENARIO_RENEW_STATE,
    MSG_SCENARIO_RENEW_TOO_EARLY,
    MSG_SCENARIO_VALIDITY_TOO_LONG,
)
from requests.models import Grant, GrantState, Scenario, ScenarioState
from requests.services.grant_check import grant_check
from requests.services.scenarios import ScenarioError, scenario_renew, scenario_revoke, scenarios_sweep
from tests.factories import UserFactory
from tests.races import messages, run_concurrently
from tests.requests.helpers import client_for
from tests.requests.scenario_helpers import *  # noqa: F403
from tests.requests.scenario_helpers import VALID_TO, cite
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NEAR_THE_END = "2027-11-15 10:00 +0800"  # 46 days before VALID_TO (2027-12-31)
NEW_END = dt.date(2028, 12, 31)


def _fresh(scenario) -> Scenario:
    return Scenario.objects.get(pk=scenario.pk)


def test_the_bureau_renews_a_scenario_near_its_end_and_its_proactive_grants_run_on(
    frozen, authorized_scenario, coordinator, minzheng, minzheng_applicant, population_resource
):
    automatic = cite(
        minzheng_applicant, population_resource, authorized_scenario, period_end=dt.date(2027, 6, 30)
    ).grant
    first = authorized_scenario.record
    with pytest.raises(ScenarioError) as exc:
        scenario_renew(actor=coordinator, obj=authorized_scenario, valid_to=NEW_END)
    assert exc.value.message == MSG_SCENARIO_RENEW_TOO_EARLY.format(days=90, end=VALID_TO)

    frozen.move_to(NEAR_THE_END)
    with pytest.raises(ScenarioError) as exc:
        scenario_renew(actor=minzheng_applicant, obj=authorized_scenario, valid_to=NEW_END)
    assert exc.value.message == MSG_SCENARIO_BUREAU_ONLY
    with pytest.raises(ScenarioError) as exc:
        scenario_renew(actor=coordinator, obj=authorized_scenario, valid_to=VALID_TO)
    assert exc.value.message == MSG_SCENARIO_RENEW_NOT_LATER.format(end=VALID_TO)
    with pytest.raises(ScenarioError) as exc:
        scenario_renew(actor=coordinator, obj=authorized_scenario, valid_to=dt.date(2033, 1, 1))
    assert exc.value.message == MSG_SCENARIO_VALIDITY_TOO_LONG.format(years=5)

    scenario = scenario_renew(actor=coordinator, obj=authorized_scenario, valid_to=NEW_END, ip="10.0.0.5")
    scenario = _fresh(scenario)
    assert scenario.valid_to == NEW_END and scenario.state == ScenarioState.AUTHORIZED
    renewal = scenario.record
    assert renewal.pk != first.pk and renewal.type == RecordType.SCENARIO_AUTHORIZATION
    assert (
        f"经{first.number}授权，有效期至2027年12月31日；现予续期，有效期延至2028年12月31日" in renewal.data["body"][0]
    )
    assert renewal.data["valid_until"] == "2028年12月31日" and "续期" in renewal.title
    assert Record.objects.filter(type=RecordType.SCENARIO_AUTHORIZATION).count() == 2

    proactive = list(Grant.objects.filter(scenario=scenario, application__isnull=True))
    assert len(proactive) == 2
    for grant in proactive:
        assert grant.valid_to == NEW_END and grant.number == renewal.number and grant.state == GrantState.ACTIVE
        event = AuditEvent.objects.get(subject_id=str(grant.pk), action="share_requests.grant_extended")
        assert event.data["valid_to"] == "2028-12-31" and event.ip == "10.0.0.5"
    assert Grant.objects.get(pk=automatic.pk).valid_to == dt.date(2027, 6, 30)  # its application's period
    renewed = AuditEvent.objects.get(subject_id=str(scenario.pk), action="share_requests.scenario_renewed")
    assert renewed.data["renews"] == first.number and renewed.data["old_valid_to"] == "2027-12-31"
    assert Notification.objects.filter(recipient=minzheng_applicant, body__contains="已续期").exists()

    frozen.move_to("2028-06-01 10:00 +0800")
    assert scenarios_sweep() == 0  # past the old end: not expired
    assert grant_check(consumer=minzheng, resource=population_resource, items=["姓名"]).allowed


def test_a_revoked_scenario_is_not_renewed(frozen, authorized_scenario, coordinator):
    scenario_revoke(actor=coordinator, obj=authorized_scenario, reason="不再需要")
    frozen.move_to(NEAR_THE_END)
    with pytest.raises(ScenarioError) as exc:
        scenario_renew(actor=coordinator, obj=authorized_scenario, valid_to=NEW_END)
    assert exc.value.message == MSG_SCENARIO_RENEW_STATE.format(state="已撤销")


def test_over_http_the_bureau_renews_and_the_others_may_not(
    frozen, authorized_scenario, coordinator, minzheng_applicant
):
    detail = reverse("scenarios:detail", args=[authorized_scenario.pk])
    url = reverse("scenarios:action", args=[authorized_scenario.pk, "renew"])
    bureau = client_for(coordinator)
    assert 'data-testid="renew-form"' not in bureau.get(detail).content.decode()  # not near its end yet
    frozen.move_to(NEAR_THE_END)
    bureau = client_for(coordinator)  # a new session: the first ran out over the months
    assert 'data-testid="renew-form"' in bureau.get(detail).content.decode()
    assert client_for(minzheng_applicant).post(url, {"valid_to": "2028-12-31"}).status_code == 403
    response = bureau.post(url, {"valid_to": "2027-12-01"})
    assert response.status_code == 400
    assert MSG_SCENARIO_RENEW_NOT_LATER.format(end=VALID_TO) in response.content.decode()
    response = bureau.post(url, {"valid_to": "2028-12-31"}, follow=True)
    scenario = _fresh(authorized_scenario)
    assert f"已续期，有效期延至2028-12-31，场景授权书 {scenario.record.number} 已签发。" in response.content.decode()
    assert scenario.valid_to == NEW_END


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.frozen_at(NEAR_THE_END)
def test_two_bureau_users_renewing_at_once_renew_it_once(
    minzheng, coordinator, population_resource, housing_resource, gongan_reviewer, zhujian_reviewer, zhengshu
):
    from requests.services.scenarios import scenario_authorize
    from tests.requests.scenario_helpers import confirm_all, part_of, propose

    scenario = propose(
        coordinator, [minzheng], [part_of(population_resource, ["姓名"])], valid_from=dt.date(2027, 1, 1)
    )
    confirm_all(scenario, {gongan_reviewer.department_id: gongan_reviewer})
    scenario = scenario_authorize(actor=coordinator, obj=scenario)
    colleague = UserFactory(username="zs_colleague", department=zhengshu, roles=["data_bureau"])

    def renew(user, end):
        return scenario_renew(actor=user, obj=scenario, valid_to=end).valid_to

    outcomes = messages(
        run_concurrently(lambda: renew(coordinator, NEW_END), lambda: renew(colleague, dt.date(2028, 6, 30))),
        ScenarioError,
    )
    renewed = _fresh(scenario)
    assert renewed.valid_to in outcomes and len([o for o in outcomes if isinstance(o, dt.date)]) == 1
    assert Record.objects.filter(type=RecordType.SCENARIO_AUTHORIZATION).count() == 2  # the first, one renewal
    assert AuditEvent.objects.filter(action="share_requests.scenario_renewed").count() == 1
    assert set(Grant.objects.filter(scenario=scenario).values_list("valid_to", flat=True)) == {renewed.valid_to}
