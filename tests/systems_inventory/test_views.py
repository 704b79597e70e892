"""The self-check over HTTP, as its users work it, and the 404 the wrong user gets on every kind of object."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from systems_inventory import messages as msg
from systems_inventory import services
from systems_inventory.models import SYSTEM_FIELDS, DepartmentReport, InfoSystem, ReportLine, ReportState
from tests import formpost
from tests.factories import UserFactory
from tests.systems_inventory.helpers import send_to_bureau, system_data

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**overrides) -> dict:
    data = system_data(**overrides)
    data["category"] = data["category"].pk
    return {key: ("on" if value is True else value) for key, value in data.items() if value not in (False, None)}


def _url(name, *args) -> str:
    return reverse(f"systems_inventory:{name}", args=args)


def test_applicant_leader_bureau_and_back_after_a_return(
    gongan_report, gongan_applicant, gongan_leader, coordinator, gongan
):
    applicant, leader, bureau = client_for(gongan_applicant), client_for(gongan_leader), client_for(coordinator)
    report_url = _url("report_detail", gongan_report.pk)
    assert "待填报" in applicant.get(report_url).content.decode()

    # The applicant adds the department's system, with a field error first: nothing is written.
    response = applicant.post(_url("line_create", gongan_report.pk), _form(name="户籍管理系统", deployment="own_room"))
    assert response.status_code == 400 and msg.MSG_CLOUD_REASON_REQUIRED in response.content.decode()
    assert not ReportLine.objects.exists()
    form = _form(name="户籍管理系统", deployment="own_room", not_on_cloud_reason="公安专网")
    assert applicant.post(_url("line_create", gongan_report.pk), form).status_code == 302
    applicant.post(_url("report_action", gongan_report.pk, "submit"))
    assert DepartmentReport.objects.get(pk=gongan_report.pk).state == ReportState.CONFIRMING

    # The leader confirms; the bureau returns it with a comment on the system.
    page = leader.get(report_url).content.decode()
    assert "确认并报送政数局" in page
    leader.post(_url("report_action", gongan_report.pk, "confirm"), {"comment": "属实"})
    line = ReportLine.objects.get()
    page = bureau.get(report_url).content.decode()
    assert 'data-testid="review-form"' in page
    bureau.post(
        _url("report_action", gongan_report.pk, "return"),
        {"comment": "请补充审批文号", f"line_{line.pk}": "缺审批文号"},
    )
    assert DepartmentReport.objects.get(pk=gongan_report.pk).state == ReportState.RETURNED

    # Back to the department: it sees the comments, corrects, and sends it again.
    page = applicant.get(report_url).content.decode()
    assert "请补充审批文号" in page and "缺审批文号" in page
    form["approval_number"] = "通发改〔2020〕3号"
    assert applicant.post(_url("line_edit", line.pk), form).status_code == 302
    applicant.post(_url("report_action", gongan_report.pk, "submit"))
    leader.post(_url("report_action", gongan_report.pk, "confirm"))
    response = bureau.post(_url("report_action", gongan_report.pk, "accept"), {"comment": "通过"}, follow=True)
    assert "已审核通过，签发通政数查〔2026〕2号" in response.content.decode()

    system = InfoSystem.objects.get(name="户籍管理系统")
    page = applicant.get(_url("system_detail", system.pk)).content.decode()
    assert "通发改〔2020〕3号" in page and 'data-testid="versions"' in page
    assert "通政数查〔2026〕2号" in applicant.get(report_url).content.decode()


def test_the_home_page_counts_the_report_to_fill_and_never_says_there_is_nothing_to_do(
    gongan_report, gongan_applicant, gongan_leader
):
    page = client_for(gongan_applicant).get(reverse("home:index")).content.decode()
    panel = re.search(r'<section [^>]*data-testid="panel-self-check">.*?</section>', page, re.S).group(0)
    assert re.search(r'href="/systems_inventory/tasks/" data-testid="figure-self-check-all" data-count="1"', panel)
    assert "govshare-row--empty" not in panel and "没有" not in panel  # the figure's task is not "nothing to do"
    assert 'data-testid="panel-self-check"' not in client_for(gongan_leader).get(reverse("home:index")).content.decode()


def test_the_system_form_posts_back_what_it_shows_and_the_review_names_each_system(
    zhujian_report, zhujian_systems, zhujian_clerk, zhujian_leader, coordinator
):
    """The form as the browser posts it (workflows.forms' elements), dates as YYYY-MM-DD included."""
    registry = zhujian_systems[0]
    InfoSystem.objects.filter(pk=registry.pk).update(
        approval_date=dt.date(2019, 3, 8), connected_since=dt.date(2020, 11, 2)
    )
    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    line = zhujian_report.lines.get(system=registry)
    before = {name: getattr(line, name) for name in SYSTEM_FIELDS}
    clerk = client_for(zhujian_clerk)
    page = clerk.get(_url("line_edit", line.pk)).content.decode()
    assert re.search(r'<vf-field-date [^>]*name="approval_date"[^>]*value="2019-03-08"', page)
    posted: dict[str, list[str]] = {}
    for name, value in formpost.posted_fields(page, "cat-form"):
        posted.setdefault(name, []).append(value)
    assert clerk.post(_url("line_edit", line.pk), posted).status_code == 302
    line.refresh_from_db()
    assert {name: getattr(line, name) for name in SYSTEM_FIELDS} == before

    services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    services.report_confirm(actor=zhujian_leader, obj=zhujian_report, comment="")
    page = client_for(coordinator).get(_url("report_detail", zhujian_report.pk)).content.decode()
    review = page.split('data-testid="review-form"')[1].split("</form>")[0]
    for each in zhujian_report.lines.all():
        assert re.search(rf'<vf-field-textarea [^>]*name="line_{each.pk}"[^>]*label="对“{each.name}”的意见"', review)
    assert review.index(f'name="line_{line.pk}"') < review.index('name="comment"')


def test_the_wrong_user_gets_404_on_every_kind_of_object(
    zhujian_report, zhujian_systems, zhujian_clerk, zhujian_leader, gongan_applicant, gongan_leader, campaign
):
    registry = zhujian_systems[0]

    services.report_start(actor=zhujian_clerk, obj=zhujian_report)
    line = zhujian_report.lines.first()
    outsider = client_for(gongan_applicant)
    for url in (
        _url("report_detail", zhujian_report.pk),
        _url("line_edit", line.pk),
        _url("report_template", zhujian_report.pk),
        _url("system_detail", registry.pk),
        _url("version_detail", registry.pk, 1),
        _url("campaign_detail", campaign.pk),
        _url("statistics_export", campaign.pk),
    ):
        assert outsider.get(url).status_code == 404, url
    for url in (
        _url("report_action", zhujian_report.pk, "submit"),
        _url("line_action", line.pk, "confirm"),
        _url("report_import", zhujian_report.pk),
    ):
        assert outsider.post(url).status_code == 404, url
    # Another department's leader cannot confirm: the report is not theirs to see.
    assert client_for(gongan_leader).post(_url("report_action", zhujian_report.pk, "confirm")).status_code == 404
    # Its own department's applicant is not its leader: forbidden.
    services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    assert client_for(zhujian_clerk).post(_url("report_action", zhujian_report.pk, "confirm")).status_code == 403
    # The register search lists only the department's own systems; the task list only its own tasks.
    page = outsider.get(_url("index")).content.decode()
    assert "房屋网签备案系统" not in page
    assert "市住建局" not in client_for(gongan_applicant).get(_url("tasks")).content.decode()
    assert "市住建局" in client_for(zhujian_leader).get(_url("tasks")).content.decode()


def test_finance_sees_every_system_s_funding_fields_only(zhujian_systems, finance_officer, auditor):
    registry = zhujian_systems[0]
    finance = client_for(finance_officer)
    page = finance.get(_url("system_detail", registry.pk)).content.decode()
    assert "经费来源" in page and "财政预算" in page and 'data-testid="funding-only"' in page
    assert "主要功能" not in page and "不动产登记受理" not in page and "办理记录" not in page
    assert finance.get(_url("version_detail", registry.pk, 1)).status_code == 404
    listing = finance.get(_url("index")).content.decode()
    assert "房屋网签备案系统" in listing and "年运维经费" in listing
    book = load_workbook(io.BytesIO(finance.get(_url("export")).content))
    header = [cell.value for cell in next(book.active.iter_rows())]
    assert "经费来源" in header and "主要功能" not in header and "部署方式" not in header
    page = client_for(auditor).get(_url("system_detail", registry.pk)).content.decode()
    assert "不动产登记受理" in page and "办理记录" in page


def test_the_register_search_filters_and_exports_the_result(zhujian_systems, coordinator):
    bureau = client_for(coordinator)
    page = bureau.get(_url("index"), {"connected": "no"}).content.decode()
    assert "建设工程档案管理系统" in page and "房屋网签备案系统" not in page
    page = bureau.get(_url("index"), {"q": "网签"}).content.decode()
    assert "房屋网签备案系统" in page and "建设工程档案管理系统" not in page
    page = bureau.get(_url("index"), {"status": "retired"}).content.decode()
    assert "老旧物业管理系统" in page
    response = bureau.get(_url("index"), {"deployment": "moon"})
    assert "没有“moon”这一项" in response.content.decode()
    assert bureau.get(_url("export"), {"deployment": "moon"}).status_code == 400
    book = load_workbook(io.BytesIO(bureau.get(_url("export"), {"q": "网签"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "房屋网签备案系统" and "主要功能" in rows[0]


def test_the_bureau_does_not_decide_its_own_department_s_report(campaign, zhengshu, coordinator, zhengshu_leader):
    own = DepartmentReport.objects.get(campaign=campaign, department=zhengshu)
    filler = UserFactory(username="zs_filler", department=zhengshu, roles=["applicant"])
    send_to_bureau(own, filler, zhengshu_leader, no_self_built=True)
    bureau = client_for(coordinator)
    assert 'data-testid="own-department"' in bureau.get(_url("report_detail", own.pk)).content.decode()
    response = bureau.post(_url("report_action", own.pk, "accept"), follow=True)
    assert msg.MSG_SELF_DECISION in response.content.decode()
    assert DepartmentReport.objects.get(pk=own.pk).state == ReportState.SUBMITTED


def test_the_bureau_creates_launches_and_closes_a_campaign(frozen, coordinator, gongan, zhujian, gongan_applicant):
    bureau = client_for(coordinator)
    response = bureau.post(
        _url("campaign_create"),
        {"title": "专项自查", "due_workdays": "", "due_on": "", "resubmit_workdays": 5, "departments": [gongan.pk]},
    )
    assert response.status_code == 400 and msg.MSG_DUE_REQUIRED in response.content.decode()
    response = bureau.post(
        _url("campaign_create"),
        {"title": "专项自查", "due_workdays": 5, "resubmit_workdays": 5, "departments": [gongan.pk]},
    )
    campaign_url = response["Location"]
    pk = int(campaign_url.rstrip("/").rsplit("/", 1)[1])
    assert client_for(gongan_applicant).get(campaign_url).status_code == 404  # a draft: the bureau's
    bureau.post(_url("campaign_action", pk, "launch"))
    report = DepartmentReport.objects.get(campaign_id=pk)
    assert report.department == gongan and report.state == ReportState.PENDING
    assert "自查" in client_for(gongan_applicant).get(_url("campaigns")).content.decode()
    assert client_for(gongan_applicant).post(_url("campaign_action", pk, "close")).status_code == 404
    bureau.post(_url("campaign_action", pk, "close"))
    page = bureau.get(campaign_url).content.decode()
    assert "已结束" in page and "统计已冻结" in page
    book = load_workbook(io.BytesIO(bureau.get(_url("statistics_export", pk)).content))
    assert book.sheetnames[:2] == ["进度", "汇总"]
