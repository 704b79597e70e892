"""Share applications through the services: every route, decision and the separation of duties."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from catalog.models import NegativeListEntry
from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import record_html
from requests.flows import ShareApplicationFlow
from requests.models import (
    ApplicationState,
    ClassDispute,
    Decision,
    DecisionOutcome,
    Grant,
    RefusalReason,
    ShareApplication,
    ShareApplicationProcess,
)
from requests.services import (
    ApplicationError,
    application_countersign,
    application_dispute_class,
    application_grant,
    application_order_decision,
    application_refuse,
    application_return,
    application_submit,
    application_update,
    application_withdraw,
    task_handover,
    task_release,
    task_take,
)
from requests.services import applications as svc
from tests.factories import UserFactory
from tests.requests.helpers import application_data, full_terms, make_application
from workflows.deadlines import for_subject
from workflows.models import AuditEvent, Deadline


def _task(application, node=None):
    return svc._open_task(application, node)


def _level2(resource):
    return list(resource.items.filter(security_level__lte=2))


def test_it_grants_unconditional_data_automatically_with_a_record_and_tells_the_provider(
    gongan_applicant, open_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, open_resource)

    assert application.state == ApplicationState.GRANTED
    decision = application.decision
    assert decision.decided_as == Decision.DecidedAs.AUTOMATIC
    assert decision.record.type == RecordType.REVIEW_OPINION
    assert decision.record.issuer == open_resource.provider_department
    grant = Grant.objects.get(application=application)
    assert set(grant.items.all()) == set(open_resource.items.all())
    assert grant.number == decision.record.number
    assert Notification.objects.filter(recipient=zhujian_reviewer, event="share_application_auto_granted").exists()
    assert Notification.objects.filter(recipient=gongan_applicant, event="share_application_decided").exists()
    assert not ShareApplicationProcess.objects.filter(application=application).exists()  # nobody had work to do
    assert not Deadline.objects.filter(status=Deadline.Status.ACTIVE).exists()


def test_it_refuses_negative_list_items_automatically_citing_the_list(
    gongan_applicant, housing_resource, coordinator, privacy_law
):
    entry = NegativeListEntry.objects.create(
        resource=housing_resource, legal_basis=privacy_law, reason="身份证号不对外共享", created_by=coordinator
    )
    entry.items.set(housing_resource.items.filter(security_level=3))

    application = make_application(gongan_applicant, housing_resource)

    assert application.state == ApplicationState.REFUSED
    decision = application.decision
    assert decision.refusal_reason.code == "LAW_PROHIBITED"
    assert decision.legal_basis == privacy_law
    assert "个人信息保护法" in decision.legal_basis_citation
    assert decision.record.type == RecordType.REFUSAL_NOTICE
    assert "个人信息保护法" in decision.record.snapshot
    assert not Grant.objects.exists()
    assert not ShareApplicationProcess.objects.filter(application=application).exists()


def test_it_refuses_a_negative_list_item_of_unconditional_data_instead_of_granting_it(
    gongan_applicant, open_resource, coordinator, privacy_law
):
    # Level ≤ 2 unconditional data would be granted automatically, but the negative list wins.
    entry = NegativeListEntry.objects.create(
        resource=open_resource, legal_basis=privacy_law, reason="资质证书编号不对外共享", created_by=coordinator
    )
    entry.items.set(open_resource.items.filter(name="资质等级"))

    application = make_application(gongan_applicant, open_resource)

    assert application.state == ApplicationState.REFUSED
    assert application.decision.decided_as == Decision.DecidedAs.AUTOMATIC
    assert application.decision.refusal_reason.code == "LAW_PROHIBITED"
    assert not Grant.objects.exists()


def test_it_checks_only_the_requested_items_against_the_negative_list(
    gongan_applicant, housing_resource, coordinator, privacy_law, django_assert_num_queries
):
    level_2 = list(housing_resource.items.filter(security_level=2))
    draft = make_application(gongan_applicant, housing_resource, items=level_2, submit=False)
    assert draft.resource == housing_resource  # loaded, as application_submit has it
    with django_assert_num_queries(1):  # no entries: the requested items are never read
        assert draft.negative_list_hits() == []

    entry = NegativeListEntry.objects.create(
        resource=housing_resource, legal_basis=privacy_law, reason="身份证号不对外共享", created_by=coordinator
    )
    entry.items.set(housing_resource.items.filter(security_level=3))
    assert draft.negative_list_hits() == []
    assert not draft.is_on_negative_list()
    everything = make_application(gongan_applicant, housing_resource, submit=False)
    assert everything.negative_list_hits() == [entry]
    assert everything.is_on_negative_list()


def test_it_sends_conditional_applications_to_the_provider_reviewers_with_a_running_clock(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource)

    assert application.state == ApplicationState.IN_REVIEW
    assert application.resource_version == housing_resource.current_version
    task = _task(application)
    assert task.flow_task == ShareApplicationFlow.review
    assert task.status == STATUS.NEW
    assert task.owner_permission == "share_requests.can_review_application"
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    assert deadline.workdays == 10
    assert application.due_at == deadline.due_at
    assert Notification.objects.filter(recipient=zhujian_reviewer, event="share_application_task").exists()
    # One event for the submission and the start of review, with the deadline.
    submitted = AuditEvent.objects.filter(action__startswith="application_", subject_id=str(application.pk)).exclude(
        action="application_created"
    )
    assert [(e.action, e.from_state, e.to_state) for e in submitted] == [
        ("application_submitted", "draft", "in_review")
    ]
    assert submitted.get().comment == f"答复期限 {timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}"


def test_it_grants_fully_without_countersign_for_level_2_items(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
    review = _task(application)

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
    assert _task(application) is None
    review.refresh_from_db()
    assert (review.owner, review.status) == (zhujian_reviewer, STATUS.DONE)
    assert application.process.finished is not None
    assert Notification.objects.filter(recipient=gongan_applicant, event="share_application_decided").exists()


def test_it_makes_a_counter_offer_that_shows_exactly_what_was_not_granted(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
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
    assert _task(application).flow_task == ShareApplicationFlow.countersign
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
    assert exc.value.message == svc.COMMENT_REQUIRED

    application_countersign(actor=zhujian_leader, obj=application, approve=False, comment="身份证号不宜批量交换")

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.IN_REVIEW
    assert not Decision.objects.exists()
    review = _task(application)
    assert review.flow_task == ShareApplicationFlow.review
    assert (review.owner, review.status) == (zhujian_reviewer, STATUS.ASSIGNED)  # back to who proposed, not the pool
    # The reviewer can now decide afresh, e.g. without the level-3 item.
    decision = application_grant(
        actor=zhujian_reviewer, obj=application, terms=full_terms(application, items=_level2(housing_resource))
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

    assert exc.value.errors == {"citation": [svc.LEGAL_BASIS_REQUIRED_BY_REASON.format(reason=reason.label)]}


def test_it_requires_a_legal_basis_to_refuse_not_shared_data(
    gongan_applicant, closed_resource, zhujian_reviewer, privacy_law
):
    application = make_application(gongan_applicant, closed_resource)
    reason = RefusalReason.objects.get(code="PURPOSE_UNRELATED")

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text="不予共享类")
    assert exc.value.errors == {"citation": [svc.LEGAL_BASIS_REQUIRED]}

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
    assert exc.value.message == svc.UNCONDITIONAL_NOT_REFUSABLE

    dispute = application_dispute_class(actor=zhujian_reviewer, obj=application, reason="该项应为有条件共享")

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.ESCALATED
    assert _task(application).flow_task == ShareApplicationFlow.arbitrate
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
    assert exc.value.message == svc.DISPUTE_SETTLED
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


def test_it_returns_for_correction_and_restarts_review_and_clock_on_resubmission(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource)

    application_return(actor=zhujian_reviewer, obj=application, comment="请补充申请函")

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.RETURNED
    assert application.return_comment == "请补充申请函"
    assert application.due_at is None
    assert not for_subject(application).filter(status=Deadline.Status.ACTIVE).exists()
    assert _task(application).flow_task == ShareApplicationFlow.correction
    [notice] = Notification.objects.filter(recipient=gongan_applicant, subject_id=str(application.pk))
    assert notice.event == "share_application_returned"
    assert notice.title.startswith("共享申请退回补正：")
    assert "请补充申请函" in notice.body

    application_update(
        actor=gongan_applicant,
        obj=application,
        data=application_data(scenario="户籍迁入住所核验（补正）"),
        items=_level2(housing_resource),
    )
    application = application_submit(actor=gongan_applicant, obj=application)

    assert application.state == ApplicationState.IN_REVIEW
    assert application.scenario == "户籍迁入住所核验（补正）"
    assert _task(application).flow_task == ShareApplicationFlow.review
    assert for_subject(application).filter(status=Deadline.Status.ACTIVE).count() == 1
    assert application.due_at is not None


def test_it_lets_the_applicant_withdraw_before_a_decision(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)

    application_withdraw(actor=gongan_applicant, obj=application)

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.WITHDRAWN
    assert _task(application) is None
    assert not for_subject(application).filter(status=Deadline.Status.ACTIVE).exists()
    with pytest.raises(ApplicationError) as exc:
        application_withdraw(actor=gongan_applicant, obj=application)
    assert exc.value.message == svc.NOT_WITHDRAWABLE


def test_a_withdrawal_awaiting_countersign_discards_the_proposed_grant(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    application = make_application(gongan_applicant, housing_resource)
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    application_withdraw(actor=gongan_applicant, obj=application)

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.WITHDRAWN
    assert not Decision.objects.exists() and not Grant.objects.exists()
    assert _task(application) is None
    for waiting in (zhujian_leader, zhujian_reviewer):  # the leader was to countersign it
        notice = Notification.objects.filter(recipient=waiting).latest("pk")
        assert notice.event == "share_application_withdrawn"
        assert notice.title.startswith("共享申请已撤回：")
        assert "无需再办理" in notice.body


def test_it_lets_reviewers_take_release_and_hand_over_tasks(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_colleague, zhujian_clerk
):
    application = make_application(gongan_applicant, housing_resource)
    task = _task(application)

    task_take(actor=zhujian_reviewer, task=task)
    task.refresh_from_db()
    assert task.owner == zhujian_reviewer
    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_colleague, obj=application, terms=full_terms(application))
    assert exc.value.message == svc.TASK_NOT_YOURS.format(owner=zhujian_reviewer)

    with pytest.raises(ApplicationError):
        task_handover(actor=zhujian_reviewer, task=task, to_user=zhujian_clerk)  # no review permission
    task_handover(actor=zhujian_reviewer, task=task, to_user=zhujian_colleague)
    task.refresh_from_db()
    assert task.owner == zhujian_colleague

    task_release(actor=zhujian_colleague, task=task)
    task.refresh_from_db()
    assert task.owner is None and task.status == STATUS.NEW
    assert AuditEvent.objects.filter(action__in=["task_taken", "task_handed_over", "task_released"]).count() == 3


def test_it_keeps_other_departments_reviewers_off_the_task(gongan_applicant, housing_resource, gongan_reviewer):
    other = UserFactory(username="other_reviewer", roles=["provider_reviewer"])
    application = make_application(gongan_applicant, housing_resource)

    for actor, message in ((gongan_reviewer, svc.SELF_DECISION), (other, svc.NOT_PERMITTED)):
        with pytest.raises(ApplicationError) as exc:
            application_grant(actor=actor, obj=application, terms=full_terms(application))
        assert exc.value.message == message
        with pytest.raises(ApplicationError):
            task_take(actor=actor, task=_task(application))
    assert not Decision.objects.exists()


def test_it_lets_nobody_decide_an_application_of_their_own_department(housing_resource, coordinator, zhengshu):
    """The bureau applies for data itself: in arbitration neither the applicant nor a colleague may decide it."""
    bureau_applicant = UserFactory(username="zs_applicant", department=zhengshu, roles=["applicant", "data_bureau"])
    application = make_application(bureau_applicant, housing_resource)
    svc.escalate_overdue(for_subject(application).get(status=Deadline.Status.ACTIVE))
    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.ESCALATED

    for actor in (bureau_applicant, coordinator):
        with pytest.raises(ApplicationError) as exc:
            application_grant(actor=actor, obj=application, terms=full_terms(application))
        assert exc.value.message == svc.SELF_DECISION
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"period_start": dt.date(2026, 12, 31), "period_end": dt.date(2026, 1, 1)}, "period_end"),
        ({"purposes": []}, "purposes"),
        ({"share_method": "file_download"}, "share_method"),
        ({"scenario": ""}, "scenario"),
    ],
)
def test_it_refuses_bad_application_input_and_writes_nothing(gongan_applicant, housing_resource, overrides, field):
    with pytest.raises(ApplicationError) as exc:
        svc.application_create(
            actor=gongan_applicant,
            resource=housing_resource,
            data=application_data(**overrides),
            items=list(housing_resource.items.all()),
        )
    assert field in exc.value.errors
    assert not ShareApplication.objects.exists()


def test_it_refuses_items_of_another_resource(gongan_applicant, housing_resource, open_resource):
    with pytest.raises(ApplicationError) as exc:
        svc.application_create(
            actor=gongan_applicant,
            resource=housing_resource,
            data=application_data(),
            items=[*housing_resource.items.all()[:1], *open_resource.items.all()[:1]],
        )
    assert exc.value.errors["items"] == [svc.ITEMS_NOT_IN_RESOURCE.format(names="企业名称")]
    assert not ShareApplication.objects.exists()


def test_it_refuses_grant_terms_beyond_the_application(gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource, items=_level2(housing_resource))
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


def test_it_prefills_applied_before_from_history(gongan_applicant, housing_resource, zhujian_reviewer):
    first = make_application(gongan_applicant, housing_resource)
    application_refuse(
        actor=zhujian_reviewer,
        obj=first,
        reason=RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少依据",
    )
    first = ShareApplication.objects.get(pk=first.pk)

    previous = svc.previous_application(gongan_applicant.department, housing_resource)

    assert previous == first
    assert "缺少履职依据" in svc.earlier_outcome_text(previous)
    second = make_application(gongan_applicant, housing_resource, submit=False)
    assert second.previous_application == first


def test_a_reviewer_cannot_cite_a_reason_reserved_for_the_system(gongan_applicant, housing_resource, zhujian_reviewer):
    from requests.forms import RefuseForm

    application = make_application(gongan_applicant, housing_resource)
    withdrawn = RefusalReason.objects.get(code="RESOURCE_WITHDRAWN")

    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=withdrawn, text="资源已撤销")

    assert exc.value.errors == {"reason": [svc.REFUSAL_REASON_RESERVED]}
    assert not Decision.objects.exists()
    choices = [label for _, label in RefuseForm().fields["reason"].choices]
    assert withdrawn.label not in choices and "缺少履职依据" in choices  # labels, not codes
