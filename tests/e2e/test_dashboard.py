"""数据看板 and 情况通报 as the bureau and a department leader use them, on the demo's data: the bureau reads
the city's figures and follows one to the list behind it, reads seed 000's bulletin, drafts this month's
and issues it; a leader sees their own department against the city."""

import re

from playwright.sync_api import expect


def test_the_bureau_reads_the_dashboard_and_issues_a_bulletin(people, showcase):
    page = people.login("zs_coordinator")
    page.get_by_role("link", name="数据看板", exact=True).first.click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="数据看板", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="数据共享", exact=True)).to_be_visible()
    expect(page.locator("svg.pygal-chart").first).to_be_visible()
    showcase(page, "dashboard")
    page.get_by_test_id("figure-applications").get_by_role("link").click()
    expect(main.get_by_role("heading", name="共享申请", exact=True)).to_be_visible()
    expect(page.get_by_test_id("drill-total")).to_contain_text("共")

    page.get_by_role("link", name="返回数据看板").click()
    main.get_by_role("link", name="情况通报", exact=True).click()
    page.get_by_role("link", name="关于政务信息资源共享工作的情况通报", exact=True).click()
    expect(main).to_contain_text("全市42个部门开展信息系统自查，15个部门共有68个自建系统。")
    expect(main).to_contain_text(re.compile(r"文号 通政数通报〔\d{4}〕\d+号"))

    page.go_back()
    page.get_by_role("button", name="按统计期起草").click()
    expect(page.get_by_text("已起草情况通报，请修改后印发。")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="印发").click()
    expect(page.get_by_text(re.compile(r"情况通报已印发，文号 通政数通报〔\d{4}〕\d+号"))).to_be_visible()


def test_a_leader_sees_their_department_against_the_city(people):
    page = people.login("zj_leader")
    page.get_by_role("link", name="数据看板", exact=True).first.click()
    expect(page.get_by_role("main")).to_contain_text("本部门（市住建局）的数据")
    expect(page.get_by_test_id("own-row").first).to_contain_text("市住建局")
    expect(page.get_by_role("link", name="部门排名")).to_have_count(0)
