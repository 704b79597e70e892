"""The self-check (信息系统自查) in a browser, on the demo's second campaign, each person in their own browser:

- the 住建局's leader sends the report the demo left waiting for them back to the clerk, with a comment;
- the clerk adds a system the register lacks (the Material selects of the system form) and submits it again;
- the leader confirms it to the 政数局;
- the 政数局 coordinator accepts it, which issues the 自查审核意见, and returns the 市文旅局's with a comment;
- the 公安局's applicant corrects the report the demo's bureau returned and submits it again, its leader reports it;
- the 住建局 reads the accepted report and downloads the 自查审核意见.

The tests run in this order and hand on what they made (`story`).
"""

import re

from playwright.sync_api import Page, expect

from tests.e2e.steps import choose, confirming, needs, pdf_text

CAMPAIGN = "信息系统建设自查（第二轮）"  # the demo's campaign in progress (systems_inventory/demo.py)
NEW_SYSTEM = "城镇燃气安全监管系统"
SEND_BACK = "请补报今年新建的燃气安全监管系统。"
LEADER_OK = "经核对，情况属实。"
ACCEPTED = "自查情况全面、详实。"
RETURNED = "请说明旅游景区客流统计系统的使用情况。"
CLOUD_PLAN = "已列入明年政务云迁移计划，计划于第二季度完成迁移。"


def _open_report(page: Page, department: str, step: str) -> None:
    """From the 工作台's 自查待办 to the department's report, at `step`."""
    page.get_by_test_id("figure-self-check-all").click()
    expect(page).to_have_url(re.compile(r"/systems_inventory/tasks/$"))
    row = page.get_by_role("row").filter(has_text=department).filter(has_text=CAMPAIGN)
    expect(row).to_contain_text(step)
    row.get_by_role("link", name=CAMPAIGN).click()
    expect(page.get_by_role("heading", name=f"{department} · {CAMPAIGN}")).to_be_visible()


def test_the_leader_sends_the_report_back(people):
    page = people.login("zj_leader")
    _open_report(page, "市住建局", "部门负责人确认")
    expect(page.get_by_test_id("report-state")).to_have_text("待负责人确认")

    back = page.locator("form").filter(has=page.get_by_role("button", name="不予确认，退回修改"))
    back.get_by_label("负责人意见").fill(SEND_BACK)
    back.get_by_role("button", name="不予确认，退回修改").click()
    expect(page.get_by_role("main")).to_contain_text("已退回填报人员修改。")
    expect(page.get_by_test_id("report-state")).to_have_text("填报中")
    expect(page.get_by_test_id("leader-comment")).to_have_text(SEND_BACK)


def test_the_clerk_adds_a_system_and_submits_again(people):
    page = people.login("zj_applicant")
    _open_report(page, "市住建局", "部门填报")
    expect(page.get_by_test_id("leader-comment")).to_have_text(SEND_BACK)
    page.get_by_role("link", name="新增信息系统").click()

    form = page.locator("form").filter(has=page.get_by_role("button", name="保存"))
    form.get_by_label("系统名称").fill(NEW_SYSTEM)
    form.get_by_label("主要功能").fill("城镇燃气经营企业和用户的安全隐患排查、整改跟踪。")
    choose(page, form, "功能类别", "执法监管")
    choose(page, form, "建设方式", "自建")
    choose(page, form, "使用范围", "部门内部")
    choose(page, form, "使用频度", "每日")
    form.get_by_label("用户数").fill("35")
    form.get_by_label("建设年份").fill("2026")
    choose(page, form, "经费来源", "财政预算")
    choose(page, form, "部署方式", "政务云")
    choose(page, form, "接口方式", "无")
    form.get_by_label("系统负责人").fill("赵磊")
    form.get_by_label("负责人联系电话").fill("0435-3512345")
    form.get_by_role("button", name="保存").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text("已保存。")
    expect(page.get_by_test_id("lines").get_by_role("row").filter(has_text=NEW_SYSTEM)).to_contain_text("新增")
    confirming(page)
    page.get_by_role("button", name="提交部门负责人确认").click()
    expect(main).to_contain_text("已提交部门负责人确认。")
    expect(page.get_by_test_id("report-state")).to_have_text("待负责人确认")


def test_the_leader_confirms_the_report(people):
    page = people.login("zj_leader")
    _open_report(page, "市住建局", "部门负责人确认")
    confirm = page.locator("form").filter(has=page.get_by_role("button", name="确认并报送政数局"))
    confirm.get_by_label("负责人意见").fill(LEADER_OK)
    confirm.get_by_role("button", name="确认并报送政数局").click()
    expect(page.get_by_role("main")).to_contain_text("已确认，报告已报送政数局。")
    expect(page.get_by_test_id("report-state")).to_have_text("已报送")


def test_the_bureau_accepts_one_report_and_returns_another(people, story, showcase):
    page = people.login("zs_coordinator")
    _open_report(page, "市住建局", "政数局审核")
    expect(page.get_by_test_id("lines").get_by_role("row").filter(has_text=NEW_SYSTEM)).to_be_visible()
    story["report"] = page.url
    showcase(page, "self-check-review")
    review = page.get_by_test_id("review-form")
    review.get_by_label("审核意见", exact=True).fill(ACCEPTED)
    confirming(page)
    review.get_by_role("button", name="审核通过").click()

    main = page.get_by_role("main")  # back on the queue, the next report to review
    expect(page).to_have_url(re.compile(r"/systems_inventory/tasks/$"))
    notice = main.get_by_text(re.compile(r"^已审核通过，签发(.+)；信息系统清单已更新。$"))
    expect(notice).to_be_visible()
    story["record"] = re.search(r"签发(.+)；", notice.inner_text()).group(1)
    expect(page.get_by_role("row").filter(has_text="市住建局").filter(has_text=CAMPAIGN)).to_have_count(0)

    row = page.get_by_role("row").filter(has_text="市文旅局").filter(has_text=CAMPAIGN)
    row.get_by_role("link", name=CAMPAIGN).click()
    review = page.get_by_test_id("review-form")
    review.get_by_label("对“旅游景区客流统计系统”的意见").fill("季度使用一次，请说明是否仍需保留。")
    review.get_by_label("审核意见", exact=True).fill(RETURNED)
    review.get_by_role("button", name="退回补正").click()
    expect(main.get_by_text(re.compile(r"^已退回补正，签发.+。$"))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="市文旅局").filter(has_text=CAMPAIGN)).to_have_count(0)


def test_a_returned_report_is_corrected_and_reported_again(people):
    page = people.login("ga_applicant")
    _open_report(page, "市公安局", "部门填报")
    main = page.get_by_role("main")
    expect(page.get_by_test_id("report-state")).to_have_text("已退回")
    expect(page.get_by_test_id("review-comment")).to_have_text("部分系统部署情况说明不充分，请补正后重新报送。")
    row = page.get_by_test_id("lines").get_by_role("row").filter(has_text="110接处警系统")
    expect(row).to_contain_text("政数局意见：请补充迁移至政务云的计划和时间，或说明不能迁移的依据。")

    page.get_by_role("button", name="开始填报").click()
    expect(main).to_contain_text("已开始填报")
    expect(page.get_by_test_id("report-state")).to_have_text("填报中")
    row.get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", name="部署")).to_be_visible()
    page.get_by_label("未部署政务云的原因").fill(CLOUD_PLAN)
    page.get_by_role("button", name="保存").click()
    expect(main).to_contain_text("已保存。")
    confirming(page)
    page.get_by_role("button", name="提交部门负责人确认").click()
    expect(page.get_by_test_id("report-state")).to_have_text("待负责人确认")

    leader = people.login("ga_leader")  # the demo's 公安局 leader
    _open_report(leader, "市公安局", "部门负责人确认")
    confirm = leader.locator("form").filter(has=leader.get_by_role("button", name="确认并报送政数局"))
    confirm.get_by_role("button", name="确认并报送政数局").click()
    expect(leader.get_by_test_id("report-state")).to_have_text("已报送")

    bureau = people.login("zs_coordinator")  # back in the bureau's queue
    _open_report(bureau, "市公安局", "政数局审核")


def test_the_department_reads_the_opinion(people, story):
    address = needs(story, "report", "the bureau's review")
    record = needs(story, "record", "the bureau's review")
    page = people.login("zj_leader")
    page.goto(address)
    expect(page.get_by_test_id("report-state")).to_have_text("已通过")
    expect(page.get_by_test_id("review-comment")).to_have_text(ACCEPTED)
    link = page.get_by_test_id("records").get_by_role("link", name=re.compile(rf"^{re.escape(record)} .*审核意见$"))
    expect(link).to_be_visible()

    pdf_link = page.get_by_test_id("records").get_by_test_id("record-pdf")
    download = page.context.request.get(pdf_link.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    text = pdf_text(download.body())
    for stated in (record, "关于市住建局信息系统建设自查报告的审核意见", CAMPAIGN, ACCEPTED, "新增登记1个"):
        assert stated in text, stated
