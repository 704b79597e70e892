"""The 政数局 coordinator decides an application its provider left unanswered past the deadline: from the
逾期协调 queue, in the provider's place. Its grant takes effect at once, with a record the coordinator signs.

The overdue applications are the demo's (`load_demo` backdates some submissions and fires their deadlines).
"""

import re

from playwright.sync_api import expect

OVERDUE = "超期未答复"


def test_the_bureau_decides_an_overdue_application(people, showcase):
    page = people.login("zs_coordinator")
    page.get_by_role("link", name="共享申请", exact=True).click()
    page.get_by_role("link", name="逾期协调").click()
    expect(page).to_have_url(re.compile(r"/share_requests/overdue/$"))
    showcase(page, "overdue-queue")
    row = page.get_by_role("row").filter(has_text=OVERDUE).first
    number = row.get_by_role("link", name=re.compile(r"^SQ\d{6}$")).inner_text()
    row.get_by_role("link", name=number).click()

    main = page.get_by_role("main")
    expect(main).to_contain_text(re.compile(rf"申请编号\s*{number}"))
    expect(main).to_contain_text("当前步骤：政数局协调（待认领）")
    page.get_by_role("button", name="认领").click()
    expect(main).to_contain_text("已认领该任务。")
    page.locator("form").filter(has=page.get_by_role("button", name="作出授权决定")).get_by_role(
        "button", name="作出授权决定"
    ).click()

    expect(main).to_contain_text("决定：同意共享")
    expect(main).to_contain_text(re.compile(r"决定方式\s*政数局（协调）（陈静）"))
    expect(page.get_by_role("link", name=re.compile(r"^通政数共〔\d{4}〕\d+号 .*审核意见书$"))).to_be_visible()
    expect(main).not_to_contain_text("当前步骤")  # no task is left open

    # The queue no longer lists it.
    page.get_by_role("link", name="逾期协调").click()
    expect(page.get_by_role("heading", name="待协调申请")).to_be_visible()
    expect(page.get_by_role("link", name=number, exact=True)).to_have_count(0)
