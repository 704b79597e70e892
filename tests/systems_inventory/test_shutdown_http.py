"""The shutdown chain over HTTP as the people do it (bureau → department → bureau), with the clock frozen across
清明 for the objection window; what each page shows; and the wrong user on every object kind (404 or 403)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pdf_templates.models import Record, RecordType
from systems_inventory import services
from systems_inventory.models import (
    CaseState,
    DataDisposition,
    DataStore,
    InfoSystem,
    ShutdownAttachment,
    ShutdownCase,
    SystemStatus,
)
from tests.systems_inventory.helpers import make_campaign, make_system, used
from workflows import deadlines

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 archive manifest"
CHECKSUM = "c0ffee" + "0" * 58


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, *args) -> str:
    return reverse(f"systems_inventory:{name}", args=args)


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def idle(zhujian):
    system = make_system(
        zhujian,
        name="老旧档案系统",
        usage_frequency="monthly",
        connected=False,
        interface_count=0,
        interface_method="none",
        database_kind="Oracle",
    )
    used(system, dt.date(2025, 7, 31))
    return system


@pytest.mark.frozen_at("2026-04-02 10:00 +0800")  # a Thursday before 清明 (4–6 April)
def test_the_whole_chain_as_the_people_do_it(frozen, idle, coordinator, zhujian_clerk, zhujian_leader):
    bureau, department = login(coordinator), login(zhujian_clerk)

    # The bureau scans and sees exactly why the system is a candidate.
    scanned = bureau.post(url("scan"))
    assert scanned.status_code == 302 and "疑似 1 个" in messages_of(scanned)[0]
    listed = page(bureau, url("candidates"))
    assert "老旧档案系统" in listed and "长期无使用" in listed
    assert "最近一次使用为2025-07-31（运维上报），已 245 天无使用（阈值 180 天）" in listed
    assert "最近使用日期 2025-07-31" in listed
    case = ShutdownCase.objects.get()

    # It proposes the shutdown: the 关停通知书, and the department's window of 10 working days across 清明.
    proposed = bureau.post(url("case_action", case.pk, "propose"), {"kind": "shutdown", "reason": "长期无人使用。"})
    assert proposed.status_code == 302
    notice = Record.objects.get(type=RecordType.SHUTDOWN_NOTICE)
    assert notice.data["objection_deadline"] == "2026年4月17日"
    shown = page(department, url("case_detail", case.pk))
    assert "答复关停通知" in shown and notice.number in shown and "2026-04-17 23:59" in shown
    assert "待办" in page(department, url("tasks")) and case.reference in page(department, url("tasks"))

    # Nobody objects: the window closes at the end of 17 April, not on the 16th.
    frozen.move_to("2026-04-16 23:59:30 +0800")
    deadlines.evaluate()
    assert ShutdownCase.objects.get().state == CaseState.PROPOSED
    frozen.move_to("2026-04-18 08:00 +0800")
    deadlines.evaluate()
    assert ShutdownCase.objects.get().state == CaseState.DISPOSING
    bureau, department = login(coordinator), login(zhujian_clerk)  # a new working day, a new session
    assert department.post(url("case_action", case.pk, "object"), {"reasons": "晚了"}).status_code == 403

    # The department disposes of the data, with the archive's evidence, and asks for verification.
    store = DataStore.objects.get(system=idle)
    recorded = department.post(
        url("disposition_record", case.pk, store.pk),
        {
            "method": "archive",
            "row_count": "1200000",
            "archive_location": "市档案馆电子档案库",
            "archive_format": "CSV + PDF/A",
            "manifest_sha256": CHECKSUM,
            "retention": "permanent",
            "attachments": SimpleUploadedFile("归档清单.pdf", PDF),
        },
    )
    assert recorded.status_code == 302 and "已登记“Oracle数据库”的数据处置。" in messages_of(recorded)
    assert department.post(url("case_action", case.pk, "submit")).status_code == 302
    assert ShutdownCase.objects.get().state == CaseState.VERIFYING

    # The bureau opens the evidence, verifies and confirms.
    attachment = ShutdownAttachment.objects.get()
    assert bureau.get(url("case_attachment", attachment.pk)).getvalue() == PDF
    disposition = DataDisposition.objects.get()
    assert bureau.post(url("disposition_decision", disposition.pk, "verify")).status_code == 302
    confirmed = bureau.post(url("case_action", case.pk, "confirm"))
    confirmation = Record.objects.get(type=RecordType.SHUTDOWN_CONFIRMATION)
    assert f"已确认，签发{confirmation.number}。" in messages_of(confirmed)

    # The register keeps the system, read-only, with its whole trail.
    system = InfoSystem.objects.get(pk=idle.pk)
    assert system.status == SystemStatus.SHUT_DOWN
    shown = page(department, url("system_detail", idle.pk))
    assert "已关停" in shown and "清单中保留其记录和办理轨迹" in shown and case.reference in shown
    assert "申请停用" not in shown and "签发推送令牌" not in shown
    assert "已关停" in page(bureau, url("index") + "?status=shut_down")
    trail = page(bureau, url("case_detail", case.pk))
    for words in ("扫描研判列为疑似僵尸系统", "发出关停通知", "异议期届满，未收到异议", "登记数据处置", "确认关停"):
        assert words in trail


def test_an_objection_over_http_and_the_bureau_withdraws_the_shutdown(
    frozen, idle, coordinator, zhujian_clerk, gongan_applicant
):
    services.zombie_scan()
    case = ShutdownCase.objects.get()
    services.case_propose(actor=coordinator, obj=case, kind="shutdown", reason="长期无人使用。")
    department = login(zhujian_clerk)
    objected = department.post(
        url("case_action", case.pk, "object"),
        {"reasons": "每年一月集中使用。", "attachments": SimpleUploadedFile("说明.pdf", PDF)},
    )
    assert objected.status_code == 302 and ShutdownCase.objects.get().state == CaseState.OBJECTION
    attachment = ShutdownAttachment.objects.get()
    assert login(gongan_applicant).get(url("case_attachment", attachment.pk)).status_code == 404

    bureau = login(coordinator)
    assert "决定异议" in page(bureau, url("tasks"))
    refused = bureau.post(url("case_action", case.pk, "decide_objection"), {"decision": "withdraw", "reason": ""})
    assert ShutdownCase.objects.get().state == CaseState.OBJECTION and messages_of(refused)
    bureau.post(url("case_action", case.pk, "decide_objection"), {"decision": "withdraw", "reason": "情况属实。"})
    assert ShutdownCase.objects.get().state == CaseState.WITHDRAWN
    assert "撤回关停" in page(department, url("case_detail", case.pk))


def test_a_department_asks_to_retire_its_system_from_its_page(zhujian, zhujian_clerk, coordinator):
    system = make_system(zhujian, name="旧版门户")
    department = login(zhujian_clerk)
    assert "申请停用" in page(department, url("system_detail", system.pk))
    asked = department.post(url("system_request", system.pk), {"reason": "已由新版门户替代。"})
    case = ShutdownCase.objects.get()
    assert asked.status_code == 302 and asked["Location"] == url("case_detail", case.pk)
    listed = page(login(coordinator), url("candidates"))
    assert "部门申请停用：已由新版门户替代。" in listed


def test_the_register_and_the_statistics_show_the_shutdown_state(frozen, idle, coordinator):
    services.zombie_scan()
    bureau = login(coordinator)
    assert "疑似僵尸系统" in page(bureau, url("index"))
    campaign = make_campaign(coordinator, state="launched")
    statistics = page(bureau, url("campaign_detail", campaign.pk))
    assert "僵尸系统清理" in statistics
    from systems_inventory import statistics as stats

    assert {row["state"]: row["count"] for row in stats.shutdown()}["zombie_suspected"] == 1


# --- the wrong user on every object kind ------------------------------------------------------------------


@pytest.fixture
def world(frozen, idle, coordinator, zhujian_clerk):
    """A case disposing (with a recorded disposition and its evidence) and a suspected one."""
    services.zombie_scan()
    case = ShutdownCase.objects.get()
    services.case_propose(actor=coordinator, obj=case, kind="shutdown", reason="长期无人使用。")
    services.case_accept(actor=zhujian_clerk, obj=case)
    store = DataStore.objects.get(system=idle)
    disposition = services.disposition_record(
        actor=zhujian_clerk,
        obj=case,
        store=store,
        values={
            "method": "archive",
            "row_count": 10,
            "archive_location": "库",
            "archive_format": "CSV",
            "manifest_sha256": CHECKSUM,
            "retention": "10y",
        },
        attachments=[SimpleUploadedFile("清单.pdf", PDF)],
    )
    return case, store, disposition


def test_the_wrong_user_gets_404_or_403_on_every_object(
    world, idle, coordinator, zhujian_clerk, gongan_applicant, auditor, finance_officer
):
    case, store, disposition = world
    attachment = ShutdownAttachment.objects.get()
    stranger, bureau, department = login(gongan_applicant), login(coordinator), login(zhujian_clerk)
    watcher, finance = login(auditor), login(finance_officer)

    # Another department sees nothing of the case, its files or its steps.
    for path in (url("case_detail", case.pk), url("case_attachment", attachment.pk)):
        assert stranger.get(path).status_code == 404
        assert finance.get(path).status_code == 404
    for path in (
        url("case_action", case.pk, "submit"),
        url("disposition_record", case.pk, store.pk),
        url("disposition_decision", disposition.pk, "verify"),
        url("system_request", idle.pk),
        url("token_issue", idle.pk),
    ):
        assert stranger.post(path).status_code == 404, path
    # Finance and other departments have no candidate list; auditors read it, change nothing.
    assert finance.get(url("candidates")).status_code == 403
    assert watcher.get(url("candidates")).status_code == 200
    assert watcher.get(url("case_detail", case.pk)).status_code == 200
    for path in (
        url("scan"),
        url("case_action", case.pk, "submit"),
        url("disposition_decision", disposition.pk, "verify"),
        url("system_propose", idle.pk),
    ):
        assert watcher.post(path).status_code == 403, path

    # The department may not take the bureau's steps, nor the bureau the department's.
    assert department.post(url("disposition_decision", disposition.pk, "verify")).status_code == 403
    assert department.post(url("case_action", case.pk, "confirm")).status_code == 403
    assert department.post(url("scan")).status_code == 403
    assert bureau.post(url("case_action", case.pk, "submit")).status_code == 403
    assert bureau.post(url("disposition_record", case.pk, store.pk)).status_code == 403
    assert bureau.post(url("token_issue", idle.pk)).status_code == 403
    assert bureau.post(url("case_action", case.pk, "nonsense")).status_code == 404
    assert (
        DataDisposition.objects.get().state == "recorded"
        and not Record.objects.filter(type=RecordType.SHUTDOWN_CONFIRMATION).exists()
    )


def test_the_bureau_does_not_decide_its_own_department_s_system(frozen, zhengshu, coordinator, zhengshu_leader):
    own = make_system(zhengshu, name="政数局旧系统", usage_frequency="stopped", user_count=0)
    services.zombie_scan()
    case = ShutdownCase.objects.get(system=own)
    bureau = login(coordinator)
    assert "职责分离" in page(bureau, url("case_detail", case.pk))
    assert bureau.post(url("case_action", case.pk, "dismiss"), {"reason": "保留"}).status_code == 403
    assert ShutdownCase.objects.get(pk=case.pk).state == CaseState.SUSPECTED


def test_the_trail_zip_of_a_case_holds_its_records_and_events(world, coordinator):
    import zipfile

    from pdf_templates.views import trail_url

    case, _, _ = world
    response = login(coordinator).get(trail_url(case))
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert any(name.endswith("events.json") for name in names)


def test_the_home_page_counts_each_side_s_shutdown_work_and_links_to_exactly_that(
    world, coordinator, zhujian_clerk, zhujian
):
    import html
    import re

    make_system(zhujian, name="另一停用系统", usage_frequency="stopped", user_count=0)
    services.zombie_scan()  # a second candidate, suspected
    for user, expected in ((coordinator, {"shutdown-candidates": 1}), (zhujian_clerk, {"shutdown-tasks": 1})):
        client = login(user)
        page = client.get(reverse("home:index")).content.decode()
        found = re.findall(r'href="([^"]+)" data-testid="figure-(shutdown-[^"]+)" data-count="(\d+)"', page)
        assert {key: int(count) for _, key, count in found} == expected
        for url_, _, count in found:
            listed = client.get(html.unescape(url_)).content.decode()
            assert re.findall(r'data-list-total="(\d+)"', listed) == [count]
