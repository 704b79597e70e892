"""Rules of review the first version let through: four eyes on countersign, no broader method, a real
legal citation, the bureau's order on its own department's application, the provider told of the
bureau's decision in its place."""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Notification
from pdf_templates.rendering import record_html
from requests import services as svc
from requests.forms import GrantForm
from requests.models import ApplicationState, Decision, DecisionOutcome, RefusalReason, ShareApplication
from requests.services import (
    ApplicationError,
    application_countersign,
    application_grant,
    application_order_decision,
    application_refuse,
    escalate_overdue,
)
from tests.factories import UserFactory
from tests.requests.helpers import full_terms, make_application
from workflows.deadlines import for_subject


def _level2(resource):
    return list(resource.items.filter(security_level__lte=2))


def _escalated(applicant, resource):
    application = make_application(applicant, resource, items=_level2(resource) or None)
    escalate_overdue(for_subject(application).get(status="active"))
    return ShareApplication.objects.get(pk=application.pk)


def test_nobody_countersigns_the_grant_they_proposed(gongan_applicant, housing_resource, zhujian):
    both = UserFactory(username="zj_both", department=zhujian, roles=["provider_reviewer", "dept_leader"])
    application = make_application(gongan_applicant, housing_resource)
    application_grant(actor=both, obj=application, terms=full_terms(application))

    with pytest.raises(ApplicationError) as exc:
        application_countersign(actor=both, obj=application, approve=True)

    assert exc.value.message == svc.MSG_COUNTERSIGN_OWN_PROPOSAL
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.COUNTERSIGNING

    # Nor is the proposal stuck there: its proposer may take it back to review.
    application_countersign(actor=both, obj=application, approve=False, comment="拟同意的期限需再核")
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
    assert not Decision.objects.filter(application=application).exists()


def test_a_counter_offer_may_narrow_the_method_but_not_broaden_it(gongan_applicant, housing_resource, zhujian_reviewer):
    asks_query = make_application(
        gongan_applicant, housing_resource, items=_level2(housing_resource), share_method="query_api"
    )

    with pytest.raises(ApplicationError) as exc:
        application_grant(
            actor=zhujian_reviewer, obj=asks_query, terms=full_terms(asks_query, share_method="bulk_exchange")
        )
    assert exc.value.errors == {"share_method": [svc.MSG_METHOD_BROADER.format(requested="信息查询接口")]}

    asks_bulk = make_application(
        gongan_applicant, housing_resource, items=_level2(housing_resource), share_method="bulk_exchange"
    )
    decision = application_grant(
        actor=zhujian_reviewer, obj=asks_bulk, terms=full_terms(asks_bulk, share_method="query_api")
    )
    assert decision.outcome == DecisionOutcome.PARTIALLY_GRANTED


def test_a_typed_legal_citation_must_name_a_law_and_an_article(gongan_applicant, closed_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, closed_resource)
    reason = RefusalReason.objects.get(code="LAW_PROHIBITED")

    for citation in ("无", "-", "依法不予共享"):
        with pytest.raises(ApplicationError) as exc:
            application_refuse(
                actor=zhujian_reviewer, obj=application, reason=reason, text="涉及健康隐私", citation=citation
            )
        assert exc.value.errors == {"citation": [svc.MSG_CITATION_INCOMPLETE]}, citation
    assert not Decision.objects.exists()

    application_refuse(
        actor=zhujian_reviewer,
        obj=application,
        reason=reason,
        text="涉及健康隐私",
        citation="《中华人民共和国个人信息保护法》第二十八条",
    )
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.REFUSED


def test_a_grant_form_for_not_shared_data_offers_the_requested_method(gongan_applicant, closed_resource):
    application = make_application(gongan_applicant, closed_resource, share_method="query_api")
    assert [value for value, _ in GrantForm(application=application).fields["share_method"].choices] == ["query_api"]


def test_the_bureau_orders_a_reply_on_its_own_departments_application(housing_resource, zhengshu, coordinator, client):
    bureau_applicant = UserFactory(username="zs_applicant", department=zhengshu, roles=["applicant"])
    application = _escalated(bureau_applicant, housing_resource)

    with pytest.raises(ApplicationError) as exc:  # deciding it would break the separation of duties
        application_grant(actor=coordinator, obj=application, terms=full_terms(application))
    assert exc.value.message == svc.MSG_SELF_DECISION
    client.force_login(coordinator)

    page = client.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert 'data-testid="own-department"' in page and "责令提供部门答复" in page
    assert 'data-testid="grant-form"' not in page and "认领</button>" not in page  # it may not decide it here

    application_order_decision(actor=coordinator, obj=application, workdays=3)

    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW


def test_the_provider_hears_of_the_bureaus_decision_in_its_place_and_no_appeal_to_the_bureau(
    gongan_applicant, housing_resource, closed_resource, coordinator, zhujian_reviewer
):
    granted = _escalated(gongan_applicant, housing_resource)
    application_grant(actor=coordinator, obj=granted, terms=full_terms(granted))
    refused = _escalated(gongan_applicant, closed_resource)
    application_refuse(
        actor=coordinator,
        obj=refused,
        reason=RefusalReason.objects.get(code="LAW_PROHIBITED"),
        text="涉及健康隐私",
        citation="《中华人民共和国个人信息保护法》第二十八条",
    )

    told = Notification.objects.filter(recipient=zhujian_reviewer, event="share_application_decided")
    assert sorted(n.subject_id for n in told) == sorted([str(granted.pk), str(refused.pk)])
    bureau_notice = ShareApplication.objects.get(pk=refused.pk).decision.record
    assert "可向市政务服务和数字化建设管理局申请协调" not in record_html(bureau_notice, will_sign=False)
    provider = make_application(gongan_applicant, closed_resource)
    application_refuse(
        actor=zhujian_reviewer,
        obj=provider,
        reason=RefusalReason.objects.get(code="LAW_PROHIBITED"),
        text="涉及健康隐私",
        citation="《中华人民共和国个人信息保护法》第二十八条",
    )
    provider_notice = ShareApplication.objects.get(pk=provider.pk).decision.record
    assert "可向市政务服务和数字化建设管理局申请协调" in record_html(provider_notice, will_sign=False)


def test_a_partial_grant_states_its_reason_in_the_decision_and_the_record(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
    fewer = _level2(housing_resource)[:1]

    with pytest.raises(ApplicationError) as exc:
        application_grant(
            actor=zhujian_reviewer, obj=application, terms=full_terms(application, items=fewer, adjustment_reason=" ")
        )
    assert exc.value.errors == {"adjustment_reason": [svc.MSG_ADJUSTMENT_REASON_REQUIRED]}
    assert not Decision.objects.exists()

    decision = application_grant(
        actor=zhujian_reviewer,
        obj=application,
        terms=full_terms(application, items=fewer, adjustment_reason="建筑面积与户口迁入登记无关。"),
    )
    assert decision.outcome == DecisionOutcome.PARTIALLY_GRANTED
    assert decision.adjustment_reason == "建筑面积与户口迁入登记无关。"
    assert "调整理由：建筑面积与户口迁入登记无关。" in decision.record.content["data"]["body"]


@pytest.mark.parametrize("cut", ["items", "period", "one_day"])
def test_the_provider_grants_unconditional_data_only_as_requested(
    gongan_applicant, open_resource, zhujian_reviewer, cut
):
    level3 = open_resource.items.create(name="法定代表人身份证号", data_type="C", length=18, security_level=3)
    level2 = open_resource.items.filter(security_level=2).first()
    application = make_application(gongan_applicant, open_resource, items=[level2, level3])
    assert application.state == ApplicationState.IN_REVIEW
    terms = {
        "items": {"items": [level2]},
        "period": {"period_end": application.period_end - dt.timedelta(days=30)},
        "one_day": {"period_start": application.period_start, "period_end": application.period_start},
    }[cut]

    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application, **terms))

    assert exc.value.errors == {"": [svc.MSG_UNCONDITIONAL_AS_REQUESTED]}
    assert not Decision.objects.exists()


def test_the_provider_adds_no_conditions_of_its_own_to_unconditional_data(
    gongan_applicant, open_resource, zhujian_reviewer
):
    level3 = open_resource.items.create(name="法定代表人身份证号", data_type="C", length=18, security_level=3)
    application = make_application(gongan_applicant, open_resource, items=[level3])

    with pytest.raises(ApplicationError) as exc:
        application_grant(
            actor=zhujian_reviewer, obj=application, terms=full_terms(application, conditions="仅限内部使用，需审批")
        )
    assert exc.value.errors == {"conditions": [svc.MSG_UNCONDITIONAL_NO_CONDITIONS]}

    decision = application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application, conditions=""))
    assert decision.outcome == DecisionOutcome.GRANTED and decision.standard_clauses


def test_the_grant_form_for_unconditional_data_shows_the_requested_terms_fixed(
    gongan_applicant, open_resource, zhujian_reviewer, client
):
    level3 = open_resource.items.create(name="法定代表人身份证号", data_type="C", length=18, security_level=3)
    level2 = open_resource.items.filter(security_level=2).first()
    application = make_application(gongan_applicant, open_resource, items=[level2, level3])
    client.force_login(zhujian_reviewer)
    form = client.get(reverse("share_requests:detail", args=[application.pk])).context["grant_form"]
    assert form.fields["items"].disabled and form.fields["period_end"].disabled and form.fields["conditions"].disabled
    assert "adjustment_reason" not in form.fields

    # Whatever is posted, the terms are the application's.
    client.post(
        reverse("share_requests:action", args=[application.pk, "grant"]),
        {"items": [level2.pk], "conditions": "需审批", "standard_clauses": ["purpose_only"]},
    )

    decision = Decision.objects.get(application=application)
    assert decision.outcome == DecisionOutcome.GRANTED and decision.conditions == ""
    assert set(decision.granted_items.all()) == {level2, level3}


def test_nobody_grants_not_shared_data(gongan_applicant, closed_resource, zhujian_reviewer, client):
    application = make_application(gongan_applicant, closed_resource)
    assert application.state == ApplicationState.IN_REVIEW
    client.force_login(zhujian_reviewer)
    page = client.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert 'data-testid="not-grantable"' in page and 'data-testid="grant-form"' not in page
    assert 'data-testid="refuse-form"' in page

    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    assert exc.value.message == svc.MSG_NOT_SHARED_NOT_GRANTABLE
    assert not Decision.objects.exists()
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
