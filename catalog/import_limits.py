"""The bounds of a spreadsheet import, from settings (defaults in catalog.limits), and their messages.

A workbook is refused before it is read when it declares more than these (catalog.xlsx_reader checks
them); the same declared size decides whether an import runs in the web request or in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.conf import settings

from catalog.xlsx_reader import Limits, TooLarge, open_workbook

MSG_TOO_MANY_ROWS = "表格超过 {limit} 行的上限（工作表“{where}”），请拆分为多个文件分批导入。"
MSG_TOO_MANY_COLUMNS = "工作表“{where}”超过 {limit} 列的上限，请按导入模板填写，不要在模板以外的列填写内容。"
MSG_TOO_LARGE = "表格解压后约 {value} MB，超过 {limit} MB 的上限，请拆分为多个文件分批导入。"
MSG_BAD_RATIO = "表格的压缩比异常（{value} 倍，上限 {limit} 倍），疑为恶意构造的文件，已拒绝导入。"
_MESSAGES = {"rows": MSG_TOO_MANY_ROWS, "columns": MSG_TOO_MANY_COLUMNS, "ratio": MSG_BAD_RATIO}


def import_limits() -> Limits:
    return Limits(
        max_rows=settings.CATALOG_IMPORT_MAX_ROWS,
        max_columns=settings.CATALOG_IMPORT_MAX_COLUMNS,
        max_uncompressed_bytes=settings.CATALOG_IMPORT_MAX_UNCOMPRESSED_BYTES,
        max_compression_ratio=settings.CATALOG_IMPORT_MAX_COMPRESSION_RATIO,
    )


def too_large_message(error: TooLarge) -> str:
    if error.kind == "bytes":
        mb = 1024 * 1024
        return MSG_TOO_LARGE.format(value=-(-int(error.value) // mb), limit=int(error.limit) // mb)
    return _MESSAGES[error.kind].format(value=error.value, limit=error.limit, where=error.where)


@dataclass(frozen=True)
class DeclaredSize:
    """What a workbook says of itself, read from its zip directory and its sheets' <dimension> only."""

    uncompressed_bytes: int
    rows: int | None  # the sum of the sheets' declared last rows; None when a sheet declares none
    refused: bool = False  # beyond the limits: the check refuses it at once

    @property
    def runs_inline(self) -> bool:
        """Small enough to check in the web request; a refused or unreadable one is refused there as fast."""
        if self.refused:
            return True
        if self.uncompressed_bytes > settings.CATALOG_IMPORT_INLINE_MAX_BYTES:
            return False
        return self.rows is None or self.rows <= settings.CATALOG_IMPORT_INLINE_MAX_ROWS


def declared_size(source: IO[bytes] | str) -> DeclaredSize:
    try:
        workbook = open_workbook(source, import_limits())
    except Exception:  # too large, or not an xlsx file: the check says so without reading anything
        return DeclaredSize(0, None, refused=True)
    try:
        rows: int | None = 0
        for name in workbook.sheetnames:
            declared = workbook[name].max_row
            rows = None if rows is None or declared is None else rows + declared
        return DeclaredSize(workbook.uncompressed_size, rows)
    except Exception:  # a sheet too large, or broken
        return DeclaredSize(workbook.uncompressed_size, None, refused=True)
    finally:
        workbook.close()
