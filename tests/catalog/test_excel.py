import io

import pytest
from openpyxl import load_workbook

from catalog import rules
from catalog.excel import (
    ITEM_HEADERS,
    MSG_CODE_EXISTS,
    MSG_DUPLICATE_IN_FILE,
    MSG_INT_TOO_LARGE,
    MSG_ITEM_UNKNOWN_CODE,
    MSG_NOT_XLSX,
    MSG_OTHER_DEPARTMENT,
    MSG_REQUIRED,
    RESOURCE_HEADERS,
)
from catalog.excel_export import build_template, export_workbook
from catalog.limits import MAX_ITEMS_PER_RESOURCE
from catalog.models import DataItem, DataResource, ResourceStatus
from catalog.services import import_workbook
from tests.catalog.factories import DataResourceFactory, LegalBasisFactory
from tests.catalog.xlsx import item_row, resource_row, workbook_bytes

pytestmark = pytest.mark.django_db


def _errors(result):
    return [(e["sheet"], e["row"], e["column"], e["message"]) for e in result.errors]


def test_it_offers_a_template_with_both_sheets_and_chinese_headers(zhujian):
    wb = load_workbook(io.BytesIO(build_template()))
    assert wb.sheetnames[:2] == ["资源", "信息项"]
    assert [c.value for c in wb["资源"][1]] == RESOURCE_HEADERS
    assert [c.value for c in wb["信息项"][1]] == ITEM_HEADERS
    assert "目录编码" in RESOURCE_HEADERS and "共享类型" in RESOURCE_HEADERS


def test_it_imports_a_good_file(zhujian, zhujian_clerk):
    file = workbook_bytes(
        [resource_row("220500-ZJ-00001"), resource_row("220500-ZJ-00002", 共享方式="文件下载交换")],
        [
            item_row("220500-ZJ-00001", "姓名"),
            item_row("220500-ZJ-00001", "面积", 数据类型="N", 长度=10, 精度=2, 安全级别=3),
            item_row("220500-ZJ-00002", "地址"),
        ],
    )
    result = import_workbook(file, actor=zhujian_clerk, department=zhujian, submit_after=True)
    assert result.ok, result.errors
    assert (result.resources_created, result.items_created) == (2, 3)
    first = DataResource.objects.get(code="220500-ZJ-00001")
    assert first.status == ResourceStatus.SUBMITTED and first.created_by == zhujian_clerk
    assert first.share_methods == ["query_api", "bulk_exchange"]
    assert [(i.name, i.position, i.security_level, i.precision) for i in first.items.all()] == [
        ("姓名", 1, 2, None),
        ("面积", 2, 3, 2),
    ]


def test_it_checks_the_code_names_the_provider_department(zhujian, zhujian_clerk, gongan, coordinator):
    file = workbook_bytes(
        [
            resource_row("220500-GA-00001"),  # row 2: 市住建局's entry under 公安局's code
            resource_row("220500-GA-00002", department="TH-GA"),  # row 3: fine, the bureau imports for anyone
        ],
        [item_row("220500-GA-00001"), item_row("220500-GA-00002")],
    )
    result = import_workbook(file, actor=coordinator, department=None)
    expected = rules.MSG_CODE_DEPARTMENT.format(department="市住建局", expected="ZJ", example="220500-ZJ-00001")
    assert _errors(result) == [("资源", 2, "目录编码", expected)]
    assert not DataResource.objects.exists()


def test_it_enforces_every_rule_on_import_and_writes_nothing(zhujian, zhujian_clerk):
    LegalBasisFactory(code="LB-NOART", article="")
    file = workbook_bytes(
        [
            resource_row("220500-ZJ-00001", 共享类型="有条件共享"),  # row 2: no conditions, no basis
            resource_row("220500-ZJ-00002", 共享类型="不予共享", 共享方式="", 法律依据编号="LB-NOART"),  # row 3
            resource_row("220500-ZJ-00003", 共享方式=""),  # row 4: no method
            resource_row("220500-ZJ-00004"),  # row 5: no item
            resource_row("bad code", 安全级别=7, 数据领域="其他"),  # row 6
            resource_row("220500-ZJ-00001"),  # row 7: duplicate
            resource_row("220500-GA-00001", department="市公安局"),  # row 8: other department
        ],
        [
            item_row("220500-ZJ-00001"),
            item_row("220500-ZJ-00002"),
            item_row("220500-ZJ-00003", 长度=None),  # row 4: C needs length
            item_row("220500-ZJ-00003", "x", 数据类型="D", 长度=None, 精度=2),  # row 5: precision on a date
            item_row("220500-ZJ-09999"),  # row 6: unknown code
            item_row("220500-ZJ-00001", "", 安全级别=1),  # row 7: no name, level below resource
        ],
    )
    from tests.factories import DepartmentFactory

    DepartmentFactory(code="TH-GA", name="市公安局")
    result = import_workbook(file, actor=zhujian_clerk, department=zhujian)
    errors = _errors(result)
    assert ("资源", 2, "共享条件", rules.MSG_CONDITIONAL_NEEDS_CONDITIONS) in errors
    assert ("资源", 2, "法律依据编号", rules.MSG_CONDITIONAL_NEEDS_LEGAL_BASIS) in errors
    assert ("资源", 3, "法律依据编号", rules.MSG_NONE_NEEDS_LEGAL_BASIS) in errors
    assert ("资源", 4, "共享方式", rules.MSG_NEEDS_METHOD) in errors
    assert ("资源", 5, "目录编码", rules.MSG_NEEDS_ITEM) in errors
    assert ("资源", 6, "目录编码", rules.MSG_CODE_FORMAT) in errors
    assert any(e[:3] == ("资源", 6, "安全级别") for e in errors)
    assert ("资源", 7, "目录编码", MSG_DUPLICATE_IN_FILE.format(row=2)) in errors
    assert ("资源", 8, "提供部门", MSG_OTHER_DEPARTMENT.format(department="市住建局")) in errors
    assert ("信息项", 4, "长度", rules.MSG_ITEM_NEEDS_LENGTH) in errors
    assert ("信息项", 5, "精度", rules.MSG_ITEM_NO_PRECISION) in errors
    assert ("信息项", 6, "目录编码", MSG_ITEM_UNKNOWN_CODE) in errors
    assert ("信息项", 7, "信息项名称", MSG_REQUIRED) in errors
    assert ("信息项", 7, "安全级别", rules.MSG_ITEM_LEVEL_TOO_LOW) in errors
    assert not DataResource.objects.exists() and not DataItem.objects.exists()


def test_it_writes_nothing_when_one_row_among_thousands_is_bad(zhujian, coordinator):
    codes = [f"220500-ZJ-{n:05d}" for n in range(1, 3001)]
    resources = [resource_row(code) for code in codes]
    resources[2345] = resource_row(codes[2345], 共享类型="有条件共享")  # sheet row 2347
    items = [item_row(code, name) for code in codes for name in ("姓名", "地址")]
    result = import_workbook(workbook_bytes(resources, items), actor=coordinator, department=None)
    assert _errors(result) == [
        ("资源", 2347, "共享条件", rules.MSG_CONDITIONAL_NEEDS_CONDITIONS),
        ("资源", 2347, "法律依据编号", rules.MSG_CONDITIONAL_NEEDS_LEGAL_BASIS),
    ]
    assert DataResource.objects.count() == 0 and DataItem.objects.count() == 0


def test_it_refuses_codes_already_in_the_catalog(zhujian, zhujian_clerk):
    DataResourceFactory(code="220500-ZJ-00001", provider_department=zhujian)
    file = workbook_bytes([resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001")])
    result = import_workbook(file, actor=zhujian_clerk, department=zhujian)
    assert _errors(result) == [("资源", 2, "目录编码", MSG_CODE_EXISTS)]


def test_it_says_when_the_upload_is_not_a_spreadsheet(zhujian_clerk, zhujian):
    result = import_workbook(io.BytesIO(b"name,code\n"), actor=zhujian_clerk, department=zhujian)
    assert result.errors[0]["message"] == MSG_NOT_XLSX


def test_it_round_trips_an_export(zhujian, coordinator):
    basis = LegalBasisFactory(code="LB-007")
    DataResourceFactory(
        code="220500-ZJ-00001",
        provider_department=zhujian,
        share_class="conditional",
        share_conditions="仅限不动产登记业务",
        legal_basis=basis,
        legal_basis_text="另见市政府令第3号",
        domain="other",
        domain_other="不动产",
        update_frequency="other",
        update_frequency_other="每三年",
        base_library="housing",
        bulk_exchange=True,
        in_responsibility_list=True,
        items=["坐落", "面积", "产权人"],
    )
    DataResourceFactory(
        code="220500-ZJ-00002",
        provider_department=zhujian,
        share_class="none",
        legal_basis=basis,
        query_api=False,
        security_level=4,
        items=["档案号"],
    )
    DataItem.objects.filter(name="面积").update(data_type="N", length=12, precision=2, description="平方米")
    first = io.BytesIO()
    assert export_workbook(DataResource.objects.all(), first) == 2
    first_rows = _sheet_values(first)
    DataResource.objects.all().delete()

    first.seek(0)
    result = import_workbook(first, actor=coordinator, department=None)
    assert result.ok, result.errors
    assert (result.resources_created, result.items_created) == (2, 4)
    second = io.BytesIO()
    export_workbook(DataResource.objects.all(), second)
    assert _sheet_values(second) == first_rows
    again = DataResource.objects.get(code="220500-ZJ-00001")
    assert (again.legal_basis, again.domain_other, again.update_frequency_other, again.base_library) == (
        basis,
        "不动产",
        "每三年",
        "housing",
    )


def _sheet_values(buffer):
    buffer.seek(0)
    wb = load_workbook(buffer, read_only=True)
    values = {name: [tuple(row) for row in wb[name].iter_rows(values_only=True)] for name in ("资源", "信息项")}
    wb.close()
    return values


def test_it_reports_numbers_too_large_for_the_database_as_field_errors(zhujian, zhujian_clerk):
    huge = "99999999999999999999999"
    file = workbook_bytes(
        [resource_row("220500-ZJ-00001")],
        [item_row("220500-ZJ-00001", 长度=huge)],
    )
    result = import_workbook(file, actor=zhujian_clerk, department=zhujian)
    assert ("信息项", 2, "长度", MSG_INT_TOO_LARGE.format(maximum=2**31 - 1)) in _errors(result)
    assert not DataResource.objects.exists()


def test_it_says_a_negative_number_is_not_allowed(zhujian, zhujian_clerk):
    file = workbook_bytes([resource_row("220500-ZJ-00001")], [item_row("220500-ZJ-00001", 长度=-5)])
    result = import_workbook(file, actor=zhujian_clerk, department=zhujian)
    # Said once: not followed by "字符型和数值型信息项必须填写长度。" for the cell it could not read.
    assert [error for error in _errors(result) if error[2] == "长度"] == [
        ("信息项", 2, "长度", "应为不小于 0 的整数。")
    ]


def test_it_refuses_a_resource_with_more_items_than_allowed(zhujian, zhujian_clerk):
    codes = ["220500-ZJ-00001", "220500-ZJ-00002"]
    items = [item_row(codes[0], f"项{n}") for n in range(MAX_ITEMS_PER_RESOURCE + 1)]
    items += [item_row(codes[1], f"项{n}") for n in range(MAX_ITEMS_PER_RESOURCE)]
    result = import_workbook(
        workbook_bytes([resource_row(code) for code in codes], items), actor=zhujian_clerk, department=zhujian
    )
    assert _errors(result) == [("资源", 2, "目录编码", rules.MSG_TOO_MANY_ITEMS)]
    assert not DataResource.objects.exists()


def test_it_refuses_two_items_of_the_same_name_in_one_resource(zhujian, zhujian_clerk):
    codes = ["220500-ZJ-00001", "220500-ZJ-00002"]
    items = [
        item_row(codes[0], "姓名"),
        item_row(codes[1], "姓名"),
        item_row(codes[0], "地址"),
        item_row(codes[0], "姓名"),
    ]
    result = import_workbook(
        workbook_bytes([resource_row(code) for code in codes], items), actor=zhujian_clerk, department=zhujian
    )
    assert _errors(result) == [("信息项", 5, "信息项名称", rules.MSG_ITEM_NAME_DUPLICATE.format(name="姓名"))]
    assert not DataResource.objects.exists()
