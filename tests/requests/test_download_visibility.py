"""Every download about a subject decides with the subject's own visibility rule (workflows.visibility).

The example: the bureau and auditors could download the trail of another department's draft withdrawn before
it was sent, whose page is 404 to them. The class: every registered subject type's trail asks the registry,
an unregistered type is refused, and every subject that records or events are written about is registered.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse

from catalog.models import AuthoritativeSource, DemandItem, ImportJob, NegativeListEntry
from dashboard.models import Bulletin, ScoreWeights
from pdf_templates.models import Record, RecordType
from pdf_templates.services import issue_record
from pdf_templates.views import trail_url
from project_approvals.models import ConstructionProject
from requests.models import ApiToken, Scenario, ScenarioPart, ShareApplication
from requests.services import application_withdraw
from systems_inventory.models import DepartmentReport, ShutdownCase
from tests.requests.helpers import attach_letter, make_application
from tests.systems_inventory.helpers import make_campaign, make_system
from workflows import visibility
from workflows.audit import record_event
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_withdrawn_draft_trail_is_404_to_whoever_cannot_open_its_page(
    gongan_applicant, coordinator, auditor, zhujian_reviewer, open_resource
):
    draft = make_application(gongan_applicant, open_resource, submit=False)
    draft = application_withdraw(actor=gongan_applicant, obj=draft)
    assert draft.submitted_at is None
    assert AuditEvent.objects.filter(subject_id=str(draft.pk)).exists()
    for user in (coordinator, auditor, zhujian_reviewer):
        client = _client(user)
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(trail_url(draft)).status_code == 404
    assert _client(gongan_applicant).get(draft.get_absolute_url()).status_code == 200


def test_a_withdrawn_submitted_application_trail_is_the_bureau_s(
    gongan_applicant, coordinator, auditor, housing_resource
):
    """Sent, then withdrawn: the bureau and auditors open its page, and download its trail."""
    application = make_application(gongan_applicant, housing_resource)
    application_withdraw(actor=gongan_applicant, obj=application)
    for user in (coordinator, auditor):
        client = _client(user)
        assert client.get(application.get_absolute_url()).status_code == 200
        assert client.get(trail_url(application)).status_code == 200


def test_an_attachment_of_a_withdrawn_draft_is_404_to_whoever_cannot_open_its_page(
    gongan_applicant, coordinator, auditor, open_resource
):
    draft = make_application(gongan_applicant, open_resource, submit=False)
    attachment = attach_letter(draft)
    application_withdraw(actor=gongan_applicant, obj=draft)
    url = reverse("share_requests:attachment", args=[attachment.pk])
    for user in (coordinator, auditor):
        assert _client(user).get(url).status_code == 404
    assert _client(gongan_applicant).get(url).status_code == 200


def _subjects(housing_grant, gongan, gongan_applicant, coordinator, privacy_law) -> dict[str, object]:
    """One subject of every type that records and events are written about."""
    application = housing_grant.application
    resource = housing_grant.resource
    campaign = make_campaign(coordinator, state="launched")
    scenario = Scenario.objects.create(
        name="公租房申请资格审核",
        business_matter="公租房申请",
        purposes=["fewer_materials"],
        valid_from=housing_grant.valid_from,
        valid_to=housing_grant.valid_to,
        legal_basis="《公共租赁住房管理办法》第七条",
        proposing_department=gongan,
        proposed_by=gongan_applicant,
    )
    return {
        "share_requests.scenario": scenario,
        "share_requests.scenariopart": ScenarioPart.objects.create(
            scenario=scenario,
            resource=resource,
            provider_department=resource.provider_department,
            share_method="bulk_exchange",
            legal_basis="《公共租赁住房管理办法》第七条",
        ),
        "share_requests.shareapplication": application,
        "share_requests.grant": housing_grant,
        "share_requests.apitoken": ApiToken.objects.create(
            name="测试系统", department=gongan, prefix="gsk_test", token_hash="f" * 64
        ),
        "catalog.dataresource": resource,
        "catalog.authoritativesource": AuthoritativeSource.objects.create(
            datum="房屋坐落", item=resource.items.get(name="房屋坐落"), designated_by=coordinator
        ),
        "catalog.demanditem": DemandItem.objects.create(
            department=gongan,
            data_name="结婚证",
            business_matter="户籍迁移",
            purpose="fewer_materials",
            share_method="query_api",
            update_frequency="daily",
            created_by=gongan_applicant,
        ),
        "catalog.negativelistentry": NegativeListEntry.objects.create(
            resource=resource, legal_basis=privacy_law, reason="涉及个人隐私", created_by=coordinator
        ),
        "catalog.importjob": ImportJob.objects.create(
            file="catalog/imports/x.xlsx", original_name="x.xlsx", created_by=coordinator
        ),
        "organizations.department": gongan,
        "organizations.user": gongan_applicant,
        "pdf_templates.record": Record.objects.filter(subject_id=str(application.pk)).first(),
        "systems_inventory.infosystem": make_system(gongan),
        "systems_inventory.campaign": campaign,
        "systems_inventory.departmentreport": DepartmentReport.objects.create(campaign=campaign, department=gongan),
        "systems_inventory.shutdowncase": ShutdownCase.objects.create(
            system=make_system(gongan, name="旧版系统"), origin="scan"
        ),
        # Sent to the bureau (a draft is its department's alone).
        "project_approvals.constructionproject": ConstructionProject.objects.create(
            department=gongan,
            name="警务数据中台",
            project_type="new_build",
            year=2026,
            description="建设",
            sharing_plan="接入共享平台",
            deployment="gov_cloud",
            created_by=gongan_applicant,
            state="in_review",
        ),
        "dashboard.bulletin": Bulletin.objects.create(
            title="情况通报",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 31),
            progress="进展",
            problems="问题",
            next_steps="下一步",
        ),
        "dashboard.scoreweights": ScoreWeights.objects.create(version=1),
    }


def test_every_registered_subject_type_trail_follows_its_visibility_rule(
    monkeypatch, housing_grant, gongan, gongan_applicant, coordinator, auditor, privacy_law
):
    subjects = _subjects(housing_grant, gongan, gongan_applicant, coordinator, privacy_law)
    assert set(visibility.registered()) == set(subjects), "a new subject type: add one here"
    client = _client(coordinator)  # the bureau: every rule says yes to it for these subjects
    for label, subject in subjects.items():
        with transaction.atomic():
            record_event(subject=subject, action="test.noted", comment="探针")
        url = trail_url(subject)
        rule = visibility._RULES[label]
        monkeypatch.setitem(visibility._RULES, label, lambda user, obj: False)
        hidden = client.get(url)
        # Records about it that the auditor may open still come, but never the subject's own events.
        if hidden.status_code == 200:
            assert b"\xe6\x8e\xa2\xe9\x92\x88" not in b"".join(hidden.streaming_content), label  # 探针
        else:
            assert hidden.status_code == 404, label
        monkeypatch.setitem(visibility._RULES, label, rule)
        assert client.get(url).status_code == 200, label


def test_a_subject_with_no_visible_record_is_404_wherever_its_rule_says_no(
    monkeypatch, housing_grant, gongan, gongan_applicant, coordinator, auditor, privacy_law
):
    """No record about it to open, and its page closed: nothing to download."""
    subjects = _subjects(housing_grant, gongan, gongan_applicant, coordinator, privacy_law)
    client = _client(auditor)
    for label, subject in subjects.items():
        if Record.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
        ).exists():
            continue
        with transaction.atomic():
            record_event(subject=subject, action="test.noted", comment="探针")
        monkeypatch.setitem(visibility._RULES, label, lambda user, obj: False)
        assert client.get(trail_url(subject)).status_code == 404, label


def test_an_unregistered_subject_type_is_refused_even_to_auditors(auditor, privacy_law, gongan):
    assert not visibility.is_registered(privacy_law)
    with transaction.atomic():
        record_event(subject=privacy_law, action="test.noted", comment="探针")
        issue_record(
            type=RecordType.REFUSAL_NOTICE,
            subject=privacy_law,
            issuer=gongan,
            data={"reason": "测试", "legal_basis": "测试"},
            actor=auditor,
        )
    assert visibility.can_view(auditor, privacy_law) is False
    response = _client(auditor).get(trail_url(privacy_law))
    # The record itself the auditor may open; the unregistered subject's own events never come.
    assert b"\xe6\x8e\xa2\xe9\x92\x88" not in b"".join(response.streaming_content)


def test_every_subject_of_an_event_or_a_record_is_a_registered_type(
    housing_grant, gongan, gongan_applicant, coordinator, privacy_law, zhujian_reviewer
):
    """What the services write events and records about (a whole grant's life here) is registered."""
    _subjects(housing_grant, gongan, gongan_applicant, coordinator, privacy_law)
    written = set(AuditEvent.objects.values_list("subject_type", flat=True)) | set(
        Record.objects.values_list("subject_type", flat=True)
    )
    labels = {ContentType.objects.get_for_id(pk).model_class()._meta.label_lower for pk in written}
    assert labels and labels <= set(visibility.registered())


def test_every_model_with_a_page_is_registered():
    with_page = {model._meta.label_lower for model in apps.get_models() if hasattr(model, "get_absolute_url")}
    assert {"share_requests.shareapplication", "share_requests.grant"} <= with_page
    assert with_page <= set(visibility.registered())


def test_the_registry_refuses_anonymous_users_and_missing_subjects(gongan_applicant, open_resource):
    from django.contrib.auth.models import AnonymousUser

    application = make_application(gongan_applicant, open_resource)
    assert visibility.can_view(gongan_applicant, application)
    assert not visibility.can_view(AnonymousUser(), application)
    assert not visibility.can_view(gongan_applicant, None)
    assert isinstance(application, ShareApplication)


# Downloads that take no subject: the empty import template, and exports of lists that their selectors bound
# (the published catalog's search, the user's own department's entries, the scenarios the user may see).
NOT_OF_A_SUBJECT = {
    "catalog/views.py:TemplateDownloadView",
    "catalog/views.py:ExportView",
    "requests/views/scenarios.py:ScenarioExportView",
    "systems_inventory/views/register.py:RegisterExportView",  # the register's search, bounded by its selector
    "systems_inventory/views/common.py:xlsx_response",  # the answer of the views that decided
    # The usage template: the user's own department's systems in use (selectors.activity_overview).
    "systems_inventory/views/activity.py:ActivityTemplateView",
}
# What a download of a subject decides with: the registry, or a selector built on the rule it registers.
VISIBILITY_NAMES = {"visibility", "sees_subject", "_subject_trail", "_visible_record", "records_visible_to"}
VISIBILITY_NAMES |= {"visible_report", "visible_campaign", "visible_case"}  # systems_inventory's: the registry
DOWNLOADS = {"FileResponse", "StreamingHttpResponse", "Content-Disposition", "xlsx_response"}


def _view_modules():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    for app in (
        "organizations",
        "workflows",
        "notifications",
        "pdf_templates",
        "catalog",
        "requests",
        "systems_inventory",
    ):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(root).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _names(node) -> set[str]:
    import ast

    found = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(child.id)
        elif isinstance(child, ast.Attribute):
            found.add(child.attr)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.add(child.value)
    return found


def test_every_download_view_decides_with_the_subject_visibility():
    """A new download (a view answering with a file) asks the registry, or says why it takes no subject."""
    import ast

    downloads, unchecked = set(), []
    for path, tree in _view_modules():
        for node in tree.body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and _names(node) & DOWNLOADS:
                name = f"{path}:{node.name}"
                downloads.add(name)
                if name not in NOT_OF_A_SUBJECT and not _names(node) & VISIBILITY_NAMES:
                    unchecked.append(name)
    assert {
        "pdf_templates/views.py:TrailDownloadView",
        "pdf_templates/views.py:RecordPdfView",
        "requests/views/lists.py:AttachmentView",
    } <= downloads
    assert NOT_OF_A_SUBJECT <= downloads
    assert unchecked == []


def test_a_record_pdf_is_404_to_whoever_cannot_open_the_record(
    gongan_applicant, housing_resource, zhujian_reviewer, caizheng
):
    from organizations.roles import Role
    from tests.factories import UserFactory

    application = make_application(gongan_applicant, housing_resource)
    record = Record.objects.filter(subject_id=str(application.pk)).first() or issue_record(
        type=RecordType.REFUSAL_NOTICE,
        subject=application,
        issuer=application.provider_department,
        data={"reason": "测试", "legal_basis": "测试"},
        actor=zhujian_reviewer,
    )
    stranger = UserFactory(department=caizheng, roles=[Role.APPLICANT])
    client = _client(stranger)
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("records:pdf", args=[record.pk])).status_code == 404
    assert client.get(trail_url(application)).status_code == 404


def test_the_catalog_export_holds_only_entries_the_user_may_see(client, gongan_applicant, housing_resource, zhujian):
    """An export is a list: each row is an entry the exporter may open (catalog.permissions.can_view)."""
    import io

    from openpyxl import load_workbook

    from catalog.models import DataResource
    from catalog.permissions import can_view
    from tests.catalog.factories import DataResourceFactory

    draft = DataResourceFactory(provider_department=zhujian, items=["坐落"])
    assert not can_view(gongan_applicant, draft) and can_view(gongan_applicant, housing_resource)
    client.force_login(gongan_applicant)
    response = client.get(reverse("catalog:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["资源"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert housing_resource.code in codes and draft.code not in codes
    assert all(can_view(gongan_applicant, DataResource.objects.get(code=code)) for code in codes)
