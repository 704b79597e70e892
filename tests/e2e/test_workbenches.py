"""Each person signs in and lands on their 工作台, which names them and their role.

The pictures of each 工作台 are the README's (`make screenshots`).
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PEOPLE

# The README's file name of each demo persona's 工作台.
SHOTS = {
    "ga_applicant": "workbench-applicant",
    "zj_reviewer": "workbench-reviewer",
    "zj_leader": "workbench-leader",
    "zs_coordinator": "workbench-bureau",
    "cz_finance": "workbench-finance",
    "sj_auditor": "workbench-auditor",
}


@pytest.mark.parametrize("username", sorted(SHOTS))
def test_each_role_lands_on_its_workbench(people, showcase, username):
    person = PEOPLE[username]
    page = people.login(username)
    expect(page.get_by_role("banner")).to_contain_text("工作台")
    main = page.get_by_role("main")
    expect(main).to_contain_text(person.name)
    expect(main).to_contain_text(person.role)
    showcase(page, SHOTS[username])


def test_a_wrong_password_is_refused_on_the_login_page(people, watch):
    watch.expect_http_error(422, "/accounts/login/")  # the form answers 422 with its error, as Turbo expects
    page = people.open("/accounts/login/")
    page.get_by_label("用户名").fill("ga_applicant")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("请输入一个正确的用户名和密码")).to_be_visible()
    expect(page).to_have_url(f"{people.url}/accounts/login/")
