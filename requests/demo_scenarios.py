"""Demo application scenarios (应用场景授权), through the services: three authorized from the seeds' practice (公租房
申请资格审核, 不动产登记一窗受理, 低保对象认定), one in provider review with one item refused, one suspended, and an
application granted automatically under one of them.

Seed 001 asks the city to authorize scenarios and share by them; seed 003 tells how 民政 checked property by hand
for 15 days before granting 最低生活保障. Idempotent: a scenario whose name exists is left as it is.
Called by requests.demo.load(), after the share applications (their staff accounts are made there).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from catalog.choices import ShareClass
from catalog.models import PUBLISHED_STATES, DataResource
from catalog.selectors import negative_listed_item_ids
from organizations.models import Department, User
from requests.models import ApplicationState, Scenario, ScenarioState
from requests.services import application_create, application_submit
from requests.services.scenarios import (
    PartInput,
    scenario_accept,
    scenario_authorize,
    scenario_part_confirm,
    scenario_propose,
    scenario_suspend,
)
from requests.services.validation import years_after


@dataclass(frozen=True)
class Plan:
    name: str
    business_matter: str
    purposes: tuple[str, ...]
    proposer: str  # a department code, or "bureau"
    consumers: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]  # (provider department code, resource name)
    legal_basis: str
    conditions: str
    end: str  # "authorized", "review" (one item refused, the rest pending), "suspended"


PLANS = [
    Plan(
        "公租房申请资格审核",
        "公共租赁住房申请受理、资格审核",
        ("fewer_materials", "coordination"),
        "TH-ZJ",
        ("TH-ZJ",),
        (("TH-GA", "户籍人口信息"), ("TH-MZ", "婚姻登记信息"), ("TH-RS", "社会保险参保信息")),
        "《公共租赁住房管理办法》第七条",
        "仅用于公共租赁住房申请人家庭户籍、收入和社保情况核查",
        "authorized",
    ),
    Plan(
        "不动产登记一窗受理",
        "不动产转移登记、抵押登记",
        ("fewer_materials", "less_filling"),
        "bureau",
        ("TH-ZRZY", "TH-ZJ"),
        (("TH-GA", "居民身份证信息"), ("TH-MZ", "婚姻登记信息"), ("TH-SCJG", "企业登记信息")),
        "《不动产登记暂行条例》第二十七条",
        "仅用于不动产登记窗口核验申请人身份、婚姻状况和企业登记信息",
        "authorized",
    ),
    Plan(
        "低保对象认定",
        "最低生活保障审批",
        ("coordination",),
        "TH-MZ",
        ("TH-MZ",),
        (("TH-GA", "户籍人口信息"), ("TH-ZJ", "房屋登记信息"), ("TH-RS", "社会保险参保信息")),
        "《社会救助暂行办法》第十一条",
        "仅用于最低生活保障对象家庭经济状况核对，不得用于其他用途",
        "authorized",
    ),
    Plan(
        "医疗救助对象认定",
        "医疗救助审批、一站式结算",
        ("fewer_materials", "coordination"),
        "bureau",
        ("TH-YB",),
        (("TH-MZ", "婚姻登记信息"), ("TH-CL", "残疾人证信息"), ("TH-RS", "社会保险参保信息")),
        "《社会救助暂行办法》第二十八条",
        "仅用于医疗救助对象认定和一站式结算",
        "review",
    ),
    Plan(
        "残疾人两项补贴资格认定",
        "困难残疾人生活补贴和重度残疾人护理补贴审批",
        ("coordination",),
        "TH-MZ",
        ("TH-MZ",),
        (("TH-CL", "残疾人证信息"), ("TH-GA", "户籍人口信息")),
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
        "仅用于两项补贴资格认定",
        "suspended",
    ),
]
SUSPEND_REASON = "残联数据接口升级期间暂停，核对数据质量后恢复"
PARTIAL_REASON = "该信息项涉及个人隐私，与医疗救助对象认定无直接关联，不符合最小必要原则"


def _abbr(code: str) -> str:
    return code.lower().removeprefix("th-")


def _user(code: str, role: str) -> User | None:
    return User.objects.filter(username=f"{_abbr(code)}_{role}").first()


def _resource(provider: str, name: str, *, conditional: bool = False) -> DataResource | None:
    """The named resource if it is published and shared; else the provider's first that is."""
    shared = DataResource.objects.filter(provider_department__code=provider, status__in=PUBLISHED_STATES)
    shared = shared.filter(share_class=ShareClass.CONDITIONAL) if conditional else shared.exclude(share_class="none")
    return shared.filter(name=name).first() or shared.order_by("code").first()


def _part(resource: DataResource, plan: Plan) -> PartInput | None:
    listed = negative_listed_item_ids(resource)
    items = [item for item in resource.current_items().order_by("position", "pk") if item.pk not in listed][:6]
    if not items:
        return None
    return PartInput(
        resource=resource,
        items=items,
        share_method=(resource.share_methods or ["query_api"])[0],
        legal_basis=plan.legal_basis,
    )


def load(*, stdout) -> None:
    bureau = User.objects.filter(username="zs_coordinator").first()
    if bureau is None or not DataResource.objects.filter(status__in=PUBLISHED_STATES).exists():
        return
    today = timezone.localdate()
    made = [plan.name for plan in PLANS if not Scenario.objects.filter(name=plan.name).exists()]
    for plan in PLANS:
        if plan.name in made:
            _build(plan, bureau, today)
    _apply_under("低保对象认定")
    states = dict(ScenarioState.choices)
    listed = "、".join(f"{s.name}（{states[s.state]}）" for s in Scenario.objects.order_by("pk"))
    stdout.write(f"应用场景 {Scenario.objects.count()} 个：{listed}（应用场景 → 场景清单）。")


def _build(plan: Plan, bureau: User, today: dt.date) -> None:
    proposer = bureau if plan.proposer == "bureau" else _user(plan.proposer, "applicant")
    consumers = list(Department.objects.filter(code__in=plan.consumers))
    parts = []
    for index, (provider, name) in enumerate(plan.parts):
        # The scenario in review shows a refused item: only conditional data may be narrowed.
        resource = _resource(provider, name, conditional=plan.end == "review" and index == 0)
        if resource is not None and (part := _part(resource, plan)) is not None:
            parts.append(part)
    if proposer is None or not consumers or not parts:
        return
    scenario = scenario_propose(
        actor=proposer,
        data={
            "name": plan.name,
            "business_matter": plan.business_matter,
            "purposes": list(plan.purposes),
            "valid_from": today,
            "valid_to": years_after(today, 2) - dt.timedelta(days=1),
            "legal_basis": plan.legal_basis,
            "conditions": plan.conditions,
        },
        consumers=consumers,
        parts=parts,
    )
    if scenario.state == ScenarioState.PROPOSED:
        scenario = scenario_accept(actor=bureau, obj=scenario)
    refused_one = False
    for part in scenario.parts.select_related("resource", "provider_department").order_by("position"):
        reviewer = _user(part.provider_department.code, "reviewer")
        if reviewer is None:
            return
        items = list(part.items.order_by("position", "pk"))
        if plan.end != "review":
            scenario_part_confirm(actor=reviewer, obj=part, items=items)
        elif not refused_one and part.resource.share_class == ShareClass.CONDITIONAL and len(items) > 1:
            # One item refused, with the reason; the other providers have yet to answer.
            scenario_part_confirm(actor=reviewer, obj=part, items=items[:-1], adjustment_reason=PARTIAL_REASON)
            refused_one = True
    if plan.end == "review":
        return
    scenario = scenario_authorize(actor=bureau, obj=Scenario.objects.get(pk=scenario.pk))
    if plan.end == "suspended":
        scenario_suspend(actor=bureau, obj=scenario, reason=SUSPEND_REASON)


def _apply_under(name: str) -> None:
    """One application citing the scenario, within its scope: granted on submit (automatic sharing)."""
    scenario = Scenario.objects.filter(name=name, state=ScenarioState.AUTHORIZED).first()
    if scenario is None or scenario.applications.exists():
        return
    part = scenario.parts.filter(authorized=True).select_related("resource").order_by("position").first()
    consumer = scenario.consumer_departments.order_by("code").first()
    applicant = _user(consumer.code, "applicant") if consumer is not None else None
    if part is None or applicant is None:
        return
    application = application_create(
        actor=applicant,
        resource=part.resource,
        data={
            "scenario": scenario.name,
            "business_matter": scenario.business_matter,
            "purposes": list(scenario.purposes),
            "share_method": part.share_method,
            "period_start": scenario.valid_from,
            "period_end": scenario.valid_to,
            "need_legal_basis": scenario.legal_basis,
            "cited_scenario": scenario,
        },
        items=list(part.confirmed_items.order_by("position", "pk")[:2]),
    )
    application = application_submit(actor=applicant, obj=application)
    assert application.state == ApplicationState.GRANTED, application.state
