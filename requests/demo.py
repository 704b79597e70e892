"""Demo share applications for 通化市: about 300, in every state, made through the services.

Runs after the catalog's demo (DEMO_AFTER). Every application is created,
submitted, reviewed, countersigned, escalated, decided, revoked or expired by
the same service functions the pages call, so audit events, deadlines,
decision records and notifications are the real ones.

Time. No time travel at runtime (time_machine is a test dependency, and the
audit hash chain and the record snapshots are evidence that must carry the
moment they were really written). Instead, right after submission, an
application's submitted_at/created_at and its running deadline are moved back
(`_backdate`); the deadline machinery (`workflows.deadlines.evaluate`, what
beat runs) then sends the reminders and escalates the overdue ones itself,
and the grants' sweep expires grants whose requested period already ended.
So the dates on applications and deadlines look lived-in, while audit events
and records say truthfully that they were written when the demo was loaded.

Records are issued in the decision's transaction and rendered by the Celery
worker after commit (`make run` starts one); only a handful that a newcomer
opens first are rendered here, synchronously.

Attachments. About two in three applications that go to a reviewer, and one in
four of the rest, carry an application letter (申请函): a one-page PDF rendered
here with WeasyPrint and handed to `application_create` as an upload, so it is
stored as the application form stores one. A returned application answered with
a correction gets its letter then, if it had none.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from catalog.choices import Purpose, ShareClass, ShareMethod
from catalog.models import DataItem, DataResource, LegalBasis, NegativeListEntry, ResourceStatus
from catalog.services import resource_withdraw
from organizations.demo import DEMO_PASSWORD, FAMILY_NAMES, GIVEN_NAMES
from organizations.models import Department, User
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record
from pdf_templates.rendering import fonts, header_font_pt, seal_font_family
from pdf_templates.seal import seal_svg
from pdf_templates.services import render_record
from requests import demo_scenarios, selectors
from requests import services as svc
from requests.models import (
    OPEN_STATES,
    ApplicationAttachment,
    ApplicationState,
    Grant,
    GrantState,
    RefusalReason,
    ShareApplication,
)
from workflows import deadlines
from workflows.models import Deadline
from workflows.workdays import add_workdays, due_date

DEMO_AFTER = ("organizations", "catalog", "notifications", "pdf_templates")

SEED = 2026
# Demo staff of every department: <abbr>_applicant, <abbr>_reviewer, <abbr>_leader
# (the personas of organizations/demo.py keep their own accounts, e.g. zj_reviewer).
STAFF_ROLES = [
    ("applicant", Role.APPLICANT, "申请人"),
    ("reviewer", Role.PROVIDER_REVIEWER, "审核人"),
    ("leader", Role.DEPT_LEADER, "负责人"),
]

SCENARIOS = [
    ("户籍迁入住所核验", "户口迁入登记", ["fewer_materials"]),
    ("住房保障资格审核", "公租房申请审核", ["fewer_materials", "coordination"]),
    ("企业开办信息核验", "企业设立登记", ["less_filling"]),
    ("社会救助对象认定", "最低生活保障审批", ["coordination"]),
    ("人才引进补贴发放", "人才住房补贴申请", ["fewer_materials"]),
    ("义务教育入学登记", "新生入学资格审核", ["fewer_materials", "less_filling"]),
    ("不动产登记联办", "二手房转移登记", ["coordination"]),
    ("医疗救助一站式结算", "医疗救助审批", ["coordination", "less_filling"]),
    ("行政执法信息核查", "行政处罚案件办理", ["coordination"]),
    ("信用联合奖惩", "招投标主体信用核查", ["coordination"]),
    ("养老待遇资格认证", "养老保险待遇发放", ["fewer_materials"]),
    ("残疾人补贴审核", "两项补贴资格认定", ["fewer_materials"]),
]
RETURN_COMMENTS = [
    "请补充申请函件并加盖单位公章。",
    "应用场景描述不清，请说明具体办理事项和调用频次。",
    "所申请信息项超出办理事项所需，请删减后重新提交。",
    "请补充需求的法律法规或政策依据。",
]
REFUSALS = [
    ("PURPOSE_UNRELATED", "申请用途与贵单位法定职责无直接关联。"),
    ("SCOPE_EXCESSIVE", "所申请信息项超出办理事项所需的最小范围。"),
    ("BASIS_MISSING", "未提供履职所需的法律法规或政策依据。"),
    ("DATA_UNAVAILABLE", "该数据尚在归集整理中，质量不满足共享条件。"),
    ("PERSONAL_PRIVACY", "所申请数据涉及个人隐私，现有依据不足以支持共享。"),
]
# Share of applications carrying an application letter: those a reviewer reads, and the rest.
LETTER_SHARE_REVIEWED = 0.7
LETTER_SHARE_OTHER = 0.25
# Decided on submit, never read by a reviewer.
DECIDED_ON_SUBMIT = ("auto", "expired", "expiring", "negative")
WITHDRAW_REASON = "来源系统已关停，数据迁移至省级平台。"
REVOKE_REASONS = [
    "经核查，使用部门超出授权的应用场景批量调用接口。",
    "使用部门将共享数据提供给第三方，违反“不得转授”条款。",
    "所依据的办理事项已取消，授权不再必要。",
]


@dataclass
class Spec:
    """One demo application: who applies for what, and where it should end up."""

    applicant_code: str
    resource: DataResource
    target: str


# Where each demo application ends up. Counts per block; the ga_ and zj_ blocks give the personas their views.
GA_TARGETS = [
    "draft",
    "in_review",
    "in_review",
    "taken",
    "returned",
    "resubmitted",
    "countersigning",
    "escalated",
    "escalated",
    "ordered",
    "bureau_granted",
    "auto",
    "auto",
    "granted",
    "granted_cs",
    "partial",
    "refused",
    "negative",
    "withdrawn",
    "withdrawn_draft",
    "revoked",
    "expired",
    "expiring",
    "disputed",
]
ZJ_TARGETS = (
    ["in_review"] * 7
    + ["taken"] * 2
    + ["resubmitted", "ordered", "returned"]
    + ["countersigning"] * 3
    + ["escalated"] * 2
    + ["granted_cs", "granted_cs", "partial", "partial", "refused", "refused", "revoked", "withdrawn", "disputed"]
)
OTHER_TARGETS = Counter(
    draft=15,
    in_review=30,
    taken=8,
    returned=12,
    resubmitted=5,
    countersigning=8,
    escalated=14,
    disputed=3,
    ordered=3,
    bureau_granted=4,
    bureau_refused=3,
    auto=40,
    granted=25,
    granted_cs=12,
    partial=18,
    refused=18,
    negative=6,
    withdrawn=12,
    withdrawn_draft=4,
    revoked=8,
    expired=8,
    expiring=5,
)


def load(*, stdout) -> None:
    if not Department.objects.filter(code="TH-ZJ").exists() or not DataResource.objects.exists():
        stdout.write("共享申请演示数据：缺少演示部门或资源目录，跳过。")
        return
    _load_applications(stdout=stdout)
    demo_scenarios.load(stdout=stdout)


def _load_applications(*, stdout) -> None:
    staff = _staff()
    if ShareApplication.objects.filter(applicant__in=staff.values()).exists():
        stdout.write(f"共享申请演示数据已存在（{ShareApplication.objects.count()} 件），跳过。")
        readme_example(staff, stdout=stdout)
        return
    started = timezone.now()
    builder = Builder(staff=staff, rng=random.Random(SEED))
    specs = builder.plan()
    for spec in specs:
        builder.build(spec)
    # What beat does every few minutes: reminders for the near-due, escalation of the overdue.
    fired = deadlines.evaluate()
    builder.after_escalation()
    builder.grants_after_decision()
    rendered = builder.render_first_records()
    _summary(stdout, builder, fired, rendered, started)
    readme_example(staff, stdout=stdout)


# ---------------------------------------------------------------- the README's example


# The README's grant check asks whether 市公安局 may read these items of this resource (catalog/demo.py).
README_CONSUMER = "TH-GA"
README_RESOURCE = "220500-ZJ-00001"
README_ITEMS = ("房屋坐落", "建筑面积")


def readme_example(staff: dict[str, User], *, stdout) -> None:
    """An active grant that answers the README's grant check `allowed: true`, applied for as ga_applicant
    would: unconditional items of level 2, so it is granted on submission. Made again if it has ended."""
    resource = DataResource.objects.filter(code=README_RESOURCE).first()
    items = list(DataItem.objects.filter(resource=resource, name__in=README_ITEMS, retired_at__isnull=True))
    if resource is None or len(items) != len(README_ITEMS):
        stdout.write(
            f"  README 示例：资源 {README_RESOURCE} 没有信息项 {'、'.join(README_ITEMS)}（旧的演示目录），跳过。"
        )
        return
    today = timezone.localdate()
    grants = Grant.objects.filter(
        consumer_department__code=README_CONSUMER, resource=resource, state=GrantState.ACTIVE, valid_to__gte=today
    )
    if any(set(items) <= set(grant.items.all()) for grant in grants):
        return
    applicant = staff[f"{_abbr(README_CONSUMER)}_applicant"]
    data = {
        "scenario": "不动产登记联办",
        "business_matter": "二手房转移登记",
        "purposes": ["coordination"],
        "share_method": resource.share_methods[0],
        "period_start": today,
        "period_end": today + dt.timedelta(days=730),
        "call_volume": "每日约 200 次",
        "need_legal_basis": "《不动产登记暂行条例》第二十七条",
        "applied_before": False,
        "earlier_outcome": "",
    }
    application = svc.application_create(actor=applicant, resource=resource, data=data, items=items)
    application = svc.application_submit(actor=applicant, obj=application)
    stdout.write(
        f"  README 示例：{applicant.department.name}获授权 {resource.code} 的{'、'.join(README_ITEMS)}"
        f"（{application.get_state_display()}）。"
    )


# ---------------------------------------------------------------- staff


def _abbr(code: str) -> str:
    return code.lower().removeprefix("th-")


def _staff() -> dict[str, User]:
    """username → user for every department's demo staff (created in bulk, one password hash)."""
    departments = list(Department.objects.order_by("pk"))
    wanted = {
        f"{_abbr(d.code)}_{suffix}": (d, index, role, label)
        for index, d in enumerate(departments)
        for suffix, role, label in STAFF_ROLES
    }
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    password = make_password(DEMO_PASSWORD)  # hashed once: 120 hashes would take a minute
    new = []
    for offset, (username, (department, index, _role, _label)) in enumerate(wanted.items()):
        if username in existing:
            continue
        new.append(
            User(
                username=username,
                last_name=FAMILY_NAMES[(index * 3 + offset) % len(FAMILY_NAMES)],
                first_name=GIVEN_NAMES[(index + offset * 5) % len(GIVEN_NAMES)],
                email=f"{username}@tonghua.gov.example",
                department=department,
                password=password,
            )
        )
    User.objects.bulk_create(new)
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for _s, role, _l in STAFF_ROLES}
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    Membership = User.groups.through
    have = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "group_id"))
    Membership.objects.bulk_create(
        [
            Membership(user_id=users[username].pk, group_id=groups[role].pk)
            for username, (_d, _i, role, _l) in wanted.items()
            if (users[username].pk, groups[role].pk) not in have
        ]
    )
    return users


# ---------------------------------------------------------------- building


class Builder:
    def __init__(self, *, staff: dict[str, User], rng: random.Random) -> None:
        self.staff = staff
        self.rng = rng
        # Its own generator, so letters do not shift the draws that shape the applications.
        self.letter_rng = random.Random(SEED + 1)
        self.today = timezone.localdate()
        self.coordinator = User.objects.get(username="zs_coordinator")
        # The maintained list comes with a data migration; a flushed database (transactional tests) lost it.
        for code, label, needs_basis in import_module("requests.migrations.0002_refusal_reasons").REASONS:
            RefusalReason.objects.get_or_create(
                code=code, defaults={"label": label, "requires_legal_basis": needs_basis}
            )
        self.reasons = {r.code: r for r in RefusalReason.objects.all()}
        self.legal_bases = list(LegalBasis.objects.order_by("code"))
        self.outcomes: dict[str, list[ShareApplication]] = {}
        self.withdrawal: tuple[DataResource, int] | None = None  # the withdrawn resource, grants it ended
        self._load_resources()

    # -- resources by what they can demonstrate

    def _load_resources(self) -> None:
        published = (
            DataResource.objects.filter(status__in=[ResourceStatus.REGISTERED, ResourceStatus.MOUNTED])
            .select_related("provider_department", "legal_basis")
            .prefetch_related(Prefetch("items", queryset=DataItem.objects.order_by("position")))
            .order_by("code")
        )
        banned: dict[int, set[int]] = {}
        whole: set[int] = set()
        for entry in NegativeListEntry.objects.filter(is_active=True).prefetch_related("items"):
            ids = {i.pk for i in entry.items.all()}
            if ids:
                banned.setdefault(entry.resource_id, set()).update(ids)
            else:
                whole.add(entry.resource_id)
        self.pools: dict[str, list[DataResource]] = {
            key: []
            for key in (
                "any",
                "auto",
                "review",
                "grant_low",
                "grant_cs",
                "partial",
                "refusable",
                "disputable",
                "negative",
            )
        }
        self.clean: dict[int, list[DataItem]] = {}
        for r in published:
            items = list(r.items.all())
            if not items:
                continue
            if r.pk in banned or r.pk in whole:
                self.pools["negative"].append(r)
            if r.pk in whole:
                continue
            clean = [i for i in items if i.pk not in banned.get(r.pk, set())]
            self.clean[r.pk] = clean
            self.pools["any"].append(r)
            for pool in self._pools_for(r, clean):
                self.pools[pool].append(r)
        self.banned = banned
        self.whole_banned = whole

    @staticmethod
    def _pools_for(r: DataResource, clean: list[DataItem]) -> list[str]:
        """The pools a published resource with these items (none on the negative list) can serve."""
        low = any(i.security_level <= 2 for i in clean)
        high = any(i.security_level >= 3 for i in clean)
        if r.share_class == ShareClass.UNCONDITIONAL:
            return (["auto"] if low else []) + (["review", "grant_cs", "disputable"] if high else [])
        pools = ["review", "refusable"]
        if r.share_class == ShareClass.CONDITIONAL:
            if low and r.security_level <= 2:
                pools.append("grant_low")
            if high or r.security_level >= 3:
                pools += ["grant_cs", "partial"]  # unconditional data is granted only in full
        return pools

    POOL_OF_TARGET = {
        "draft": "any",
        "withdrawn_draft": "any",
        "in_review": "review",
        "taken": "review",
        "returned": "review",
        "resubmitted": "review",
        "escalated": "review",
        "ordered": "review",
        "withdrawn": "review",
        "countersigning": "grant_cs",
        "granted_cs": "grant_cs",
        "partial": "partial",
        "granted": "grant_low",
        "bureau_granted": "grant_low",
        "revoked": "grant_low",
        "auto": "auto",
        "expired": "auto",
        "expiring": "auto",
        "refused": "refusable",
        "bureau_refused": "refusable",
        "disputed": "disputable",
        "negative": "negative",
    }

    def plan(self) -> list[Spec]:
        """The ~300 applications, in a fixed pseudo-random order (stable between databases)."""
        departments = list(Department.objects.order_by("code").values_list("code", flat=True))
        specs = []

        def pick(pool: str, *, provider: str | None = None, applicant: str | None = None) -> DataResource | None:
            candidates = [
                r
                for r in self.pools[pool]
                if (provider is None or r.provider_department.code == provider)
                and r.provider_department.code != applicant
            ]
            return self.rng.choice(candidates) if candidates else None

        for target in GA_TARGETS:
            resource = pick(self.POOL_OF_TARGET[target], applicant="TH-GA")
            if resource is not None:
                specs.append(Spec("TH-GA", resource, target))
        for target in ZJ_TARGETS:
            applicant = self.rng.choice([c for c in departments if c not in ("TH-ZJ", "TH-ZS")])
            resource = pick(self.POOL_OF_TARGET[target], provider="TH-ZJ")
            if resource is not None:
                specs.append(Spec(applicant, resource, target))
        for target, count in sorted(OTHER_TARGETS.items()):
            for _ in range(count):
                # The bureau does not arbitrate its own department's applications (separation of duties).
                bureau_acts = target in ("ordered", "bureau_granted", "bureau_refused")
                applicant = self.rng.choice([c for c in departments if not (bureau_acts and c == "TH-ZS")])
                resource = pick(self.POOL_OF_TARGET[target], applicant=applicant)
                if resource is not None:
                    specs.append(Spec(applicant, resource, target))
        self.rng.shuffle(specs)
        return specs

    # -- people

    def applicant(self, code: str) -> User:
        return self.staff[f"{_abbr(code)}_applicant"]

    def reviewer(self, application: ShareApplication) -> User:
        return self.staff[f"{_abbr(application.provider_department.code)}_reviewer"]

    def leader(self, application: ShareApplication) -> User:
        return self.staff[f"{_abbr(application.provider_department.code)}_leader"]

    # -- one application

    def _items(self, spec: Spec) -> list[DataItem]:
        resource, target = spec.resource, spec.target
        if target == "negative":
            items = list(resource.items.all())
            banned = self.banned.get(resource.pk)
            if not banned:
                return items[:3]  # the whole resource is on the negative list
            # The banned item plus a couple of others, as an applicant would tick them.
            return [i for i in items if i.pk in banned][:1] + [i for i in items if i.pk not in banned][:2]
        clean = self.clean[resource.pk]
        if target in ("auto", "expired", "expiring"):
            return [i for i in clean if i.security_level <= 2][:6]
        if target in ("granted", "bureau_granted", "revoked") and resource.share_class == ShareClass.CONDITIONAL:
            return [i for i in clean if i.security_level <= 2][:6]
        if resource.share_class == ShareClass.UNCONDITIONAL and target != "draft":
            # Only the level ≥ 3 items send unconditional data to a reviewer.
            high = [i for i in clean if i.security_level >= 3]
            return (high[:3] + [i for i in clean if i.security_level <= 2][:2])[:5]
        return clean[: self.rng.randint(2, 6)] if len(clean) > 2 else clean

    def _data(self, spec: Spec) -> dict:
        scenario, matter, purposes = self.rng.choice(SCENARIOS)
        resource = spec.resource
        methods = resource.share_methods or ["query_api"]
        if spec.target == "expired":
            start = self.today - dt.timedelta(days=400 + self.rng.randint(0, 60))
            end = self.today - dt.timedelta(days=self.rng.randint(3, 90))
        elif spec.target == "expiring":
            start = self.today - dt.timedelta(days=300)
            end = self.today + dt.timedelta(days=self.rng.randint(4, 28))
        else:
            start = self.today + dt.timedelta(days=self.rng.randint(-60, 20))
            end = start + dt.timedelta(days=self.rng.choice([180, 365, 730]))
        return {
            "scenario": scenario,
            "business_matter": matter,
            "purposes": purposes,
            "share_method": self.rng.choice(methods),
            "period_start": start,
            "period_end": end,
            "call_volume": self.rng.choice(["每日约 200 次", "每月批量交换一次", "每日约 1,000 次", "按需核验"]),
            "need_legal_basis": f"《政务信息资源共享管理暂行办法》第九条；{matter}办事指南",
            "applied_before": False,
            "earlier_outcome": "",
        }

    def build(self, spec: Spec) -> None:
        applicant = self.applicant(spec.applicant_code)
        items = self._items(spec)
        data = self._data(spec)
        target = spec.target
        day = self._submission_day(target, data)
        share = LETTER_SHARE_OTHER if target in DECIDED_ON_SUBMIT else LETTER_SHARE_REVIEWED
        letters = (
            [application_letter(applicant, spec.resource, data, items, day)] if self.letter_rng.random() < share else []
        )
        application = svc.application_create(
            actor=applicant, resource=spec.resource, data=data, items=items, attachments=letters
        )
        if target == "draft":
            self._backdate(application, day=day)
            return self._done(target, application)
        if target == "withdrawn_draft":
            svc.application_withdraw(actor=applicant, obj=application)
            return self._done(target, application)
        application = svc.application_submit(actor=applicant, obj=application)
        self._backdate(application, day=day)
        application = self._fresh(application)
        reviewer = self.reviewer(application)
        # Nothing more here for the rest: decided on submit ("auto", "negative"), left in the reviewers'
        # queue, or escalated and decided by the bureau further on ("escalated", "ordered", "bureau_*").
        if target == "taken":
            svc.task_take(actor=reviewer, obj=selectors.open_task(application))
        elif target in ("returned", "resubmitted"):
            svc.application_return(actor=reviewer, obj=application, comment=self.rng.choice(RETURN_COMMENTS))
            if target == "resubmitted":
                application = self._fresh(application)
                data["scenario"] += "（已补正）"
                letters = [] if letters else [application_letter(applicant, spec.resource, data, items, self.today)]
                svc.application_update(actor=applicant, obj=application, data=data, items=items, attachments=letters)
                svc.application_submit(actor=applicant, obj=application)
        elif target == "withdrawn":
            svc.application_withdraw(actor=applicant, obj=application)
        elif target == "disputed":
            svc.application_dispute_class(
                actor=reviewer,
                obj=application,
                reason="该资源含公民身份号码等敏感信息项，申请将其共享类型调整为有条件共享。",
            )
        elif target == "refused":
            self._refuse(application, reviewer)
        elif target in ("granted", "revoked"):
            svc.application_grant(actor=reviewer, obj=application, terms=self._terms(application))
        elif target in ("granted_cs", "countersigning", "partial"):
            terms = self._terms(application, partial=target == "partial")
            decision = svc.application_grant(actor=reviewer, obj=application, terms=terms)
            if decision.countersign_required and target != "countersigning":
                svc.application_countersign(actor=self.leader(application), obj=application, approve=True)
        self._done(target, application)

    def _done(self, target: str, application: ShareApplication) -> None:
        self.outcomes.setdefault(target, []).append(application)

    def _fresh(self, application: ShareApplication) -> ShareApplication:
        return ShareApplication.objects.select_related("provider_department", "resource").get(pk=application.pk)

    def _terms(self, application: ShareApplication, *, partial: bool = False) -> svc.GrantTerms:
        items = list(application.items.order_by("position"))
        start, end = application.period_start, application.period_end
        reason = ""
        if partial:
            if len(items) > 1:
                items = items[: max(1, len(items) // 2)]  # a counter-offer: fewer items
                reason = "其余信息项超出所述办理事项的需要。"
            else:
                end = start + (end - start) / 2  # or a shorter period
                reason = "先授权半期，到期后视使用情况续期。"
        return svc.GrantTerms(
            items=items,
            share_method=application.share_method,
            period_start=start,
            period_end=end,
            conditions=""  # unconditional data: the standard clauses only
            if application.resource.share_class == ShareClass.UNCONDITIONAL
            else "仅限申请所述办理事项使用，调用日志保存不少于六个月。",
            standard_clauses=["purpose_only", "no_onward_sharing", "retention_limit"],
            adjustment_reason=reason,
        )

    def _refuse(self, application: ShareApplication, actor: User) -> None:
        code, text = self.rng.choice(REFUSALS)
        reason = self.reasons.get(code)
        legal = application.resource.legal_basis or self.legal_bases[0]
        needs_basis = svc.legal_basis_required(application, reason)
        svc.application_refuse(
            actor=actor,
            obj=application,
            reason=reason,
            text=text,
            legal_basis=legal if needs_basis else None,
        )

    def _submission_day(self, target: str, data: dict) -> dt.date:
        """The day the application is (made to look) submitted; a withdrawn draft is left at today."""
        if target == "withdrawn_draft":
            return self.today
        if target == "expired":
            return data["period_start"] - dt.timedelta(days=7)
        if target == "draft":
            workdays_ago = self.rng.randint(0, 5)
        elif target in ("escalated", "ordered", "bureau_granted", "bureau_refused"):
            workdays_ago = self.rng.randint(11, 25)  # deadline passed: beat escalates
        elif target in ("in_review", "taken"):
            workdays_ago = self.rng.choice([0, 1, 2, 3, 5, 7, 8, 9])
        else:
            workdays_ago = self.rng.randint(1, 8)
        return add_workdays(self.today, -workdays_ago) if workdays_ago else self.today

    def _backdate(self, application: ShareApplication, *, day: dt.date) -> None:
        """Move the submission (and a running reply deadline) back to `day`; see the module docstring."""
        hour = dt.time(self.rng.randint(8, 16), self.rng.choice([0, 10, 25, 40, 55]))
        moment = timezone.make_aware(dt.datetime.combine(day, hour))
        moment = min(moment, timezone.now())
        changes = {"created_at": moment}
        if application.submitted_at:
            changes["submitted_at"] = moment
        deadline = deadlines.for_subject(application).filter(status=Deadline.Status.ACTIVE).first()
        if deadline is not None:
            due = due_date(timezone.localtime(moment), deadline.workdays)
            remind_at = None
            if deadline.remind_before_workdays is not None:
                remind_day = add_workdays(timezone.localtime(due).date(), -deadline.remind_before_workdays)
                remind_at = timezone.make_aware(dt.datetime.combine(remind_day, deadlines.REMIND_AT))
            Deadline.objects.filter(pk=deadline.pk).update(starts_on=day, due_at=due, remind_at=remind_at)
            changes["due_at"] = due
        ShareApplication.objects.filter(pk=application.pk).update(**changes)

    # -- after beat escalated the overdue ones

    def after_escalation(self) -> None:
        for target in ("ordered", "bureau_granted", "bureau_refused"):
            for application in self.outcomes.get(target, []):
                application = self._fresh(application)
                if application.state != ApplicationState.ESCALATED:
                    continue
                if target == "ordered":
                    svc.application_order_decision(
                        actor=self.coordinator, obj=application, workdays=5, comment="请于限期内作出答复。"
                    )
                elif target == "bureau_granted":
                    svc.application_grant(actor=self.coordinator, obj=application, terms=self._terms(application))
                else:
                    self._refuse(application, self.coordinator)

    def grants_after_decision(self) -> None:
        """Revocations and expiries, through the grant services when they are installed."""
        try:
            from requests.services.grants import grant_revoke, grants_sweep
        except ImportError:
            return
        for application in self.outcomes.get("revoked", []):
            grant = Grant.objects.filter(application=application, state=GrantState.ACTIVE).first()
            if grant is not None:
                grant_revoke(actor=self.reviewer(grant.application), obj=grant, reason=self.rng.choice(REVOKE_REASONS))
        self.withdraw_a_granted_resource()
        grants_sweep(today=self.today)

    def withdraw_a_granted_resource(self) -> None:
        """One granted resource leaves the catalog (its source system shut down): the withdrawal revokes
        its grants, each with a 撤销通知, and refuses the one application then in review on it. A resource
        that no other open application waits for; 公安局's if it can be.
        """
        granted = sorted(self.outcomes.get("granted", []), key=lambda a: a.applicant_department.code != "TH-GA")
        for application in granted:
            resource = DataResource.objects.select_related("provider_department").get(pk=application.resource_id)
            waiting = ShareApplication.objects.filter(
                resource=resource, state__in=[ApplicationState.DRAFT, *OPEN_STATES]
            )
            if not resource.is_published or waiting.exists():
                continue
            clerk = self.staff[f"{_abbr(resource.provider_department.code)}_applicant"]
            self._apply_like(application)
            ending = Grant.objects.filter(resource=resource, state=GrantState.ACTIVE).count()
            resource = resource_withdraw(actor=clerk, obj=resource, reason=WITHDRAW_REASON)
            refused = svc.refuse_for_withdrawn_resources()  # the worker's job once the withdrawal commits
            self.withdrawal = (resource, ending, refused)
            return

    def _apply_like(self, granted: ShareApplication) -> ShareApplication:
        """Another department applies for the same data on the same terms (it goes to review)."""
        taken = {granted.provider_department_id, granted.applicant_department_id}
        applicant = next(
            user
            for name, user in sorted(self.staff.items())
            if name.endswith("_applicant") and user.department_id not in taken
        )
        application = svc.application_create(
            actor=applicant,
            resource=granted.resource,
            data={name: getattr(granted, name) for name in svc.APPLICATION_FIELDS},
            items=list(granted.items.all()),
        )
        return svc.application_submit(actor=applicant, obj=application)

    def render_first_records(self) -> list[Record]:
        """The few records a newcomer opens first (ga_applicant's), rendered now; the worker renders the rest."""
        wanted = []
        for target in ("granted", "partial", "refused", "negative", "bureau_granted", "revoked"):
            for application in self.outcomes.get(target, []):
                if application.applicant_department.code == "TH-GA":
                    records = Record.objects.filter(
                        subject_type__model="shareapplication", subject_id=str(application.pk)
                    ).order_by("pk")
                    grant = Grant.objects.filter(application=application).first()
                    if target == "revoked" and grant is not None:
                        records = Record.objects.filter(subject_type__model="grant", subject_id=str(grant.pk))
                    record = records.last()
                    if record is not None:
                        wanted.append(record)
                    break
        return [render_record(record_id=record.pk) for record in wanted]


# ---------------------------------------------------------------- attachments


def application_letter(
    applicant: User, resource: DataResource, data: dict, items: list[DataItem], day: dt.date
) -> SimpleUploadedFile:
    """申请函: the applicant department's letter to the provider, a one-page PDF with its seal."""
    department = applicant.department
    title = f"关于申请共享“{resource.name}”数据资源的函"
    html = render_to_string(
        "requests/demo/application_letter.html",
        {
            "title": title,
            "applicant": applicant,
            "applicant_department": department,
            "resource": resource,
            "data": data,
            "items": items,
            "item_names": "、".join(item.name for item in items),
            "purposes": "、".join(Purpose(p).label for p in data["purposes"]),
            "method": ShareMethod(data["share_method"]).label,
            "start": chinese_date(data["period_start"]),
            "end": chinese_date(data["period_end"]),
            "date": chinese_date(day),
            "fonts": fonts(),
            "header_pt": header_font_pt(department.seal_text),
            "seal": seal_svg(department.seal_text, font_family=seal_font_family(), size="38mm"),
        },
    )
    name = f"{department.name}关于申请共享{resource.name}的函.pdf".replace("/", "、")
    return SimpleUploadedFile(name, HTML(string=html).write_pdf(), content_type="application/pdf")


# ---------------------------------------------------------------- summary


def _summary(stdout, builder: Builder, fired: dict, rendered: list[Record], started) -> None:
    states = Counter(ShareApplication.objects.values_list("state", flat=True))
    labels = dict(ApplicationState.choices)
    grants = Counter(Grant.objects.values_list("state", flat=True))
    grant_labels = dict(GrantState.choices)
    pending = Record.objects.filter(render_status=Record.RenderStatus.PENDING).count()
    seconds = (timezone.now() - started).total_seconds()
    stdout.write(
        f"共享申请 {sum(states.values())} 件（{seconds:.0f} 秒）："
        + "、".join(f"{labels[s]} {n}" for s, n in sorted(states.items(), key=lambda kv: -kv[1]))
    )
    stdout.write(
        f"  其中曾超期 {ShareApplication.objects.filter(was_overdue=True).count()} 件；"
        f"期限提醒 {fired['reminded']} 次、超期提请协调 {fired['expired']} 件。"
    )
    stdout.write("  共享授权：" + "、".join(f"{grant_labels[s]} {n}" for s, n in sorted(grants.items())))
    if builder.withdrawal is not None:
        resource, ended, refused = builder.withdrawal
        stdout.write(
            f"  目录撤销 {resource.code} {resource.name}：其 {ended} 项授权随之撤销，各发撤销通知；"
            f"在审申请 {refused} 件不予授权（数据资源已从目录撤销）。"
        )
    letters = ApplicationAttachment.objects.filter(original_name__endswith="的函.pdf").count()
    stdout.write(f"  申请函附件 {letters} 件（PDF），在申请详情页“附件”处下载。")
    stdout.write(
        f"  文书：已生成 PDF {len(rendered)} 件（"
        + "、".join(r.number for r in rendered)
        + f"），其余 {pending} 件待 Celery worker 生成（make run 会启动 worker）。"
    )
    for username, what in [
        ("zj_reviewer", "待办审核"),
        ("zj_leader", "待会签"),
        ("zs_coordinator", "协调任务"),
    ]:
        user = User.objects.get(username=username)
        stdout.write(f"  {username:<16} {what} {selectors.task_list(user).count()} 件")
    stdout.write(f"  {'zs_coordinator':<16} 逾期协调队列 {selectors.overdue_queue().count()} 件")
    ga = User.objects.get(username="ga_applicant")
    ga_states = Counter(selectors.department_applications(ga).values_list("state", flat=True))
    stdout.write(f"  {'ga_applicant':<16} 本部门申请 {sum(ga_states.values())} 件，{len(ga_states)} 种状态")
    stdout.write(
        f"  各部门演示账号：<部门缩写>_applicant / _reviewer / _leader（如 mz_reviewer），密码 {DEMO_PASSWORD}"
    )
