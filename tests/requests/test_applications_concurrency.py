"""Two reviewers deciding the same task at once: exactly one decision and one document number."""

import pytest

from pdf_templates.models import Record
from requests import selectors
from requests import services as svc
from requests.models import ApplicationState, Decision, Grant, ShareApplication
from requests.services import ApplicationError, application_grant
from tests.races import messages, run_concurrently
from tests.requests.helpers import full_terms, make_application


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_reviewers_decide(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_colleague
):
    items = list(housing_resource.items.filter(security_level__lte=2))
    application = make_application(gongan_applicant, housing_resource, items=items)

    def decide(reviewer):
        app = ShareApplication.objects.get(pk=application.pk)
        application_grant(actor=reviewer, obj=app, terms=full_terms(app))
        return "decided"

    outcomes = messages(
        run_concurrently(lambda: decide(zhujian_reviewer), lambda: decide(zhujian_colleague)), ApplicationError
    )

    assert sorted(outcomes) == sorted(["decided", svc.MSG_ALREADY_DECIDED.format(state="已授权")])
    assert Decision.objects.count() == 1
    assert Grant.objects.count() == 1
    assert Record.objects.filter(type="review_opinion").count() == 1
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.GRANTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reviewers_refusal_and_the_withdrawal_refusal_at_once_decide_once(
    monkeypatch, gongan_applicant, housing_resource, zhujian_reviewer, zhujian_clerk
):
    from catalog.services import resource_withdraw
    from requests.models import RefusalReason
    from requests.services import application_refuse
    from requests.tasks import refuse_for_withdrawn_resources

    monkeypatch.setattr(refuse_for_withdrawn_resources, "delay", lambda: None)  # run below, by hand
    items = list(housing_resource.items.filter(security_level__lte=2))
    application = make_application(gongan_applicant, housing_resource, items=items)
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason="系统关停")
    reason = RefusalReason.objects.get_or_create(code="SCOPE_EXCESSIVE", label="申请范围超出履职需要")[0]  # flushed

    application_id = application.pk

    def reviewer_refuses():
        application = ShareApplication.objects.get(pk=application_id)
        decision = application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="资源已撤销")
        return type(decision).__name__

    def sweep():
        return str(svc.refuse_for_withdrawn_resources())

    outcomes = messages(run_concurrently(reviewer_refuses, sweep), ApplicationError)

    # Either the reviewer refused first (then the sweep found nothing), or the sweep did (then the reviewer's
    # task was gone): one decision, one refusal notice, whichever came first.
    refused = svc.MSG_ALREADY_DECIDED.format(state=ApplicationState.REFUSED.label)
    assert sorted(outcomes) in (sorted(["Decision", "0"]), sorted([refused, "1"]))
    assert Decision.objects.count() == 1
    assert Record.objects.filter(type="refusal_notice").count() == 1
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.REFUSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_form_posted_twice_at_once_makes_one_application(gongan_applicant, housing_resource):
    import uuid

    from django.db import IntegrityError

    from requests.services import application_create
    from tests.requests.helpers import application_data

    token = uuid.uuid4()

    def post():
        application_create(
            actor=gongan_applicant,
            resource=housing_resource,
            data=application_data(share_method="query_api"),
            items=list(housing_resource.items.all()),
            form_token=token,
        )
        return "created"

    # The view shows the application the other post made when its own insert fails.
    outcomes = ["duplicate" if isinstance(o, IntegrityError) else o for o in run_concurrently(post, post)]
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes

    assert sorted(outcomes) == ["created", "duplicate"]
    assert selectors.created_from_form(gongan_applicant, token) == ShareApplication.objects.get()
