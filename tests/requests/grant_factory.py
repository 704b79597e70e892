"""Grants made as the users make them: an application, the provider's decision (and the leader's
countersign when a granted item is of level 3 or more), through the services.

`grant_written_directly` is for the one state the services cannot reach: a grant that a decision
racing the resource's withdrawal committed after the withdrawal.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from catalog.choices import Purpose, ShareMethod
from pdf_templates.models import RecordType
from pdf_templates.services import issue_record
from requests.models import ApplicationState, Decision, DecisionOutcome, Grant, ShareApplication, StandardClause
from requests.services import application_countersign, application_grant
from requests.services.grants import grant_create_from_decision
from tests.factories import DEFAULT_PASSWORD
from tests.requests.helpers import full_terms, make_application

BUSINESS_MATTER = "户口迁移登记"
CONDITIONS = "仅用于户籍迁入业务办理中的住所核验"
CLAUSES = [StandardClause.PURPOSE_ONLY, StandardClause.NO_ONWARD_SHARING]


def make_grant(
    *,
    resource,
    applicant,
    decided_by,
    item_names: list[str] | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    method: str = ShareMethod.QUERY_API,
    countersigned_by=None,
) -> Grant:
    """`applicant`'s department is granted `item_names` (default: all) of `resource` for the period."""
    valid_from = valid_from or timezone.localdate()
    valid_to = valid_to or valid_from + dt.timedelta(days=364)
    application = make_application(
        applicant,
        resource,
        share_method=method,
        period_start=valid_from,
        period_end=valid_to,
        business_matter=BUSINESS_MATTER,
        purposes=[Purpose.FEWER_MATERIALS],
    )
    items = list(resource.items.all())
    if item_names is not None:
        items = [item for item in items if item.name in item_names]
    terms = full_terms(application, items=items, conditions=CONDITIONS, standard_clauses=CLAUSES)
    application_grant(actor=decided_by, obj=application, terms=terms)
    application = ShareApplication.objects.get(pk=application.pk)
    if application.state == ApplicationState.COUNTERSIGNING:
        assert countersigned_by, "a grant of items of level 3 or more takes effect on the leader's countersign"
        application_countersign(actor=countersigned_by, obj=application, approve=True)
    return Grant.objects.get(application=application)


def grant_written_directly(
    *,
    resource,
    applicant,
    decided_by,
    item_names: list[str] | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    method: str = ShareMethod.QUERY_API,
) -> Grant:
    valid_from = valid_from or timezone.localdate()
    valid_to = valid_to or valid_from + dt.timedelta(days=364)
    items = list(resource.items.all())
    if item_names is not None:
        items = [item for item in items if item.name in item_names]
    partial = len(items) < resource.items.count()
    application = ShareApplication.objects.create(
        applicant_department=applicant.department,
        applicant=applicant,
        provider_department=resource.provider_department,
        resource=resource,
        resource_version=resource.current_version,
        scenario="户籍迁入住所核验",
        business_matter=BUSINESS_MATTER,
        purposes=[Purpose.FEWER_MATERIALS],
        share_method=method,
        period_start=valid_from,
        period_end=valid_to,
        call_volume="每日约 200 次",
        need_legal_basis="《户口登记条例》第十三条",
        state=ApplicationState.PARTIALLY_GRANTED if partial else ApplicationState.GRANTED,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    application.items.set(resource.items.all())
    record = issue_record(
        type=RecordType.REVIEW_OPINION,
        subject=application,
        issuer=resource.provider_department,
        data={"body": ["经审核，同意共享。"], "granted_items": [item.name for item in items]},
        actor=decided_by,
        title=f"关于{applicant.department.name}申请共享{resource.name}的审核意见书",
        addressee=applicant.department.name,
    )
    decision = Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.PARTIALLY_GRANTED if partial else DecisionOutcome.GRANTED,
        decided_by=decided_by,
        decided_as=Decision.DecidedAs.PROVIDER,
        granted_method=method,
        granted_period_start=valid_from,
        granted_period_end=valid_to,
        conditions=CONDITIONS,
        standard_clauses=CLAUSES,
        effective_at=timezone.now(),
        record=record,
    )
    decision.granted_items.set(items)
    return grant_create_from_decision(decision=decision)


def reload(grant: Grant) -> Grant:
    # A fresh instance: refresh_from_db would assign the protected FSM field.
    return Grant.objects.get(pk=grant.pk)


def login(client, user):
    assert client.login(username=user.username, password=DEFAULT_PASSWORD)
    return client
