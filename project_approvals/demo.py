"""The demo's construction projects (about 40) and the O&M funding year 2027, made through the services.

Projects stand in every state: drafts, waiting for their leader, in the bureau's first review (one past its working
days), returned, not passed, passed (one whose condition comes due in a few days) and waiting for 立项 by fgw_approver
(市发改委), approved and waiting for cz_finance's budget decision, budgeted, and accepted. Among the approved ones
finance finds some it can fund and real blocks, one for each of the gate's rules 1–7, with the reasons the gate reads
from the other demos' data (the catalog, the share applications, the self-check, the shutdown chain), and one with
rule 8's warning. For the O&M year 2027 every system of the register in use awaits its funding: finance has decided
some, tried two whose gate fails (refused, on the audit trail), and the rest wait, some of them blocked.

The gate reads live data, so the departments blocked by rules 2, 3 and 5 are chosen from what the other demos left
(a late self-check report, an unresolved zombie system, applications overdue as a provider); where none has an
unresolved zombie system, 市文旅局 asks to retire one of its systems and the bureau has not decided yet.

Time: no time travel at runtime (as requests.demo explains). Rule 7 needs a condition past its due date: after the
first review, that condition's due date is moved back (its 初审意见书 keeps the date it was issued with); one first
review's clock is moved back so that beat marks it overdue. Idempotent: nothing is made when projects exist.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from catalog.models import PUBLISHED_STATES, DataResource
from organizations.demo import DEMO_PASSWORD
from organizations.models import Department, User
from organizations.roles import Role
from project_approvals import gate, services
from project_approvals.gate import facts as gate_facts
from project_approvals.gate import rules as gate_rules
from project_approvals.models import ConstructionProject, FundingDecision, ProjectState, ReviewCondition
from project_approvals.selectors import om_systems
from project_approvals.services import ProjectError
from systems_inventory.models import FunctionCategory, InfoSystem, ShutdownCase
from systems_inventory.selectors import unresolved_zombie_systems
from systems_inventory.services import case_request
from workflows import deadlines
from workflows.models import Deadline

DEMO_AFTER = ("organizations", "catalog", "requests", "systems_inventory", "pdf_templates")
OM_YEAR = 2027
OM_FUNDED = 24  # systems whose 2027 O&M funding finance has decided
BUDGET_LINE = "2130199 其他政务信息化支出"
OM_BUDGET_LINE = "2130199 其他政务信息化运维支出"
ORDER = ["draft", "submitted", "in_review", "returned", "not_passed", "passed", "approved", "budgeted", "accepted"]


@dataclass
class Spec:
    department: str
    name: str
    target: str
    project_type: str = "upgrade"
    systems: tuple[str, ...] = ()
    new_system: tuple[str, str] | None = None  # (name, category code)
    produced: tuple[str, ...] = ()  # resource codes, or "*" for the department's first registered one
    budget: str = "180"
    om_budget: str = "25"
    deployment: dict = field(default_factory=dict)
    conditions: tuple[tuple[str, int], ...] = ()  # (text, days from today)
    comment: str = ""


# The departments blocked by rules 2, 3 and 5 are chosen when the demo runs (see the module's docstring).
R2, R3, R5 = "{r2}", "{r3}", "{r5}"
CLOUD_OFF = {"deployment": "own_room", "not_on_cloud_reason": "现有机房设备尚在使用年限内"}

SPECS = [
    # accepted, budgeted, and approved ones finance can fund
    Spec("TH-GJJ", "住房公积金综合业务系统升级改造", "accepted", systems=("住房公积金综合业务系统",), produced=("*",)),
    Spec("TH-FY", "审判流程管理系统智能化升级", "accepted", systems=("审判流程管理系统",), produced=("*",)),
    Spec("TH-MZ", "婚姻登记系统电子证照改造", "accepted", systems=("婚姻登记系统",), produced=("220500-MZ-00001",)),
    Spec("TH-GJJ", "公积金贷款审批系统运维", "budgeted", "om", ("公积金贷款审批系统",), produced=("*",), budget="0"),
    Spec(
        "TH-MZ",
        "社会救助管理系统运维",
        "budgeted",
        "om",
        ("社会救助管理系统",),
        produced=("220500-MZ-00002",),
        budget="0",
    ),
    Spec("TH-FY", "执行案件管理系统升级", "budgeted", systems=("执行案件管理系统",), produced=("*",)),
    Spec(
        "TH-GA",
        "户籍管理系统升级（涉密）",
        "budgeted",
        systems=("户籍管理系统",),
        produced=("220500-GA-00002",),
        deployment={"deployment": "own_room", "is_classified": True, "not_on_cloud_reason": "涉密系统，部署于公安专网"},
    ),
    Spec(
        "TH-MZ",
        "婚姻登记预约服务系统建设",
        "budgeted",
        "new_build",
        new_system=("婚姻登记预约服务系统", "REGISTRATION"),
        produced=("220500-MZ-00004",),
    ),
    Spec(
        "TH-SCJG",
        "市场主体信用监管平台建设",
        "approved",
        "new_build",
        new_system=("市场主体信用监管平台", "SUPERVISION"),
        produced=("*",),
        budget="460",
    ),
    Spec(
        "TH-YB",
        "医保基金智能监控平台建设",
        "approved",
        "new_build",
        new_system=("医保基金智能监控平台", "DECISION"),
        produced=("*",),
        conditions=(("上线前完成医保结算信息资源挂载", 5),),
        budget="520",
    ),
    Spec(
        "TH-RS",
        "社会救助对象管理系统建设",
        "approved",
        "new_build",
        new_system=("社会救助对象管理系统", "BUSINESS"),
        produced=("*",),
        comment="与市民政局社会救助管理系统功能相近，请建设中对接共用。",
    ),
    Spec("TH-GJJ", "公积金网上服务大厅适老化改造", "approved", systems=("公积金网上服务大厅",), produced=("*",)),
    Spec(
        "TH-GJJ",
        "住房公积金数据共享接口建设",
        "approved",
        "new_build",
        new_system=("住房公积金数据共享接口平台", "EXCHANGE"),
        produced=("*",),
    ),
    # approved, and blocked now: one per rule
    Spec(
        "TH-JT",
        "出租汽车服务监管平台建设",
        "approved",
        "new_build",
        new_system=("出租汽车服务监管平台", "SUPERVISION"),
        produced=("220500-JT-00004", "220500-JT-00005"),
        conditions=(("预算批复前完成出租汽车驾驶员信息等目录资源注册", 30),),
    ),
    Spec(
        R2,
        "智慧校园统一平台建设",
        "approved",
        "new_build",
        new_system=("智慧校园统一平台", "PUBLIC_SERVICE"),
        produced=("*",),
        conditions=(("按期报送第二轮信息系统自查报告并经审核通过", 20),),
    ),
    Spec(
        R3,
        "全域旅游数据平台建设",
        "approved",
        "new_build",
        new_system=("全域旅游数据平台", "DECISION"),
        produced=("*",),
        conditions=(("配合完成疑似僵尸系统的研判和处置", 30),),
    ),
    Spec(
        "TH-MZ",
        "养老服务管理平台二期",
        "approved",
        systems=("养老服务管理平台",),
        produced=("220500-MZ-00003",),
        conditions=(("养老服务管理平台接入政务数据共享平台", 45),),
    ),
    Spec(
        R5,
        "业务系统共享接口改造",
        "approved",
        new_system=("业务数据共享接口", "EXCHANGE"),
        produced=("*",),
        conditions=(("清理超期未答复的共享申请，按期答复", 15),),
    ),
    Spec(
        "TH-SCJG",
        "食品安全快检数据平台建设",
        "approved",
        "new_build",
        new_system=("食品安全快检数据平台", "SUPERVISION"),
        produced=("*",),
        deployment=CLOUD_OFF,
        conditions=(("改为依托市政务云部署", 30),),
    ),
    Spec(
        "TH-XF",
        "网上信访服务平台建设",
        "approved",
        "new_build",
        new_system=("网上信访服务平台", "PUBLIC_SERVICE"),
        produced=("*",),
        conditions=(("验收前完成信访事项办理信息编目", 10),),  # moved back past due: rule 7
    ),
    Spec(
        "TH-XF",
        "信访大数据分析系统建设",
        "approved",
        "new_build",
        new_system=("信访大数据分析系统", "DECISION"),
        produced=("*",),
    ),
    # passed, waiting for 立项
    Spec("TH-FY", "诉讼服务平台升级", "passed", systems=("诉讼服务平台",), produced=("*",)),
    Spec(
        "TH-YB",
        "医保经办服务系统升级改造",
        "passed",
        systems=("医保经办服务系统",),
        produced=("*",),
        conditions=(("医保经办服务系统接入政务数据共享平台", 3),),
    ),
    Spec(
        "TH-GJJ",
        "公积金网上服务大厅升级",
        "passed",
        systems=("公积金网上服务大厅",),  # 12329服务热线系统 is integrated into 12345 in the zombie demo
        conditions=(("网上服务大厅业务数据接入政务数据共享平台", 60),),
    ),
    Spec(
        "TH-RS",
        "就业服务管理系统升级",
        "passed",
        systems=("就业服务管理系统",),
        produced=("*",),
        conditions=(("就业服务管理系统接入政务数据共享平台", 40),),
    ),
    # the bureau's first review
    Spec("TH-GA", "视频监控联网共享平台扩容", "in_review", systems=("视频监控联网共享平台",), deployment=CLOUD_OFF),
    Spec(R5, "核心业务系统运维", "in_review", "om", new_system=("核心业务系统（运维）", "BUSINESS"), budget="0"),
    Spec("TH-SCJG", "企业登记注册系统升级", "in_review", systems=("企业登记注册系统",), produced=("*",)),
    Spec("TH-YB", "医保智能审核系统运维", "in_review", "om", ("医保智能审核系统",), produced=("*",), budget="0"),
    Spec("TH-ZS", "政务服务网上办事大厅升级改造", "in_review", systems=("政务服务网上办事大厅",), produced=("*",)),
    # returned, not passed
    Spec(
        "TH-JT",
        "公交智能调度系统改造",
        "returned",
        systems=("公交智能调度系统",),
        deployment={"deployment": "own_room", "not_on_cloud_reason": "车载终端接入需本地部署"},
        comment="请补充公交运行数据的共享方案，并论证不能部署于政务云的理由。",
    ),
    Spec(
        "TH-RS",
        "人才服务平台建设",
        "returned",
        "new_build",
        new_system=("人才服务平台（新）", "PUBLIC_SERVICE"),
        comment="请列出平台将产生的目录资源并完成编目。",
    ),
    Spec(
        "TH-WL",
        "文化馆活动预约系统重建",
        "not_passed",
        "new_build",
        new_system=("文化馆活动预约系统（新版）", "PUBLIC_SERVICE"),
        comment="与智慧旅游服务平台功能重复，建议整合，不同意重建。",
    ),
    Spec(
        "TH-ZJ",
        "物业维修资金管理系统重建",
        "not_passed",
        "new_build",
        new_system=("物业维修资金监管平台", "FINANCE"),
        comment="现有系统尚未迁移政务云，且未接入共享平台，不同意重建。",
    ),
    # with the department
    Spec("TH-ZJ", "建设工程档案数字化项目", "submitted", systems=("建设工程档案管理系统",), produced=("*",)),
    Spec("TH-GA", "网约房登记系统升级", "submitted", systems=("网约房登记系统",), produced=("*",)),
    Spec("TH-GA", "智慧警务大数据平台建设", "draft", "new_build", new_system=("智慧警务大数据平台", "DECISION")),
    Spec("TH-MZ", "养老服务补贴发放系统建设", "draft", "new_build", new_system=("养老服务补贴发放系统", "BUSINESS")),
    Spec("TH-YB", "医保移动支付平台建设", "draft", "new_build", new_system=("医保移动支付平台", "PUBLIC_SERVICE")),
]


def _abbr(code: str) -> str:
    return code.lower().removeprefix("th-")


def _person(username: str, department: Department, role: Role, name: tuple[str, str] = ("", "")) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"department": department, "last_name": name[0] or department.name[:2], "first_name": name[1]},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not user.has_role(role):
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])
        user = User.objects.get(pk=user.pk)  # its roles read afresh
    return user


def department_failures(departments: list[Department]) -> dict[str, set[str]]:
    """Which of the gate's department-wide rules (2, 3, 5, 7) each department fails today."""
    found = {d.pk: gate_facts.DepartmentFacts(id=d.pk, name=d.name) for d in departments}
    gate_facts.load_departments(found, now=timezone.now())
    checks = {
        "self_check_accepted": gate_rules.self_check_accepted,
        "no_zombie": gate_rules.no_zombie,
        "replies_in_time": gate_rules.replies_in_time,
        "conditions_on_time": gate_rules.conditions_on_time,
    }
    failures = {}
    for department in departments:
        probe = gate_facts.ProjectFacts(
            project_id=0,
            reference="",
            name="",
            state="draft",
            deployment="gov_cloud",
            deployment_label="",
            is_classified=False,
            not_on_cloud_reason="",
            new_system_name="",
            new_system_category_id=None,
            department=found[department.pk],
            max_late_rate=gate_facts.max_late_rate(),
        )
        failures[department.code] = {code for code, check in checks.items() if not check(probe).passed}
    return failures


class Demo:
    def __init__(self, stdout) -> None:
        self.stdout = stdout
        self.departments = {d.code: d for d in Department.objects.all()}
        self.coordinator = User.objects.get(username="zs_coordinator")
        self.own_reviewer = User.objects.filter(username="dc_coordinator").first() or _person(
            "dc_coordinator", self.departments["TH-DC"], Role.DATA_BUREAU, ("赵", "东")
        )
        self.approver = _person("fgw_approver", self.departments["TH-FG"], Role.PROJECT_APPROVER, ("冯", "立项"))
        self.finance = User.objects.get(username="cz_finance")
        self.categories = {c.code: c for c in FunctionCategory.objects.all()}
        self.roles = self.choose_departments()

    def choose_departments(self) -> dict[str, str]:
        """The departments blocked by rules 2, 3 and 5, from what the other demos left."""
        failures = department_failures(list(self.departments.values()))
        late = [code for code in ("TH-JY", "TH-YJ") if "self_check_accepted" in failures.get(code, set())]
        overdue = [code for code in ("TH-ZJ", "TH-ZRZY", "TH-WJW") if "replies_in_time" in failures.get(code, set())]
        return {"r2": (late or ["TH-JY"])[0], "r3": self.zombie_department(), "r5": (overdue or ["TH-ZJ"])[0]}

    def zombie_department(self) -> str:
        """A department with an unresolved zombie system; if none has one, 市文旅局 asks to retire one."""
        case = unresolved_zombie_systems(self.departments[c].pk for c in self.departments).first()
        if case is not None:
            return case.system.department.code
        system = InfoSystem.objects.get(department__code="TH-WL", name="旅游景区客流统计系统")
        if not ShutdownCase.objects.filter(system=system).exists():
            applicant = self.staff("TH-WL")[0]
            case_request(
                actor=applicant, system=system, reason="客流统计功能已由省文旅厅平台提供，本系统使用频度低，申请停用。"
            )
        return "TH-WL"

    def staff(self, code: str) -> tuple[User, User]:
        department = self.departments[code]
        applicant = _person(f"{_abbr(code)}_applicant", department, Role.APPLICANT)
        leader = _person(f"{_abbr(code)}_leader", department, Role.DEPT_LEADER)
        return applicant, leader

    def reviewer(self, project: ConstructionProject) -> User:
        own = project.department_id == self.coordinator.department_id
        return self.own_reviewer if own else self.coordinator

    # -- one project

    def make(self, spec: Spec) -> ConstructionProject:
        code = spec.department.format(**self.roles)
        applicant, leader = self.staff(code)
        department = self.departments[code]
        systems = [InfoSystem.objects.get(department=department, name=name) for name in spec.systems]
        data = {
            "name": spec.name,
            "project_type": spec.project_type,
            "year": timezone.localdate().year + (1 if spec.target in ("draft", "submitted") else 0),
            "description": f"{spec.name}：完善业务功能，提升数据归集和共享能力。",
            "construction_budget": Decimal(spec.budget),
            "annual_om_budget": Decimal(spec.om_budget),
            "new_system_name": spec.new_system[0] if spec.new_system else "",
            "new_system_category": self.categories[spec.new_system[1]] if spec.new_system else None,
            "sharing_plan": "项目数据按目录编目后，通过市政务数据共享交换平台以接口方式向有关部门共享。",
            "deployment": "gov_cloud",
            "is_classified": False,
            "not_on_cloud_reason": "",
            **spec.deployment,
        }
        project = services.project_create(
            actor=applicant,
            data=data,
            systems=systems,
            produced=self.produced(department, spec.produced),
            consumed=DataResource.objects.filter(status__in=PUBLISHED_STATES)
            .exclude(provider_department=department)
            .order_by("code")[len(spec.name) % 7 :][:2],
        )
        self.advance(project, spec, applicant, leader)
        return project

    def produced(self, department: Department, codes: tuple[str, ...]) -> list[DataResource]:
        resources = []
        for code in codes:
            if code == "*":
                first = (
                    DataResource.objects.filter(provider_department=department, status__in=PUBLISHED_STATES)
                    .order_by("code")
                    .first()
                )
                resources += [first] if first else []
            else:
                resources.append(DataResource.objects.get(code=code))
        return resources

    def advance(self, project: ConstructionProject, spec: Spec, applicant: User, leader: User) -> None:
        reach = ORDER.index(spec.target)
        if reach >= ORDER.index("submitted"):
            services.project_submit(actor=applicant, obj=project)
        if reach >= ORDER.index("in_review"):
            services.project_confirm(actor=leader, obj=project, comment="经核对，同意报送。")
        if spec.target == "returned":
            services.review_return(actor=self.reviewer(project), obj=project, comment=spec.comment)
        elif spec.target == "not_passed":
            services.review_not_pass(actor=self.reviewer(project), obj=project, comment=spec.comment)
        elif reach >= ORDER.index("passed"):
            self.first_review(project, spec)
            self.onwards(project, reach)

    def first_review(self, project: ConstructionProject, spec: Spec) -> None:
        today = timezone.localdate()
        reviewer = self.reviewer(project)
        conditions = [(text, today + dt.timedelta(days=days)) for text, days in spec.conditions]
        if not conditions:
            try:
                services.review_pass(actor=reviewer, obj=project, comment=spec.comment or "符合政务信息资源共享要求。")
                return
            except ProjectError:  # the gate fails here today: passed on conditions instead
                conditions = [("按资金闸口核验结果完成整改", today + dt.timedelta(days=30))]
        services.review_pass_with_conditions(
            actor=reviewer, obj=project, conditions=conditions, comment=spec.comment or "原则同意，附条件通过。"
        )

    def onwards(self, project: ConstructionProject, reach: int) -> None:
        if reach >= ORDER.index("approved"):
            number = f"通发改审批〔{timezone.localdate().year}〕{project.pk}号"
            services.project_approve(
                actor=self.approver, obj=project, approval_number=number, approved_on=timezone.localdate()
            )
        try:
            if reach >= ORDER.index("budgeted"):
                services.project_fund(
                    actor=self.finance,
                    obj=project,
                    amount=project.construction_budget or project.annual_om_budget,
                    budget_line=BUDGET_LINE,
                )
            if reach >= ORDER.index("accepted"):
                services.project_accept(
                    actor=self.approver,
                    obj=project,
                    accepted_on=timezone.localdate(),
                    comment="按期建成，数据已编目并接入共享平台。",
                )
        except ProjectError as exc:
            self.stdout.write(f"  {project.reference} {project.name}：{exc.message}")

    # -- what time would have done

    def past_due_condition(self) -> None:
        """Rule 7: the 市信访局's condition is moved back past its due date (see the module's docstring)."""
        condition = ReviewCondition.objects.filter(project__name="网上信访服务平台建设").first()
        if condition is not None:
            ReviewCondition.objects.filter(pk=condition.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))

    def overdue_review(self) -> None:
        """One first review's clock is moved back: beat (run here) records it overdue and tells the bureau."""
        project = ConstructionProject.objects.filter(name="核心业务系统运维").first()
        if project is None:
            return
        yesterday = timezone.now() - dt.timedelta(days=1)
        Deadline.objects.filter(
            subject_id=str(project.pk), kind=services.REVIEW_DEADLINE, status=Deadline.Status.ACTIVE
        ).filter(subject_type__model="constructionproject").update(due_at=yesterday, remind_at=None)
        ConstructionProject.objects.filter(pk=project.pk).update(review_due_at=yesterday)
        deadlines.evaluate()

    # -- the O&M year

    def om_year(self) -> tuple[int, int]:
        """Finance funds the first OM_FUNDED systems whose gate passes, and tries two whose gate fails."""
        systems = list(om_systems())
        evaluations = gate.evaluate_systems_om(systems, year=OM_YEAR)
        passing = [s for s in systems if evaluations[s.pk].passed]
        failing = [s for s in systems if not evaluations[s.pk].passed]
        for system in passing[:OM_FUNDED]:
            services.system_om_fund(
                actor=self.finance,
                obj=system,
                year=OM_YEAR,
                amount=system.annual_om_cost or Decimal("20"),
                budget_line=OM_BUDGET_LINE,
            )
        for system in failing[:2]:
            # Refused: the attempt and its failing rules are on the system's trail.
            with contextlib.suppress(ProjectError):
                services.system_om_fund(
                    actor=self.finance,
                    obj=system,
                    year=OM_YEAR,
                    amount=system.annual_om_cost or "20",
                    budget_line=OM_BUDGET_LINE,
                )
        return len(systems), len(failing)


def load(*, stdout) -> None:
    if not User.objects.filter(username="zs_coordinator").exists() or not InfoSystem.objects.exists():
        stdout.write("建设项目演示数据：缺少演示部门、账号或信息系统清单，跳过。")
        return
    if not ConstructionProject.objects.exists():
        demo = Demo(stdout)
        for spec in SPECS:
            demo.make(spec)
        demo.past_due_condition()
        demo.overdue_review()
        systems, blocked = demo.om_year()
        stdout.write(f"  {OM_YEAR} 年度运维经费：在用系统 {systems} 个，资金闸口未通过 {blocked} 个。")
    summary(stdout)


def summary(stdout) -> None:
    states = dict(ProjectState.choices)
    counts = {state: ConstructionProject.objects.filter(state=state).count() for state in states}
    approved = list(ConstructionProject.objects.filter(state=ProjectState.APPROVED).select_related("department"))
    blocked = [e for e in gate.evaluate_projects(approved).values() if not e.passed]
    stdout.write(
        f"建设项目：{ConstructionProject.objects.count()} 个（"
        + "，".join(f"{states[s]} {n}" for s, n in counts.items() if n)
        + "）。"
    )
    stdout.write(
        f"  cz_finance 资金闸口：待批复预算 {len(approved)} 个，其中闸口未通过 {len(blocked)} 个；"
        f"{OM_YEAR} 年运维经费已安排 {FundingDecision.objects.filter(kind='om', year=OM_YEAR).count()} 个系统。"
    )
    stdout.write(
        f"  fgw_approver（市发改委）待立项 {counts[ProjectState.PASSED]} 个、待验收 {counts[ProjectState.BUDGETED]} 个；"
        f"zs_coordinator 待初审 {counts[ProjectState.IN_REVIEW]} 个。"
    )
