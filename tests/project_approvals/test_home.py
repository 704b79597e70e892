"""The 工作台: finance's 资金闸口 panel lists the projects waiting for their budget with the gate's state and
counts next year's O&M funding to decide; every role with project steps sees 项目待办."""

import re

import pytest

from project_approvals import services
from tests.project_approvals.helpers import client_for, later, make_project, to_bureau

pytestmark = pytest.mark.usefixtures("frozen")


def test_finance_sees_the_funding_gate_on_its_workbench(
    good_standing, housing_data, zhujian_clerk, zhujian_leader, coordinator, approver, finance_officer
):
    project = to_bureau(
        make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data]), zhujian_clerk, zhujian_leader
    )
    services.review_pass(actor=coordinator, obj=project)
    services.project_approve(actor=approver, obj=project, approval_number="通发改审批〔2026〕8号", approved_on=later(0))

    page = client_for(finance_officer).get("/home/").content.decode()
    assert 'data-testid="panel-funding"' in page or "资金闸口" in page
    assert project.reference in page and "资金闸口通过" in page
    figures = dict(re.findall(r'data-testid="figure-(funding-[a-z]+)" data-count="(\d+)"', page))
    assert figures == {"funding-projects": "1", "funding-om": "1"}  # the 房屋网签备案系统's 2027 funding
    assert "项目待办" in page  # finance's step on the project

    assert "资金闸口" not in client_for(zhujian_leader).get("/home/").content.decode()
