"""What the gate's rules cite: the city documents by section, the national ones (国发〔2016〕51号, 国办发〔2019〕57号) by
number only, never with an article number nobody checked; and the 初审意见书 prints each rule's citation."""

import re

import pytest

from pdf_templates.rendering import record_html
from project_approvals import services
from project_approvals.gate.rules import OM_RULES, PROJECT_MEASURES, PROJECT_RULES, SHARING_MEASURES, SUQIAN
from tests.project_approvals.helpers import fresh, make_project, to_bureau

RULES = {rule.code: rule for rule in [*PROJECT_RULES, *OM_RULES]}
ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+[条款部分章节]")


def test_the_national_documents_are_cited_by_number_without_an_article():
    for rule in RULES.values():
        for number in (SHARING_MEASURES, PROJECT_MEASURES):
            for cited in re.finditer(re.escape(number) + r"([^；]*)", rule.clause):
                assert not ARTICLE.search(cited.group(1)), (rule.code, rule.clause)


def test_the_sharing_platform_and_the_funding_sanction_cite_the_seeded_sections():
    assert RULES["systems_connected"].clause.startswith(f"{SUQIAN}三（四）：各部门业务信息系统接入共享平台；")
    assert RULES["om_connected"].clause.startswith(
        f"{SUQIAN}三（五）：凡不符合政务信息资源共享要求的，不予审批建设项目，不予安排运维经费；"
    )
    assert RULES["om_registered"].clause == f"{PROJECT_MEASURES}（未纳入政务信息系统目录的系统不安排运维经费）"
    # A quotation is attributed to the document it was read in, never to a national number.
    for rule in RULES.values():
        assert not re.search(rf"({re.escape(SHARING_MEASURES)}|{re.escape(PROJECT_MEASURES)})：", rule.clause), rule


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_first_review_opinion_prints_every_rule_s_citation(
    good_standing, housing_data, zhujian_clerk, zhujian_leader, coordinator
):
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    to_bureau(project, zhujian_clerk, zhujian_leader)
    review = services.review_pass(actor=coordinator, obj=fresh(project), comment="符合共享要求。")

    html = record_html(review.record, will_sign=False)

    for row in review.record.data["rules"]:
        assert f"{row['name']}（{row['clause']}）" in html, row["name"]
    assert "宿迁市政务信息资源共享管理暂行办法解读三（四）：各部门业务信息系统接入共享平台" in html
    assert "德办函〔2019〕46号三（一）：初审意见作为审批立项、财政批复预算的条件" in html
