"""The demo share applications (requests/demo.py), loaded by `manage.py load_demo`, twice."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader
from viewflow.workflow.models import Task

from catalog.models import DataResource, ResourceStatus
from notifications.models import Notification
from organizations.models import User
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import missing_glyph_fonts
from requests import selectors
from requests.demo import WITHDRAW_REASON
from requests.flows import ShareApplicationFlow
from requests.models import (
    OPEN_STATES,
    ApplicationAttachment,
    ApplicationState,
    Decision,
    Grant,
    GrantState,
    ShareApplication,
)
from tests import readme_commands
from workflows.models import AuditEvent, Deadline

README_TEXT = readme_commands.README.read_text(encoding="utf-8")


def _counts() -> dict[str, int]:
    return {
        "applications": ShareApplication.objects.count(),
        "decisions": Decision.objects.count(),
        "grants": Grant.objects.count(),
        "records": Record.objects.count(),
        "tasks": Task.objects.count(),
        "events": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "deadlines": Deadline.objects.count(),
        "users": User.objects.count(),
        "attachments": ApplicationAttachment.objects.count(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """load_demo twice, once for the module (it takes a while); rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        first, second = io.StringIO(), io.StringIO()
        call_command("load_demo", force=True, stdout=first)
        after_first = _counts()
        call_command("load_demo", force=True, stdout=second)
        yield {"first": first.getvalue(), "second": second.getvalue(), "after_first": after_first, "media": media}
        transaction.set_rollback(True)


# Every test asks for `db` as well: pytest-django runs database tests before the others, and a test of
# this module without it would be moved after them, loading the demo a second time.


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_it_is_idempotent(demo, db):
    assert demo["after_first"]["applications"] >= 280
    assert _counts() == demo["after_first"]
    assert "共享申请演示数据已存在" in demo["second"]


def test_it_covers_every_state_of_applications_and_grants(demo, db):
    states = set(ShareApplication.objects.values_list("state", flat=True))
    # "submitted" is transient: a submitted application is routed (reviewed or decided) in the same transaction.
    assert states == set(ApplicationState.values) - {ApplicationState.SUBMITTED}
    assert set(Grant.objects.values_list("state", flat=True)) == set(GrantState.values)
    assert ShareApplication.objects.filter(was_overdue=True, state=ApplicationState.ESCALATED).exists()
    assert ShareApplication.objects.filter(was_overdue=True, decision__decided_as=Decision.DecidedAs.DATA_BUREAU)
    assert Decision.objects.filter(decided_as=Decision.DecidedAs.AUTOMATIC, outcome="refused").exists()
    assert Decision.objects.filter(countersigned_by__isnull=False).exists()
    assert Grant.objects.filter(state=GrantState.REVOKED, revoked_reason__gt="").exists()


def test_it_goes_through_the_services_leaving_events_records_and_deadlines(demo, db):
    decided = ShareApplication.objects.filter(decision__isnull=False, decision__effective_at__isnull=False)
    assert decided.exists()
    assert not decided.filter(decision__record__isnull=True).exists()
    application = decided.filter(state=ApplicationState.GRANTED).first()
    actions = set(AuditEvent.objects.filter(subject_id=str(application.pk)).values_list("action", flat=True))
    assert {
        "share_requests.application_created",
        "share_requests.application_submitted",
        "share_requests.application_decided",
        "records.issued",
    } <= actions
    # Every open review has a running clock; the overdue ones were escalated by the deadline machinery.
    for application in ShareApplication.objects.filter(state=ApplicationState.IN_REVIEW):
        assert application.due_at is not None
    assert Deadline.objects.filter(status=Deadline.Status.EXPIRED).count() >= 10
    assert Notification.objects.filter(event="deadline_escalated").exists()
    # A few records are rendered for the newcomer; the rest wait for the worker.
    assert 1 <= Record.objects.filter(render_status=Record.RenderStatus.RENDERED).count() <= 20
    assert Record.objects.filter(render_status=Record.RenderStatus.PENDING).count() >= 100


def test_it_gives_the_zhujian_reviewer_a_real_inbox(demo, db):
    tasks = list(selectors.task_list(_user("zj_reviewer")))
    assert len(tasks) >= 5
    assert {t.flow_task for t in tasks} == {ShareApplicationFlow.review}
    assert any(t.owner_id == _user("zj_reviewer").pk for t in tasks)  # some already taken
    assert any(t.owner_id is None for t in tasks)  # some waiting to be taken


def test_it_gives_the_zhujian_leader_a_countersign_task(demo, db):
    tasks = list(selectors.task_list(_user("zj_leader")))
    assert tasks
    assert {t.flow_task for t in tasks} == {ShareApplicationFlow.countersign}


def test_it_gives_the_coordinator_an_overdue_queue(demo, db):
    coordinator = _user("zs_coordinator")
    assert selectors.overdue_queue().filter(was_overdue=True).count() >= 5
    assert any(t.flow_task == ShareApplicationFlow.arbitrate for t in selectors.task_list(coordinator))
    assert selectors.overdue_counts_by_provider()


def test_it_shows_the_gongan_applicant_their_applications_in_every_state(demo, db):
    states = set(selectors.department_applications(_user("ga_applicant")).values_list("state", flat=True))
    assert states == set(ApplicationState.values) - {ApplicationState.SUBMITTED}


def test_it_lets_the_personas_open_their_pages(demo, db, client):
    reviewer = _user("zj_reviewer")
    client.force_login(reviewer)
    page = client.get(reverse("share_requests:tasks")).content.decode()
    assert "待认领" in page
    first = selectors.task_list(reviewer).first().process.shareapplicationprocess.application
    assert first.reference in page
    assert client.get(first.get_absolute_url()).status_code == 200
    client.force_login(_user("zs_coordinator"))
    overdue = client.get(reverse("share_requests:overdue"))
    assert overdue.status_code == 200
    assert selectors.overdue_queue().first().reference in overdue.content.decode()


def test_it_pages_the_inbox_with_its_total(demo, db, client, monkeypatch):
    from requests.views import TaskListView

    monkeypatch.setattr(TaskListView, "page_size", 5)
    reviewer = _user("zj_reviewer")
    client.force_login(reviewer)
    references = [t.process.shareapplicationprocess.application.reference for t in selectors.task_list(reviewer)]
    first = client.get(reverse("share_requests:tasks")).content.decode()
    second = client.get(reverse("share_requests:tasks") + "?page=2").content.decode()
    assert all(ref in first for ref in references[:5]) and references[5] not in first
    assert all(ref in second for ref in references[5:10])
    assert "page=2" in first and "上一页" not in first
    assert f"共 {len(references)} 项" in first and f"共 {len(references)} 项" in second
    assert "sort=due&amp;page=1" in second and "sort=due&amp;page=3" in second
    assert client.get(reverse("share_requests:tasks") + "?page=x").status_code == 200


# --- application letters (申请函) ----------------------------------------------------------------


@pytest.fixture
def media(demo, settings):
    """Where the demo stored its files (the module fixture's override does not reach into the tests)."""
    settings.MEDIA_ROOT = str(demo["media"])


def test_it_attaches_a_letter_to_a_realistic_share_of_applications(demo, db):
    applications = ShareApplication.objects.all()
    with_letter = applications.filter(attachments__isnull=False).distinct()
    assert 0.4 <= with_letter.count() / applications.count() <= 0.8
    # Reviewers see most; 公安局's applicant has a few of their own; every correction brought one.
    assert with_letter.filter(state=ApplicationState.IN_REVIEW).count() >= 10
    assert with_letter.filter(applicant__username="ga_applicant").count() >= 3
    resubmitted = applications.filter(scenario__endswith="（已补正）")
    assert resubmitted.exists() and not resubmitted.filter(attachments__isnull=True).exists()
    assert not ApplicationAttachment.objects.exclude(content_type="application/pdf").exists()


def test_each_letter_is_a_real_one_page_pdf_about_its_application(demo, media, db):
    for attachment in ApplicationAttachment.objects.select_related(
        "application__resource__provider_department", "application__applicant_department"
    ).order_by("pk")[:5]:
        application = attachment.application
        department, resource = application.applicant_department, application.resource
        assert attachment.original_name == f"{department.name}关于申请共享{resource.name}的函.pdf"
        assert attachment.uploaded_by == application.applicant
        with attachment.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-") and len(content) == attachment.size < 120_000
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert missing_glyph_fonts(content) == []  # no tofu: the CJK font was found
        reader = PdfReader(io.BytesIO(content))
        assert len(reader.pages) == 1
        text = "".join(reader.pages[0].extract_text().split())
        for expected in (f"{resource.provider_department.name}：", resource.code, "妥否，请予函复。"):
            assert expected in text
        assert application.applicant.get_full_name() in text


def test_a_letter_downloads_for_the_parties_and_not_for_others(demo, media, db, client):
    attachment = (
        ApplicationAttachment.objects.filter(
            application__provider_department__code="TH-ZJ", application__state=ApplicationState.IN_REVIEW
        )
        .select_related("application__applicant_department")
        .first()
    )
    url = reverse("share_requests:attachment", args=[attachment.pk])
    applicant = attachment.application.applicant
    client.force_login(_user("zj_reviewer"))
    page = client.get(attachment.application.get_absolute_url()).content.decode()
    assert url in page and attachment.original_name in page
    for user in (_user("zj_reviewer"), applicant, _user("sj_auditor")):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment;" in response["Content-Disposition"]
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == attachment.sha256
    outsider = User.objects.exclude(department__code__in=["TH-ZJ", attachment.application.applicant_department.code])
    client.force_login(outsider.filter(username__endswith="_reviewer").first())
    assert client.get(url).status_code == 404


# --- a resource withdrawn after it was granted -----------------------------------------------------


def test_it_withdraws_a_granted_resource_and_its_grants_end(demo, db):
    [resource] = DataResource.objects.filter(status=ResourceStatus.WITHDRAWN, grants__isnull=False).distinct()
    assert resource.withdraw_reason == WITHDRAW_REASON
    assert not resource.grants.filter(state=GrantState.ACTIVE).exists()
    ended = resource.grants.filter(revoked_reason__contains=WITHDRAW_REASON.rstrip("。"))
    assert ended.exists()
    for grant in ended:
        assert Record.objects.filter(
            type=RecordType.REVOCATION_NOTICE, subject_type__model="grant", subject_id=str(grant.pk)
        ).exists()
        assert Notification.objects.filter(
            event="grant_revoked", subject_type__model="grant", subject_id=str(grant.pk)
        ).exists()
    assert f"目录撤销 {resource.code} {resource.name}：其 {ended.count()} 项授权随之撤销" in demo["first"]


def test_the_withdrawal_refuses_the_application_then_in_review(demo, db):
    [resource] = DataResource.objects.filter(status=ResourceStatus.WITHDRAWN, grants__isnull=False).distinct()
    [refused] = ShareApplication.objects.filter(resource=resource, decision__refusal_reason__code="RESOURCE_WITHDRAWN")
    assert refused.state == ApplicationState.REFUSED
    assert Record.objects.filter(
        type=RecordType.REFUSAL_NOTICE, subject_type__model="shareapplication", subject_id=str(refused.pk)
    ).exists()
    assert not ShareApplication.objects.filter(resource=resource, state__in=OPEN_STATES).exists()
    assert "在审申请 1 件不予授权（数据资源已从目录撤销）" in demo["first"]


def test_no_record_is_issued_before_the_application_it_decides_was_submitted(demo, db):
    submitted = dict(ShareApplication.objects.values_list("pk", "submitted_at"))
    by_grant = {
        grant_id: submitted[application_id]
        # A scenario's grant has no application: it was given on the scenario's authorization.
        for grant_id, application_id in Grant.objects.exclude(application=None).values_list("pk", "application_id")
    }
    checked = 0
    for record in Record.objects.select_related("subject_type"):
        model = record.subject_type.model
        if model == "shareapplication":
            moment = submitted[int(record.subject_id)]
        elif model == "grant" and int(record.subject_id) in by_grant:
            moment = by_grant[int(record.subject_id)]
        else:
            continue
        assert moment is not None and record.issued_at >= moment, record
        checked += 1
    assert checked >= 100


@pytest.mark.django_db
def test_every_demo_application_has_the_open_task_its_state_expects(demo):
    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    assert out.getvalue().startswith("OK:")
    # The demo holds applications in every state that has a task, so the check had something to check.
    assert set(ShareApplicationFlow.task_for_state) <= set(ShareApplication.objects.values_list("state", flat=True))


# The README's commands, run as a newcomer types them against this demo (tests/readme_commands.py).


def test_the_readme_commands_work_against_the_demo(demo, db):
    (answer,) = readme_commands.replay(README_TEXT).answers
    assert answer["allowed"] is True and answer["reason"] == "granted"
    assert answer["items_not_covered"] == []
    grant = Grant.objects.get(number=answer["grant_number"])
    assert grant.consumer_department.code == "TH-GA" and grant.resource.code == "220500-ZJ-00001"
    assert {"房屋坐落", "建筑面积"} <= {item.name for item in grant.items.all()}


@pytest.mark.parametrize(
    "edit",
    [
        ("items=房屋坐落,建筑面积", "items=房屋坐落,不存在的信息项"),
        ("consumer=TH-GA", "consumer=TH-SJ"),  # 审计局 holds no grant of it
        ("--department TH-ZS", "--department TH-NONE"),
        ("/api/grants/check", "/api/grants/chek"),
    ],
)
def test_a_readme_edited_into_a_command_that_does_not_work_fails(demo, db, edit):
    assert edit[0] in README_TEXT
    with pytest.raises((AssertionError, CommandError)):
        readme_commands.replay(README_TEXT.replace(*edit))


def test_it_authorizes_three_scenarios_keeps_one_in_review_and_one_suspended(demo, db):
    from requests.models import PartState, Scenario, ScenarioState

    states = dict(Scenario.objects.values_list("name", "state"))
    assert {name for name, state in states.items() if state == ScenarioState.AUTHORIZED} == {
        "公租房申请资格审核",
        "不动产登记一窗受理",
        "低保对象认定",
    }
    assert list(states.values()).count(ScenarioState.PROVIDER_REVIEW) == 1
    assert list(states.values()).count(ScenarioState.SUSPENDED) == 1
    in_review = Scenario.objects.get(state=ScenarioState.PROVIDER_REVIEW)
    partial = in_review.parts.get(state=PartState.PARTIALLY_CONFIRMED)
    assert partial.confirmed_items.count() == partial.items.count() - 1 and partial.adjustment_reason
    assert in_review.parts.filter(state=PartState.PENDING).exists()
    for scenario in Scenario.objects.filter(state=ScenarioState.AUTHORIZED):
        assert scenario.record is not None
        assert Grant.objects.filter(scenario=scenario, application=None, state=GrantState.ACTIVE).exists()
    suspended = Scenario.objects.get(state=ScenarioState.SUSPENDED)
    assert not Grant.objects.filter(scenario=suspended, state=GrantState.ACTIVE).exists()
    automatic = ShareApplication.objects.get(cited_scenario__isnull=False)
    assert automatic.state == ApplicationState.GRANTED and automatic.grant.scenario == automatic.cited_scenario
