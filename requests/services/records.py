"""The decision's record: the 审核意见书 or the 不予共享告知书, issued in the decision's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from catalog.choices import ShareMethod
from catalog.models import DataItem
from pdf_templates.dates import chinese_date
from pdf_templates.models import RecordType
from pdf_templates.services import issue_record
from requests.models import (
    Decision,
    DecisionOutcome,
    Scenario,
    ShareApplication,
    StandardClause,
)
from workflows import textlimits

# ---------------------------------------------------------------- records and notices


def bureau_ground(application: ShareApplication) -> str:
    """Why the 政数局 decides: a class dispute settled in this escalation, or the provider's missed deadline.

    A dispute dismissed by an earlier order, after which the provider let the deadline pass again, is not it.
    """
    provider = application.provider_department.name
    if application.disputes.filter(decided_at__gte=application.escalated_at).exists():
        return f"{provider}对该资源的共享类型提出异议，由本局协调作出决定。"
    return f"因{provider}未在规定期限内答复，由本局协调作出决定。"


def issue_decision_record(
    application: ShareApplication,
    decision: Decision,
    *,
    actor,
    granted_items: Sequence[DataItem] = (),
    requested_items: Sequence[DataItem] | None = None,
    scenario: Scenario | None = None,
):
    """`scenario`: granted within that authorized scenario (automatic sharing), which the record cites."""
    bureau = decision.decided_as == Decision.DecidedAs.DATA_BUREAU
    issuer = actor.department if bureau else application.provider_department
    submitted = timezone.localtime(application.submitted_at) if application.submitted_at else timezone.localtime()
    facts = [
        {"label": "申请编号", "value": application.reference},
        {"label": "申请部门", "value": application.applicant_department.name},
        {"label": "数据资源", "value": f"{application.resource.name}（{application.resource.code}）"},
        {"label": "办理事项", "value": application.business_matter},
        {"label": "决定方式", "value": decision.get_decided_as_display()},
    ]
    if decision.countersigned_by_id:
        signed_on = timezone.localtime(decision.countersigned_at)
        facts.append({"label": "负责人会签", "value": f"{decision.countersigned_by}（{chinese_date(signed_on)}）"})
    body = [
        f"你单位于{chinese_date(submitted)}提交的《{application.resource.name}》共享申请（{application.reference}）收悉。"
        "经审核，现将意见告知如下。"
    ]
    if bureau:
        body.append(bureau_ground(application))
    if scenario is not None:
        authorization = scenario.record.number if scenario.record is not None else ""
        body.append(
            f"你单位为应用场景“{scenario.name}”（{scenario.reference}）的使用部门，所申请数据在该场景授权范围内，"
            f"依据场景授权书{authorization}自动授权。"
        )
        facts.append({"label": "依据的应用场景", "value": f"{scenario.reference} {scenario.name}（{authorization}）"})
    if decision.outcome == DecisionOutcome.REFUSED:
        return issue_record(
            type=RecordType.REFUSAL_NOTICE,
            subject=application,
            issuer=issuer,
            actor=actor,
            title=record_title(application, "不予共享告知书"),
            addressee=application.applicant_department,
            data={
                "body": body,
                "reason": f"{decision.refusal_reason.label if decision.refusal_reason else ''}。{decision.refusal_text}",
                "legal_basis": decision.legal_basis_citation,
                "facts": facts,
                "by_bureau": bureau,  # the arbiter itself: no appeal to it
            },
        )
    # The requested items, split by what the decision granted.
    # (Granted items are always among the requested ones: validate_grant_terms.)
    if requested_items is None:
        requested_items = list(application.items.order_by("position", "pk"))
    granted_ids = {item.pk for item in granted_items}
    granted = [i for i in requested_items if i.pk in granted_ids]
    not_granted = [i for i in requested_items if i.pk not in granted_ids]
    method_label = ShareMethod(decision.granted_method).label
    start, end = decision.granted_period_start, decision.granted_period_end
    assert start is not None and end is not None  # a grant always has its period
    if decision.outcome == DecisionOutcome.PARTIALLY_GRANTED:
        verdict = "部分同意共享。"
        if not_granted:
            body.append("以下信息项不予授权：" + "、".join(i.name for i in not_granted) + "。")
        if decision.granted_method != application.share_method:
            body.append(f"共享方式调整为{method_label}（申请为{application.get_share_method_display()}）。")
        if (decision.granted_period_start, decision.granted_period_end) != (
            application.period_start,
            application.period_end,
        ):
            body.append(f"使用期限调整为{chinese_date(start)}至{chinese_date(end)}。")
        if decision.adjustment_reason:
            body.append(f"调整理由：{decision.adjustment_reason}")
    else:
        verdict = "同意共享。"
    conditions = StandardClause.labels_of(decision.standard_clauses)
    if decision.conditions:
        conditions.append(decision.conditions)
    return issue_record(
        type=RecordType.REVIEW_OPINION,
        subject=application,
        issuer=issuer,
        actor=actor,
        title=record_title(application, "审核意见书"),
        addressee=application.applicant_department,
        data={
            "body": body,
            "decision": f"{verdict}共享方式为{method_label}。",
            "granted_items": [i.name for i in granted],
            "not_granted_items": [i.name for i in not_granted],
            "conditions": conditions,
            "valid_from": chinese_date(start),
            "valid_until": chinese_date(end),
            "facts": facts,
        },
    )


def record_title(application: ShareApplication, kind: str) -> str:
    """关于<申请部门>申请共享<资源>的<kind>, the names shortened to fit a title (textlimits.TITLE)."""
    return textlimits.composed(
        "关于{department}申请共享{resource}的{kind}",
        textlimits.TITLE,
        department=application.applicant_department.name,
        resource=application.resource.name,
        kind=kind,
    )
