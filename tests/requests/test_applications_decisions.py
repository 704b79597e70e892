"""A reviewer's decisions through the services: grants and counter-offers, countersign, reasoned refusals, class disputes."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from viewflow.workflow.status import STATUS

from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import record_html
from requests import services as svc
from requests.flows import ShareApplicationFlow
from requests.models import (
    ApplicationState,
    ClassDispute,
    Decision,
    DecisionOutcome,
    Grant,
    RefusalReason,
    ShareApplication,
)
from requests.services import (
    ApplicationError,
    application_countersign,
    application_dispute_class,
    application_grant,
    application_order_decision,
    application_refuse,
)
from tests.requests.helpers import full_terms, level2_items, make_application, open_task
from workflows.deadlines import for_subject
from workflows.models import Deadline


def test_it_grants_fully_without_countersign_for_level_2_items(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, items=level2_items(housing_resource))
    review = open_task(application)

    # Straight from the queue: deciding takes the task (认领 first is optional).
    decision = application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.GRANTED
    assert decision.outcome == DecisionOutcome.GRANTED
    assert decision.decided_as == Decision.DecidedAs.PROVIDER
    assert decision.record.number.startswith("通住建共〔")
    assert Grant.objects.get(application=application).valid_to == application.period_end
    assert application.due_at is None
    assert for_subject(application).get().status == Deadline.Status.COMPLETED
    assert open_task(application) is None
    review.refresh_from_db()
    assert (review.owner, review.status) == (zhujian_reviewer, STATUS.DONE)
    assert application.process.finished is not None
    assert Notification.objects.filter(recipient=gongan_applicant, event="share_application_decided").exists()


def test_it_makes_a_counter_offer_that_shows_exactly_what_was_not_granted(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource, items=level2_items(housing_resource))
    first = housing_resource.items.get(name="房屋坐落")

    decision = application_grant(
        actor=zhujian_reviewer,
        obj=application,
        terms=full_terms(application, items=[first], period_end=dt.date(2026, 6, 30)),
    )

    assert decision.outcome == DecisionOutcome.PARTIALLY_GRANTED
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.PARTIALLY_GRANTED
    assert list(Grant.objects.get(application=application).items.all()) == [first]
    assert "建筑面积" in decision.record.snapshot  # named among the items not granted
    assert "2026年6月30日" in decision.record.snapshot


ZERO_PADDED_DATE = re.compile(r"\d{4}年0\d月|月0\d日")


@time_machine.travel("2026-01-05 10:00 +0800")
def test_a_decision_record_writes_its_dates_without_zero_padding(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    application = make_application(
        gongan_applicant, housing_resource, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 9, 9)
    )
    application_grant(
        actor=zhujian_reviewer,
        obj=application,
        terms=full_terms(application, period_end=dt.date(2026, 8, 8)),  # partial: the period is adjusted
    )
    application_countersign(actor=zhujian_leader, obj=application, approve=True)

    record = Decision.objects.get(application=application).record
    text = record.snapshot + record_html(record, will_sign=False)
    assert ZERO_PADDED_DATE.search(text) is None, ZERO_PADDED_DATE.search(text)
    for date in ("2026年1月5日", "2026年2月1日", "2026年8月8日"):  # submitted, countersigned, issued; the period
        assert date in text
    assert record.data["valid_from"] == "2026年2月1日" and record.data["valid_until"] == "2026年8月8日"


def test_it_waits_for_the_leaders_countersign_before_a_level_3_grant_takes_effect(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    application = make_application(gongan_applicant, housing_resource)

    decision = application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.COUNTERSIGNING
    assert decision.effective_at is None and decision.record is None
    assert not Grant.objects.exists()
    assert open_task(application).flow_task == ShareApplicationFlow.countersign
    assert Notification.objects.filter(recipient=zhujian_leader, event="share_application_task").exists()
    with pytest.raises(ApplicationError):
        application_countersign(actor=zhujian_reviewer, obj=application, approve=True)

    application_countersign(actor=zhujian_leader, obj=application, approve=True)

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.GRANTED
    decision.refresh_from_db()
    assert decision.countersigned_by == zhujian_leader and decision.effective_at is not None
    facts = {fact["label"]: fact["value"] for fact in decision.record.content["data"]["facts"]}
    assert facts["负责人会签"].startswith(str(zhujian_leader))  # the record shows who countersigned
    assert Grant.objects.filter(application=application).exists()
    assert application.process.finished is not None


def test_it_sends_a_refused_countersign_back_to_review(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    application = make_application(gongan_applicant, housing_resource)
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    with pytest.raises(ApplicationError) as exc:
        application_countersign(actor=zhujian_leader, obj=application, approve=False, comment="")
    assert exc.value.message == svc.MSG_COMMENT_REQUIRED

    application_countersign(actor=zhujian_leader, obj=application, approve=False, comment="身份证号不宜批量交换")

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.IN_REVIEW
    assert not Decision.objects.exists()
    review = open_task(application)
    assert review.flow_task == ShareApplicationFlow.review
    assert (review.owner, review.status) == (zhujian_reviewer, STATUS.ASSIGNED)  # back to who proposed, not the pool
    # The reviewer can now decide afresh, e.g. without the level-3 item.
    decision = application_grant(
        actor=zhujian_reviewer, obj=application, terms=full_terms(application, items=level2_items(housing_resource))
    )
    assert decision.outcome == DecisionOutcome.PARTIALLY_GRANTED


def test_it_refuses_with_a_reason_and_a_notice(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    reason = RefusalReason.objects.get(code="SCOPE_EXCESSIVE")

    decision = application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="超出住所核验所需")

    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.REFUSED
    assert decision.record.type == RecordType.REFUSAL_NOTICE
    assert "超出住所核验所需" in decision.record.snapshot
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    "reason_code, text, message_field",
    [(None, "理由", "reason"), ("SCOPE_EXCESSIVE", " ", "text"), ("LAW_PROHIBITED", "法律禁止", "citation")],
)
def test_it_rejects_an_incomplete_refusal_and_writes_nothing(
    gongan_applicant, housing_resource, zhujian_reviewer, reason_code, text, message_field
):
    application = make_application(gongan_applicant, housing_resource)
    reason = RefusalReason.objects.get(code=reason_code) if reason_code else None
    records = Record.objects.count()

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text=text)

    assert message_field in exc.value.errors
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
    assert not Decision.objects.exists()
    assert Record.objects.count() == records


def test_a_reason_that_needs_a_legal_basis_says_so(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)  # conditional data
    reason = RefusalReason.objects.get(code="LAW_PROHIBITED")

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="法律禁止")

    assert exc.value.errors == {"citation": [svc.MSG_LEGAL_BASIS_REQUIRED_BY_REASON.format(reason=reason.label)]}


def test_it_requires_a_legal_basis_to_refuse_not_shared_data(
    gongan_applicant, closed_resource, zhujian_reviewer, privacy_law
):
    application = make_application(gongan_applicant, closed_resource)
    reason = RefusalReason.objects.get(code="PURPOSE_UNRELATED")

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="不予共享类")
    assert exc.value.errors == {"citation": [svc.MSG_LEGAL_BASIS_REQUIRED]}

    decision = application_refuse(
        actor=zhujian_reviewer, obj=application, reason=reason, text="不予共享类", legal_basis=privacy_law
    )
    assert decision.legal_basis_citation == "《中华人民共和国个人信息保护法》第十三条"


def test_it_does_not_let_the_provider_refuse_unconditional_data_only_dispute_it(
    gongan_applicant, open_resource, zhujian_reviewer, coordinator
):
    level3 = open_resource.items.create(name="法定代表人身份证号", data_type="C", length=18, security_level=3)
    application = make_application(gongan_applicant, open_resource, items=[level3])
    assert application.state == ApplicationState.IN_REVIEW
    reason = RefusalReason.objects.get(code="SCOPE_EXCESSIVE")

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="不愿共享")
    assert exc.value.message == svc.MSG_UNCONDITIONAL_NOT_REFUSABLE

    dispute = application_dispute_class(actor=zhujian_reviewer, obj=application, reason="该项应为有条件共享")

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.ESCALATED
    assert open_task(application).flow_task == ShareApplicationFlow.arbitrate
    # The bureau upholds the dispute by refusing in the provider's place.
    decision = application_refuse(
        actor=coordinator, obj=application, reason=reason, text="异议成立", citation="《数据安全法》第二十一条"
    )
    assert decision.decided_as == Decision.DecidedAs.DATA_BUREAU
    assert decision.record.issuer == coordinator.department
    assert "市住建局对该资源的共享类型提出异议，由本局协调作出决定。" in decision.record.content["data"]["body"]
    dispute.refresh_from_db()
    assert dispute.outcome == ClassDispute.Outcome.UPHELD


def test_an_order_to_reply_settles_the_dispute_and_it_cannot_be_filed_again(
    gongan_applicant, open_resource, zhujian_reviewer, coordinator, client
):
    level3 = open_resource.items.create(name="法定代表人身份证号", data_type="C", length=18, security_level=3)
    application = make_application(gongan_applicant, open_resource, items=[level3])
    dispute = application_dispute_class(actor=zhujian_reviewer, obj=application, reason="该项应为有条件共享")

    application_order_decision(actor=coordinator, obj=application, workdays=3, comment="该资源属无条件共享")

    dispute.refresh_from_db()
    assert (dispute.outcome, dispute.decided_by) == (ClassDispute.Outcome.DISMISSED, coordinator)
    assert dispute.decision_comment == "责令提供部门限期答复。该资源属无条件共享"
    with pytest.raises(ApplicationError) as exc:
        application_dispute_class(actor=zhujian_reviewer, obj=application, reason="再次异议")
    assert exc.value.message == svc.MSG_DISPUTE_SETTLED
    assert ClassDispute.objects.filter(application=application).count() == 1
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
    client.force_login(zhujian_reviewer)
    page = client.get(reverse("share_requests:detail", args=[application.pk])).content.decode()
    assert "提交政数局协调" not in page and "政数局已认定共享类型（异议不成立）" in page  # no dispute form
    notice = Notification.objects.filter(recipient=zhujian_reviewer).latest("pk")
    assert notice.body.startswith("共享类型异议不成立，政数局责令在3个工作日内")


def test_the_bureau_granting_less_than_asked_upholds_the_dispute(
    gongan_applicant, open_resource, zhujian_reviewer, coordinator
):
    level3 = open_resource.items.create(name="法定代表人身份证号", data_type="C", length=18, security_level=3)
    level2 = open_resource.items.filter(security_level=2).first()
    application = make_application(gongan_applicant, open_resource, items=[level2, level3])
    dispute = application_dispute_class(actor=zhujian_reviewer, obj=application, reason="身份证号应有条件共享")

    application_grant(actor=coordinator, obj=application, terms=full_terms(application, items=[level2]))

    dispute.refresh_from_db()
    assert (dispute.outcome, dispute.decided_by) == (ClassDispute.Outcome.UPHELD, coordinator)


def test_it_refuses_grant_terms_beyond_the_application(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, items=level2_items(housing_resource))
    level3 = housing_resource.items.get(security_level=3)

    for terms, field in (
        (full_terms(application, items=[level3]), "items"),
        (full_terms(application, period_end=dt.date(2027, 6, 30)), "period_end"),
        (full_terms(application, period_start=dt.date(2026, 12, 1), period_end=dt.date(2026, 4, 1)), "period_end"),
        (full_terms(application, share_method="file_download"), "share_method"),
    ):
        with pytest.raises(ApplicationError) as exc:
            application_grant(actor=zhujian_reviewer, obj=application, terms=terms)
        assert field in exc.value.errors
    assert not Decision.objects.exists()
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW


def test_a_reviewer_cannot_cite_a_reason_reserved_for_the_system(gongan_applicant, housing_resource, zhujian_reviewer):
    from requests.forms import RefuseForm

    application = make_application(gongan_applicant, housing_resource)
    withdrawn = RefusalReason.objects.get(code="RESOURCE_WITHDRAWN")

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=withdrawn, text="资源已撤销")

    assert exc.value.errors == {"reason": [svc.MSG_REFUSAL_REASON_RESERVED]}
    assert not Decision.objects.exists()
    choices = [label for _, label in RefuseForm().fields["reason"].choices]
    assert withdrawn.label not in choices and "缺少履职依据" in choices  # labels, not codes
