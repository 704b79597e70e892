import json
import re
from collections import Counter
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from catalog import rules
from catalog.forms import MSG_ALREADY_NEGATIVE, MSG_BAD_FILTER, MSG_MOUNTED_IN_FUTURE, MSG_UNKNOWN_PUBLISHED_CODE
from catalog.limits import MAX_ITEMS_PER_RESOURCE
from catalog.models import (
    BaseLibraryTarget,
    DataItem,
    DataResource,
    DemandItem,
    ImportJob,
    NegativeListEntry,
    ResourceStatus,
)
from catalog.services import resource_register, resource_submit
from catalog.views import MSG_EXPORT_BAD_FILTER
from tests import formpost
from tests.catalog.factories import DataResourceFactory, LegalBasisFactory
from tests.catalog.xlsx import item_row, resource_row, workbook_bytes
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=DEFAULT_PASSWORD)
    return client


def form_data(**overrides):
    data = {
        "code": "220500-ZJ-00010",
        "name": "住房保障对象信息",
        "description": "公租房保障对象",
        "domain": "urban_housing",
        "share_class": "unconditional",
        "security_level": "2",
        "network": "extranet",
        "update_frequency": "monthly",
        "query_api": "on",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-name": "姓名",
        "items-0-data_type": "C",
        "items-0-length": "50",
        "items-1-name": "保障面积",
        "items-1-data_type": "N",
        "items-1-length": "8",
        "items-1-precision": "2",
        "items-1-security_level": "3",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def published(department, bureau, staff, **kwargs):
    resource = DataResourceFactory(provider_department=department, **kwargs)
    resource_submit(actor=staff, obj=resource)
    return resource_register(actor=bureau, obj=resource)


def test_it_creates_an_entry_through_the_form(client, zhujian_clerk):
    login(client, zhujian_clerk)
    response = client.post(reverse("catalog:resource_create"), form_data())
    assert response.status_code == 302
    resource = DataResource.objects.get(code="220500-ZJ-00010")
    assert resource.provider_department == zhujian_clerk.department and resource.status == ResourceStatus.DRAFT
    assert [(i.name, i.security_level) for i in resource.items.all()] == [("姓名", 2), ("保障面积", 3)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"share_class": "conditional", "legal_basis_text": "《条例》第五条"}, rules.MSG_CONDITIONAL_NEEDS_CONDITIONS),
        ({"share_class": "conditional", "share_conditions": "仅限核验"}, rules.MSG_CONDITIONAL_NEEDS_LEGAL_BASIS),
        ({"share_class": "none", "query_api": None, "legal_basis_text": "有关规定"}, rules.MSG_NONE_NEEDS_LEGAL_BASIS),
        ({"query_api": None}, rules.MSG_NEEDS_METHOD),
        (
            {
                "items-0-name": "",
                "items-0-data_type": "",
                "items-0-length": "",
                "items-1-name": "",
                "items-1-data_type": "",
                "items-1-length": "",
                "items-1-precision": "",
                "items-1-security_level": "",
            },
            rules.MSG_NEEDS_ITEM,
        ),
        ({"items-0-length": ""}, rules.MSG_ITEM_NEEDS_LENGTH),
        ({"items-1-security_level": "1"}, rules.MSG_ITEM_LEVEL_TOO_LOW),
        ({"code": "GA-001"}, rules.MSG_CODE_FORMAT),
        (
            {"code": "220500-GA-00010"},
            rules.MSG_CODE_DEPARTMENT.format(department="市住建局", expected="ZJ", example="220500-ZJ-00010"),
        ),
    ],
)
def test_it_shows_each_rule_as_a_form_error(client, zhujian_clerk, overrides, message):
    login(client, zhujian_clerk)
    response = client.post(reverse("catalog:resource_create"), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DataResource.objects.exists()


def test_it_hides_other_departments_drafts_and_refuses_their_edits(
    client, zhujian, gongan_leader, zhujian_clerk, coordinator
):
    draft = DataResourceFactory(provider_department=zhujian)
    login(client, gongan_leader)
    assert client.get(reverse("catalog:resource_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("catalog:resource_edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("catalog:resource_action", args=[draft.pk, "submit"])).status_code == 404
    registered = published(zhujian, coordinator, zhujian_clerk)
    assert client.get(reverse("catalog:resource_detail", args=[registered.pk])).status_code == 200
    assert client.get(reverse("catalog:resource_edit", args=[registered.pk])).status_code == 403
    response = client.post(reverse("catalog:resource_edit", args=[registered.pk]), form_data(name="篡改"))
    assert response.status_code == 403
    assert (
        client.post(reverse("catalog:resource_action", args=[registered.pk, "withdraw"]), {"reason": "x"}).status_code
        == 403
    )
    registered = DataResource.objects.get(pk=registered.pk)
    assert registered.status == ResourceStatus.REGISTERED and registered.name != "篡改"
    # Department staff are not the bureau.
    login(client, zhujian_clerk)
    assert client.get(reverse("catalog:review")).status_code == 403
    assert client.get(reverse("catalog:completeness")).status_code == 403


def test_it_reviews_and_amends_over_http(client, zhujian_clerk, coordinator):
    login(client, zhujian_clerk)
    client.post(reverse("catalog:resource_create"), form_data())
    resource = DataResource.objects.get()
    client.post(reverse("catalog:resource_action", args=[resource.pk, "submit"]))
    login(client, coordinator)
    queue = client.get(reverse("catalog:review"))
    assert resource.name in queue.content.decode()
    response = client.post(reverse("catalog:resource_action", args=[resource.pk, "register"]), {"comment": "符合规范"})
    assert response.status_code == 302
    resource = DataResource.objects.get(pk=resource.pk)
    assert resource.status == ResourceStatus.REGISTERED and resource.version == 1

    login(client, zhujian_clerk)
    items = list(resource.items.all())
    data = form_data(
        name="住房保障对象信息（新）",
        **{
            "items-INITIAL_FORMS": "2",
            "items-0-id": str(items[0].pk),
            "items-1-id": str(items[1].pk),
        },
    )
    response = client.post(reverse("catalog:resource_edit", args=[resource.pk]), data)
    assert response.status_code == 302
    resource = DataResource.objects.get(pk=resource.pk)
    assert resource.version == 2 and resource.name == "住房保障对象信息（新）"
    detail = client.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    assert "v2" in detail and "资源名称" in detail
    old = client.get(reverse("catalog:version_detail", args=[resource.pk, 1])).content.decode()
    assert "住房保障对象信息" in old and "（新）" not in old
    # In words a reviewer reads: labels, choice labels and 是/否, not keys, codes and dicts.
    facts = old[old.index('<dl class="cat-facts">') :].split("</dl>")[0]
    assert "共享类型" in facts and "数据领域" in facts and "提供部门</dt><dd>市住建局" in facts
    for raw in ("share_class", "conditional", "query_api", "True", "False", "{'id'"):
        assert raw not in facts, raw


def test_it_searches_by_filters_and_item_names(client, zhujian, zhujian_clerk, coordinator, gongan_applicant):
    published(
        zhujian,
        coordinator,
        zhujian_clerk,
        name="房屋登记信息",
        items=["房屋坐落", "不动产单元号"],
        base_library="housing",
    )
    published(
        zhujian,
        coordinator,
        zhujian_clerk,
        name="公租房信息",
        share_class="conditional",
        share_conditions="限保障审核",
        legal_basis_text="《公租房管理办法》第十条",
        bulk_exchange=True,
        query_api=False,
    )
    DataResourceFactory(provider_department=zhujian, name="草稿资源不可见")
    login(client, gongan_applicant)
    page = client.get(reverse("catalog:index")).content.decode()
    assert "房屋登记信息" in page and "公租房信息" in page and "草稿资源不可见" not in page
    page = client.get(reverse("catalog:index"), {"q": "不动产单元"}).content.decode()
    assert "房屋登记信息" in page and "公租房信息" not in page
    page = client.get(reverse("catalog:index"), {"method": "bulk_exchange"}).content.decode()
    assert "公租房信息" in page and "房屋登记信息" not in page
    page = client.get(
        reverse("catalog:index"), {"base_library": "housing", "share_class": "unconditional"}
    ).content.decode()
    assert "房屋登记信息" in page and "公租房信息" not in page


def test_it_shows_the_class_conditions_and_legal_basis_on_the_resource_page(
    client, zhujian, zhujian_clerk, coordinator, gongan_applicant, zhujian_reviewer, auditor
):
    basis = LegalBasisFactory(code="LB-100", title="《不动产登记暂行条例》", article="第二十七条")
    resource = published(
        zhujian,
        coordinator,
        zhujian_clerk,
        share_class="conditional",
        share_conditions="仅限办理登记",
        legal_basis=basis,
    )
    login(client, gongan_applicant)
    page = client.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    assert "有条件共享" in page and "仅限办理登记" in page and "《不动产登记暂行条例》第二十七条" in page
    # The share-application page exists: the link shows to another department's applicant,
    # not to those who may not apply for it (a reviewer, an auditor, the provider's own staff).
    assert f'?resource={resource.pk}" data-testid="apply"' in page
    for user in (zhujian_reviewer, auditor, zhujian_clerk):
        login(client, user)
        page = client.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
        assert 'data-testid="apply"' not in page, user


def test_the_resource_page_shows_its_record_to_its_department_the_bureau_and_auditors(
    client, zhujian, zhujian_clerk, coordinator, gongan_applicant, auditor
):
    resource = published(zhujian, coordinator, zhujian_clerk)
    url = reverse("catalog:resource_detail", args=[resource.pk])

    for user in (zhujian_clerk, coordinator, auditor):
        login(client, user)
        page = client.get(url).content.decode()
        events = page[page.index('data-testid="events"') :]
        assert "提交注册审核" in events and "已注册" in events and "catalog.resource_" not in events, user
    assert 'data-testid="trail"' in page  # the auditor's download
    login(client, gongan_applicant)
    page = client.get(url).content.decode()
    assert 'data-testid="events"' not in page and 'data-testid="trail"' not in page


def test_it_imports_over_http_and_lists_every_error(client, zhujian, zhujian_clerk):
    login(client, zhujian_clerk)
    template = client.get(reverse("catalog:template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = workbook_bytes([resource_row("220500-ZJ-00001", 共享类型="有条件共享")], [item_row("220500-ZJ-00001")])
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("bad.xlsx", bad.read())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.FAILED
    page = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert rules.MSG_CONDITIONAL_NEEDS_CONDITIONS in page and "共享条件" in page
    assert not DataResource.objects.exists()

    good = workbook_bytes(
        [resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001"), item_row("220500-ZJ-00001", "地址")]
    )
    client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("good.xlsx", good.read()), "submit_after": "on"})
    job = ImportJob.objects.latest("id")
    status = json.loads(client.get(reverse("catalog:import_job_status", args=[job.pk])).content)
    assert status["status"] == "succeeded" and status["progress"] == 100 and status["items_created"] == 2
    page = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
    assert "新增资源 1 个、信息项 2 个" in page
    assert DataResource.objects.get().status == ResourceStatus.SUBMITTED


def test_it_refuses_imports_and_job_pages_to_others(client, zhujian_clerk, gongan_applicant, auditor):
    login(client, auditor)
    assert client.get(reverse("catalog:import")).status_code == 403
    login(client, zhujian_clerk)
    file = workbook_bytes([resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001")])
    client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("a.xlsx", file.read())})
    job = ImportJob.objects.get()
    login(client, gongan_applicant)
    assert client.get(reverse("catalog:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("catalog:import_job_status", args=[job.pk])).status_code == 404


def test_it_runs_large_imports_as_a_task(client, zhujian, zhujian_clerk, settings, django_capture_on_commit_callbacks):
    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = 10
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from project.celery import app

    app.conf.task_always_eager = True
    try:
        login(client, zhujian_clerk)
        file = workbook_bytes([resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001")])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("big.xlsx", file.read())})
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.PENDING and len(callbacks) == 1
        page = client.get(reverse("catalog:import_job", args=[job.pk])).content.decode()
        assert "cat-progress" in page and "import_job_status" not in page  # the poll URL is resolved
        callbacks[0]()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.SUCCEEDED and DataResource.objects.count() == 1
        # Running the same job again changes nothing.
        from catalog.tasks import run_import_job

        run_import_job.delay(job.pk)
        assert DataResource.objects.count() == 1 and DataItem.objects.count() == 1
    finally:
        app.conf.task_always_eager = False


def test_it_exports_the_search_as_a_workbook(client, zhujian, zhujian_clerk, coordinator, gongan_applicant, auditor):
    published(zhujian, coordinator, zhujian_clerk, name="房屋登记信息")
    login(client, gongan_applicant)
    response = client.get(reverse("catalog:export"))
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(wb["资源"].iter_rows(values_only=True))
    assert rows[1][1] == "房屋登记信息"
    login(client, auditor)
    assert client.get(reverse("catalog:export"), {"mine": "1"}).status_code == 403


def _two_published(zhujian, zhujian_clerk, coordinator):
    published(zhujian, coordinator, zhujian_clerk, name="房屋登记信息")
    published(
        zhujian,
        coordinator,
        zhujian_clerk,
        name="公租房信息",
        share_class="conditional",
        share_conditions="限保障审核",
        legal_basis_text="《公租房管理办法》第十条",
    )


def test_an_invalid_filter_is_a_form_error_and_the_others_still_apply(
    client, zhujian, zhujian_clerk, coordinator, gongan_applicant
):
    _two_published(zhujian, zhujian_clerk, coordinator)
    login(client, gongan_applicant)
    response = client.get(reverse("catalog:index"), {"domain": "nonsense", "share_class": "conditional"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "公租房信息" in page and "房屋登记信息" not in page
    assert MSG_BAD_FILTER % {"value": "nonsense"} in page
    assert response.context["page"].paginator.count == 1


def test_it_exports_only_what_was_filtered_and_refuses_an_invalid_filter(
    client, zhujian, zhujian_clerk, coordinator, gongan_applicant
):
    _two_published(zhujian, zhujian_clerk, coordinator)
    login(client, gongan_applicant)
    response = client.get(reverse("catalog:export"), {"domain": "nonsense", "share_class": "conditional"})
    page = response.content.decode()
    assert response.status_code == 400
    assert MSG_EXPORT_BAD_FILTER in page and MSG_BAD_FILTER % {"value": "nonsense"} in page
    response = client.get(reverse("catalog:export"), {"share_class": "conditional"})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert [row[1] for row in wb["资源"].iter_rows(min_row=2, values_only=True)] == ["公租房信息"]


def test_it_shows_base_library_rates_to_the_bureau(client, zhujian, zhujian_clerk, coordinator):
    BaseLibraryTarget.objects.create(base_library="population", expected_items=1500)
    published(zhujian, coordinator, zhujian_clerk, base_library="population", items=[f"项{n}" for n in range(740)])
    login(client, coordinator)
    page = client.get(reverse("catalog:completeness")).content.decode()
    assert "740/1500 = 49%" in page


def test_it_links_a_demand_and_keeps_it_to_the_bureau(client, zhujian, gongan_leader, zhujian_clerk, coordinator):
    login(client, gongan_leader)
    response = client.post(
        reverse("catalog:demand_create"),
        {
            "data_name": "结婚证",
            "business_matter": "户口迁移",
            "purpose": "fewer_materials",
            "share_method": "verify_api",
            "update_frequency": "daily",
        },
    )
    assert response.status_code == 302
    demand = DemandItem.objects.get()
    resource = published(zhujian, coordinator, zhujian_clerk)
    assert client.post(reverse("catalog:demand_link", args=[demand.pk]), {"code": resource.code}).status_code == 403
    login(client, coordinator)
    client.post(reverse("catalog:demand_link", args=[demand.pk]), {"code": resource.code})
    demand = DemandItem.objects.get(pk=demand.pk)
    assert demand.status == "linked" and demand.linked_resource == resource and demand.linked_by == coordinator


def test_it_keeps_the_negative_list_to_the_bureau(client, zhujian, zhujian_clerk, coordinator, gongan_applicant):
    resource = published(zhujian, coordinator, zhujian_clerk, items=["房屋坐落", "产权人身份证号"])
    basis = LegalBasisFactory(code="LB-200")
    data = {"code": resource.code, "item_names": "产权人身份证号", "legal_basis": basis.pk, "reason": "个人敏感信息"}
    login(client, gongan_applicant)
    assert client.post(reverse("catalog:negative_list"), data).status_code == 403
    login(client, coordinator)
    assert client.post(reverse("catalog:negative_list"), data).status_code == 302
    from catalog.selectors import negative_list_hits

    person_id = resource.items.get(name="产权人身份证号")
    location = resource.items.get(name="房屋坐落")
    assert len(negative_list_hits(resource, [person_id.pk])) == 1
    assert negative_list_hits(resource, [location.pk]) == []
    page = client.get(reverse("catalog:resource_detail", args=[resource.pk])).content.decode()
    assert "产权人身份证号（" in page

    # The same item again, or a resource not (yet) in the catalog: a form error, nothing written.
    again = client.post(reverse("catalog:negative_list"), data)
    assert again.status_code == 400 and MSG_ALREADY_NEGATIVE in again.content.decode()
    draft = DataResourceFactory(code="220500-ZJ-00301", provider_department=zhujian)
    unpublished = client.post(reverse("catalog:negative_list"), {**data, "code": draft.code, "item_names": ""})
    assert unpublished.status_code == 400 and MSG_UNKNOWN_PUBLISHED_CODE in unpublished.content.decode()
    assert NegativeListEntry.objects.count() == 1


def test_an_unexpected_error_fails_the_import_job_instead_of_leaving_it_running(client, zhujian_clerk, monkeypatch):
    import catalog.services.imports

    def broken(*args, **kwargs):
        raise ValueError("坏的文件")

    monkeypatch.setattr(catalog.services.imports, "import_workbook", broken)
    login(client, zhujian_clerk)
    file = workbook_bytes([resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001")])
    response = client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("a.xlsx", file.read())})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.FAILED and job.progress == 100 and "坏的文件" in job.message
    assert not DataResource.objects.exists()


def test_a_second_worker_running_the_same_job_does_not_undo_the_first_ones_success(client, zhujian_clerk, monkeypatch):
    import catalog.services.imports

    real = catalog.services.imports.import_workbook

    def twice(source, **kwargs):
        # The other worker imports the file first; this one then finds every code taken.
        real(source, **kwargs)
        source.seek(0)
        return real(source, **{**kwargs, "on_success": None})

    monkeypatch.setattr(catalog.services.imports, "import_workbook", twice)
    login(client, zhujian_clerk)
    file = workbook_bytes([resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001")])
    client.post(reverse("catalog:import"), {"file": SimpleUploadedFile("a.xlsx", file.read())})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED and job.errors == []
    assert DataResource.objects.count() == 1


def test_numbers_too_large_are_field_errors_on_the_resource_and_mount_forms(client, zhujian_clerk):
    from catalog.forms import DataItemForm, MountForm

    item = DataItemForm(data={"name": "面积", "data_type": "N", "length": "99999999999999999999999", "precision": "2"})
    assert not item.is_valid() and "length" in item.errors
    mount = MountForm(data={"records": "99999999999999999999999"})
    assert not mount.is_valid() and "records" in mount.errors
    future = MountForm(data={"records": "10", "mounted_on": "2999-01-01"})
    assert future.errors["mounted_on"] == [MSG_MOUNTED_IN_FUTURE]


def test_the_form_says_in_plain_chinese_what_each_field_accepts(client, zhujian, zhujian_clerk):
    DataResourceFactory(code="220500-ZJ-00010", provider_department=zhujian)
    login(client, zhujian_clerk)
    response = client.post(
        reverse("catalog:resource_create"),
        form_data(**{"share_class": "shared", "items-0-length": "五十", "items-0-description": "长" * 501}),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "「共享类型」只能是：无条件共享（unconditional）、有条件共享（conditional）、不予共享（none）。" in page
    assert "「长度」应填写整数（不带小数点和单位）。" in page
    assert "「说明」不能超过 500 个字（现有 501 个）。" in page
    assert rules.MSG_CODE_TAKEN in page
    for generic in ("选择一个有效的选项", "输入整数", "确保该变量", "已存在"):
        assert generic not in page, generic


def posted_fields(page: str) -> dict[str, str]:
    return dict(formpost.posted_fields(page, "cat-form"))


def test_it_edits_a_resource_with_hundreds_of_items(client, zhujian, zhujian_clerk, settings):
    resource = DataResourceFactory(provider_department=zhujian, items=[f"信息项{n}" for n in range(300)])
    login(client, zhujian_clerk)
    fields = posted_fields(client.get(reverse("catalog:resource_edit", args=[resource.pk])).content.decode())
    assert len(fields) > 2000  # Django's default limit of 1,000 fields answered 400 and lost the edit
    response = client.post(reverse("catalog:resource_edit", args=[resource.pk]), {**fields, "name": "房屋基础信息"})
    assert response.status_code == 302
    resource = DataResource.objects.get(pk=resource.pk)
    assert resource.name == "房屋基础信息" and resource.current_items().count() == 300

    # A resource with the most items allowed fits the limit too.
    forms = Counter(match[1] for match in map(re.compile(r"items-(\d+)-").match, fields) if match)
    per_item, others = max(forms.values()), len(fields) - sum(forms.values())
    assert others + per_item * MAX_ITEMS_PER_RESOURCE <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_the_form_refuses_two_items_of_the_same_name(client, zhujian_clerk):
    login(client, zhujian_clerk)
    response = client.post(reverse("catalog:resource_create"), form_data(**{"items-1-name": "姓名"}))
    assert response.status_code == 400
    assert response.content.decode().count(rules.MSG_ITEM_NAME_DUPLICATE.format(name="姓名")) == 1
    assert not DataResource.objects.exists()


def test_the_form_says_once_what_is_wrong_with_a_length(client, zhujian_clerk):
    login(client, zhujian_clerk)
    response = client.post(reverse("catalog:resource_create"), form_data(**{"items-0-length": "abc"}))
    page = response.content.decode()
    assert response.status_code == 400 and "「长度」应填写整数（不带小数点和单位）。" in page
    assert rules.MSG_ITEM_NEEDS_LENGTH not in page
