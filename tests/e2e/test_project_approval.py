"""A construction project from its department to finance's 资金闸口, each person in their own browser:

- the 住建局's clerk fills in a project that upgrades a system not yet connected to the sharing platform and
  submits it; the 住建局's leader confirms it to the 政数局;
- the 政数局 coordinator's first review: the gate fails (the system is not connected), so it passes with a
  condition, and the 初审意见书 is issued;
- 市发改委 (the project_approver) records 立项;
- finance finds the project on its 资金闸口 with the gate's reasons, and its funding decision is refused, saying
  which rules fail;
- the department downloads the 初审意见书.

The tests run in this order and hand on what they made (`story`).
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.steps import choose, confirming, needs, pdf_text
from tests.e2e.world import RESOURCE_CODE, RESOURCE_NAME

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
PROJECT = "住房维修资金监管平台升级改造"
SYSTEM = "物业维修资金管理系统"  # the demo's register: in the 住建局's own machine room, not connected
CONDITION = "物业维修资金管理系统接入政务数据共享平台"
CONDITION_DUE = TODAY + dt.timedelta(days=60)
APPROVAL_NUMBER = "通发改审批〔2026〕88号"
NOT_CONNECTED = f"{SYSTEM}未接入共享平台"
CONNECTED = "systems_connected"  # the gate's rule 4: the project's systems are connected to the sharing platform


def _open_task(page: Page, reference: str, step: str) -> None:
    """From the 工作台's 项目待办 to the project, at `step`."""
    page.get_by_test_id("figure-projects-all").click()
    expect(page).to_have_url(re.compile(r"/project_approvals/tasks/$"))
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(step)
    row.get_by_role("link", name=f"{reference} {PROJECT}").click()
    expect(page.get_by_role("heading", name=f"{reference} {PROJECT}")).to_be_visible()


def _gate_rule(page: Page, code: str) -> Locator:
    """The gate's row of one rule (project_approvals.gate.rules), with its result and what to fix."""
    return page.get_by_test_id("gate-rules").locator(f"tr[data-rule={code}]")


def test_the_department_submits_a_project_and_its_leader_confirms(people, story):
    page = people.login("zj_applicant")
    page.get_by_role("link", name="建设项目审批", exact=True).click()
    page.get_by_role("link", name="填报建设项目").click()
    expect(page.get_by_role("heading", name="填报建设项目")).to_be_visible()
    form = page.locator("form").filter(has=page.get_by_role("button", name="保存"))
    form.get_by_label("项目名称").fill(PROJECT)
    choose(page, form, "项目类型", "升级改造")
    form.get_by_label("建设年度").fill(str(TODAY.year + 1))
    form.get_by_label("建设内容").fill("维修资金缴存、使用全流程线上监管，与不动产登记数据比对。")
    form.get_by_label("建设预算（万元）").fill("180")
    form.get_by_label("年运维预算（万元）").fill("18")
    form.get_by_label(re.compile(rf"^XT\d+ {SYSTEM}$")).check()
    form.get_by_label(f"{RESOURCE_CODE} {RESOURCE_NAME}").check()
    form.get_by_label("数据共享方案").fill("缴存信息通过政务数据共享平台以接口方式向公安、不动产登记部门共享。")
    choose(page, form, "部署方式", "政务云")
    form.get_by_role("button", name="保存").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text("已保存。")
    expect(page.get_by_test_id("project-state")).to_have_text("草稿")
    heading = page.get_by_role("heading", name=re.compile(rf"^XM\d+ {PROJECT}$"))
    story["project"] = heading.inner_text().split()[0]
    story["address"] = page.url
    expect(page.get_by_test_id("gate-result")).to_have_text("未通过")  # the department sees it before submitting
    expect(_gate_rule(page, CONNECTED)).to_contain_text(NOT_CONNECTED)
    confirming(page)
    page.get_by_role("button", name="提交部门负责人确认").click()
    expect(main).to_contain_text("已提交部门负责人确认。")
    expect(page.get_by_test_id("project-state")).to_have_text("待负责人确认")

    leader = people.login("zj_leader")
    _open_task(leader, story["project"], "部门负责人确认")
    confirm = leader.locator("form").filter(has=leader.get_by_role("button", name="确认并报送政数局初审"))
    confirm.get_by_label("意见").fill("同意报送。")
    confirm.get_by_role("button", name="确认并报送政数局初审").click()
    expect(leader.get_by_role("main")).to_contain_text("已确认，项目已报送政数局初审。")
    expect(leader.get_by_test_id("project-state")).to_have_text("政数局初审中")


def test_the_bureau_passes_the_first_review_with_a_condition(people, story, showcase):
    reference = needs(story, "project", "the department's submission")
    page = people.login("zs_coordinator")
    _open_task(page, reference, "政数局初审")
    expect(page.get_by_test_id("gate-result")).to_have_text("未通过")
    expect(_gate_rule(page, CONNECTED)).to_contain_text(NOT_CONNECTED)
    page.get_by_test_id("gate").scroll_into_view_if_needed()
    showcase(page, "project-first-review")  # the gate rule by rule, the review's form below it
    review = page.get_by_test_id("review-form")
    review.get_by_label("初审意见").fill("项目建设必要，数据共享方案可行。")
    review.get_by_label("条件1", exact=True).fill(CONDITION)
    review.get_by_label("条件1落实期限").fill(CONDITION_DUE.isoformat())
    review.get_by_role("button", name="附条件通过").click()

    main = page.get_by_role("main")
    notice = main.get_by_text(re.compile(r"^初审附条件通过（1 项条件），签发(.+)。$"))
    expect(notice).to_be_visible()
    story["opinion"] = re.search(r"签发(.+)。", notice.inner_text()).group(1)
    expect(page.get_by_test_id("project-state")).to_have_text("初审通过")
    conditions = page.get_by_test_id("conditions")
    expect(conditions).to_contain_text(CONDITION)
    expect(conditions).to_contain_text(CONDITION_DUE.isoformat())
    expect(page.get_by_test_id("records")).to_contain_text(story["opinion"])


def test_the_approving_authority_records_the_approval(people, story):
    reference = needs(story, "project", "the department's submission")
    needs(story, "opinion", "the first review")
    page = people.login("fgw_approver")
    _open_task(page, reference, "立项")
    approval = page.get_by_test_id("approval-form")
    approval.get_by_label("立项文号").fill(APPROVAL_NUMBER)
    approval.get_by_role("button", name="登记立项").click()
    expect(page.get_by_role("main")).to_contain_text(f"已登记立项（{APPROVAL_NUMBER}）。")
    expect(page.get_by_test_id("project-state")).to_have_text("已立项")
    expect(page.get_by_test_id("approval")).to_contain_text(APPROVAL_NUMBER)


def test_finance_sees_the_gate_and_its_funding_is_refused(people, story, showcase):
    reference = needs(story, "project", "the approval")
    page = people.login("cz_finance")
    panel = page.get_by_test_id("panel-funding")
    expect(panel).to_contain_text("资金闸口")
    page.get_by_test_id("figure-funding-projects").click()
    expect(page).to_have_url(re.compile(r"/project_approvals/funding/$"))
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("未通过")
    showcase(page, "funding-gate")
    row.get_by_role("link", name=f"{reference} {PROJECT}").click()

    expect(page.get_by_test_id("project-state")).to_have_text("已立项")
    expect(page.get_by_test_id("gate-result")).to_have_text("未通过")
    expect(_gate_rule(page, CONNECTED)).to_contain_text(NOT_CONNECTED)
    expect(page.get_by_test_id("funding-blocked")).to_contain_text("资金闸口未通过")
    funding = page.get_by_test_id("funding-form")
    funding.get_by_label("金额（万元）").fill("180")
    funding.get_by_label("预算科目").fill("2130199 其他政务信息化支出")
    funding.get_by_role("button", name="核验资金闸口并批复预算").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text("资金闸口未通过，不能批复预算。未通过的规则：")
    expect(main).to_contain_text(re.compile(rf"相关系统已登记并接入共享平台：XT\d+ {NOT_CONNECTED}"))
    expect(page.get_by_test_id("project-state")).to_have_text("已立项")  # nothing decided
    expect(page.get_by_test_id("funding")).to_have_count(0)


def test_the_department_downloads_the_first_review_opinion(people, story):
    address = needs(story, "address", "the department's submission")
    opinion = needs(story, "opinion", "the first review")
    page = people.login("zj_applicant")
    page.goto(address)
    records = page.get_by_test_id("records")
    expect(records.get_by_role("link", name=re.compile(rf"^{re.escape(opinion)} "))).to_be_visible()
    download = page.context.request.get(records.get_by_test_id("record-pdf").first.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    text = pdf_text(download.body())
    for stated in (opinion, "初审意见书", PROJECT, CONDITION, re.sub(r"\s+", "", NOT_CONNECTED)):
        assert stated in text, stated
