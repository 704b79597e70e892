"""The funding gate's rules (资金闸口), in code: each with its code, version, Chinese name, the clause it enforces, and
a check that says what it read (evidence: ids, counts, dates) and, when it fails, what to fix.

A rule reads the facts project_approvals.gate.facts loaded and nothing else: plain functions, no queries. A rule
whose meaning changes gets a new version, and RULESET_VERSION with it, so an old snapshot still says which rules it
applied. Rule 8 (duplicate function) is a warning: shown to the bureau and finance, never a block by itself.

Clauses cite the city documents by section, quoting them (德办函〔2019〕46号, and the 宿迁 measures' official
reading, whose 三（四） and 三（五） carry the sharing platform and the funding sanction after 国发〔2016〕51号). The
national documents (国发〔2016〕51号, 国办发〔2019〕57号) are cited by number only, without an article: the texts
the clauses were checked against do not give their articles, and an article number not checked is not printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalog.models import PUBLISHED_STATES
from project_approvals.gate.facts import ProjectFacts, ReportFact, SystemOmFacts
from systems_inventory.choices import Deployment
from systems_inventory.models import ReportState, ShutdownCase, SystemStatus

RULESET_VERSION = "2026.1"

# The documents the clauses cite, by number (DOCUMENTS gives their titles, for the pages that list them).
DEYANG = "德办函〔2019〕46号"
SUQIAN = "宿迁市政务信息资源共享管理暂行办法解读"
SHARING_MEASURES = "国发〔2016〕51号"
PROJECT_MEASURES = "国办发〔2019〕57号"
DOCUMENTS = {
    DEYANG: "《德阳市加快推进政务大数据整合共享工作方案》",
    SUQIAN: "《宿迁市政务信息资源共享管理暂行办法》解读",
    SHARING_MEASURES: "《政务信息资源共享管理暂行办法》",
    PROJECT_MEASURES: "《国家政务信息化项目建设管理办法》",
}
MAX_LISTED = 5  # references named in a message (the evidence keeps more)


@dataclass(frozen=True)
class Outcome:
    passed: bool
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    code: str
    version: int
    name: str
    clause: str
    check: Callable[[Any], Outcome]
    blocking: bool = True


def listed(items: list[str]) -> str:
    """ "A、B、C" or "A、B、C、D、E 等 7 项" (the first MAX_LISTED)."""
    shown = "、".join(items[:MAX_LISTED])
    return f"{shown} 等 {len(items)} 项" if len(items) > MAX_LISTED else shown


# ---------------------------------------------------------------- the project's rules


def produced_registered(f: ProjectFacts) -> Outcome:
    """1. Every resource the project will produce is registered in the catalog (not a draft)."""
    evidence = {
        "resources": [{"id": r.id, "code": r.code, "status": r.status} for r in f.produced],
        "count": len(f.produced),
    }
    missing = [r for r in f.produced if r.status not in PUBLISHED_STATES]
    evidence["unregistered"] = [r.code for r in missing]
    if not f.produced:
        return Outcome(True, "项目未列出将产生的目录资源。", evidence)
    if missing:
        names = [f"{r.code} {r.name}（{r.status_label}）" for r in missing]
        return Outcome(
            False,
            f"{f.department.name}有 {len(missing)} 项将产生的目录资源尚未在资源目录中注册：{listed(names)}。"
            "请完成编目并提交政数局注册。",
            evidence,
        )
    return Outcome(True, f"将产生的 {len(f.produced)} 项目录资源均已注册。", evidence)


IN_PROGRESS = {ReportState.PENDING, ReportState.DRAFT, ReportState.CONFIRMING, ReportState.SUBMITTED}


def deciding_report(reports: list[ReportFact]) -> tuple[ReportFact | None, ReportFact | None]:
    """(the report that decides, the report of a campaign still in progress that was passed over).

    The newest report decides, unless its campaign is still running and the department is not late: then the one
    before it does (a running campaign does not undo the last accepted report).
    """
    running = None
    for report in reports:
        if report.campaign_state == "launched" and not report.is_late and report.state in IN_PROGRESS | {"returned"}:
            running = running or report
            continue
        return report, running
    return None, running


def self_check_accepted(f: ProjectFacts) -> Outcome:
    """2. The department's report in the latest self-check campaign is accepted."""
    report, running = deciding_report(f.department.reports)
    evidence: dict[str, Any] = {"report": None, "running": None}
    if running is not None:
        evidence["running"] = {"id": running.id, "campaign": running.campaign, "state": running.state}
    if report is None:
        return Outcome(False, f"{f.department.name}尚无通过审核的信息系统自查报告。请按期报送自查报告。", evidence)
    evidence["report"] = {
        "id": report.id,
        "campaign": report.campaign,
        "state": report.state,
        "is_late": report.is_late,
        "decided_on": report.decided_at.date().isoformat() if report.decided_at else None,
    }
    if report.state == ReportState.ACCEPTED:
        return Outcome(True, f"{f.department.name}的“{report.campaign}”自查报告已审核通过。", evidence)
    late = "逾期未报送，" if report.is_late else ""
    return Outcome(
        False,
        f"{f.department.name}的“{report.campaign}”自查报告{late}状态为“{report.state_label}”。"
        "请报送自查报告并经政数局审核通过。",
        evidence,
    )


def no_zombie(f: ProjectFacts) -> Outcome:
    """3. The department has no unresolved zombie system: suspected with no decision yet, or a shutdown whose data
    disposal is past its deadline."""
    zombies = f.department.zombies
    evidence = {
        "cases": [
            {
                "case": z.case_id,
                "system": z.system_id,
                "state": z.state,
                "disposition_due_at": z.disposition_due_at.isoformat() if z.disposition_due_at else None,
            }
            for z in zombies
        ],
        "count": len(zombies),
    }
    if zombies:
        items = [f"{z.system_reference} {z.system_name}（{z.case_reference}，{z.state_label}）" for z in zombies]
        return Outcome(
            False,
            f"{f.department.name}有 {len(zombies)} 个未处置的僵尸系统：{listed(items)}。"
            "请配合政数局研判，按期完成关停或数据处置。",
            evidence,
        )
    return Outcome(True, f"{f.department.name}无未处置的僵尸系统。", evidence)


def systems_connected(f: ProjectFacts) -> Outcome:
    """4. The project's existing systems are in the register and connected to the sharing platform (a 涉密 system
    never is); at 验收 a new system is in the register too."""
    evidence: dict[str, Any] = {
        "systems": [
            {"id": s.id, "status": s.status, "connected": s.connected, "classified": s.is_classified} for s in f.systems
        ],
    }
    problems = []
    for s in f.systems:
        if s.status != SystemStatus.IN_USE:
            problems.append(f"{s.reference} {s.name}已不在清单中（停止运行）")
        elif not s.connected and not s.is_classified:
            problems.append(f"{s.reference} {s.name}未接入共享平台")
    if f.new_system_name:
        evidence["new_system"] = {"name": f.new_system_name, "registered": [s.id for s in f.new_system_registered]}
        if f.at_acceptance and not f.new_system_registered:
            problems.append(f"新建系统“{f.new_system_name}”尚未在信息系统清单中登记")
    if problems:
        return Outcome(False, "；".join(problems) + "。请登记信息系统并接入政务数据共享平台。", evidence)
    if not f.systems and not f.new_system_name:
        return Outcome(True, "项目未涉及信息系统。", evidence)
    return Outcome(True, f"涉及的 {len(f.systems)} 个已登记系统均在清单中并已接入共享平台（涉密系统除外）。", evidence)


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.1'))}%"


def replies_in_time(f: ProjectFacts) -> Outcome:
    """5. No overdue share applications as a provider, and this year's late-reply rate under the limit."""
    d = f.department
    rate = Decimal(d.late_this_year) / Decimal(d.received_this_year) if d.received_this_year else Decimal(0)
    evidence = {
        "overdue_count": d.overdue_count,
        "overdue": d.overdue_refs,
        "received_this_year": d.received_this_year,
        "late_this_year": d.late_this_year,
        "late_rate": str(rate.quantize(Decimal("0.0001"))),
        "max_late_rate": str(f.max_late_rate),
    }
    problems = []
    if d.overdue_count:
        refs = "、".join(d.overdue_refs[:MAX_LISTED]) + ("等" if d.overdue_count > MAX_LISTED else "")
        problems.append(f"{d.name}作为提供部门有 {d.overdue_count} 件共享申请超期未答复：{refs}，请尽快答复")
    if rate >= f.max_late_rate:
        problems.append(
            f"{d.name}今年作为提供部门收到 {d.received_this_year} 件共享申请，其中 {d.late_this_year} 件"
            f"超期答复（{percent(rate)}），不低于上限 {percent(f.max_late_rate)}"
        )
    if problems:
        return Outcome(False, "；".join(problems) + "。", evidence)
    return Outcome(
        True,
        f"{d.name}无超期未答复的共享申请；今年超期答复率 {percent(rate)}（上限 {percent(f.max_late_rate)}）。",
        evidence,
    )


def on_gov_cloud(f: ProjectFacts) -> Outcome:
    """6. Deployed on the 政务云, unless 涉密 with the reason stated."""
    evidence = {"deployment": f.deployment, "classified": f.is_classified, "reason": f.not_on_cloud_reason}
    if f.deployment == Deployment.GOV_CLOUD:
        if f.is_classified:
            return Outcome(False, "涉密项目不得部署在政务云，请选择实际部署方式并说明涉密依据。", evidence)
        return Outcome(True, "项目部署在市政务云。", evidence)
    if f.is_classified and f.not_on_cloud_reason.strip():
        return Outcome(True, f"涉密项目，不部署政务云：{f.not_on_cloud_reason.strip()}", evidence)
    if f.is_classified:
        return Outcome(False, "涉密项目不部署政务云的，须说明涉密依据。", evidence)
    return Outcome(
        False, f"非涉密项目拟部署在“{f.deployment_label}”：应依托市政务云建设和部署，请改为政务云部署。", evidence
    )


def conditions_on_time(f: ProjectFacts) -> Outcome:
    """7. No open condition of an earlier first review (of any of the department's projects) is past due."""
    conditions = f.department.conditions
    overdue = [c for c in conditions if c.due_on < f.today]
    evidence = {
        "open": [{"id": c.id, "project": c.project_reference, "due_on": c.due_on.isoformat()} for c in conditions],
        "overdue": [c.id for c in overdue],
    }
    if overdue:
        items = [f"{c.project_reference}“{c.text}”（{c.due_on:%Y-%m-%d}到期）" for c in overdue]
        return Outcome(
            False,
            f"{f.department.name}有 {len(overdue)} 项初审附条件逾期未落实：{listed(items)}。请落实后由政数局确认。",
            evidence,
        )
    if conditions:
        return Outcome(True, f"{f.department.name}有 {len(conditions)} 项初审附条件待落实，均未到期。", evidence)
    return Outcome(True, f"{f.department.name}无待落实的初审附条件。", evidence)


def no_duplicate(f: ProjectFacts) -> Outcome:
    """8. No system of another department with a like function (a warning)."""
    evidence = {"similar": [{"id": d.id, "department": d.department, "name": d.name} for d in f.duplicates]}
    if f.duplicates:
        items = [f"{d.department} {d.reference} {d.name}" for d in f.duplicates]
        return Outcome(
            False,
            f"与其他部门在用系统功能相近：{listed(items)}。请说明不能共用或整合的理由（提示，不阻止）。",
            evidence,
        )
    return Outcome(True, "未发现其他部门功能相近的在用系统。", evidence)


PROJECT_RULES: list[Rule] = [
    Rule(
        "catalog_registered",
        1,
        "将产生的数据已在资源目录注册",
        f"{DEYANG}三（一）：应同步规划有关公共数据的归集、整合、利用，并按照规定编入政务信息资源目录",
        produced_registered,
    ),
    Rule(
        "self_check_accepted",
        1,
        "最近一次信息系统自查报告已通过",
        f"{DEYANG}三（二）：组织开展各部门现有信息系统的清理和整合",
        self_check_accepted,
    ),
    Rule(
        "no_zombie",
        1,
        "无未处置的僵尸系统",
        f"{DEYANG}三（二）：清理整合现有信息系统，关停“僵尸”系统",
        no_zombie,
    ),
    Rule(
        "systems_connected",
        1,
        "相关系统已登记并接入共享平台",
        f"{SUQIAN}三（四）：各部门业务信息系统接入共享平台；{DEYANG}三（五）；{SHARING_MEASURES}",
        systems_connected,
    ),
    Rule(
        "replies_in_time",
        1,
        "作为提供部门无超期未答复的共享申请",
        f"{DEYANG}三（六）：及时完成资源申请使用的授权审核；{SHARING_MEASURES}",
        replies_in_time,
    ),
    Rule(
        "gov_cloud",
        1,
        "部署于政务云（涉密除外）",
        f"{DEYANG}三（七）：非涉密系统要依托市政务云进行建设和部署",
        on_gov_cloud,
    ),
    Rule(
        "conditions_on_time",
        1,
        "初审附条件无逾期未落实",
        f"{DEYANG}三（一）：初审意见作为审批立项、财政批复预算的条件",
        conditions_on_time,
    ),
    Rule(
        "no_duplicate",
        1,
        "无功能重复的系统（提示）",
        f"{DEYANG}二：避免盲目建设、无序建设、重复建设",
        no_duplicate,
        blocking=False,
    ),
]


# ---------------------------------------------------------------- a system's annual O&M funding


def om_registered(f: SystemOmFacts) -> Outcome:
    """The system is in the register and in use."""
    s = f.system
    evidence = {"system": s.id, "status": s.status}
    if s.status != SystemStatus.IN_USE:
        return Outcome(False, f"{s.reference} {s.name}已停止运行，不在信息系统清单中，不安排运维经费。", evidence)
    return Outcome(True, f"{s.reference} {s.name}在信息系统清单中，在用。", evidence)


def om_connected(f: SystemOmFacts) -> Outcome:
    """A system that produces catalog data is connected to the sharing platform (a 涉密 system never is)."""
    s = f.system
    evidence = {"resources": s.resource_count, "connected": s.connected, "classified": s.is_classified}
    if s.resource_count and not s.connected and not s.is_classified:
        return Outcome(
            False,
            f"{s.reference} {s.name}产生 {s.resource_count} 项目录资源，但未接入共享平台：请接入后再安排运维经费。",
            evidence,
        )
    if s.connected:
        return Outcome(True, "已接入共享平台。", evidence)
    return Outcome(True, "未产生目录资源或为涉密系统，无须接入共享平台。", evidence)


def om_not_zombie(f: SystemOmFacts) -> Outcome:
    """The system is neither zombie-suspected nor on its way to, or past, shutdown or integration."""
    s = f.system
    evidence = {"state": f.chain_state, "case": f.case_id}
    if f.ended:
        return Outcome(False, f"{s.reference} {s.name}{f.chain_label}，不再安排运维经费。", evidence)
    if f.in_chain:
        case = ShutdownCase(pk=f.case_id).reference
        return Outcome(
            False,
            f"{s.reference} {s.name}处于关停程序中（{case}，{f.chain_label}）：研判排除或撤回关停前，不安排运维经费。",
            evidence,
        )
    return Outcome(True, f"{s.reference} {s.name}不在关停程序中。", evidence)


OM_RULES: list[Rule] = [
    Rule(
        "om_registered",
        1,
        "系统在信息系统清单中且在用",
        f"{PROJECT_MEASURES}（未纳入政务信息系统目录的系统不安排运维经费）",
        om_registered,
    ),
    Rule(
        "om_connected",
        1,
        "产生数据的系统已接入共享平台",
        f"{SUQIAN}三（五）：凡不符合政务信息资源共享要求的，不予审批建设项目，不予安排运维经费；"
        f"{SHARING_MEASURES}；{PROJECT_MEASURES}",
        om_connected,
    ),
    Rule(
        "om_not_zombie",
        1,
        "非疑似僵尸系统、未关停",
        f"{DEYANG}三（二）：关停“僵尸”系统；{SHARING_MEASURES}",
        om_not_zombie,
    ),
]
