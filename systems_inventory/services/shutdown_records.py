"""The shutdown chain's records, issued in the deciding transaction by the bureau's department: the 关停通知书
(the rules that fired with their evidence, the reason, the objection deadline) and the 关停确认书 (every data
store's disposition as verified, what became of the catalog resources, the successor)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.services import issue_record
from systems_inventory.models import CaseOrigin, DataDisposition, DispositionMethod, ShutdownCase, ShutdownKind
from workflows.textlimits import TITLE, composed


def _successor(case: ShutdownCase) -> str:
    successor = case.successor
    return f"{successor.department.name}“{successor.name}”（{successor.reference}）" if successor else ""


def _findings(case: ShutdownCase) -> list[str]:
    """The rules that fired, each with what it found and the clause it serves; or the department's own request."""
    lines = []
    if case.origin == CaseOrigin.DEPARTMENT:
        lines.append(f"你单位申请停用该系统，理由：{case.request_reason}")
    for finding in case.assessment.findings if case.assessment else []:
        lines.append(f"{finding['name']}：{finding['text']}（依据：{finding['clause']}）")
    return lines


def issue_notice(case: ShutdownCase, *, actor) -> Record:
    system, successor = case.system, _successor(case)
    what = "整合" if case.kind == ShutdownKind.INTEGRATION else "关停"
    due = chinese_date(timezone.localtime(case.objection_due_at))
    intro = f"经研判，你单位“{system.name}”（{system.reference}）拟予{what}" + (
        f"，整合至{successor}。" if successor else "。"
    )
    intro += "现将有关事项通知如下。"
    data = {
        "body": [intro],
        "system_name": f"{system.name}（{system.reference}）",
        "action": what,
        "findings": _findings(case),
        "reason": case.proposal_reason,
        "successor": successor,
        "objection_deadline": due,
        "facts": [
            {"label": "案件编号", "value": case.reference},
            {"label": "研判规则集", "value": case.assessment.ruleset_version if case.assessment else "—"},
            {"label": "研判日期", "value": chinese_date(case.assessment.assessed_on) if case.assessment else "—"},
            {"label": "异议期限", "value": due},
        ],
    }
    return issue_record(
        type=RecordType.SHUTDOWN_NOTICE,
        subject=case,
        issuer=actor.department,
        actor=actor,
        title=composed("关于拟{what}“{name}”的通知书", TITLE, what=what, name=system.name),
        addressee=system.department,
        data=data,
    )


def _disposition_row(disposition: DataDisposition) -> dict[str, str]:
    if disposition.method == DispositionMethod.ARCHIVE:
        detail = (
            f"归档至{disposition.archive_location}（{disposition.archive_format}，保管期限"
            f"{disposition.get_retention_display()}），归档清单 SHA-256：{disposition.manifest_sha256}"
        )
    else:
        targets = [f"“{d.name}”（{d.reference}）" for d in [disposition.target_system] if d is not None]
        targets += [f"目录资源{r.code}“{r.name}”" for r in [disposition.target_resource] if r is not None]
        detail = "迁移至" + "、".join(targets)
    return {
        "store": disposition.store.name,
        "method": disposition.get_method_display(),
        "rows": f"{disposition.row_count:,}",
        "detail": detail,
        "verified": f"{disposition.verified_by}（{chinese_date(timezone.localtime(disposition.verified_at))}）",
    }


def issue_confirmation(
    case: ShutdownCase, dispositions: list[DataDisposition], resources: list[str], *, actor
) -> Record:
    """`resources`: what became of each catalog resource, in words."""
    system, successor = case.system, _successor(case)
    integration = case.kind == ShutdownKind.INTEGRATION
    notices = Record.objects.filter(
        type=RecordType.SHUTDOWN_NOTICE, subject_type=ContentType.objects.get_for_model(case), subject_id=str(case.pk)
    )
    notice = notices.order_by("-pk").first()
    ended = f"整合至{successor}" if successor else "关停"
    body = (
        f"你单位“{system.name}”（{system.reference}）"
        + (f"经{notice.number}通知拟予{'整合' if integration else '关停'}，" if notice else "")
        + f"数据处置已完成并经核验，现确认该系统{ended}。"
    )
    data = {
        "body": [body],
        "system_name": f"{system.name}（{system.reference}）",
        "disposition": f"该系统的数据存储共 {len(dispositions)} 个，均已归档或迁移并经核验，无数据丢失。",
        "dispositions": [_disposition_row(d) for d in dispositions],
        "resources": resources,
        "successor": successor,
        "shut_down_on": chinese_date(timezone.localdate()),
        "facts": [
            {"label": "案件编号", "value": case.reference},
            {"label": "关停通知书", "value": notice.number if notice else "—"},
        ],
    }
    return issue_record(
        type=RecordType.SHUTDOWN_CONFIRMATION,
        subject=case,
        issuer=actor.department,
        actor=actor,
        title=composed("关于“{name}”{what}的确认书", TITLE, name=system.name, what="整合" if integration else "关停"),
        addressee=system.department,
        data=data,
    )
