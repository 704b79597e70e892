"""The demo's projects and O&M year (project_approvals/demo.py), loaded with the other demos, twice."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from organizations.models import User
from project_approvals import gate
from project_approvals.models import ConstructionProject, FundingDecision, ProjectState
from workflows.models import AuditEvent


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """load_demo twice, once for the module; rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        first = io.StringIO()
        call_command("load_demo", force=True, stdout=first)
        counts = (ConstructionProject.objects.count(), FundingDecision.objects.count(), AuditEvent.objects.count())
        second = io.StringIO()
        call_command("load_demo", force=True, stdout=second)
        yield {"first": first.getvalue(), "second": second.getvalue(), "counts": counts}
        transaction.set_rollback(True)


def test_it_is_idempotent_and_says_what_each_persona_finds(demo, db):
    assert demo["counts"][:2] == (ConstructionProject.objects.count(), FundingDecision.objects.count())
    assert 36 <= demo["counts"][0] <= 45
    assert "cz_finance 资金闸口：待批复预算" in demo["first"] and "fgw_approver（市发改委）" in demo["second"]


def test_projects_stand_in_every_state(demo, db):
    assert set(ConstructionProject.objects.values_list("state", flat=True)) == set(ProjectState.values)
    coming = ConstructionProject.objects.filter(state=ProjectState.PASSED, conditions__status="open")
    assert coming.exists()


def test_finance_finds_projects_it_can_fund_and_a_real_block_for_each_rule(demo, db):
    approved = list(ConstructionProject.objects.filter(state=ProjectState.APPROVED).select_related("department"))
    evaluations = gate.evaluate_projects(approved).values()
    assert any(e.passed for e in evaluations)
    failing = {r.code for e in evaluations for r in e.failing}
    assert failing == {
        "catalog_registered",
        "self_check_accepted",
        "no_zombie",
        "systems_connected",
        "replies_in_time",
        "gov_cloud",
        "conditions_on_time",
    }
    assert any(e.passed and e.warnings for e in evaluations)  # rule 8: shown, never a block

    client = Client()
    client.force_login(User.objects.get(username="cz_finance"))
    page = client.get("/project_approvals/funding/").content.decode()
    assert "未通过" in page and "2027 年度运维经费" in page


def test_the_o_and_m_year_2027(demo, db):
    decided = FundingDecision.objects.filter(kind="om", year=2027)
    assert decided.count() == 24 and all(d.evaluation.passed for d in decided)
    assert AuditEvent.objects.filter(action="project_approvals.om_funding_blocked").count() == 2


def test_every_role_has_work_and_the_flows_agree(demo, db):
    approver = User.objects.get(username="fgw_approver")
    assert approver.has_role("project_approver") and approver.department.name == "市发改委"
    assert AuditEvent.objects.filter(action="project_approvals.review_overdue").exists()
    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    assert "OK:" in out.getvalue() and "建设项目" in out.getvalue()
