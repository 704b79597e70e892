"""Expiry of grants and the 30- and 7-day notices, with frozen time; beat running twice acts once."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from notifications.models import Notification
from requests.models import GrantState
from requests.services.grants import MSG_NOT_YET_DUE, GrantError, grant_expire, grants_sweep
from requests.tasks import sweep_grants
from tests.races import run_concurrently
from tests.requests.grant_factory import make_grant, reload
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def at(day: str):
    return time_machine.travel(f"{day} 01:07 +0800", tick=False)


def notices(event: str, user) -> list[Notification]:
    return list(Notification.objects.filter(event=event, recipient=user))


def grant_events(grant, action: str) -> int:
    ct = ContentType.objects.get_for_model(grant)
    return AuditEvent.objects.filter(subject_type=ct, subject_id=str(grant.pk), action=action).count()


def test_it_sends_each_notice_once_and_expires_after_the_last_valid_day(
    housing_grant, gongan_applicant, gongan_leader, zhujian_reviewer, zhujian_leader, outsider
):
    # valid_to is 2026-06-30: the 30-day notice is due on 2026-05-31, the 7-day one on 2026-06-23.
    with at("2026-05-30"):
        assert grants_sweep() == {"notice_30": 0, "notice_7": 0, "expired": 0}
    with at("2026-05-31"):
        assert grants_sweep()["notice_30"] == 1
        assert grants_sweep()["notice_30"] == 0  # beat again the same night
    for user in (gongan_applicant, gongan_leader, zhujian_reviewer, zhujian_leader):
        [notice] = notices("grant_expiring", user)
        assert "2026年6月30日" in notice.body and "还有 30 天" in notice.body
    assert notices("grant_expiring", outsider) == []
    assert reload(housing_grant).notice_30_sent_at is not None

    with at("2026-06-20"):
        assert grants_sweep() == {"notice_30": 0, "notice_7": 0, "expired": 0}
    with at("2026-06-23"):
        assert grants_sweep()["notice_7"] == 1
        assert grants_sweep()["notice_7"] == 0
    [_, seven] = sorted(notices("grant_expiring", gongan_applicant), key=lambda n: n.pk)
    assert "还有 7 天" in seven.body

    with at("2026-06-30"):
        assert grants_sweep()["expired"] == 0  # the last valid day
        assert reload(housing_grant).state == GrantState.ACTIVE
    with at("2026-07-01"):
        assert grants_sweep()["expired"] == 1
        assert grants_sweep()["expired"] == 0
    grant = reload(housing_grant)
    assert grant.state == GrantState.EXPIRED
    assert grant_events(grant, "share_requests.grant_expired") == 1
    assert grant_events(grant, "share_requests.grant_expiry_notice_30") == 1
    assert grant_events(grant, "share_requests.grant_expiry_notice_7") == 1
    for user in (gongan_applicant, zhujian_reviewer):
        [expired] = notices("grant_expired", user)
        assert "已于2026年6月30日到期" in expired.body
        assert expired.link == f"/grants/{grant.pk}/"


def test_it_sends_only_the_7_day_notice_to_a_grant_already_that_close(
    housing_resource, gongan_applicant, zhujian_reviewer, zhujian_leader
):
    with at("2026-03-02"):
        grant = make_grant(
            resource=housing_resource,
            applicant=gongan_applicant,
            decided_by=zhujian_reviewer,
            countersigned_by=zhujian_leader,
            valid_from=dt.date(2026, 3, 2),
            valid_to=dt.date(2026, 3, 6),
        )
        assert grants_sweep() == {"notice_30": 0, "notice_7": 1, "expired": 0}
    grant = reload(grant)
    assert grant.notice_7_sent_at is not None and grant.notice_30_sent_at is None
    [notice] = notices("grant_expiring", gongan_applicant)
    assert "还有 4 天" in notice.body


def test_it_refuses_to_expire_a_grant_still_valid(housing_grant):
    with at("2026-06-30"), pytest.raises(GrantError) as error:
        grant_expire(grant=housing_grant)
    assert str(error.value) == MSG_NOT_YET_DUE.format(valid_to="2026年6月30日")
    assert reload(housing_grant).state == GrantState.ACTIVE


def test_it_leaves_revoked_grants_alone(housing_grant, zhujian_reviewer, gongan_applicant):
    from requests.services.grants import grant_revoke

    with at("2026-05-31"):
        grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason="超范围使用")
        assert grants_sweep() == {"notice_30": 0, "notice_7": 0, "expired": 0}
    with at("2026-07-01"):
        assert grants_sweep()["expired"] == 0
    assert reload(housing_grant).state == GrantState.REVOKED
    assert notices("grant_expiring", gongan_applicant) == []


def test_it_runs_as_the_hourly_beat_task(housing_grant):
    entry = settings.CELERY_BEAT_SCHEDULE["requests-sweep-grants"]
    assert entry["task"] == sweep_grants.name == "requests.tasks.sweep_grants"
    with at("2026-07-01"):
        assert sweep_grants.apply().get() == {"notice_30": 0, "notice_7": 0, "expired": 1}
    assert reload(housing_grant).state == GrantState.EXPIRED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_sends_one_notice_when_two_beats_run_at_once(housing_grant, gongan_applicant):
    def beat():
        with at("2026-05-31"):
            return grants_sweep()["notice_30"]

    results = run_concurrently(beat, beat)
    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(notices("grant_expiring", gongan_applicant)) == 1
