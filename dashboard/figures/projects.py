"""Projects (建设项目) figures: the funding gate's pass rate, projects and amounts blocked by each rule, and the
systems whose O&M funding the gate blocked, from the gate's snapshots taken in the range.

Projects are those the user may see (project_approvals.selectors.projects_visible_to), systems likewise
(systems_inventory.selectors.systems_visible_to); the department filter is the building department.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from dashboard.aggregates import bounds
from dashboard.charts import ChartSpec
from dashboard.figures import Figure, Filters, Row, Section, Table, percent
from project_approvals.choices import GateKind
from project_approvals.models import GateEvaluation
from project_approvals.selectors import projects_visible_to
from systems_inventory.selectors import systems_visible_to


def projects(user, filters: Filters, *, blocked: str = "", rule: str = ""):
    """Projects evaluated by the gate in the range (all of them with `blocked=""`); blocked: a failed evaluation."""
    start, end = bounds(filters.date_from, filters.date_to)
    evaluations = GateEvaluation.objects.filter(kind=GateKind.PROJECT, evaluated_at__gte=start, evaluated_at__lt=end)
    if blocked == "1":
        evaluations = evaluations.filter(passed=False)
    if rule:
        ids = [e.project_id for e in evaluations.only("project_id", "snapshot") if rule in _failed_rules(e)]
        evaluations = evaluations.filter(project_id__in=ids)
    found = projects_visible_to(user).filter(pk__in=evaluations.values("project_id"))
    if filters.department is not None:
        found = found.filter(department=filters.department)
    return found


def _failed_rules(evaluation: GateEvaluation) -> list[str]:
    return [r["name"] for r in evaluation.rules if r.get("result") == "failed"]


def _evaluations(user, filters: Filters, kind: str):
    start, end = bounds(filters.date_from, filters.date_to)
    found = GateEvaluation.objects.filter(kind=kind, evaluated_at__gte=start, evaluated_at__lt=end)
    if kind == GateKind.PROJECT:
        found = found.filter(project__in=projects_visible_to(user))
        if filters.department is not None:
            found = found.filter(project__department=filters.department)
    else:
        found = found.filter(system__in=systems_visible_to(user))
        if filters.department is not None:
            found = found.filter(system__department=filters.department)
    return found


def om_systems(user, filters: Filters):
    blocked = _evaluations(user, filters, GateKind.SYSTEM_OM).filter(passed=False)
    return systems_visible_to(user).filter(pk__in=blocked.values("system_id"))


def overview(user, filters: Filters) -> Section:
    evaluations = list(_evaluations(user, filters, GateKind.PROJECT).select_related("project"))
    passed = sum(e.passed for e in evaluations)
    blocked_projects = {e.project_id: e.project for e in evaluations if not e.passed}
    rules: Counter = Counter()
    amounts: dict[str, Decimal] = {}
    for e in evaluations:
        if not e.passed:
            for name in set(_failed_rules(e)):
                rules[name] += 1
                amounts[name] = amounts.get(name, Decimal(0)) + e.project.construction_budget
    amount = sum((p.construction_budget for p in blocked_projects.values()), Decimal(0))
    figures = [
        Figure("gate_evaluations", "闸口核验次数", len(evaluations), filters.drill("projects"), unit="次"),
        Figure("gate_pass_rate", "闸口通过率", percent(passed, len(evaluations)), unit="%"),
        Figure(
            "projects_blocked",
            "被闸口拦截的项目",
            len(blocked_projects),
            filters.drill("projects", blocked=1),
            unit="个",
        ),
        Figure("amount_blocked", "拦截项目建设预算", amount, unit="万元"),
        Figure(
            "om_blocked",
            "运维经费被拦截的系统",
            om_systems(user, filters).count(),
            filters.drill("om_blocked"),
            unit="个",
        ),
    ]
    rows = [
        Row([name, n, amounts[name]], filters.drill("projects", blocked=1, rule=name))
        for name, n in rules.most_common()
    ]
    table = Table(
        "blocked_by_rule",
        "按规则拦截的项目",
        ["规则", "核验未通过次数", "涉及建设预算（万元）"],
        rows,
        chart=ChartSpec("hbar", "按规则拦截", [r.cells[0] for r in rows], [("次数", [r.cells[1] for r in rows])]),
    )
    return Section("projects", "建设项目", figures, [table])


detail = overview
