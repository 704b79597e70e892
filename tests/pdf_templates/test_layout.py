"""Page layout of the records (GB/T 9704-2012): a normal decision is one page, and the signature
block (署名, 成文日期 and seal) never stands alone on a page."""

import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from pypdf import PdfReader
from weasyprint import HTML

from pdf_templates.dates import chinese_date
from pdf_templates.demo import samples
from pdf_templates.models import RecordType
from pdf_templates.rendering import fact_rows, record_html, render_record_pdf, title_html, title_segments
from pdf_templates.templatetags.record_text import chinese_ordinal, inline_list

TITLE = "关于市公安局申请共享房屋登记信息的审核意见书"


def review_opinion_data(*, extra_body=(), countersigned=False, decision="同意共享。共享方式为信息查询接口。"):
    """What requests.services.records.issue_decision_record states for a demo-sized grant:
    six items, the three standard clauses and the demo's own condition, the application's facts."""
    facts = [
        {"label": "申请编号", "value": "SQ-2026-0123"},
        {"label": "申请部门", "value": "市公安局"},
        {"label": "数据资源", "value": "不动产登记信息（220500-ZJ-00012）"},
        {"label": "办理事项", "value": "户籍迁入业务办理中的住所核验"},
        {"label": "决定方式", "value": "提供部门"},
    ]
    if countersigned:
        facts.append({"label": "负责人会签", "value": "张伟（2026年11月18日）"})
    return {
        "body": [
            "你单位于2026年11月12日提交的《不动产登记信息》共享申请（SQ-2026-0123）收悉。经审核，现将意见告知如下。",
            *extra_body,
        ],
        "decision": decision,
        "granted_items": ["不动产单元号", "权利人姓名", "权利人证件号码", "坐落", "建筑面积", "登记时间"],
        "not_granted_items": [],
        "conditions": [
            "仅用于申请所述用途",
            "不得向第三方转授或提供",
            "使用期满后按规定删除或归档，不得超期留存",
            "仅限申请所述办理事项使用，调用日志保存不少于六个月。",
        ],
        "valid_from": "2026年12月1日",
        "valid_until": "2027年11月30日",
        "facts": facts,
    }


def page_texts(record) -> list[str]:
    content = render_record_pdf(record).content
    return [page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(content)).pages]


@pytest.mark.parametrize(
    "data, by_bureau",
    [
        (review_opinion_data(), False),
        (review_opinion_data(countersigned=True), False),
        (review_opinion_data(extra_body=["因市住建局未在规定期限内答复或提出异议，由本局协调作出决定。"]), True),
    ],
    ids=["granted", "countersigned", "bureau"],
)
def test_a_typical_review_opinion_is_one_page(issue, zhengshu, data, by_bureau):
    record = issue(RecordType.REVIEW_OPINION, data=data, title=TITLE, **({"issuer": zhengshu} if by_bureau else {}))
    pages = page_texts(record)
    assert len(pages) == 1
    assert record.issuer.seal_text in pages[0] and "登记时间" in pages[0] and "调用日志保存不少于六个月" in pages[0]


@pytest.mark.parametrize("type_", RecordType.values)
def test_each_demo_sample_is_one_page(issue, zhengshu, type_):
    _, _, _, _, title, addressee, data = next(sample for sample in samples() if sample[0] == type_)
    record = issue(type_, data=data, title=title, addressee=addressee, issuer=zhengshu)
    assert len(page_texts(record)) == 1


def test_a_long_record_keeps_its_last_paragraph_with_the_signature(issue):
    """No facts table: the last body element is the validity paragraph, and it goes with the seal."""
    data = review_opinion_data(
        extra_body=[f"第{n}段说明：经核查，该信息项的共享符合最小必要原则。" for n in range(1, 9)]
    )
    del data["facts"]
    record = issue(RecordType.REVIEW_OPINION, data=data, title=TITLE)
    pages = page_texts(record)
    assert len(pages) == 2
    last = pages[-1]
    assert "通化市住房和城乡建设局" in last and "数据共享审核专用章" in last
    assert "至2027年11月30日。" in last
    assert "至2027年11月30日。" not in pages[0]


@pytest.mark.parametrize("extra", range(2, 12))
def test_the_signature_never_stands_alone_on_a_page(issue, extra):
    """Whatever the length, the last page holds body text (a paragraph or the facts) besides the signature."""
    data = review_opinion_data(
        countersigned=True,
        extra_body=[f"补充说明第{n}项：该信息项的共享符合最小必要原则。" for n in range(1, extra + 1)],
    )
    record = issue(RecordType.REVIEW_OPINION, data=data, title=TITLE)
    pages = page_texts(record)
    last = pages[-1]
    body_markers = ["补充说明", "授权有效期", "申请编号", "数据资源", "办理事项", "负责人会签", "张伟"]
    assert any(marker in last for marker in body_markers), (len(pages), last)
    assert len(pages) == 2


def test_facts_go_two_to_a_row_and_a_long_one_alone():
    short = [{"label": f"项{n}", "value": "短"} for n in range(3)]
    long = {"label": "数据资源", "value": "不动产登记信息（220500-ZJ-00012）及其附属信息"}
    assert fact_rows([*short, long]) == [short[:2], short[2:], [long]]
    assert fact_rows([]) == []


def test_a_list_is_written_into_one_paragraph():
    assert inline_list(["仅用于申请所述用途", "调用日志保存不少于六个月。"]) == (
        "（一）仅用于申请所述用途；（二）调用日志保存不少于六个月。"
    )
    assert inline_list([]) == ""
    assert [chinese_ordinal(n) for n in (1, 10, 12, 20, 35)] == ["一", "十", "十二", "二十", "三十五"]


@pytest.mark.parametrize(
    "title, segments",
    [
        (TITLE, ["关于市公安局", "申请共享", "房屋登记信息", "的审核意见书"]),
        (
            "关于市文旅局申请共享住房公积金缴存明细的不予共享告知书",
            ["关于市文旅局", "申请共享", "住房公积金缴存明细", "的不予共享告知书"],
        ),
        ("关于撤销市民政局“房屋登记信息”共享授权的通知", ["关于撤销市民政局", "“房屋登记信息”", "共享授权", "的通知"]),
        ("关于拟关停“旅游景区客流统计系统”的通知书", ["关于拟关停", "“旅游景区客流统计系统”", "的通知书"]),
        ("医保智能审核系统升级项目资金闸口核验单", ["医保智能审核系统升级项目", "资金闸口核验单"]),
        ("短标题", ["短标题"]),
    ],
)
def test_a_title_is_cut_between_words(title, segments):
    assert title_segments(title) == segments
    assert "".join(segments) == title


def test_the_title_html_allows_a_break_only_between_segments():
    html = title_html(TITLE)
    assert html == (
        '<span class="nb">关于市公安局</span><wbr><span class="nb">申请共享</span><wbr>'
        '<span class="nb">房屋登记信息</span><wbr><span class="nb">的审核意见书</span>'
    )
    assert (
        title_html("关于<script>的通知")
        == '<span class="nb">关于&lt;script&gt;</span><wbr><span class="nb">的通知</span>'
    )


def h1_lines(record) -> list[str]:
    """The title's lines as WeasyPrint laid them out."""
    document = HTML(string=record_html(record, will_sign=False), base_url=str(settings.BASE_DIR)).render()

    def find(box):
        if getattr(box, "element_tag", None) == "h1":
            return box
        for child in getattr(box, "children", []):
            found = find(child)
            if found is not None:
                return found
        return None

    def text(box):
        own = getattr(box, "text", None)
        return (own or "".join(text(child) for child in getattr(box, "children", []))).replace("\u200b", "")

    return [text(line) for line in find(document.pages[0]._page_box).children]


def test_a_long_title_breaks_before_the_document_type_not_inside_it(issue):
    record = issue(RecordType.REVIEW_OPINION, data=review_opinion_data(), title=TITLE)
    assert h1_lines(record) == ["关于市公安局申请共享房屋登记信息", "的审核意见书"]
    longer = issue(
        RecordType.REVIEW_OPINION,
        data=review_opinion_data(),
        title="关于市市场监督管理局申请共享住房公积金个人缴存明细的审核意见书",
    )
    lines = h1_lines(longer)
    assert lines == ["关于市市场监督管理局申请共享", "住房公积金个人缴存明细的审核意见书"]


def test_dates_are_written_without_zero_padding():
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert chinese_date(dt.date(2026, 11, 30)) == "2026年11月30日"
    # An aware datetime is read in local time (Asia/Shanghai): 2026-01-04 17:00 UTC is 5 January there.
    assert chinese_date(dt.datetime(2026, 1, 4, 17, 0, tzinfo=dt.UTC)) == "2026年1月5日"


@time_machine.travel("2026-01-05 10:00 +0800")
def test_the_date_of_a_record_is_not_zero_padded(issue):
    record = issue(RecordType.REVIEW_OPINION, data=review_opinion_data(), title=TITLE)
    assert "2026年1月5日" in page_texts(record)[0]
