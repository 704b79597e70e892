"""Share applications through the services: automatic decisions, routing, correction and withdrawal, tasks and
the separation of duties, input checks. (A reviewer's decisions: test_applications_decisions.py.)"""

import datetime as dt

import pytest
from django.utils import timezone
from viewflow.workflow.status import STATUS

from catalog.services import negative_entry_create
from notifications.models import Notification
from pdf_templates.models import RecordType
from requests import selectors
from requests import services as svc
from requests.flows import ShareApplicationFlow
from requests.models import (
    ApplicationState,
    Decision,
    Grant,
    RefusalReason,
    ShareApplication,
    ShareApplicationProcess,
)
from requests.services import (
    ApplicationError,
    application_grant,
    application_refuse,
    application_return,
    application_submit,
    application_update,
    application_withdraw,
    task_handover,
    task_release,
    task_take,
)
from tests.factories import UserFactory
from tests.requests.helpers import application_data, full_terms, level2_items, make_application, open_task
from workflows.deadlines import for_subject
from workflows.models import AuditEvent, Deadline


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
    negative_entry_create(
        actor=coordinator,
        resource=housing_resource,
        legal_basis=privacy_law,
        reason="身份证号不对外共享",
        items=housing_resource.items.filter(security_level=3),
    )

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
    negative_entry_create(
        actor=coordinator,
        resource=open_resource,
        legal_basis=privacy_law,
        reason="资质证书编号不对外共享",
        items=open_resource.items.filter(name="资质等级"),
    )

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

    entry = negative_entry_create(
        actor=coordinator,
        resource=housing_resource,
        legal_basis=privacy_law,
        reason="身份证号不对外共享",
        items=housing_resource.items.filter(security_level=3),
    )
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
    task = open_task(application)
    assert task.flow_task == ShareApplicationFlow.review
    assert task.status == STATUS.NEW
    assert task.owner_permission == "share_requests.can_review_application"
    deadline = for_subject(application).get(status=Deadline.Status.ACTIVE)
    assert deadline.workdays == 10
    assert application.due_at == deadline.due_at
    assert Notification.objects.filter(recipient=zhujian_reviewer, event="share_application_task").exists()
    # One event for the submission and the start of review, with the deadline.
    submitted = AuditEvent.objects.filter(
        action__startswith="share_requests.application_", subject_id=str(application.pk)
    ).exclude(action="share_requests.application_created")
    assert [(e.action, e.from_state, e.to_state) for e in submitted] == [
        ("share_requests.application_submitted", "draft", "in_review")
    ]
    assert submitted.get().comment == f"答复期限 {timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}"


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
    assert open_task(application).flow_task == ShareApplicationFlow.correction
    [notice] = Notification.objects.filter(recipient=gongan_applicant, subject_id=str(application.pk)).exclude(
        event="share_application_received"  # the receipt of the submission
    )
    assert notice.event == "share_application_returned"
    assert notice.title.startswith("共享申请退回补正：")
    assert "请补充申请函" in notice.body

    application_update(
        actor=gongan_applicant,
        obj=application,
        data=application_data(scenario="户籍迁入住所核验（补正）"),
        items=level2_items(housing_resource),
    )
    application = application_submit(actor=gongan_applicant, obj=application)

    assert application.state == ApplicationState.IN_REVIEW
    assert application.scenario == "户籍迁入住所核验（补正）"
    assert open_task(application).flow_task == ShareApplicationFlow.review
    assert for_subject(application).filter(status=Deadline.Status.ACTIVE).count() == 1
    assert application.due_at is not None


def test_it_lets_the_applicant_withdraw_before_a_decision(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)

    application_withdraw(actor=gongan_applicant, obj=application)

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.WITHDRAWN
    assert open_task(application) is None
    assert not for_subject(application).filter(status=Deadline.Status.ACTIVE).exists()
    with pytest.raises(ApplicationError) as exc:
        application_withdraw(actor=gongan_applicant, obj=application)
    assert exc.value.message == svc.MSG_NOT_WITHDRAWABLE


def test_a_withdrawal_awaiting_countersign_discards_the_proposed_grant(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    application = make_application(gongan_applicant, housing_resource)
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    application_withdraw(actor=gongan_applicant, obj=application)

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.WITHDRAWN
    assert not Decision.objects.exists() and not Grant.objects.exists()
    assert open_task(application) is None
    for waiting in (zhujian_leader, zhujian_reviewer):  # the leader was to countersign it
        notice = Notification.objects.filter(recipient=waiting).latest("pk")
        assert notice.event == "share_application_withdrawn"
        assert notice.title.startswith("共享申请已撤回：")
        assert "无需再办理" in notice.body


def test_it_lets_reviewers_take_release_and_hand_over_tasks(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_colleague, zhujian_clerk
):
    application = make_application(gongan_applicant, housing_resource)
    task = open_task(application)

    task_take(actor=zhujian_reviewer, obj=task)
    task.refresh_from_db()
    assert task.owner == zhujian_reviewer
    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_colleague, obj=application, terms=full_terms(application))
    assert exc.value.message == svc.MSG_TASK_NOT_YOURS.format(owner=zhujian_reviewer)

    with pytest.raises(ApplicationError):
        task_handover(actor=zhujian_reviewer, obj=task, to_user=zhujian_clerk)  # no review permission
    task_handover(actor=zhujian_reviewer, obj=task, to_user=zhujian_colleague)
    task.refresh_from_db()
    assert task.owner == zhujian_colleague

    task_release(actor=zhujian_colleague, obj=task)
    task.refresh_from_db()
    assert task.owner is None and task.status == STATUS.NEW
    assert (
        AuditEvent.objects.filter(
            action__in=["workflows.task_taken", "workflows.task_handed_over", "workflows.task_released"]
        ).count()
        == 3
    )


def test_it_keeps_other_departments_reviewers_off_the_task(gongan_applicant, housing_resource, gongan_reviewer):
    other = UserFactory(username="other_reviewer", roles=["provider_reviewer"])
    application = make_application(gongan_applicant, housing_resource)

    for actor, message in ((gongan_reviewer, svc.MSG_SELF_DECISION), (other, svc.MSG_NOT_PERMITTED)):
        with pytest.raises(ApplicationError) as exc:
            application_grant(actor=actor, obj=application, terms=full_terms(application))
        assert exc.value.message == message
        with pytest.raises(ApplicationError):
            task_take(actor=actor, obj=open_task(application))
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
        assert exc.value.message == svc.MSG_SELF_DECISION
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
    assert exc.value.errors["items"] == [svc.MSG_ITEMS_NOT_IN_RESOURCE.format(names="企业名称")]
    assert not ShareApplication.objects.exists()


def test_it_prefills_applied_before_from_history(gongan_applicant, housing_resource, zhujian_reviewer):
    first = make_application(gongan_applicant, housing_resource)
    application_refuse(
        actor=zhujian_reviewer,
        obj=first,
        reason=RefusalReason.objects.get(code="BASIS_MISSING"),
        text="缺少依据",
    )
    first = ShareApplication.objects.get(pk=first.pk)

    previous = selectors.previous_application(gongan_applicant.department, housing_resource)

    assert previous == first
    assert "缺少履职依据" in selectors.earlier_outcome_text(previous)
    second = make_application(gongan_applicant, housing_resource, submit=False)
    assert second.previous_application == first
