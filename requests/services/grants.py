"""Grants after the decision."""

from __future__ import annotations

from requests.models import Decision, Grant


def grant_create_from_decision(*, decision: Decision) -> Grant:
    """The enforceable grant of an effective grant or partial grant, inside the decision's transaction."""
    application = decision.application
    grant = Grant.objects.create(
        application=application,
        number=decision.record.number if decision.record_id else "",
        consumer_department=application.applicant_department,
        provider_department=application.provider_department,
        resource=application.resource,
        share_method=decision.granted_method,
        conditions=decision.conditions,
        standard_clauses=decision.standard_clauses,
        valid_from=decision.granted_period_start,
        valid_to=decision.granted_period_end,
    )
    grant.items.set(decision.granted_items.all())
    return grant
