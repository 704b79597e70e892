"""The zombie scan: the rule set over every system in use, every night (beat) and when the bureau asks.

One transaction, in a fixed number of queries whatever the number of systems (benchmark B8): the 共享平台 usage
is computed first (zombie_rules.platform), every system's evidence is loaded (zombie_rules.evidence), the rules
run in memory, and the writes are bulk:

- a ZombieAssessment per candidate (a candidate rule fired), snapshotting its findings and the rule set's version;
- a ShutdownCase in zombie_suspected for each candidate without an open case, with one audit event each, unless
  the bureau already kept it in use on the same evidence (a dismissed or withdrawn case whose findings cover the
  new ones: zombie_rules.suppressed);
- each suspected case points at its newest assessment, which is what the bureau decides on;
- a suspected case the scan opened whose system is no longer a candidate (its use resumed, its register entry
  changed: no candidate rule fires) and that nobody has acted on (still zombie_suspected) is closed as
  已排除（证据消失）, with an audit event and a notice to the bureau and the system's department. Its assessments
  stay, the last one still the case's 研判依据. A case a person opened (申请停用, the bureau's own proposal) or moved
  on is not touched; the case's row lock is what tells (a person acting at the same moment wins or waits).

Scans do not overlap: a second one waits for the first to commit (ZombieScan's one_running_scan).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
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
from systems_inventory.services.shutdown_common import tell, tell_department
from systems_inventory.zombie_rules import platform
from systems_inventory.zombie_rules.evidence import SystemEvidence
from workflows.audit import record_event, record_events
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
        candidates, cleared = _candidates(scan, systems, context)
        _write(scan, candidates, today=today, actor=actor)
        _clear(scan, cleared, actor=actor)
        scan.systems = len(systems)
        scan.candidates = len(candidates)
        scan.finished_at, scan.is_running = timezone.now(), False
        scan.save(
            update_fields=["systems", "candidates", "suppressed", "opened", "cleared", "finished_at", "is_running"]
        )
    return scan


def _by_category(systems: list[SystemEvidence]) -> dict[int, list[SystemEvidence]]:
    peers: dict[int, list[SystemEvidence]] = defaultdict(list)
    for system in systems:
        peers[system.category_id].append(system)
    return peers


Candidate = tuple[SystemEvidence, list[zombie_rules.Finding], ShutdownCase | None]


def _candidates(
    scan: ZombieScan, systems: list[SystemEvidence], context: zombie_rules.Context
) -> tuple[list[Candidate], list[tuple[SystemEvidence, ShutdownCase]]]:
    """Each candidate with its findings and its open case, the ones dismissed on the same evidence counted; and
    the scan's own suspected cases of systems no longer candidates (to clear)."""
    open_cases = {
        case.system_id: case
        for case in ShutdownCase.objects.filter(state__in=OPEN_CASE_STATES).only("pk", "system_id", "state", "origin")
    }
    kept: dict[int, set[str]] = defaultdict(set)
    decided = ShutdownCase.objects.filter(state__in=KEPT_STATES, assessment__isnull=False)
    for system_id, findings in decided.values_list("system_id", "assessment__findings").iterator():
        kept[system_id] |= zombie_rules.keys(findings)
    candidates, cleared = [], []
    for system in systems:
        findings = zombie_rules.evaluate(system, context)
        case = open_cases.get(system.id)
        if not zombie_rules.is_candidate(findings):
            if case is not None and case.state == CaseState.SUSPECTED and case.origin == CaseOrigin.SCAN:
                cleared.append((system, case))
            continue
        if case is None and zombie_rules.suppressed(findings, kept.get(system.id, set())):
            scan.suppressed += 1
            continue
        candidates.append((system, findings, case))
    return candidates, cleared


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


def _clear(scan: ZombieScan, cleared: list[tuple[SystemEvidence, ShutdownCase]], *, actor) -> None:
    """Close the suspected cases whose evidence is gone, those still suspected once their rows are locked."""
    if not cleared:
        return
    evidence = {case.pk: system for system, case in cleared}
    cases = list(
        ShutdownCase.objects.select_for_update(of=("self",))
        .select_related("system__department")
        .filter(pk__in=evidence, state=CaseState.SUSPECTED)
        .order_by("pk")
    )
    now, bureau = timezone.now(), list(who.data_bureau())
    for case in cases:
        case.clear()
        case.decision_reason = _cleared_reason(scan, evidence[case.pk])
        case.closed_at = case.updated_at = now
    ShutdownCase.objects.bulk_update(cases, ["state", "decision_reason", "closed_at", "updated_at"])
    for case in cases:
        system = evidence[case.pk]
        record_event(
            subject=case,
            action="systems_inventory.case_cleared",
            actor=actor,
            from_state=CaseState.SUSPECTED,
            to_state=case.state,
            comment=case.decision_reason,
            data={
                "scan": scan.pk,
                "assessment": case.assessment_id,
                "last_activity": system.last_activity.isoformat() if system.last_activity else None,
                "last_activity_source": system.last_source,
            },
        )
        message = f"“{case.system.name}”{case.decision_reason}"
        tell(bureau, case, message)
        tell_department(case, message)
    scan.cleared = len(cases)


def _cleared_reason(scan: ZombieScan, system: SystemEvidence) -> str:
    said = ""
    if system.last_activity is not None:
        source = zombie_rules.rules.SOURCE_LABELS.get(system.last_source, system.last_source)
        said = f"（最近一次使用为{system.last_activity:%Y-%m-%d}，{source}）"
    return f"经扫描 #{scan.pk}（规则集 {scan.ruleset_version}）复核，疑似依据已不成立{said}，疑似僵尸系统自动排除"
