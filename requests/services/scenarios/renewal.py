"""续期: the bureau extends a scenario's validity as it nears its end, with a new 场景授权书.

The 场景授权书 states the validity, so a renewal issues one of its own (the same series, a new number), restating
the authorization with the new end and naming the one it renews; the scenario's `record` becomes the renewal's.
Its proactive grants (主动共享, which ran to the old end) run to the new one and carry the new number, each with
its own audit event, in the same transaction. Grants of applications citing the scenario keep the period their
application asked for: they are renewed as any application's grant is.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pdf_templates.dates import chinese_date
from requests import rules
from requests.messages import (
    MSG_SCENARIO_RENEW_NOT_LATER,
    MSG_SCENARIO_RENEW_STATE,
    MSG_SCENARIO_RENEW_TOO_EARLY,
    MSG_SCENARIO_VALIDITY_TOO_LONG,
)
from requests.models import Grant, GrantState, Scenario, ScenarioState
from requests.services.scenarios.authorization import issue_authorization, scenario_parts
from requests.services.scenarios.common import (
    ScenarioError,
    check_bureau,
    consumer_users,
    lock_scenario,
    proposer_users,
    provider_users,
    tell,
)
from requests.services.validation import years_after
from workflows.audit import record_event


def scenario_renew(*, actor, obj: Scenario, valid_to: dt.date, ip: str | None = None) -> Scenario:
    """续期 to `valid_to`: later than the present end, at most SHARE_MAX_PERIOD_YEARS from today."""
    check_bureau(actor)
    today = timezone.localdate()
    with transaction.atomic():
        scenario = lock_scenario(obj)
        old_end = scenario.valid_to
        if scenario.state not in (ScenarioState.AUTHORIZED, ScenarioState.SUSPENDED):
            raise ScenarioError(MSG_SCENARIO_RENEW_STATE.format(state=scenario.get_state_display()), stale=True)
        if not rules.scenario_renewable(scenario, today):
            raise ScenarioError(
                MSG_SCENARIO_RENEW_TOO_EARLY.format(days=rules.SCENARIO_RENEWAL_WINDOW_DAYS, end=old_end),
                field="valid_to",
            )
        if valid_to is None or valid_to <= old_end:
            raise ScenarioError(MSG_SCENARIO_RENEW_NOT_LATER.format(end=old_end), field="valid_to")
        if valid_to > years_after(today, settings.SHARE_MAX_PERIOD_YEARS):
            raise ScenarioError(
                MSG_SCENARIO_VALIDITY_TOO_LONG.format(years=settings.SHARE_MAX_PERIOD_YEARS), field="valid_to"
            )
        # Locked before the first audit event, as end_scenario_grants does (a grant's revocation holds it first).
        grants = list(
            Grant.objects.select_for_update(of=("self",))
            .filter(scenario=scenario, application__isnull=True, state=GrantState.ACTIVE, valid_to=old_end)
            .order_by("pk")
        )
        renewed = scenario.record
        scenario.valid_to = valid_to
        parts = list(scenario_parts(scenario))
        scenario.record = issue_authorization(scenario, parts, actor=actor, renewed=renewed, old_end=old_end)
        scenario.save(update_fields=["valid_to", "record", "updated_at"])
        number = scenario.record.number
        for grant in grants:
            grant.valid_to, grant.number = valid_to, number
            grant.notice_30_sent_at = grant.notice_7_sent_at = None  # the new end gets its own notices
            grant.save(update_fields=["valid_to", "number", "notice_30_sent_at", "notice_7_sent_at"])
            record_event(
                subject=grant,
                action="share_requests.grant_extended",
                actor=actor,
                ip=ip,
                comment=f"随应用场景续期，有效期延至{chinese_date(valid_to)}（{number}）",
                data={"scenario": scenario.pk, "valid_to": valid_to.isoformat(), "record": number},
            )
        record_event(
            subject=scenario,
            action="share_requests.scenario_renewed",
            actor=actor,
            ip=ip,
            from_state=scenario.state,
            to_state=scenario.state,
            comment=f"有效期由{chinese_date(old_end)}延至{chinese_date(valid_to)}，场景授权书 {number}，"
            f"主动共享授权 {len(grants)} 项随之延期",
            data={
                "valid_to": valid_to.isoformat(),
                "old_valid_to": old_end.isoformat(),
                "record": number,
                "renews": renewed.number if renewed else "",
                "grants": [grant.pk for grant in grants],
            },
        )
        authorized = [part for part in parts if part.authorized]
        told = proposer_users(scenario) | consumer_users(scenario) | provider_users(authorized)
        tell(
            told,
            scenario,
            f"应用场景“{scenario.name}”已续期（{number}），有效期延至{chinese_date(valid_to)}；"
            f"据此主动共享的授权同时延期。",
        )
    return scenario
