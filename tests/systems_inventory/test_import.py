"""A report filled in by spreadsheet: the template round-trips, an upload is all or nothing, every error names
its sheet, row and column."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from systems_inventory import excel, services
from systems_inventory import messages as msg
from systems_inventory.excel_export import build_template
from systems_inventory.models import DepartmentReport, LineAction, ReportLine
from tests.systems_inventory.helpers import make_system
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


def _template(report) -> io.BytesIO:
    lines = list(report.lines.select_related("system", "category").prefetch_related("resources"))
    if not lines:
        from systems_inventory.selectors import register_preview

        lines = list(register_preview(report).prefetch_related("resources"))
    return io.BytesIO(build_template(report, lines))


def _edited(source: io.BytesIO, edit) -> io.BytesIO:
    """The workbook after `edit(sheet, columns)` (columns: header → column letter), saved as a person would."""
    book = load_workbook(source)
    sheet = book[excel.SHEET]
    columns = {cell.value: cell.column_letter for cell in sheet[1]}
    edit(sheet, columns)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _errors(result) -> set[tuple]:
    return {(e["sheet"], e["row"], e["column"], e["message"]) for e in result.errors}


def test_the_template_of_the_register_reads_back_as_every_system_confirmed(zhujian_report, zhujian_clerk):
    result = services.report_import(actor=zhujian_clerk, obj=zhujian_report, upload=_template(zhujian_report))
    assert result.ok, result.errors
    lines = list(ReportLine.objects.filter(report=zhujian_report).order_by("position"))
    assert [(line.name, line.action) for line in lines] == [
        ("建设工程档案管理系统", LineAction.CONFIRM),
        ("房屋网签备案系统", LineAction.CONFIRM),
    ]
    assert AuditEvent.objects.filter(action="systems_inventory.report_imported").get().data == {"systems": 2}


def test_an_upload_edits_retires_and_adds_then_the_report_can_be_sent(zhujian_report, zhujian_clerk, zhujian_leader):
    def edit(sheet, col):
        sheet[f"{col['用户数']}2"] = 45  # 建设工程档案管理系统
        sheet[f"{col['运行情况']}3"] = "不再运行"  # 房屋网签备案系统
        sheet[f"{col['不再运行的原因']}3"] = "并入省级平台"
        new = [cell.value for cell in sheet[2]]
        sheet.append(new)
        sheet[f"{col['系统编号']}4"] = None
        sheet[f"{col['系统名称']}4"] = "城建档案查询小程序"
        sheet[f"{col['部署方式']}4"] = "政务云"

    result = services.report_import(
        actor=zhujian_clerk, obj=zhujian_report, upload=_edited(_template(zhujian_report), edit)
    )
    assert result.ok, result.errors
    actions = dict(ReportLine.objects.filter(report=zhujian_report).values_list("name", "action"))
    assert actions == {
        "建设工程档案管理系统": LineAction.EDIT,
        "房屋网签备案系统": LineAction.RETIRE,
        "城建档案查询小程序": LineAction.ADD,
    }
    services.report_submit(actor=zhujian_clerk, obj=zhujian_report)
    assert services.report_confirm(actor=zhujian_leader, obj=zhujian_report).state == "submitted"


def test_every_error_is_named_by_sheet_row_and_column_and_nothing_is_written(
    zhujian_report, zhujian_clerk, gongan, zhujian_systems
):
    services.lines_confirm_all(actor=zhujian_clerk, report=zhujian_report)
    before = list(ReportLine.objects.filter(report=zhujian_report).values_list("pk", "action"))
    other = make_system(gongan, name="户籍管理系统")

    def edit(sheet, col):
        sheet[f"{col['使用频度']}2"] = "每小时"
        sheet[f"{col['系统名称']}3"] = ""
        sheet[f"{col['部署方式']}3"] = "部门自有机房"
        sheet.append([other.reference, "在用"])  # row 4: another department's system
        sheet.append(["XT999999", "在用"])  # row 5: no such system
        row = [cell.value for cell in sheet[2]]
        sheet.append(row)  # row 6: a duplicate of row 2
        sheet[f"{col['涉密系统']}6"] = "是"

    result = services.report_import(
        actor=zhujian_clerk, obj=zhujian_report, upload=_edited(_template(zhujian_report), edit)
    )

    errors = _errors(result)
    sheet = excel.SHEET
    assert (
        sheet,
        2,
        "使用频度",
        excel.MSG_BAD_CHOICE.format(value="每小时", choices="每日、每周、每月、每季度及以下、已停用"),
    ) in errors
    assert (sheet, 3, "系统名称", excel.MSG_REQUIRED) in errors
    assert (sheet, 3, "未部署政务云的原因", msg.MSG_CLOUD_REASON_REQUIRED) in errors
    assert (
        sheet,
        4,
        "系统编号",
        msg.MSG_OTHER_DEPARTMENT_SYSTEM.format(system="户籍管理系统", department="市住建局"),
    ) in errors
    assert (sheet, 5, "系统编号", excel.MSG_UNKNOWN_SYSTEM.format(value="XT999999")) in errors
    assert (sheet, 6, "系统编号", excel.MSG_DUPLICATE_SYSTEM.format(row=2)) in errors
    assert not result.ok
    assert list(ReportLine.objects.filter(report=zhujian_report).values_list("pk", "action")) == before
    assert not AuditEvent.objects.filter(action="systems_inventory.report_imported").exists()


def test_a_classified_row_on_the_cloud_and_a_missing_register_system_are_errors(zhujian_report, zhujian_clerk):
    def edit(sheet, col):
        sheet[f"{col['涉密系统']}2"] = "是"
        sheet[f"{col['已接入共享平台']}2"] = "否"
        sheet[f"{col['接入接口数']}2"] = 0
        sheet.delete_rows(3)  # 房屋网签备案系统 left out

    result = services.report_import(
        actor=zhujian_clerk, obj=zhujian_report, upload=_edited(_template(zhujian_report), edit)
    )
    errors = _errors(result)
    assert (excel.SHEET, 2, "部署方式", msg.MSG_CLASSIFIED_ON_CLOUD) in errors
    registry = zhujian_report.department.info_systems.get(name="房屋网签备案系统")
    missing = excel.MSG_MISSING_SYSTEM.format(name="房屋网签备案系统", number=registry.reference)
    assert (excel.SHEET, None, "系统编号", missing) in errors


def test_a_file_that_is_not_a_workbook_or_too_large_is_refused_before_it_is_read(zhujian_report, zhujian_clerk):
    result = excel.check(io.BytesIO(b"not a spreadsheet"), zhujian_report)
    assert [e["message"] for e in result.errors] == [excel.MSG_NOT_XLSX]

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (excel.MAX_UNCOMPRESSED_BYTES + 1))
    bomb.seek(0)
    result = excel.check(bomb, zhujian_report)
    assert not result.ok and "MB" in result.errors[0]["message"]


def test_another_department_cannot_import_into_the_report(zhujian_report, gongan_applicant):
    from systems_inventory.services import SelfCheckError

    with pytest.raises(SelfCheckError) as exc:
        services.report_import(actor=gongan_applicant, obj=zhujian_report, upload=_template(zhujian_report))
    assert exc.value.message == msg.MSG_NOT_YOUR_DEPARTMENT
    assert DepartmentReport.objects.get(pk=zhujian_report.pk).state == "pending"
