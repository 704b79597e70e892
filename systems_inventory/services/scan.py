"""The zombie scan: the rule set over every system in use, every night (beat) and when the bureau asks.

One transaction, in a fixed number of queries whatever the number of systems (benchmark B8): the 共享平台 usage
is computed first (zombie_rules.platform), every system's evidence is loaded (zombie_rules.evidence), the rules
run in memory, and the writes are bulk:

- a ZombieAssessment per candidate (a candidate rule fired), snapshotting its findings and the rule set's version;
- a ShutdownCase in zombie_suspected for each candidate without an open case, with one audit event each, unless
  the bureau already kept it in use on the same evidence (a dismissed or withdrawn case whose findings cover the
  new ones: zombie_rules.suppressed);
- each suspected case points at its newest assessment, which is what the bureau decides on.

Scans do not overlap: a second one waits for the first to commit (ZombieScan's one_running_scan).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from systems_inventory import permissions, zombie_rules
from systems_inventory.messages import MSG_SHUTDOWN_BUREAU_ONLY
from systems_inventory.models import (
    KEPT_STATES,
    OPEN_CASE_STATES,
    CaseOrigin,
    CaseState,
    ScanTrigger,
    ShutdownCase,
    ZombieAssessment,
    ZombieScan,
)
from systems_inventory.services.common import SelfCheckError
from systems_inventory.zombie_rules import platform
from systems_inventory.zombie_rules.evidence import SystemEvidence
from workflows.audit import record_events
from workflows.hashing import canonical_json, sha256_hex


def zombie_scan(*, actor=None, today: dt.date | None = None) -> ZombieScan:
    """Run the rule set now: the nightly run (actor None) or the bureau's (on demand). The finished scan."""
    if actor is not None and not permissions.decides_shutdown(actor):
        raise SelfCheckError(MSG_SHUTDOWN_BUREAU_ONLY)
    today = today or timezone.localdate()
    thresholds = zombie_rules.Thresholds.from_settings()
    with transaction.atomic():
        scan = ZombieScan.objects.create(
            trigger=ScanTrigger.ON_DEMAND if actor else ScanTrigger.NIGHTLY,
            started_by=actor,
            ruleset_version=zombie_rules.RULESET_VERSION,
            thresholds=thresholds.as_dict(),
        )
        platform.refresh(today=today)
        systems = zombie_rules.load(today=today)
        context = zombie_rules.Context(today=today, thresholds=thresholds, peers=_by_category(systems))
        candidates = _candidates(scan, systems, context)
        _write(scan, candidates, today=today, actor=actor)
        scan.systems = len(systems)
        scan.candidates = len(candidates)
        scan.finished_at, scan.is_running = timezone.now(), False
        scan.save(update_fields=["systems", "candidates", "suppressed", "opened", "finished_at", "is_running"])
    return scan


def _by_category(systems: list[SystemEvidence]) -> dict[int, list[SystemEvidence]]:
    peers: dict[int, list[SystemEvidence]] = defaultdict(list)
    for system in systems:
        peers[system.category_id].append(system)
    return peers


Candidate = tuple[SystemEvidence, list[zombie_rules.Finding], ShutdownCase | None]


def _candidates(scan: ZombieScan, systems: list[SystemEvidence], context: zombie_rules.Context) -> list[Candidate]:
    """Each candidate with its findings and its open case; the ones dismissed on the same evidence counted."""
    open_cases = {
        case.system_id: case
        for case in ShutdownCase.objects.filter(state__in=OPEN_CASE_STATES).only("pk", "system_id", "state")
    }
    kept: dict[int, set[str]] = defaultdict(set)
    decided = ShutdownCase.objects.filter(state__in=KEPT_STATES, assessment__isnull=False)
    for system_id, findings in decided.values_list("system_id", "assessment__findings").iterator():
        kept[system_id] |= zombie_rules.keys(findings)
    candidates = []
    for system in systems:
        findings = zombie_rules.evaluate(system, context)
        if not zombie_rules.is_candidate(findings):
            continue
        case = open_cases.get(system.id)
        if case is None and zombie_rules.suppressed(findings, kept.get(system.id, set())):
            scan.suppressed += 1
            continue
        candidates.append((system, findings, case))
    return candidates


def _write(scan: ZombieScan, candidates: list[Candidate], *, today: dt.date, actor) -> None:
    new_cases = ShutdownCase.objects.bulk_create(
        [ShutdownCase(system_id=system.id, origin=CaseOrigin.SCAN) for system, _, case in candidates if case is None]
    )
    opened = {case.system_id: case for case in new_cases}
    assessments, suspected = [], []
    for system, findings, open_case in candidates:
        case = open_case or opened[system.id]
        stored = [finding.as_dict() for finding in findings]
        assessment = ZombieAssessment(
            scan=scan,
            system_id=system.id,
            case=case,
            ruleset_version=scan.ruleset_version,
            findings=stored,
            fingerprint=sha256_hex(canonical_json(sorted(zombie_rules.keys(stored)))),
            assessed_on=today,
        )
        assessments.append(assessment)
        # A suspected case is decided on its newest assessment; a proposal froze the one it was made on.
        if case.state == CaseState.SUSPECTED:
            case.assessment = assessment
            suspected.append(case)
    ZombieAssessment.objects.bulk_create(assessments)
    ShutdownCase.objects.bulk_update(suspected, ["assessment"])
    if new_cases:
        record_events(
            model=ShutdownCase,
            subject_ids=[case.pk for case in new_cases],
            action="systems_inventory.case_suspected",
            actor=actor,
            to_state=CaseState.SUSPECTED,
            comment=f"扫描 #{scan.pk}（规则集 {scan.ruleset_version}）列为疑似僵尸系统",
        )
    scan.opened = len(new_cases)
