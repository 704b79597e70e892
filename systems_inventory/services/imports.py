"""A report filled in by spreadsheet: all or nothing. A checked upload replaces the report's lines in one
transaction; an upload with any error writes nothing (systems_inventory.excel names every error)."""

from __future__ import annotations

from typing import IO

from django.db import transaction

from systems_inventory import excel
from systems_inventory.models import DepartmentReport, ReportLine
from systems_inventory.services.reports import lock_fillable
from workflows.audit import record_event


def report_import(*, actor, obj: DepartmentReport, upload: IO[bytes], ip: str | None = None) -> excel.Result:
    """Check the upload; if it is clean, its rows become the report's lines (the bureau's comments on a
    register system stay with it). The result says what was wrong, or how many systems were read."""
    with transaction.atomic():
        report = lock_fillable(actor, obj, ip)
        result = excel.check(upload, report)
        if not result.ok:
            return result
        comments = dict(report.lines.filter(system__isnull=False).values_list("system_id", "review_comment"))
        report.lines.all().delete()
        lines = []
        for position, row in enumerate(result.rows, start=1):
            line = row.line
            line.report, line.position = report, position
            line.review_comment = comments.get(line.system_id, "") if line.system_id else ""
            lines.append(line)
        ReportLine.objects.bulk_create(lines)
        Link = ReportLine.resources.through
        Link.objects.bulk_create(
            [
                Link(reportline_id=row.line.pk, dataresource_id=resource.pk)
                for row in result.rows
                for resource in row.resources
            ]
        )
        record_event(
            subject=report,
            action="systems_inventory.report_imported",
            actor=actor,
            from_state=report.state,
            to_state=report.state,
            comment=f"表格导入信息系统 {len(lines)} 个",
            ip=ip,
            data={"systems": len(lines)},
        )
    return result
