"""The rules that make a system a zombie candidate (僵尸系统认定规则), each with its code, its Chinese name, the clause
it serves, its thresholds (settings ZOMBIE_*) and what it says it found.

A rule reads one system's evidence (evidence.SystemEvidence) and returns a Finding or None. A finding carries
`evidence` (every value and date it shows) and `key`: the facts that make it the same evidence on another day
(no day counts, which grow by themselves), so a dismissal holds until one of them changes. Plain functions,
no database: the scan loads the evidence for every system in a few queries and runs them all.

A change to what a rule decides is a new RULESET_VERSION; every assessment keeps the version and the
thresholds it was made with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from systems_inventory.choices import UsageFrequency
from systems_inventory.models import ActivitySource, Severity
from systems_inventory.zombie_rules.evidence import SystemEvidence
from workflows.hashing import canonical_json

RULESET_VERSION = "2026.1"

# The policy each rule serves (seeds 001 and 004).
CLEANUP = "德办函〔2019〕46号 三（二）：组织开展各部门现有信息系统的清理和整合，关停“僵尸”系统"
CHECK = "宿迁市政务信息资源共享管理暂行办法解读 二（一）：摸清系统使用范围、使用频度，按时完成对“僵尸”信息系统的清理"
CONNECT = "宿迁市政务信息资源共享管理暂行办法解读 三（四）：各部门业务信息系统接入共享平台"
INTEGRATE = "德办函〔2019〕46号 三（二）：将分散、独立、交叉的部门信息系统整合为大系统，避免重复建设"

SOURCE_LABELS = dict(ActivitySource.choices)
# How an evidence value reads on the pages (the stored keys are the program's).
EVIDENCE_LABELS = {
    "last_activity": "最近使用日期",
    "last_activity_source": "来源",
    "registered_on": "登记日期",
    "days_without_use": "无使用天数",
    "threshold_days": "阈值（天）",
    "usage_frequency": "填报使用频度",
    "user_count": "填报用户数",
    "connected": "填报已接入共享平台",
    "interface_count": "填报接口数",
    "last_platform_call": "最近共享平台调用",
    "registered_resources": "已注册目录资源数",
    "resources": "目录资源",
    "resource_count": "目录资源数",
    "category": "功能类别",
    "peer_count": "同类在用系统数",
}
PEERS_SHOWN = 5


@dataclass(frozen=True)
class Thresholds:
    idle_days: int
    daily_silence_days: int
    platform_silence_days: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        from django.conf import settings

        return cls(
            idle_days=settings.ZOMBIE_IDLE_DAYS,
            daily_silence_days=settings.ZOMBIE_DAILY_SILENCE_DAYS,
            platform_silence_days=settings.ZOMBIE_PLATFORM_SILENCE_DAYS,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "ZOMBIE_IDLE_DAYS": self.idle_days,
            "ZOMBIE_DAILY_SILENCE_DAYS": self.daily_silence_days,
            "ZOMBIE_PLATFORM_SILENCE_DAYS": self.platform_silence_days,
        }


@dataclass
class Context:
    """What every rule may read beside the system's own evidence."""

    today: dt.date
    thresholds: Thresholds
    peers: dict[int, list[SystemEvidence]] = field(default_factory=dict)  # category → its systems in use


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    clause: str
    severity: str
    text: str
    evidence: dict[str, Any]
    key: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "clause": self.clause,
            "severity": self.severity,
            "text": self.text,
            "evidence": self.evidence,
            "key": self.key,
        }


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    clause: str
    severity: str
    check: Callable[[SystemEvidence, Context], Finding | None]

    def finding(self, text: str, evidence: dict[str, Any], key: dict[str, Any]) -> Finding:
        return Finding(self.code, self.name, self.clause, self.severity, text, evidence, key)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _last_use(system: SystemEvidence) -> tuple[dt.date, str]:
    """The day of its last recorded use and where that came from; with none, the day it was registered."""
    if system.last_activity is not None:
        return system.last_activity, SOURCE_LABELS.get(system.last_source, system.last_source)
    return system.registered_on, ""


def _silence(system: SystemEvidence, today: dt.date) -> tuple[int, str]:
    """How many days without use, in words with its evidence ("最近一次使用为 …（运维上报）" / "无任何使用记录，登记于 …")."""
    last, source = _last_use(system)
    if system.last_activity is not None:
        said = f"最近一次使用为{last:%Y-%m-%d}（{source}）"
    else:
        said = f"无任何使用记录，登记于{last:%Y-%m-%d}"
    return (today - last).days, said


def _use_evidence(system: SystemEvidence, days: int, threshold: int) -> dict[str, Any]:
    return {
        "last_activity": _iso(system.last_activity),
        "last_activity_source": SOURCE_LABELS.get(system.last_source, ""),
        "registered_on": _iso(system.registered_on),
        "days_without_use": days,
        "threshold_days": threshold,
    }


def check_idle(system: SystemEvidence, context: Context) -> Finding | None:
    threshold = context.thresholds.idle_days
    days, said = _silence(system, context.today)
    if days < threshold:
        return None
    return IDLE.finding(
        f"{said}，已 {days} 天无使用（阈值 {threshold} 天）",
        _use_evidence(system, days, threshold),
        {"last_activity": _iso(system.last_activity), "registered_on": _iso(system.registered_on)},
    )


def check_declared_stopped(system: SystemEvidence, context: Context) -> Finding | None:
    stopped = system.usage_frequency == UsageFrequency.STOPPED
    if not stopped and system.user_count != 0:
        return None
    said = []
    if stopped:
        said.append("自查填报使用频度为“已停用”")
    if system.user_count == 0:
        said.append("填报用户数为 0")
    facts = {"usage_frequency": UsageFrequency(system.usage_frequency).label, "user_count": system.user_count}
    return DECLARED_STOPPED.finding("，".join(said), facts, facts)


def check_frequency_contradicted(system: SystemEvidence, context: Context) -> Finding | None:
    threshold = context.thresholds.daily_silence_days
    if system.usage_frequency != UsageFrequency.DAILY:
        return None
    days, said = _silence(system, context.today)
    if days < threshold:
        return None
    return FREQUENCY_CONTRADICTED.finding(
        f"自查填报“每日”使用，但{said}，已 {days} 天无使用（阈值 {threshold} 天）",
        {"usage_frequency": UsageFrequency.DAILY.label, **_use_evidence(system, days, threshold)},
        {"usage_frequency": system.usage_frequency, "last_activity": _iso(system.last_activity)},
    )


def check_connection_contradicted(system: SystemEvidence, context: Context) -> Finding | None:
    threshold = context.thresholds.platform_silence_days
    if not system.connected or system.resources:
        return None
    last_call = system.last_platform_call
    if last_call is not None and (context.today - last_call).days < threshold:
        return None
    calls = f"最近一次共享平台调用为{last_call:%Y-%m-%d}" if last_call else "共享平台无任何调用记录"
    return CONNECTION_CONTRADICTED.finding(
        f"自查填报已接入共享平台（{system.interface_count} 个接口），但{calls}（阈值 {threshold} 天），"
        "且未产生已注册的目录资源",
        {
            "connected": True,
            "interface_count": system.interface_count,
            "last_platform_call": _iso(last_call),
            "registered_resources": 0,
            "threshold_days": threshold,
        },
        {"connected": True, "last_platform_call": _iso(last_call), "registered_resources": 0},
    )


def check_not_connected_producing(system: SystemEvidence, context: Context) -> Finding | None:
    if system.connected or system.is_classified or not system.resources:
        return None
    codes = sorted(system.resources)
    return NOT_CONNECTED_PRODUCING.finding(
        f"产生已注册的目录资源 {len(codes)} 项（{'、'.join(codes[:PEERS_SHOWN])}{'等' if len(codes) > PEERS_SHOWN else ''}），"
        "但未接入共享平台",
        {"connected": False, "resources": codes[:20], "resource_count": len(codes)},
        {"connected": False, "resources": codes},
    )


def check_duplicate_function(system: SystemEvidence, context: Context) -> Finding | None:
    peers = [peer for peer in context.peers.get(system.category_id, []) if peer.id != system.id]
    if not peers:
        return None
    shown = [{"id": p.id, "name": p.name, "department": p.department} for p in peers[:PEERS_SHOWN]]
    names = "、".join(f"{p['department']}“{p['name']}”" for p in shown)
    return DUPLICATE_FUNCTION.finding(
        f"同属“{system.category_name}”类的在用系统另有 {len(peers)} 个：{names}{'等' if len(peers) > PEERS_SHOWN else ''}",
        {"category": system.category_name, "peer_count": len(peers), "peers": shown},
        {"category": system.category_id},
    )


IDLE = Rule("idle", "长期无使用", CLEANUP, Severity.CANDIDATE, check_idle)
DECLARED_STOPPED = Rule("declared_stopped", "自报已停用或无用户", CHECK, Severity.CANDIDATE, check_declared_stopped)
FREQUENCY_CONTRADICTED = Rule(
    "frequency_contradicted", "自报每日使用与证据不符", CHECK, Severity.CANDIDATE, check_frequency_contradicted
)
CONNECTION_CONTRADICTED = Rule(
    "connection_contradicted", "自报接入共享平台与证据不符", CONNECT, Severity.CANDIDATE, check_connection_contradicted
)
NOT_CONNECTED_PRODUCING = Rule(
    "not_connected_producing",
    "产生目录数据但未接入共享平台",
    CONNECT,
    Severity.CANDIDATE,
    check_not_connected_producing,
)
# A warning that feeds integration, never a candidate by itself.
DUPLICATE_FUNCTION = Rule("duplicate_function", "功能重复", INTEGRATE, Severity.WARNING, check_duplicate_function)

RULES: tuple[Rule, ...] = (
    IDLE,
    DECLARED_STOPPED,
    FREQUENCY_CONTRADICTED,
    CONNECTION_CONTRADICTED,
    NOT_CONNECTED_PRODUCING,
    DUPLICATE_FUNCTION,
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def evaluate(system: SystemEvidence, context: Context) -> list[Finding]:
    """Every rule that fires on the system; only candidate rules make it a candidate (see is_candidate)."""
    return [finding for rule in RULES if (finding := rule.check(system, context)) is not None]


def is_candidate(findings: list[Finding]) -> bool:
    return any(finding.severity == Severity.CANDIDATE for finding in findings)


def keys(findings: list[dict[str, Any]]) -> set[str]:
    """The evidence keys of a findings list's candidate rules (stored JSON, or as_dict()), as comparable strings.
    Warnings are left out: they never make a candidate, so a new one does not make the evidence new."""
    return {
        canonical_json({"code": finding["code"], "key": finding["key"]})
        for finding in findings
        if finding["severity"] == Severity.CANDIDATE
    }


def suppressed(findings: list[Finding], dismissed: set[str]) -> bool:
    """Dismissed already: every candidate finding was among those of a case the bureau kept the system in use on."""
    return keys([finding.as_dict() for finding in findings]) <= dismissed
