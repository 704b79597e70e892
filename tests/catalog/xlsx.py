"""Build catalog spreadsheets for tests and the benchmark."""

import io

from openpyxl import Workbook

from catalog.excel import ITEM_HEADERS, ITEM_SHEET, RESOURCE_HEADERS, RESOURCE_SHEET


def resource_row(code, department="市住建局", **overrides):
    row = {
        "目录编码": code,
        "资源名称": f"资源{code}",
        "提供部门": department,
        "资源摘要": "测试",
        "数据领域": "城建住房",
        "其他领域": "",
        "共享类型": "无条件共享",
        "共享条件": "",
        "法律依据编号": "",
        "依据说明": "",
        "安全级别": 2,
        "网络环境": "政务外网",
        "更新频率": "每日",
        "其他更新周期": "",
        "共享方式": "信息查询接口、批量库表交换",
        "所属基础库": "",
        "列入国家共享责任清单": "否",
        "向社会开放": "否",
    }
    row.update(overrides)
    return [row[h] for h in RESOURCE_HEADERS]


def item_row(code, name="姓名", **overrides):
    row = {
        "目录编码": code,
        "信息项名称": name,
        "数据类型": "C",
        "长度": 50,
        "精度": None,
        "说明": "",
        "安全级别": None,
    }
    row.update(overrides)
    return [row[h] for h in ITEM_HEADERS]


def workbook_bytes(resource_rows, item_rows, write_only=True):
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    resources = wb.create_sheet(RESOURCE_SHEET)
    resources.append(RESOURCE_HEADERS)
    for row in resource_rows:
        resources.append(row)
    items = wb.create_sheet(ITEM_SHEET)
    items.append(ITEM_HEADERS)
    for row in item_rows:
        items.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer
