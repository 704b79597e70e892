"""The funding gate (资金闸口): computed from live data whenever it is shown, snapshotted at every decision that
depends on it.

    evaluation = gate.evaluate_project(project)        # live: every rule, its evidence, what to fix
    evaluation.passed, evaluation.failing, evaluation.warnings, evaluation.sha256
    gate.snapshot(evaluation, purpose=GatePurpose.FUNDING, actor=user)   # a GateEvaluation row, immutable

`evaluate_projects` and `evaluate_systems_om` judge many subjects in the same fixed number of queries as one
(project_approvals.gate.facts), for the queues. The rules are in project_approvals.gate.rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from project_approvals.choices import GateKind
from project_approvals.gate import facts as loaders
from project_approvals.gate.rules import DOCUMENTS, OM_RULES, PROJECT_RULES, RULESET_VERSION, Rule
from project_approvals.models import ConstructionProject, GateEvaluation
from workflows.hashing import canonical_json, sha256_hex

__all__ = [
    "RULESET_VERSION",
    "Evaluation",
    "RuleResult",
    "evaluate_project",
    "evaluate_projects",
    "evaluate_system_om",
    "evaluate_systems_om",
    "snapshot",
]


@dataclass(frozen=True)
class RuleResult:
    code: str
    version: int
    name: str
    clause: str
    blocking: bool
    passed: bool
    message: str
    evidence: dict[str, Any]

    @property
    def status(self) -> str:
        """passed, failed (blocks), or warning (rule 8: shown, never a block)."""
        if self.passed:
            return "passed"
        return "failed" if self.blocking else "warning"

    @property
    def status_label(self) -> str:
        return {"passed": "通过", "failed": "未通过", "warning": "提示"}[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "clause": self.clause,
            "blocking": self.blocking,
            "result": self.status,
            "passed": self.passed,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass
class Evaluation:
    """One evaluation of the gate: of a project, or of a system's O&M funding for a year."""

    kind: str
    subject: dict[str, Any]  # type, id, reference, name, department
    year: int | None
    evaluated_at: dt.datetime
    rules: list[RuleResult] = field(default_factory=list)
    ruleset_version: str = RULESET_VERSION

    @property
    def passed(self) -> bool:
        return all(r.passed or not r.blocking for r in self.rules)

    @property
    def failing(self) -> list[RuleResult]:
        return [r for r in self.rules if r.status == "failed"]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.rules if r.status == "warning"]

    @property
    def documents(self) -> list[str]:
        """The titles of the documents the rules cite by number."""
        return [f"{title}（{number}）" for number, title in DOCUMENTS.items()]

    @property
    def evaluated_at_text(self) -> str:
        """The moment in Beijing time with its offset (+08:00), as every time the API answers."""
        return timezone.localtime(self.evaluated_at).isoformat()

    def payload(self) -> dict[str, Any]:
        """What the snapshot keeps and the hash covers."""
        return {
            "kind": self.kind,
            "subject": self.subject,
            "year": self.year,
            "ruleset_version": self.ruleset_version,
            "evaluated_at": self.evaluated_at_text,
            "passed": self.passed,
            "rules": [r.as_dict() for r in self.rules],
        }

    @property
    def canonical(self) -> str:
        return canonical_json(self.payload())

    @property
    def sha256(self) -> str:
        return sha256_hex(self.canonical)


def _judge(rules: list[Rule], facts: Any) -> list[RuleResult]:
    results = []
    for rule in rules:
        outcome = rule.check(facts)
        results.append(
            RuleResult(
                code=rule.code,
                version=rule.version,
                name=rule.name,
                clause=rule.clause,
                blocking=rule.blocking,
                passed=outcome.passed,
                message=outcome.message,
                evidence=outcome.evidence,
            )
        )
    return results


def evaluate_projects(projects: list[ConstructionProject], *, now: dt.datetime | None = None) -> dict[int, Evaluation]:
    """The gate of each project (their `department` loaded), keyed by id, in a fixed number of queries."""
    now = now or timezone.now()
    if not projects:
        return {}
    all_facts = loaders.load_projects(projects, now=now)
    return {
        p.pk: Evaluation(
            kind=GateKind.PROJECT,
            subject={
                "type": "project",
                "id": p.pk,
                "reference": p.reference,
                "name": p.name,
                "department": p.department.name,
                "state": p.state,
            },
            year=p.year,
            evaluated_at=now,
            rules=_judge(PROJECT_RULES, all_facts[p.pk]),
        )
        for p in projects
    }


def evaluate_project(project: ConstructionProject, *, now: dt.datetime | None = None) -> Evaluation:
    return evaluate_projects([project], now=now)[project.pk]


def evaluate_systems_om(systems, *, year: int, now: dt.datetime | None = None) -> dict[int, Evaluation]:
    """The O&M gate of each system (a queryset or a list) for `year`, keyed by id, in a fixed number of queries."""
    now = now or timezone.now()
    all_facts = loaders.load_systems(systems, year=year)
    return {
        pk: Evaluation(
            kind=GateKind.SYSTEM_OM,
            subject={
                "type": "system",
                "id": pk,
                "reference": f.system.reference,
                "name": f.system.name,
                "department": f.department,
            },
            year=year,
            evaluated_at=now,
            rules=_judge(OM_RULES, f),
        )
        for pk, f in all_facts.items()
    }


def evaluate_system_om(system, *, year: int, now: dt.datetime | None = None) -> Evaluation:
    return evaluate_systems_om([system], year=year, now=now)[system.pk]


def snapshot(evaluation: Evaluation, *, purpose: str, actor=None) -> GateEvaluation:
    """Keep the evaluation as it was read, byte for byte, with its hash (inside the caller's transaction)."""
    subject_id = evaluation.subject["id"]
    return GateEvaluation.objects.create(
        kind=evaluation.kind,
        purpose=purpose,
        project_id=subject_id if evaluation.kind == GateKind.PROJECT else None,
        system_id=subject_id if evaluation.kind == GateKind.SYSTEM_OM else None,
        year=evaluation.year,
        passed=evaluation.passed,
        ruleset_version=evaluation.ruleset_version,
        snapshot=evaluation.canonical,
        sha256=evaluation.sha256,
        evaluated_at=evaluation.evaluated_at,
        evaluated_by=actor,
    )
