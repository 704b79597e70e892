"""One share application from the applicant to the record, each person in their own browser, through the pages
only: the 公安局 applicant applies with a letter attached; the 住建局 reviewer takes the task from the inbox and
grants less than asked, with conditions; the 住建局 leader countersigns; the applicant reads the decision and
downloads the 审核意见书; the auditor downloads the application's trail and checks its record on /verify/.

The tests run in this order and hand on what they made (`story`); each names the step before it when that
step left nothing to work on. The resource is the journeys' own (tests/e2e/world.py).
"""

import datetime as dt
import re
import zipfile
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from pypdf import PdfWriter

from tests.e2e.steps import needs, pdf_text
from tests.e2e.world import RESOURCE_NAME

TODAY = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
ASKED_FROM, ASKED_TO = TODAY + dt.timedelta(days=14), TODAY + dt.timedelta(days=14 + 364)
GRANTED_TO = TODAY + dt.timedelta(days=14 + 181)
CONDITIONS = "仅限户籍窗口核验使用，不得批量导出。"
ADJUSTMENT = "缴存金额非办理所需；期限按试点期核定。"
LETTER = "市公安局关于申请共享住房维修资金缴存信息的函.pdf"


def _field(name: str, value: str) -> re.Pattern:
    """A label and its value as a page shows them (a description list reads "name\\nvalue")."""
    return re.compile(rf"{re.escape(name)}\s*{re.escape(value)}")


def _open_from_inbox(page: Page, number: str) -> None:
    """From the 工作台, through the menu to 待办审核, and the application's row there."""
    page.get_by_role("link", name="共享申请", exact=True).click()
    page.get_by_role("link", name="待办审核").click()
    expect(page).to_have_url(re.compile(r"/share_requests/tasks/$"))
    page.get_by_role("row").filter(has_text=number).get_by_role("link", name=number).click()
    expect(page.get_by_role("main")).to_contain_text(_field("申请编号", number))


def _letter(tmp_path) -> str:
    """The application letter the applicant attaches: a one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / LETTER
    with path.open("wb") as file:
        writer.write(file)
    return str(path)


def test_the_applicant_applies_with_an_attachment(people, story, showcase, tmp_path):
    page = people.login("ga_applicant")
    page.get_by_role("link", name="资源目录", exact=True).click()
    page.get_by_label("关键词").fill(RESOURCE_NAME)
    page.get_by_role("button", name="检索").click()
    page.get_by_role("link", name=RESOURCE_NAME).click()
    page.get_by_role("link", name="申请共享").click()

    expect(page).to_have_url(re.compile(r"/share_requests/apply/"))
    page.get_by_label("应用场景").fill("户籍窗口办理房屋权属相关业务")
    page.get_by_label("办理事项").fill("户口迁移（房屋权属证明核验）")
    page.get_by_label("减材料").check()
    expect(page.get_by_role("button", name="共享方式 信息查询接口")).to_be_visible()  # as asked (a Material select)
    page.get_by_label("使用期限自").fill(ASKED_FROM.isoformat())
    page.get_by_label("使用期限至").fill(ASKED_TO.isoformat())
    page.get_by_label("调用频率或数据量").fill("每日约 200 次")
    page.get_by_label("需求的法律法规或政策依据").fill("《中华人民共和国户口登记条例》第十六条")
    page.locator("input[type=file][name=attachments]").set_input_files(_letter(tmp_path))  # a Material file field
    showcase(page, "apply-form")
    page.get_by_role("button", name="提交申请").click()

    # What the applicant is told today: the submission, the state, and by when the provider must answer.
    main = page.get_by_role("main")
    expect(main).to_contain_text("申请已提交，当前状态：审核中。")
    expect(page.get_by_test_id("due")).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} 剩 \d+ 个工作日$"))
    expect(page.get_by_role("link", name=LETTER)).to_be_visible()
    expect(main).to_contain_text("当前步骤：提供方审核（待认领）")
    story["application"] = main.get_by_text(re.compile(r"^SQ\d{6}$")).inner_text()


def test_the_reviewer_takes_the_task_and_grants_less_with_conditions(people, story, showcase):
    number = needs(story, "application", "the applicant's application")
    page = people.login("zj_reviewer")
    page.get_by_role("link", name="共享申请", exact=True).click()
    page.get_by_role("link", name="待办审核").click()
    expect(page.get_by_role("row").filter(has_text=number)).to_contain_text("待认领")
    showcase(page, "inbox")
    page.get_by_role("link", name=number).click()

    page.get_by_role("button", name="认领").click()
    expect(page.get_by_role("main")).to_contain_text("已认领该任务。")
    grant = page.locator("form").filter(has=page.get_by_role("button", name="作出授权决定"))
    grant.get_by_label("缴存金额（2级）").uncheck()  # fewer items,
    grant.get_by_role("button", name=re.compile("^授权共享方式")).click()  # a narrower method (a Material select),
    page.get_by_role("option", name="信息核验接口").click()
    grant.get_by_label("授权期限至（有效期）").fill(GRANTED_TO.isoformat())  # a shorter period
    grant.get_by_label("其他共享条件").fill(CONDITIONS)
    grant.get_by_label("调整理由").fill(ADJUSTMENT)
    grant.get_by_role("button", name="作出授权决定").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text("已提交部门负责人会签，会签后授权生效。")  # 证件号码 is level 3
    expect(main).to_contain_text("决定：部分同意（待负责人会签，尚未生效）")
    expect(main).to_contain_text(_field("未授权信息项", "缴存金额"))
    expect(main).to_contain_text(_field("授权共享方式", "信息核验接口"))
    expect(main).to_contain_text("当前步骤：负责人会签（待认领）")


def test_the_leader_countersigns(people, story):
    number = needs(story, "application", "the applicant's application")
    page = people.login("zj_leader")
    _open_from_inbox(page, number)
    main = page.get_by_role("main")
    expect(main).to_contain_text("当前步骤：负责人会签（待认领）")
    expect(main).to_contain_text(_field("调整理由", ADJUSTMENT))  # what the reviewer proposes, to sign or not

    page.get_by_role("button", name="认领").click()
    # The form is on the page before the task is taken too: wait for the taking to land, not to race it.
    expect(main).to_contain_text("已认领该任务。")
    countersign = page.locator("form").filter(has=page.get_by_role("button", name="提交会签意见"))
    countersign.get_by_label("同意，授权生效").check()
    countersign.get_by_label("意见").fill("同意。")
    countersign.get_by_role("button", name="提交会签意见").click()

    expect(main).to_contain_text("会签意见已提交。")
    expect(main).to_contain_text(_field("会签", "张志强"))
    record = page.get_by_role("link", name=re.compile(r"审核意见书$"))
    expect(record).to_be_visible()
    story["record"] = record.inner_text().split()[0]  # its number, e.g. 通住建共〔2026〕14号


def test_the_applicant_sees_the_decision_and_downloads_the_opinion(people, story, showcase):
    number = needs(story, "application", "the applicant's application")
    record = needs(story, "record", "the leader's countersignature")
    page = people.login("ga_applicant")
    page.get_by_role("link", name="消息通知").click()
    page.get_by_role("link", name=re.compile(rf"^共享申请结果：{number} ")).click()
    page.get_by_role("link", name="查看相关事项").click()

    main = page.get_by_role("main")
    expect(main).to_contain_text(_field("申请编号", number))
    expect(main).to_contain_text("决定：部分同意")
    expect(main).to_contain_text(_field("授权信息项", "房屋编号、业主姓名、证件号码、缴存日期"))
    expect(main).to_contain_text(_field("未授权信息项", "缴存金额"))
    expect(main).to_contain_text(_field("授权共享方式", "信息核验接口"))
    expect(main).to_contain_text(_field("授权期限", f"{ASKED_FROM.isoformat()} 至 {GRANTED_TO.isoformat()}"))
    expect(main).to_contain_text(CONDITIONS)
    showcase(page, "application")

    # The browser shows the PDF in its viewer; the file is what the link serves in the applicant's session.
    link = page.get_by_role("link", name="PDF", exact=True)
    address = link.get_attribute("href")
    link.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(address)}$"))
    download = page.context.request.get(address)
    assert download.ok and download.headers["content-type"] == "application/pdf"
    pdf = download.body()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for stated in (
        record,
        "审核意见书",
        number,
        "部分同意共享",
        "以下信息项不予授权：缴存金额",
        "信息核验接口",
        CONDITIONS,
    ):
        assert stated in text, stated


def test_the_auditor_downloads_the_trail_and_verifies_the_record(people, story, tmp_path):
    number = needs(story, "application", "the applicant's application")
    record = needs(story, "record", "the leader's countersignature")
    page = people.login("sj_auditor")
    page.get_by_role("link", name="文书记录").click()
    page.get_by_role("link", name=record, exact=True).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(_field("对象", f"共享申请 {number}"))

    with page.expect_download() as download:
        page.get_by_role("link", name="下载该对象的文书轨迹（ZIP）").click()
    trail = zipfile.ZipFile(download.value.path())
    names = trail.namelist()
    assert {"manifest.json", "events.json", "events.csv"} <= set(names), names
    (pdf_name,) = [name for name in names if name.startswith("records/") and record in name and name.endswith(".pdf")]
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(trail.read(pdf_name))

    page.get_by_role("link", name=f"{people.url}/verify/").click()  # the record's 公开核验 address
    expect(page).to_have_title(re.compile(r"^文书核验"))
    expect(page.get_by_role("main")).to_contain_text(_field("文号", record))
    page.locator("input[type=file][name=file]").set_input_files(pdf)  # a Material file field
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_text("一致：该文件与本平台签发的文书完全相同。")).to_be_visible()
    expect(page.get_by_text(f"对应文书：{record}")).to_be_visible()
