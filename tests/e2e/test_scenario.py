"""An application scenario (应用场景授权) from its proposal to the grants it gives, each person in their own browser:

- the 公安局's applicant proposes a scenario that needs data of two providers, the 住建局 and the 民政局;
- the 政数局 coordinator accepts it, which sends each provider its part;
- each provider's reviewer confirms its part (the 住建局's persona, the 民政局's demo reviewer);
- the coordinator authorizes it, which issues the 场景授权书;
- the 公安局 finds the proactive grants in its 共享授权, each naming the scenario it comes from.

The tests run in this order and hand on what they made (`story`).
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import needs

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
SCENARIO = "施工工地流动人口居住登记核验"
MATTER = "流动人口居住登记、居住证办理"
# (provider, resource, its share method, the reviewer who answers): resources the 公安局 holds no grant for yet.
PARTS = [
    ("市住建局", "220500-ZJ-00005 施工许可信息", "信息核验接口", "zj_reviewer"),
    ("市民政局", "220500-MZ-00001 婚姻登记信息", "信息查询接口", "mz_reviewer"),
]


def _open_task(page: Page, reference: str, step: str) -> None:
    """From the 工作台's 场景待办 to the scenario, at `step`."""
    page.get_by_test_id("figure-scenarios-all").click()
    expect(page).to_have_url(re.compile(r"/scenarios/tasks/$"))
    row = page.get_by_test_id("scenario-tasks").get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(step)
    row.get_by_role("link", name=f"{reference} {SCENARIO}").click()
    expect(page.get_by_role("heading", name=re.compile(rf"^{SCENARIO} "))).to_be_visible()


def test_the_applicant_proposes_a_scenario(people, story):
    page = people.login("ga_applicant")
    page.get_by_role("link", name="应用场景", exact=True).click()
    page.get_by_role("link", name="提出应用场景", exact=True).click()

    form = page.locator("form").filter(has=page.get_by_role("button", name="提出应用场景"))
    form.get_by_label("场景名称").fill(SCENARIO)
    form.get_by_label("办理事项").fill(MATTER)
    form.get_by_label("减材料").check()
    form.get_by_label("业务协同").check()
    form.locator("[data-field=consumer_departments]").get_by_label("市公安局", exact=True).check()
    form.get_by_label("有效期自").fill(TODAY.isoformat())
    form.get_by_label("有效期至").fill((TODAY + dt.timedelta(days=730)).isoformat())
    form.get_by_label("法律法规依据").first.fill("《居住证暂行条例》第九条")
    form.get_by_label("共享条件").first.fill("仅用于流动人口居住登记核验，不得用于其他用途。")
    rows = page.get_by_test_id("part-rows")
    for index, (_provider, resource, method, _reviewer) in enumerate(PARTS):
        rows.get_by_role("button", name=re.compile("^数据资源")).nth(index).click()  # the index-th row's selects
        page.get_by_role("option", name=resource, exact=True).click()
        rows.get_by_role("button", name=re.compile("^共享方式")).nth(index).click()
        page.get_by_role("option", name=method, exact=True).click()
        rows.get_by_label("法律法规依据").nth(index).fill("《居住证暂行条例》第九条")
    form.get_by_role("button", name="提出应用场景").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text("应用场景已提出，待政数局受理。")
    expect(page.get_by_test_id("state")).to_have_text("已提出")
    reference = main.get_by_text(re.compile(r"^CJ\d{5}$"))
    story["scenario"] = reference.inner_text()
    parts = page.get_by_test_id("parts")
    for provider, resource, method, _reviewer in PARTS:
        row = parts.get_by_role("row").filter(has_text=resource.split()[1])
        expect(row).to_contain_text(provider)
        expect(row).to_contain_text(method)


def test_the_bureau_accepts_the_proposal(people, story):
    reference = needs(story, "scenario", "the proposal")
    page = people.login("zs_coordinator")
    _open_task(page, reference, "政数局受理")
    page.get_by_role("button", name="受理并送提供部门确认").click()
    expect(page.get_by_role("main")).to_contain_text("已受理，已送各提供部门确认。")
    expect(page.get_by_test_id("state")).to_have_text("提供部门确认中")


@pytest.mark.parametrize("provider,resource,method,reviewer", PARTS, ids=["zhujian", "minzheng"])
def test_each_provider_confirms_its_part(people, story, provider, resource, method, reviewer):
    reference = needs(story, "scenario", "the proposal")
    page = people.login(reviewer)
    _open_task(page, reference, "提供部门确认")
    name = resource.split()[1]
    answer = page.locator("[data-testid^=answer-]").filter(has=page.get_by_role("heading", name=f"答复：{name}"))
    answer.get_by_role("button", name="确认共享").click()
    expect(page.get_by_role("main")).to_contain_text("已答复：已确认。")
    row = page.get_by_test_id("parts").get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("已确认")


def test_the_bureau_authorizes_the_scenario(people, story, showcase):
    reference = needs(story, "scenario", "the proposal")
    page = people.login("zs_coordinator")
    _open_task(page, reference, "政数局授权")
    expect(page.get_by_test_id("state")).to_have_text("待政数局授权")
    page.get_by_test_id("authorize-form").get_by_role("button", name="授权并签发场景授权书").click()

    main = page.get_by_role("main")
    notice = main.get_by_text(re.compile(r"^已授权，场景授权书 (.+) 已签发，使用部门已获得共享授权。$"))
    expect(notice).to_be_visible()
    story["record"] = re.search(r"场景授权书 (.+) 已签发", notice.inner_text()).group(1)
    expect(page.get_by_test_id("state")).to_have_text("已授权")
    expect(page.get_by_test_id("record-number")).to_contain_text(story["record"])
    grants = page.get_by_test_id("grants")
    for _provider, resource, _method, _reviewer in PARTS:
        expect(grants.get_by_role("row").filter(has_text=resource.split()[1])).to_contain_text("主动共享")
    showcase(page, "scenario")


def test_the_consumer_finds_the_proactive_grants(people, story):
    reference = needs(story, "scenario", "the proposal")
    needs(story, "record", "the authorization")
    page = people.login("ga_applicant")
    page.get_by_role("link", name="共享授权", exact=True).click()
    grants = page.get_by_test_id("grants")
    for provider, resource, method, _reviewer in PARTS:
        row = grants.get_by_role("row").filter(has_text=resource)
        expect(row).to_contain_text(provider)
        expect(row).to_contain_text(method)
        expect(row).to_contain_text("有效")
    grants.get_by_role("row").filter(has_text=PARTS[0][1]).get_by_role("link").first.click()
    expect(page.get_by_test_id("grant-scenario")).to_contain_text(f"{reference} {SCENARIO}")
    expect(page.get_by_test_id("state")).to_contain_text("有效")
