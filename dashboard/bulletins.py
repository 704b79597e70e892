"""A 情况通报's content: the period's figures, rankings and charts (the snapshot frozen at issue), and the
draft narrative written from them in seed 000's structure (一、工作进展; 二、存在问题; 三、下一步工作).

Figures are read as the bureau reads them (`reader`, a bureau user): every department's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dashboard import charts, rankings
from dashboard.figures import Filters, Section, Table, catalog, projects, sharing, systems

COMMENDED = 5  # departments named for their timeliness
LOW_COMPLETENESS = 60  # a base library under this percent is named as a problem


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _table(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "columns": list(table.columns),
        "rows": [[_plain(c) for c in row.cells] for row in table.rows],
    }


def _section(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "figures": [
            {"key": f.key, "label": f.label, "value": _plain(f.value), "unit": f.unit} for f in section.figures
        ],
        "tables": [_table(t) for t in section.tables],
    }


def snapshot(reader, period_start: dt.date, period_end: dt.date) -> dict[str, Any]:
    """Everything the bulletin states, as plain JSON: what is stored when it is issued."""
    filters = Filters(period_start, period_end)
    computed = systems.campaign_figures(reader, filters)
    campaign = computed[2]
    sections = [
        sharing.overview(reader, filters),
        catalog.overview(reader, filters),
        systems.overview(reader, filters, computed),
        projects.overview(reader, filters),
    ]
    tables = rankings.league_tables(filters)
    weights = rankings.current_weights()
    scores = rankings.scores(filters, weights, tables)
    specs = [t.chart for s in sections for t in s.tables if t.chart is not None and any(t.chart.categories)]
    return {
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "sections": [_section(s) for s in sections],
        "campaign": {
            "title": campaign.get("campaign", ""),
            "departments_checked": campaign["findings"]["departments_checked"] if campaign else None,
            "departments_with_self_built": campaign["findings"]["departments_with_self_built"] if campaign else None,
            "self_built_systems": campaign["findings"]["self_built_systems"] if campaign else None,
            "connected_departments": campaign["findings"]["connection"]["departments"] if campaign else None,
            "interfaces": campaign["findings"]["connection"]["interfaces"] if campaign else None,
        },
        "rankings": {
            key: {
                "title": rankings.MEASURES[key],
                "rows": [[r.position, r.department, r.score, r.basis] for r in ranks if r.score is not None][:10],
            }
            for key, ranks in tables.items()
        },
        "scores": {
            "version": weights.version,
            "weights": weights.as_dict(),
            "rows": [[s.position, s.department, s.total] for s in scores][:10],
        },
        "charts": [{"title": spec.title, "spec": spec.as_dict(), "svg": charts.svg(spec)} for spec in specs],
    }


def _figure(data: dict, section: str, key: str) -> Any:
    for s in data["sections"]:
        if s["key"] == section:
            for f in s["figures"]:
                if f["key"] == key:
                    return f["value"]
    return None


def _table_rows(data: dict, section: str, title_start: str) -> list[list]:
    for s in data["sections"]:
        if s["key"] == section:
            for t in s["tables"]:
                if t["title"].startswith(title_start):
                    return t["rows"]
    return []


def narrative(data: dict) -> dict[str, str]:
    """The draft's three parts, each sentence from the figures."""
    progress = []
    c = data["campaign"]
    if c.get("departments_checked"):
        progress.append(
            f"（一）信息系统建设自查方面。全市{c['departments_checked']}个部门开展信息系统自查，"
            f"{c['departments_with_self_built']}个部门共有{c['self_built_systems']}个自建系统。"
        )
        if c.get("interfaces"):
            progress.append(f"已有{c['connected_departments']}个部门的{c['interfaces']}个接口对接共享平台。")
    submitted = _figure(data, "sharing", "applications") or 0
    progress.append(
        f"（二）数据共享方面。统计期内各部门提交共享申请{submitted}件，"
        f"已授权{_figure(data, 'sharing', 'granted') or 0}件，不予授权{_figure(data, 'sharing', 'refused') or 0}件，"
        f"办理中{_figure(data, 'sharing', 'open') or 0}件。"
    )
    libraries = [row for row in _table_rows(data, "catalog", "基础库") if row[2]]
    rates = "，".join(f"{row[0]}已编目信息项{row[1]}项，完整度{row[3]}" for row in libraries)
    progress.append(
        f"（三）资源目录方面。全市已编目资源{_figure(data, 'catalog', 'resources') or 0}个"
        + (f"；{rates}。" if rates else "。")
    )
    on_time = [r[1] for r in data["rankings"]["timeliness"]["rows"] if r[2] == 100][:COMMENDED]
    if on_time:
        progress.append(f"{'、'.join(on_time)}等部门均按时答复共享申请，予以表扬。")

    problems = []
    overdue = [(row[0], row[4]) for row in _table_rows(data, "sharing", "各提供部门") if row[4]]
    if overdue:
        names = "、".join(f"{name}（{n}件）" for name, n in overdue)
        problems.append(f"（一）共享申请答复超期。{names}存在超期未答复的共享申请。")
    low = [row for row in libraries if row[3].rstrip("%").isdigit() and int(row[3].rstrip("%")) < LOW_COMPLETENESS]
    if low:
        names = "、".join(f"{row[0]}（{row[3]}）" for row in low)
        problems.append(f"（二）基础库编目不完整。{names}编目完整度偏低。")
    blocked = _figure(data, "projects", "projects_blocked")
    if blocked:
        problems.append(
            f"（三）建设项目未通过资金闸口。{blocked}个项目未通过核验，涉及建设预算"
            f"{_figure(data, 'projects', 'amount_blocked')}万元。"
        )
    if not problems:
        problems.append("统计期内未发现突出问题。")
    next_steps = [
        "（一）各部门要按期答复共享申请，确需延期的及时说明理由。",
        "（二）各基础库责任部门要加快编目，按目标完成信息项挂载。",
        "（三）对自查发现的问题系统，按程序推进整合或关停。",
    ]
    return {"progress": "\n".join(progress), "problems": "\n".join(problems), "next_steps": "\n".join(next_steps)}


def title_for(period_start: dt.date, period_end: dt.date) -> str:
    return f"关于政务数据共享工作的情况通报（{period_start:%Y年%m月%d日}至{period_end:%Y年%m月%d日}）"
