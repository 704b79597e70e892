"""Usage evidence in: the monitor's push with the system's own token, and a department's spreadsheet, all or
nothing. Sending the same month again replaces it; another department's system or a month to come is refused
with nothing written."""

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from systems_inventory import activity_excel, services
from systems_inventory import messages as msg
from systems_inventory.models import ActivitySource, SystemActivity, SystemToken
from tests.systems_inventory.helpers import make_system
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # Monday 2 March 2026

URL = "/api/systems/activity"


@pytest.fixture
def archive_system(zhujian):
    return make_system(zhujian, name="建设工程档案管理系统")


@pytest.fixture
def token(archive_system, zhujian_clerk):
    return services.system_token_issue(actor=zhujian_clerk, system=archive_system)


def _push(raw, body, **headers):
    return Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {raw}", **headers
    )


# --- the API -------------------------------------------------------------------------------------------


def test_a_monitor_pushes_a_month_and_sending_it_again_replaces_it(token, archive_system):
    stored, raw = token
    assert SystemToken.objects.get().token_hash != raw and raw not in SystemToken.objects.get().token_hash
    first = _push(raw, {"month": "2026-02", "active_users": 12, "logins": 300, "last_activity": "2026-02-27"})
    assert first.status_code == 200, first.content
    assert first.json()["system"] == archive_system.reference and first.json()["source"] == "接口推送"

    again = _push(raw, {"month": "2026-02", "active_users": 14, "logins": 320, "transactions": 9})
    assert again.status_code == 200

    row = SystemActivity.objects.get()
    assert (row.source, row.active_users, row.logins, row.transactions) == (ActivitySource.PUSH, 14, 320, 9)
    assert row.last_activity == dt.date(2026, 2, 28)  # not given: the month's last day
    assert row.token == stored
    events = AuditEvent.objects.filter(action="systems_inventory.activity_pushed").order_by("pk")
    assert [e.data["replaced"] for e in events] == [False, True]


def test_a_push_without_a_valid_token_is_401_and_writes_nothing(token):
    no_token = Client().post(URL, json.dumps({"month": "2026-02"}), content_type="application/json")
    assert no_token.status_code == 401 and "缺少推送令牌" in no_token.json()["detail"]
    assert _push("gsa_wrong", {"month": "2026-02", "logins": 1}).status_code == 401
    stored, raw = token
    services.system_token_disable(actor=stored.created_by, obj=stored)
    assert _push(raw, {"month": "2026-02", "logins": 1}).status_code == 401
    assert not SystemActivity.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"month": "2026-04", "logins": 5}, "month", msg.MSG_ACTIVITY_FUTURE_MONTH.format(month="2026-04")),
        (
            {"month": "2026-02", "logins": 5, "last_activity": "2026-01-31"},
            "last_activity",
            msg.MSG_ACTIVITY_DATE_OUTSIDE,
        ),
        (
            {"month": "2026-03", "logins": 5, "last_activity": "2026-03-05"},
            "last_activity",
            msg.MSG_ACTIVITY_DATE_OUTSIDE,
        ),
        ({"month": "2026-02", "last_activity": "2026-02-03"}, "last_activity", msg.MSG_ACTIVITY_DATE_WITHOUT_USE),
        ({"month": "2026-13", "logins": 5}, "month", msg.MSG_ACTIVITY_BAD_MONTH),
        ({"month": "2026-02", "logins": -1}, "logins", None),
    ],
)
def test_a_bad_month_is_400_with_its_field_and_nothing_written(token, body, field, message):
    _, raw = token
    response = _push(raw, body)
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert not SystemActivity.objects.exists()


def test_a_shut_down_system_takes_no_more_pushes(token, archive_system):
    _, raw = token
    archive_system.shut_down()
    archive_system.save()
    response = _push(raw, {"month": "2026-02", "logins": 3})
    assert response.status_code == 400
    assert response.json() == {"detail": msg.MSG_ACTIVITY_SYSTEM_GONE.format(system=archive_system.name)}


def test_only_the_system_s_department_issues_its_tokens(archive_system, gongan_applicant, coordinator):
    for outsider in (gongan_applicant, coordinator):
        with pytest.raises(services.SelfCheckError):
            services.system_token_issue(actor=outsider, system=archive_system)
    assert not SystemToken.objects.exists()


# --- the spreadsheet -----------------------------------------------------------------------------------


def _sheet(rows) -> io.BytesIO:
    """The downloaded template of the 住建局's systems, with `rows` instead of its own."""
    from systems_inventory.models import InfoSystem

    content = activity_excel.build_template(InfoSystem.objects.none(), dt.date(2026, 2, 1))
    book = load_workbook(io.BytesIO(content))
    sheet = book[activity_excel.SHEET]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _errors(result) -> set[tuple]:
    return {(e["row"], e["column"], e["message"]) for e in result.errors}


def test_a_clean_sheet_is_written_and_a_second_one_replaces_the_same_months(archive_system, zhujian_clerk):
    ref = archive_system.reference
    first = services.activity_import(
        actor=zhujian_clerk,
        upload=_sheet([[ref, "", "2026-01", 5, 80, 2, "2026-01-30"], [ref, "", "2026-02", 4, 60, 0, ""]]),
    )
    assert first.ok, first.errors
    second = services.activity_import(
        actor=zhujian_clerk,
        upload=_sheet([[ref, "", "2026-02", 6, 61, 1, "2026-02-26"]]),
    )
    assert second.ok, second.errors
    rows = {row.month: row for row in SystemActivity.objects.filter(source=ActivitySource.OPERATIONS)}
    assert set(rows) == {dt.date(2026, 1, 1), dt.date(2026, 2, 1)}
    assert (rows[dt.date(2026, 2, 1)].logins, rows[dt.date(2026, 2, 1)].last_activity) == (61, dt.date(2026, 2, 26))
    assert rows[dt.date(2026, 1, 1)].reported_by == zhujian_clerk
    assert AuditEvent.objects.filter(action="systems_inventory.activity_imported").count() == 2


def test_a_sheet_with_any_error_writes_nothing_and_names_each_by_row_and_column(
    archive_system, zhujian_clerk, gongan, zhujian
):
    other = make_system(gongan, name="户籍管理系统")
    gone = make_system(zhujian, name="旧系统", status="retired")
    ref = archive_system.reference
    result = services.activity_import(
        actor=zhujian_clerk,
        upload=_sheet(
            [
                [ref, "", "2026-02", 5, 80, 2, "2026-02-20"],  # fine
                [other.reference, "", "2026-02", 5, 80, 2, ""],  # another department's
                [ref, "", "2026-04", 5, 80, 2, ""],  # a month to come
                [ref, "", "2026-02", 5, 80, 2, ""],  # twice
                [gone.reference, "", "2026-02", 1, 1, 1, ""],  # no longer running
                [ref, "", "二月", "很多", 1, 1, ""],  # unreadable
                ["XT999999", "", "2026-01", 1, 1, 1, ""],
            ]
        ),
    )
    assert not result.ok
    assert _errors(result) == {
        (3, "系统编号", msg.MSG_ACTIVITY_OTHER_DEPARTMENT.format(system="户籍管理系统")),
        (4, "月份", msg.MSG_ACTIVITY_FUTURE_MONTH.format(month="2026-04")),
        (5, "月份", activity_excel.MSG_DUPLICATE_ROW.format(row=2)),
        (6, "系统编号", msg.MSG_ACTIVITY_SYSTEM_GONE.format(system="旧系统")),
        (7, "月份", msg.MSG_ACTIVITY_BAD_MONTH),
        (7, "活跃用户数", activity_excel.MSG_BAD_COUNT),
        (8, "系统编号", "清单中没有编号“XT999999”的信息系统。"),
    }
    assert not SystemActivity.objects.exists()
    assert not AuditEvent.objects.filter(action="systems_inventory.activity_imported").exists()


def test_a_file_that_is_not_a_workbook_is_refused(zhujian_clerk):
    result = services.activity_import(actor=zhujian_clerk, upload=io.BytesIO(b"not a zip"))
    assert [e["message"] for e in result.errors] == ["无法读取文件，请上传 .xlsx 格式的表格（可先下载填报表格）。"]


def test_the_page_uploads_and_lists_the_errors(client, archive_system, zhujian_clerk, gongan_applicant, coordinator):
    client.force_login(zhujian_clerk)
    page = client.get(reverse("systems_inventory:activity"))
    assert page.status_code == 200 and archive_system.name in page.content.decode()
    template = client.get(reverse("systems_inventory:activity_template"))
    book = load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book[activity_excel.SHEET][2]][:3] == [
        archive_system.reference,
        archive_system.name,
        "2026-02",
    ]

    bad = _sheet([[archive_system.reference, "", "2026-05", 1, 1, 1, ""]])
    bad.name = "activity.xlsx"
    refused = client.post(reverse("systems_inventory:activity"), {"file": bad, "source": "operations"})
    assert refused.status_code == 400 and "2026-05 还未到" in refused.content.decode()

    good = _sheet([[archive_system.reference, "", "2026-02", 1, 1, 1, ""]])
    good.name = "activity.xlsx"
    done = client.post(reverse("systems_inventory:activity"), {"file": good, "source": "self_report"})
    assert done.status_code == 302
    assert SystemActivity.objects.get().source == ActivitySource.SELF_REPORT

    for outsider in (coordinator,):
        client.force_login(outsider)
        assert client.get(reverse("systems_inventory:activity")).status_code == 403
