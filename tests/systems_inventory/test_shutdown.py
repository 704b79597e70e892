"""The shutdown chain through the services: proposal with its 关停通知书, objection (withdrawn or upheld), the
window's close as a deadline action, the data's disposal, verification and the 关停确认书; integration; the
catalog's withdrawal at shutdown; and every bad input refused with nothing written."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalog.models import DataResource, ResourceStatus
from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import record_html
from requests.models import Grant, GrantState
from systems_inventory import messages as msg
from systems_inventory import services
from systems_inventory.models import (
    CaseState,
    DataDisposition,
    DataStore,
    DispositionState,
    InfoSystem,
    Objection,
    ShutdownCase,
    SystemStatus,
)
from systems_inventory.services import SelfCheckError
from tests.systems_inventory.helpers import make_system, used
from workflows import deadlines
from workflows.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]  # Monday 2 March 2026

CHECKSUM = "ab" * 32
PDF = b"%PDF-1.4 evidence"


def archive(**overrides):
    values = {
        "method": "archive",
        "row_count": 1_200_000,
        "archive_location": "市政务云数据备份库 /archive/2026/zj-archives",
        "archive_format": "PostgreSQL dump + CSV",
        "manifest_sha256": CHECKSUM,
        "retention": "30y",
    }
    values.update(overrides)
    return values


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
        storage_location="本部门机房",
    )
    used(system, dt.date(2025, 7, 31))
    return system


@pytest.fixture
def suspected(idle):
    services.zombie_scan()
    return ShutdownCase.objects.get(system=idle)


@pytest.fixture
def proposed(suspected, coordinator, zhujian_clerk, zhujian_leader):
    services.case_propose(actor=coordinator, obj=suspected, kind="shutdown", reason="长期无人使用，按规定关停。")
    return ShutdownCase.objects.get(pk=suspected.pk)


@pytest.fixture
def disposing(proposed, zhujian_clerk):
    services.case_accept(actor=zhujian_clerk, obj=proposed)
    return ShutdownCase.objects.get(pk=proposed.pk)


def reload(case):
    return ShutdownCase.objects.get(pk=case.pk)


def dispose_all(case, clerk):
    for store in DataStore.objects.filter(system=case.system):
        services.disposition_record(
            actor=clerk, obj=case, store=store, values=archive(), attachments=[SimpleUploadedFile("清单.pdf", PDF)]
        )
    services.dispositions_submit(actor=clerk, obj=case)
    return reload(case)


def verify_all(case, coordinator):
    for disposition in DataDisposition.objects.filter(case=case, state=DispositionState.RECORDED):
        services.disposition_verify(actor=coordinator, obj=disposition)


def test_the_proposal_issues_a_numbered_notice_stating_the_rules_and_evidence(proposed, zhujian_clerk):
    record = Record.objects.get(type=RecordType.SHUTDOWN_NOTICE)
    assert record.number == "通政数停〔2026〕1号" and record.addressee == "市住建局"
    assert record.title == "关于拟关停“老旧档案系统”的通知书"
    (finding,) = record.data["findings"]
    assert finding.startswith("长期无使用：最近一次使用为2025-07-31（运维上报），已 214 天无使用（阈值 180 天）")
    assert record.data["objection_deadline"] == "2026年3月16日"
    assert proposed.state == CaseState.PROPOSED
    assert proposed.objection_due_at.date().isoformat() == "2026-03-16"
    assert services.shutdown_common.open_task(proposed).flow_task.name == "reply"
    notice = Notification.objects.get(recipient=zhujian_clerk, event="system_shutdown")
    assert record.number in notice.body and "2026-03-16" in notice.body


def test_the_full_chain_ends_in_a_confirmation_with_every_store_verified(disposing, zhujian_clerk, coordinator):
    store = DataStore.objects.get(system=disposing.system)
    assert (store.name, store.location) == ("Oracle数据库", "本部门机房")  # from the register
    files = services.store_add(actor=zhujian_clerk, obj=disposing, name="扫描件文件库", kind="files")
    assert disposing.state == CaseState.DISPOSING

    case = dispose_all(disposing, zhujian_clerk)
    assert case.state == CaseState.VERIFYING
    verify_all(case, coordinator)
    record = services.case_confirm(actor=coordinator, obj=case)

    case, system = reload(case), InfoSystem.objects.get(pk=disposing.system_id)
    assert (case.state, system.status, case.closed_by) == (CaseState.SHUT_DOWN, SystemStatus.SHUT_DOWN, coordinator)
    assert system.versions.first().summary == f"关停（{case.reference}）"
    assert record.type == RecordType.SHUTDOWN_CONFIRMATION and record.number == "通政数停确〔2026〕1号"
    rows = record.data["dispositions"]
    assert [row["store"] for row in rows] == ["Oracle数据库", files.name]
    assert all(CHECKSUM in row["detail"] for row in rows)
    html = record_html(record, will_sign=False)
    assert "二、数据处置" in html and CHECKSUM in html and "通政数停〔2026〕1号" in html
    notice_html = record_html(Record.objects.get(type=RecordType.SHUTDOWN_NOTICE), will_sign=False)
    assert "二、认定依据。</span>（一）长期无使用：最近一次使用为2025-07-31" in notice_html
    actions = list(AuditEvent.objects.filter(subject_id=str(case.pk)).order_by("pk").values_list("action", flat=True))
    assert actions[:4] == [
        "systems_inventory.case_suspected",
        "systems_inventory.case_proposed",
        "records.issued",
        "systems_inventory.case_accepted",
    ]
    assert actions[-2:] == ["systems_inventory.case_confirmed", "records.issued"]
    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    assert out.getvalue().startswith("OK")


def test_an_objection_withdrawn_keeps_the_system_and_the_same_evidence_does_not_flag_it_again(
    proposed, zhujian_leader, coordinator, frozen
):
    objection = services.case_object(
        actor=zhujian_leader,
        obj=proposed,
        reasons="该系统用于年度档案移交，每年一月集中使用。",
        attachments=[SimpleUploadedFile("说明.pdf", PDF)],
    )
    assert reload(proposed).state == CaseState.OBJECTION and objection.attachments.count() == 1
    services.objection_decide(actor=coordinator, obj=proposed, withdraw=True, reason="情况属实，保留该系统。")

    case = reload(proposed)
    assert case.state == CaseState.WITHDRAWN and Objection.objects.get().outcome == "withdrawn"
    assert case.system.status == SystemStatus.IN_USE
    assert services.shutdown_common.open_task(case) is None
    frozen.move_to("2026-03-20 02:30 +0800")
    assert services.zombie_scan().suppressed == 1 and ShutdownCase.objects.count() == 1


def test_an_objection_upheld_goes_on_to_the_disposal(proposed, zhujian_clerk, coordinator):
    services.case_object(actor=zhujian_clerk, obj=proposed, reasons="仍有少量查询需求。")
    services.objection_decide(actor=coordinator, obj=proposed, withdraw=False, reason="查询需求可由档案馆系统满足。")
    case = reload(proposed)
    assert case.state == CaseState.DISPOSING and Objection.objects.get().outcome == "upheld"
    assert services.shutdown_common.open_task(case).flow_task.name == "dispose"


@pytest.mark.frozen_at("2026-04-02 10:00 +0800")  # a Thursday before 清明 (4–6 April)
def test_with_no_objection_the_window_closes_after_ten_working_days_across_the_holiday(proposed, frozen):
    assert proposed.objection_due_at.date() == dt.date(2026, 4, 17)  # a weekday count would say the 16th
    frozen.move_to("2026-04-17 18:00 +0800")
    deadlines.evaluate()
    assert reload(proposed).state == CaseState.PROPOSED
    frozen.move_to("2026-04-18 00:10 +0800")
    deadlines.evaluate()
    case = reload(proposed)
    assert case.state == CaseState.DISPOSING
    assert services.shutdown_common.open_task(case).flow_task.name == "dispose"
    assert AuditEvent.objects.filter(action="systems_inventory.objection_window_closed").exists()


def test_an_objection_after_the_window_is_refused(proposed, zhujian_clerk, frozen):
    frozen.move_to("2026-03-17 09:00 +0800")  # beat has not yet moved it on
    with pytest.raises(SelfCheckError) as refused:
        services.case_object(actor=zhujian_clerk, obj=proposed, reasons="迟到的异议。")
    assert refused.value.message == msg.MSG_OBJECTION_WINDOW_CLOSED.format(due="2026-03-16 23:59")
    assert not Objection.objects.exists() and reload(proposed).state == CaseState.PROPOSED


def test_a_late_disposal_is_overdue_and_holds_the_department_up(disposing, frozen):
    from systems_inventory.selectors import unresolved_zombie_systems

    assert list(unresolved_zombie_systems([disposing.system.department_id])) == []
    frozen.move_to(disposing.disposition_due_at + dt.timedelta(minutes=5))
    deadlines.evaluate()
    assert reload(disposing).is_overdue
    assert list(unresolved_zombie_systems([disposing.system.department_id])) == [disposing]


def test_integration_repoints_the_catalog_resources_to_the_successor(
    suspected, coordinator, zhujian_clerk, gongan, catalog_resource
):
    successor = make_system(gongan, name="全市档案共享平台")
    suspected.system.resources.set([catalog_resource])
    services.case_propose(
        actor=coordinator, obj=suspected, kind="integration", reason="并入全市档案共享平台。", successor=successor
    )
    case = reload(suspected)
    services.case_accept(actor=zhujian_clerk, obj=case)
    case = reload(case)
    assert case.state == CaseState.INTEGRATING
    store = DataStore.objects.get(system=case.system)
    services.disposition_record(
        actor=zhujian_clerk,
        obj=case,
        store=store,
        values={"method": "migrate", "row_count": 800_000, "target_system": successor},
    )
    services.dispositions_submit(actor=zhujian_clerk, obj=case)
    verify_all(case, coordinator)
    record = services.case_confirm(actor=coordinator, obj=case)

    system, successor = InfoSystem.objects.get(pk=case.system_id), InfoSystem.objects.get(pk=successor.pk)
    assert (system.status, system.integrated_into) == (SystemStatus.INTEGRATED, successor)
    assert reload(case).state == CaseState.INTEGRATED
    assert list(successor.resources.all()) == [catalog_resource]
    assert successor.versions.first().changes == ["产生的目录资源"]
    # Re-pointed, not withdrawn.
    assert DataResource.objects.get(pk=catalog_resource.pk).status == ResourceStatus.REGISTERED
    assert "市公安局“全市档案共享平台”" in record.data["successor"]
    assert record.data["resources"] == [
        f"{catalog_resource.code}“{catalog_resource.name}”转由“全市档案共享平台”（{successor.reference}）承接"
    ]


def test_shutdown_withdraws_the_resources_revoking_their_grants_and_telling_the_consumers(
    disposing, zhujian_clerk, coordinator, housing_grant, gongan_applicant
):
    resource = housing_grant.resource
    disposing.system.resources.set([resource])
    case = dispose_all(disposing, zhujian_clerk)
    verify_all(case, coordinator)

    record = services.case_confirm(actor=coordinator, obj=case)

    resource, grant = DataResource.objects.get(pk=resource.pk), Grant.objects.get(pk=housing_grant.pk)
    assert resource.status == ResourceStatus.WITHDRAWN and "老旧档案系统" in resource.withdraw_reason
    assert grant.state == GrantState.REVOKED
    assert Notification.objects.filter(recipient=gongan_applicant, subject_id=str(housing_grant.pk)).exists()
    assert Record.objects.filter(type=RecordType.REVOCATION_NOTICE).count() == 1
    assert "已撤销" in record.data["resources"][0]


# --- bad input: a clear error, nothing written -----------------------------------------------------------


def test_the_data_must_all_be_disposed_of_and_verified_before_shutdown(disposing, zhujian_clerk, coordinator):
    services.store_add(actor=zhujian_clerk, obj=disposing, name="备份介质", kind="backup")
    first = DataStore.objects.filter(system=disposing.system).order_by("pk").first()
    services.disposition_record(actor=zhujian_clerk, obj=disposing, store=first, values=archive())
    with pytest.raises(SelfCheckError) as undisposed:
        services.dispositions_submit(actor=zhujian_clerk, obj=disposing)
    assert undisposed.value.message == msg.MSG_STORES_UNDISPOSED.format(count=1, stores="备份介质")
    with pytest.raises(SelfCheckError) as early:
        services.case_confirm(actor=coordinator, obj=disposing)
    assert early.value.message == msg.MSG_CASE_WRONG_STATE.format(state="数据处置中", action="确认关停")

    last = DataStore.objects.get(name="备份介质")
    services.disposition_record(actor=zhujian_clerk, obj=disposing, store=last, values=archive())
    services.dispositions_submit(actor=zhujian_clerk, obj=disposing)
    services.disposition_verify(actor=coordinator, obj=DataDisposition.objects.get(store=first))
    with pytest.raises(SelfCheckError) as unverified:
        services.case_confirm(actor=coordinator, obj=disposing)
    assert unverified.value.message == msg.MSG_STORES_UNVERIFIED.format(count=1, stores="备份介质")
    case = reload(disposing)
    assert (case.state, case.system.status) == (CaseState.VERIFYING, SystemStatus.IN_USE)
    assert not Record.objects.filter(type=RecordType.SHUTDOWN_CONFIRMATION).exists()


def test_a_rejected_disposition_goes_back_to_the_department(disposing, zhujian_clerk, coordinator):
    case = dispose_all(disposing, zhujian_clerk)
    disposition = DataDisposition.objects.get()
    services.disposition_reject(actor=coordinator, obj=disposition, reason="归档清单与记录数不符。")
    case = reload(case)
    assert case.state == CaseState.DISPOSING
    assert services.shutdown_common.open_task(case).flow_task.name == "dispose"
    services.disposition_record(actor=zhujian_clerk, obj=case, store=disposition.store, values=archive(row_count=5))
    assert DataDisposition.objects.count() == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (archive(manifest_sha256=""), "manifest_sha256", msg.MSG_ARCHIVE_INCOMPLETE),
        (archive(manifest_sha256="not-a-checksum"), "manifest_sha256", msg.MSG_CHECKSUM_INVALID),
        (archive(row_count=None), "row_count", msg.MSG_ROW_COUNT_REQUIRED),
        ({"method": "migrate", "row_count": 10}, "target_system", msg.MSG_MIGRATE_TARGET),
    ],
)
def test_an_incomplete_disposition_is_refused_by_field(disposing, zhujian_clerk, values, field, message):
    store = DataStore.objects.get(system=disposing.system)
    with pytest.raises(SelfCheckError) as refused:
        services.disposition_record(
            actor=zhujian_clerk,
            obj=disposing,
            store=store,
            values=values,
            attachments=[SimpleUploadedFile("a.pdf", PDF)],
        )
    assert message in refused.value.errors[field]
    assert (
        not DataDisposition.objects.exists()
        and not AuditEvent.objects.filter(action="systems_inventory.disposition_recorded").exists()
    )


def test_disposition_by_another_department_is_refused(disposing, gongan_applicant):
    store = DataStore.objects.get(system=disposing.system)
    with pytest.raises(SelfCheckError) as refused:
        services.disposition_record(actor=gongan_applicant, obj=disposing, store=store, values=archive())
    assert refused.value.message == msg.MSG_NOT_OWNING_DEPARTMENT and not DataDisposition.objects.exists()


def test_a_store_of_another_system_or_a_file_that_is_not_evidence_is_refused(disposing, zhujian_clerk, zhujian):
    other = DataStore.objects.create(system=make_system(zhujian, name="另一系统"), name="库", kind="database")
    with pytest.raises(SelfCheckError, match=msg.MSG_STORE_NOT_OF_SYSTEM):
        services.disposition_record(actor=zhujian_clerk, obj=disposing, store=other, values=archive())
    store = DataStore.objects.get(system=disposing.system)
    with pytest.raises(SelfCheckError) as refused:
        services.disposition_record(
            actor=zhujian_clerk,
            obj=disposing,
            store=store,
            values=archive(),
            attachments=[SimpleUploadedFile("x.exe", b"MZ\x90\x00")],
        )
    assert refused.value.message == msg.MSG_ATTACHMENT_BAD_TYPE.format(name="x.exe")
    assert not DataDisposition.objects.exists()


def test_only_the_bureau_decides_and_not_on_its_own_department_s_system(
    suspected, zhujian_clerk, zhengshu, coordinator
):
    with pytest.raises(SelfCheckError, match=msg.MSG_SHUTDOWN_BUREAU_ONLY):
        services.case_propose(actor=zhujian_clerk, obj=suspected, kind="shutdown", reason="自己关")
    own = make_system(zhengshu, name="政数局的旧系统")
    with pytest.raises(SelfCheckError, match=msg.MSG_SELF_SHUTDOWN_DECISION):
        services.system_propose(actor=coordinator, system=own, kind="shutdown", reason="关停")
    assert ShutdownCase.objects.count() == 1


def test_a_department_asks_to_retire_its_own_system_and_the_same_chain_follows(
    zhujian, zhujian_clerk, gongan_applicant, coordinator
):
    system = make_system(zhujian, name="旧版网站")
    with pytest.raises(SelfCheckError, match=msg.MSG_NOT_OWNING_DEPARTMENT):
        services.case_request(actor=gongan_applicant, system=system, reason="不是我的系统")
    case = services.case_request(actor=zhujian_clerk, system=system, reason="功能已由新版网站替代。")
    with pytest.raises(SelfCheckError) as twice:
        services.case_request(actor=zhujian_clerk, system=system, reason="再申请一次")
    assert twice.value.message == msg.MSG_CASE_OPEN.format(reference=case.reference)
    record = services.case_propose(actor=coordinator, obj=case, kind="shutdown", reason="同意停用。")
    assert record.data["findings"] == ["你单位申请停用该系统，理由：功能已由新版网站替代。"]
    services.case_accept(actor=zhujian_clerk, obj=case)
    assert reload(case).state == CaseState.DISPOSING


def test_the_department_is_reminded_before_its_window_and_its_disposal_close(proposed, zhujian_clerk, frozen):
    frozen.move_to("2026-03-12 09:00 +0800")  # two working days before the window closes on the 16th
    deadlines.evaluate()
    reminder = Notification.objects.get(recipient=zhujian_clerk, event="deadline_reminder")
    assert reminder.subject_id == str(proposed.pk) and "关停异议期" in reminder.body
    frozen.move_to("2026-03-17 09:00 +0800")
    deadlines.evaluate()
    case = reload(proposed)
    assert case.state == CaseState.DISPOSING
    frozen.move_to(case.disposition_due_at - dt.timedelta(days=1))
    deadlines.evaluate()
    assert Notification.objects.filter(recipient=zhujian_clerk, event="deadline_reminder").count() == 2


def test_a_dismissal_needs_a_reason_and_ends_the_case(suspected, coordinator):
    with pytest.raises(SelfCheckError, match=msg.MSG_REASON_REQUIRED):
        services.case_dismiss(actor=coordinator, obj=suspected, reason=" ")
    services.case_dismiss(actor=coordinator, obj=suspected, reason="季节性使用系统，保留。")
    case = reload(suspected)
    assert case.state == CaseState.DISMISSED and case.decision_reason == "季节性使用系统，保留。"
    with pytest.raises(SelfCheckError) as stale:
        services.case_propose(actor=coordinator, obj=case, kind="shutdown", reason="关停")
    assert stale.value.stale
    again = services.zombie_scan()  # the same evidence, a later night: not flagged again
    assert (again.candidates, again.suppressed, again.opened) == (0, 1, 0)
