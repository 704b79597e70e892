"""The administrator unlocks a user locked out after too many wrong passwords (django-axes), in /admin/."""

import re

from django.conf import settings
from playwright.sync_api import expect

from organizations.demo import DEMO_PASSWORD
from tests.e2e.conftest import sign_in

LOCKED_OUT = "mz_applicant"


def test_the_admin_unlocks_a_locked_out_user(people, watch):
    watch.expect_http_error(422, "/accounts/login/")  # a wrong password
    watch.expect_http_error(429, "/accounts/login/")  # the lockout
    page = people.open("/accounts/login/")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            sign_in(page, LOCKED_OUT, "not-the-password")
        assert answer.value.status == (429 if attempt == settings.AXES_FAILURE_LIMIT else 422), attempt
    locked = page.get_by_text(re.compile(r"登录失败次数过多：该账号在此地址已被锁定 \d+ 分钟"))
    expect(locked).to_be_visible()
    expect(page).to_have_title(re.compile(r"^登录已锁定"))
    page.goto("/accounts/login/")
    sign_in(page, LOCKED_OUT, DEMO_PASSWORD)  # the right password no longer helps
    expect(locked).to_be_visible()

    admin = people.open("/admin/")
    sign_in(admin, "admin", DEMO_PASSWORD)
    admin.get_by_role("link", name="登录失败记录").click()
    row = admin.get_by_role("row").filter(has_text=LOCKED_OUT)
    expect(row).to_contain_text("已锁定")
    row.get_by_role("checkbox").check()
    admin.get_by_label("动作").select_option(label="删除所选的 登录失败记录")
    admin.get_by_role("button", name="执行").click()
    admin.get_by_role("button", name="确定").click()
    expect(admin.get_by_text(re.compile(r"成功删除了 1 个"))).to_be_visible()
    expect(admin.get_by_role("row").filter(has_text=LOCKED_OUT)).to_have_count(0)

    page.goto("/accounts/login/")
    sign_in(page, LOCKED_OUT, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/home/$"))
