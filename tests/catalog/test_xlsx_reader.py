"""The streaming xlsx reader gives the values openpyxl gives, row for row."""

import io

from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from catalog.xlsx_reader import open_workbook


def _trimmed(row):
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


def _both(buffer: bytes, sheet: str):
    expected = load_workbook(io.BytesIO(buffer), read_only=True, data_only=True)
    actual = open_workbook(io.BytesIO(buffer))
    return (
        [_trimmed(r) for r in expected[sheet].iter_rows(values_only=True)],
        [_trimmed(r) for r in actual[sheet].iter_rows(values_only=True)],
        actual,
    )


def _saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_reads_what_openpyxl_reads():
    wb = Workbook()
    ws = wb.active
    ws.title = "资源"
    ws.append(["目录编码", "长度", "比例", "是否", None, "中文名称"])
    ws.append(["220500-ZJ-00001", 64, 2.5, True, None, "房屋登记信息"])
    ws.append([])
    ws["C5"] = "跳过一行之后"
    ws["AB5"] = "远处的列"
    ws["A6"] = CellRichText(["富", TextBlock(InlineFont(b=True), "文本")])
    wb.create_sheet("信息项").append(["目录编码", "信息项名称"])
    expected, actual, reader = _both(_saved(wb), "资源")
    assert actual == expected
    assert actual[5] == ("富文本",)
    assert reader.sheetnames == ["资源", "信息项"]
    assert reader["资源"].max_row == 6


def test_it_reads_write_only_workbooks_with_inline_strings():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("信息项")
    for n in range(50):
        ws.append([f"220500-ZJ-{n:05d}", f"信息项{n}", "C", n, None, "", n % 4 + 1])
    expected, actual, _ = _both(_saved(wb), "信息项")
    assert actual == expected
    assert actual[49] == ("220500-ZJ-00049", "信息项49", "C", 49, None, None, 2)
