"""The shutdown chain in a browser, one test per role's part, in file order on the demo's zombie systems:

- the 政数局 coordinator sees why a system is a candidate and issues its 关停通知书;
- the 住建局's leader objects within the window, from the 工作台;
- the coordinator upholds the shutdown, and confirms the verified disposal the demo left waiting (关停确认书).
"""

import re

from playwright.sync_api import expect

from tests.e2e.steps import confirming

SYSTEM = "建设工程档案管理系统"  # the demo leaves it suspected: 产生目录数据但未接入共享平台
VERIFIED = "矿产资源管理系统"  # the demo leaves its disposal verified, waiting for the confirmation


def test_the_bureau_sees_why_a_system_is_a_candidate_and_issues_the_notice(people, showcase):
    page = people.login("zs_coordinator")
    page.get_by_test_id("figure-shutdown-candidates").click()
    expect(page.get_by_role("heading", name=re.compile(r"疑似僵尸系统（待研判 \d+）"))).to_be_visible()
    row = page.get_by_test_id("candidates").get_by_role("row").filter(has_text=SYSTEM)
    expect(row).to_contain_text("产生目录数据但未接入共享平台")
    expect(row).to_contain_text("依据：")
    showcase(page, "zombie-candidates")
    row.get_by_role("link", name=re.compile(r"^GT\d{6}$")).click()

    decide = page.locator("form").filter(has=page.get_by_role("button", name="签发关停通知书"))
    decide.get_by_label("关停（整合）理由，印入关停通知书").fill("数据未接入共享平台，且业务已并入档案馆系统。")
    confirming(page)
    decide.get_by_role("button", name="签发关停通知书").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(re.compile(r"已签发通政数停〔\d{4}〕\d+号，异议期开始。"))
    expect(page.get_by_test_id("case-state")).to_have_text("已通知（异议期内）")
    expect(page.get_by_role("link", name=re.compile(r"^通政数停〔\d{4}〕\d+号 关于拟关停"))).to_be_visible()


def test_the_department_objects_within_the_window(people, showcase):
    page = people.login("zj_leader")
    page.get_by_test_id("figure-shutdown-tasks").click()
    page.get_by_test_id("case-tasks").get_by_role("row").filter(has_text=SYSTEM).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="答复关停通知")).to_be_visible()
    objection = page.locator("form").filter(has=page.get_by_role("button", name="提出异议"))
    objection.get_by_label("异议理由").fill("该系统仍用于工程档案的日常查询，请保留。")
    objection.get_by_role("button", name="提出异议").click()
    expect(page.get_by_role("main")).to_contain_text("异议已提交政数局。")
    expect(page.get_by_test_id("case-state")).to_have_text("异议待决定")
    showcase(page, "zombie-objection")


def test_the_bureau_upholds_the_shutdown_and_confirms_a_verified_disposal(people):
    page = people.login("zs_coordinator")
    page.get_by_test_id("figure-shutdown-tasks").click()
    tasks = page.get_by_test_id("case-tasks")
    tasks.get_by_role("row").filter(has_text=SYSTEM).get_by_role("link").first.click()
    decision = page.get_by_test_id("decide-objection")
    decision.get_by_label("维持关停（进入数据处置）").check()
    decision.get_by_label("决定理由").fill("档案查询可由市档案馆系统提供。")
    decision.get_by_role("button", name="决定").click()
    expect(page.get_by_test_id("case-state")).to_have_text("数据处置中")

    page.get_by_role("link", name="僵尸系统研判").first.click()
    page.get_by_test_id("in-chain").get_by_role("row").filter(has_text=VERIFIED).get_by_role("link").first.click()
    expect(page.get_by_test_id("case-state")).to_have_text("待核验确认")
    confirming(page)
    page.get_by_role("button", name="确认关停并签发关停确认书").click()
    expect(page.get_by_test_id("case-state")).to_have_text("已关停")
    expect(
        page.get_by_role("link", name=re.compile(r"^通政数停确〔\d{4}〕\d+号 关于“矿产资源管理系统”关停的确认书"))
    ).to_be_visible()
