"""Every free-text field has a limit (workflows.textlimits), enforced by its form, its model and its service;
a notice with the longest texts stays two pages."""

from __future__ import annotations

import importlib
import inspect
import io

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from pypdf import PdfReader

from catalog.models import DataResource, NegativeListEntry
from catalog.services import CatalogError, negative_entry_create, resource_return, resource_withdraw
from pdf_templates.models import Record, RecordType
from pdf_templates.services import render_record
from requests.models import Decision, Grant, RefusalReason, ShareApplication
from requests.services import ApplicationError, application_refuse, application_return, grant_revoke
from requests.services.grants import GrantError
from requests.services.validation import validate_application
from tests.requests.helpers import application_data, make_application
from workflows import textlimits

pytestmark = pytest.mark.django_db

OUR_APPS = (
    "organizations",
    "workflows",
    "notifications",
    "pdf_templates",
    "catalog",
    "share_requests",
    "systems_inventory",
)
# Text the system writes, never a person: snapshots, rendered messages, error logs, audit comments (built by
# the services from texts that were checked against their own limits).
SYSTEM_TEXT = {
    "pdf_templates.record.snapshot",
    "pdf_templates.record.last_error",
    "workflows.auditevent.comment",
    "notifications.notification.body",
    "notifications.outboundemail.body_text",
    "notifications.outboundemail.body_html",
    "notifications.outboundemail.last_error",
}


def _text_fields():
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.CharField | models.TextField) and not field.choices:
                    yield f"{model._meta.label_lower}.{field.name}", field


def test_every_text_field_people_fill_has_a_limit_its_model_enforces():
    names = {name for name, _ in _text_fields()}
    assert SYSTEM_TEXT <= names, "a system text field listed here is gone: drop it from SYSTEM_TEXT"
    unbounded = []
    for name, field in _text_fields():
        if name in SYSTEM_TEXT:
            continue
        limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
        if not field.max_length or field.max_length not in limits:
            unbounded.append(name)
    assert unbounded == []


def _form_classes():
    for app in OUR_APPS:
        module_name = f"{apps.get_app_config(app).name}.forms"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name and hasattr(cls, "base_fields"):
                yield cls


def test_every_text_field_of_every_form_has_a_limit():
    classes = list(_form_classes())
    assert {"RefuseForm", "RevokeForm", "ReturnForm", "DataResourceForm"} <= {cls.__name__ for cls in classes}
    unbounded = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if type(field) in (forms.CharField, forms.SlugField, forms.RegexField) and not field.max_length
    ]
    assert unbounded == []


def test_a_model_refuses_an_over_long_text_in_full_clean():
    decision = Decision(refusal_text="长" * (textlimits.NOTICE_REASON + 1))
    with pytest.raises(ValidationError) as exc:
        decision.full_clean()
    assert "refusal_text" in exc.value.message_dict


def _over(limit: int) -> str:
    return "超" * (limit + 1)


def test_the_share_services_refuse_over_long_texts(gongan_applicant, housing_resource, housing_grant, zhujian_reviewer):
    items = list(housing_resource.items.all())
    with pytest.raises(ApplicationError) as exc:
        validate_application(
            resource=housing_resource,
            data=application_data(need_legal_basis=_over(textlimits.BASIS)),
            items=items,
        )
    assert "need_legal_basis" in exc.value.errors

    application = make_application(gongan_applicant, housing_resource)
    reason = RefusalReason.objects.get(code="SCOPE_EXCESSIVE")
    with pytest.raises(ApplicationError) as exc:
        application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text=_over(textlimits.NOTICE_REASON))
    assert "text" in exc.value.errors and str(textlimits.NOTICE_REASON) in exc.value.errors["text"][0]
    with pytest.raises(ApplicationError) as exc:
        application_return(actor=zhujian_reviewer, obj=application, comment=_over(textlimits.COMMENT))
    assert "comment" in exc.value.errors
    assert not Decision.objects.filter(application=application).exists()

    with pytest.raises(GrantError):
        grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason=_over(textlimits.NOTICE_REASON))
    assert Grant.objects.get(pk=housing_grant.pk).revoked_reason == ""


def test_the_catalog_services_refuse_over_long_texts(housing_resource, coordinator, privacy_law):
    with pytest.raises(CatalogError) as exc:
        resource_withdraw(actor=coordinator, obj=housing_resource, reason=_over(textlimits.CITED_REASON))
    assert "reason" in exc.value.errors
    with pytest.raises(CatalogError) as exc:
        negative_entry_create(
            actor=coordinator, resource=housing_resource, legal_basis=privacy_law, reason=_over(textlimits.CITED_REASON)
        )
    assert "reason" in exc.value.errors
    assert not NegativeListEntry.objects.exists()
    assert DataResource.objects.get(pk=housing_resource.pk).withdraw_reason == ""


def test_a_returned_entry_comment_is_bounded(zhujian_clerk, coordinator, zhujian):
    from catalog.services import resource_create, resource_submit
    from tests.catalog.factories import ITEMS, resource_data

    resource = resource_create(actor=zhujian_clerk, data=resource_data(zhujian), items=ITEMS)
    resource = resource_submit(actor=zhujian_clerk, obj=resource)
    with pytest.raises(CatalogError) as exc:
        resource_return(actor=coordinator, obj=resource, comment=_over(textlimits.COMMENT))
    assert "comment" in exc.value.errors


def _pages(record) -> int:
    record.refresh_from_db()
    with record.pdf.open("rb") as handle:
        return len(PdfReader(io.BytesIO(handle.read())).pages)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_refusal_with_the_longest_texts_is_a_two_page_notice(
    media_root, gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource)
    reason = RefusalReason.objects.get(code="LAW_PROHIBITED")
    text = ("所申请信息项超出办理事项所需范围，且涉及个人隐私。" * 40)[: textlimits.NOTICE_REASON]
    citation = ("《中华人民共和国个人信息保护法》第六条、第十三条" * 20)[
        : textlimits.limit_of(Decision, "legal_basis_citation")
    ]
    decision = application_refuse(actor=zhujian_reviewer, obj=application, reason=reason, text=text, citation=citation)
    render_record(record_id=decision.record.pk)
    assert _pages(decision.record) <= 2


def test_a_revocation_with_the_longest_reason_is_a_two_page_notice(media_root, housing_grant, zhujian_reviewer):
    reason = ("被授权部门超出约定用途使用数据并向第三方提供" * 40)[: textlimits.NOTICE_REASON]
    grant_revoke(actor=zhujian_reviewer, obj=housing_grant, reason=reason)
    record = Record.objects.get(type=RecordType.REVOCATION_NOTICE)
    render_record(record_id=record.pk)
    assert _pages(record) <= 2


def test_application_texts_take_the_model_limits():
    for name in ("scenario", "business_matter", "call_volume", "need_legal_basis", "earlier_outcome"):
        assert textlimits.limit_of(ShareApplication, name)


def test_the_catalog_api_refuses_an_over_long_description(client, gongan_applicant, zhujian):
    from tests.catalog.test_api import check

    client.force_login(gongan_applicant)
    assert check(client)[0] == 200
    status, body = check(client, description=_over(textlimits.DESCRIPTION))
    assert status == 400 and "description" in body


def test_the_catalog_import_refuses_an_over_long_description(zhujian, zhujian_clerk):
    from catalog.services import import_workbook
    from tests.catalog.xlsx import item_row, resource_row, workbook_bytes

    file = workbook_bytes(
        [resource_row("220500-ZJ-00001", 资源摘要=_over(textlimits.DESCRIPTION))],
        [item_row("220500-ZJ-00001", "姓名")],
    )
    result = import_workbook(file, actor=zhujian_clerk, department=zhujian, submit_after=False)
    assert not result.ok and any(error["column"] == "资源摘要" for error in result.errors)
    assert not DataResource.objects.exists()


def test_a_partial_grant_with_the_longest_texts_is_a_two_page_opinion(
    media_root, gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader
):
    from requests.services import application_countersign, application_grant
    from tests.requests.helpers import full_terms, level2_items

    application = make_application(gongan_applicant, housing_resource)
    terms = full_terms(
        application,
        items=level2_items(housing_resource),
        conditions=("仅限户口迁入登记业务使用，不得向第三方提供。" * 60)[: textlimits.CONDITIONS],
        adjustment_reason=("所申请的产权人信息为三级数据，与办理事项无关。" * 40)[: textlimits.NOTICE_REASON],
    )
    decision = application_grant(actor=zhujian_reviewer, obj=application, terms=terms)
    if decision.record_id is None:
        application_countersign(actor=zhujian_leader, obj=application, approve=True)
        decision.refresh_from_db()
    render_record(record_id=decision.record.pk)
    assert _pages(decision.record) <= 2


def test_an_automatic_refusal_quoting_the_longest_name_and_reason_fits_its_field_and_two_pages(
    media_root, gongan_applicant, housing_resource, coordinator
):
    """The system writes this refusal itself, from a resource's name and its withdrawal's reason: each within
    its limit, together they would not be, so the longest part is shortened to fit."""
    from requests.services import refuse_for_withdrawn_resources

    application = make_application(gongan_applicant, housing_resource)
    DataResource.objects.filter(pk=housing_resource.pk).update(name=("住房和城乡建设局不动产登记信息" * 20)[:200])
    resource_withdraw(
        actor=coordinator,
        obj=DataResource.objects.get(pk=housing_resource.pk),
        reason=("数据源系统已停用，相关业务已并入省级平台统一办理" * 20)[: textlimits.CITED_REASON],
    )
    assert refuse_for_withdrawn_resources() == 1
    decision = Decision.objects.get(application=application)
    assert len(decision.refusal_text) <= textlimits.NOTICE_REASON
    assert decision.refusal_text.endswith("），不再共享。") and "…" in decision.refusal_text
    decision.full_clean()
    render_record(record_id=decision.record.pk)
    assert _pages(decision.record) <= 2


def test_a_negative_list_refusal_citing_the_longest_basis_fits_its_fields(
    gongan_applicant, housing_resource, coordinator, privacy_law
):
    from catalog.models import LegalBasis

    LegalBasis.objects.filter(pk=privacy_law.pk).update(
        title=("《中华人民共和国个人信息保护法》" * 20)[: textlimits.limit_of(LegalBasis, "title") or 200]
    )
    privacy_law.refresh_from_db()
    negative_entry_create(
        actor=coordinator,
        resource=housing_resource,
        legal_basis=privacy_law,
        reason=("涉及个人隐私，依法不予共享" * 40)[: textlimits.CITED_REASON],
        items=housing_resource.items.filter(name="建筑面积"),
    )
    application = make_application(gongan_applicant, housing_resource)
    decision = Decision.objects.get(application=application)
    assert len(decision.refusal_text) <= textlimits.NOTICE_REASON
    assert len(decision.legal_basis_citation) <= textlimits.CITATION
    decision.full_clean()


def test_composed_texts_shorten_the_longest_part_to_fit():
    text = textlimits.composed("资源“{name}”撤销（{reason}）。", 20, name="甲" * 30, reason="乙乙")
    assert len(text) <= 20 and text.endswith("（乙乙）。") and "…" in text
    assert textlimits.composed("{a}{b}", 10, a="短", b="也短") == "短也短"


def test_record_titles_shorten_the_longest_names_to_fit(housing_grant, zhujian_reviewer):
    """A resource name at its 200-character limit would give a 230-character title (over Record.title's
    column) and a title that fills half a page: the names are shortened instead."""
    long_name = ("住房和城乡建设局不动产登记信息" * 20)[:200]
    DataResource.objects.filter(pk=housing_grant.resource_id).update(name=long_name)
    grant = Grant.objects.get(pk=housing_grant.pk)
    grant_revoke(actor=zhujian_reviewer, obj=grant, reason="超范围使用")
    record = Record.objects.get(type=RecordType.REVOCATION_NOTICE)
    assert len(record.title) <= textlimits.TITLE
    assert record.title.startswith("关于撤销市公安局“住房和城乡建设局") and record.title.endswith("…”共享授权的通知")
