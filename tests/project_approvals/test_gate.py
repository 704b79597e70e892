"""The gate's rules, each passing and failing on data built through the services; the snapshot that reads the same
after the data changes; and an evaluation whose number of queries does not grow with the data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.services import resource_register, resource_submit
from project_approvals import gate, services
from project_approvals.choices import GatePurpose
from project_approvals.models import GateEvaluation
from systems_inventory.services import zombie_scan
from tests.factories import DepartmentFactory, UserFactory
from tests.project_approvals.helpers import (
    conditional_resource,
    fresh,
    make_project,
    new_category,
    resource,
    self_check,
    to_bureau,
)
from tests.requests.helpers import make_application
from tests.systems_inventory.helpers import used
from workflows import deadlines
from workflows.hashing import sha256_hex

pytestmark = pytest.mark.usefixtures("frozen")  # Monday 2 March 2026


def rule(evaluation, code):
    (found,) = [r for r in evaluation.rules if r.code == code]
    return found


def test_a_project_in_good_standing_passes_every_rule(good_standing, zhujian_clerk, housing_data):
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    evaluation = gate.evaluate_project(project)
    assert evaluation.passed
    assert [r.code for r in evaluation.rules] == [
        "catalog_registered",
        "self_check_accepted",
        "no_zombie",
        "systems_connected",
        "replies_in_time",
        "gov_cloud",
        "conditions_on_time",
        "no_duplicate",
    ]
    assert all(r.status == "passed" for r in evaluation.rules)
    assert evaluation.evaluated_at_text.endswith("+08:00")


def test_rule_1_a_resource_to_produce_still_a_draft_fails_until_registered(good_standing, zhujian_clerk, coordinator):
    draft = resource(zhujian_clerk, coordinator, "220500-ZJ-00021", name="存量房交易资金监管信息", register=False)
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[draft])
    failed = rule(gate.evaluate_project(project), "catalog_registered")
    assert failed.status == "failed"
    assert "220500-ZJ-00021 存量房交易资金监管信息（草稿）" in failed.message
    assert failed.evidence["unregistered"] == ["220500-ZJ-00021"]

    resource_submit(actor=zhujian_clerk, obj=draft)
    resource_register(actor=coordinator, obj=draft)
    assert rule(gate.evaluate_project(project), "catalog_registered").passed


def test_rule_2_no_accepted_self_check_fails(zhujian, zhujian_clerk, zhujian_leader, coordinator, housing_data):
    report = self_check(
        coordinator, zhujian, zhujian_clerk, zhujian_leader, systems=[{"name": "房屋网签备案系统"}], accept=False
    )
    project = make_project(
        zhujian_clerk, systems=[], new_system_name="房屋交易监管系统", new_system_category=new_category()
    )
    failed = rule(gate.evaluate_project(project), "self_check_accepted")
    assert failed.status == "failed"
    assert failed.message == "市住建局尚无通过审核的信息系统自查报告。请按期报送自查报告。"
    assert failed.evidence["running"]["id"] == report.pk


def test_rule_2_a_running_campaign_leaves_the_last_accepted_report_deciding_until_the_department_is_late(
    good_standing, frozen, zhujian, zhujian_clerk, zhujian_leader, coordinator
):
    from systems_inventory import services as inventory

    project = make_project(zhujian_clerk, systems=[good_standing])
    draft = inventory.campaign_create(
        actor=coordinator, data={"title": "第二轮自查", "due_workdays": 5, "covers_all": False}, departments=[zhujian]
    )
    inventory.campaign_launch(actor=coordinator, obj=draft)
    assert rule(gate.evaluate_project(project), "self_check_accepted").passed

    frozen.move_to("2026-03-12 10:00 +0800")  # past the 5 working days: beat marks the report late
    deadlines.evaluate()
    failed = rule(gate.evaluate_project(project), "self_check_accepted")
    assert failed.status == "failed"
    assert "“第二轮自查”自查报告逾期未报送" in failed.message


def test_rule_3_a_system_the_scan_suspects_fails_the_department(
    good_standing, zhujian, zhujian_clerk, zhujian_leader, coordinator, housing_data
):
    self_check(
        coordinator,
        zhujian,
        zhujian_clerk,
        zhujian_leader,
        title="补充自查",
        systems=[
            {
                "name": "老旧档案管理系统",
                "usage_frequency": "monthly",
                "connected": False,
                "interface_count": 0,
                "interface_method": "none",
                "category": new_category("ARCHIVES"),
            }
        ],
    )
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    assert rule(gate.evaluate_project(project), "no_zombie").passed

    old = zhujian.info_systems.get(name="老旧档案管理系统")
    used(old, dt.date(2025, 7, 31))
    used(good_standing, dt.date(2026, 2, 27))
    zombie_scan()
    failed = rule(gate.evaluate_project(project), "no_zombie")
    assert failed.status == "failed"
    assert f"{old.reference} 老旧档案管理系统" in failed.message and "疑似僵尸系统" in failed.message
    assert failed.evidence["count"] == 1


def test_rule_4_a_system_not_connected_fails_a_classified_one_does_not(
    good_standing, zhujian, zhujian_clerk, zhujian_leader, coordinator
):
    self_check(
        coordinator,
        zhujian,
        zhujian_clerk,
        zhujian_leader,
        title="补充自查",
        systems=[
            {"name": "建设工程档案管理系统", "connected": False, "interface_count": 0, "interface_method": "none"},
            {
                "name": "涉密文件管理系统",
                "connected": False,
                "interface_count": 0,
                "interface_method": "none",
                "is_classified": True,
                "deployment": "own_room",
                "not_on_cloud_reason": "涉密",
            },
        ],
    )
    archive = zhujian.info_systems.get(name="建设工程档案管理系统")
    secret = zhujian.info_systems.get(name="涉密文件管理系统")
    failed = rule(
        gate.evaluate_project(make_project(zhujian_clerk, systems=[archive, good_standing])), "systems_connected"
    )
    assert failed.status == "failed"
    assert (
        failed.message
        == f"{archive.reference} 建设工程档案管理系统未接入共享平台。请登记信息系统并接入政务数据共享平台。"
    )
    assert rule(gate.evaluate_project(make_project(zhujian_clerk, systems=[secret])), "systems_connected").passed


def test_rule_5_applications_overdue_as_a_provider_fail_naming_them(
    good_standing, frozen, zhujian_clerk, coordinator, gongan_applicant, housing_data
):
    conditional = conditional_resource(zhujian_clerk, coordinator, "220500-ZJ-00031")
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    application = make_application(gongan_applicant, conditional)
    assert application.state == "in_review"
    assert rule(gate.evaluate_project(project), "replies_in_time").passed

    frozen.move_to(application.due_at + dt.timedelta(hours=1))
    failed = rule(gate.evaluate_project(project), "replies_in_time")
    assert failed.status == "failed"
    assert f"市住建局作为提供部门有 1 件共享申请超期未答复：{application.reference}，请尽快答复" in failed.message
    assert "超期答复（100.0%），不低于上限 10.0%" in failed.message
    assert failed.evidence["overdue"] == [application.reference]


def test_rule_5_the_late_rate_limit_is_a_setting(
    good_standing, frozen, settings, zhujian_clerk, coordinator, gongan_applicant, housing_data
):
    conditional = conditional_resource(zhujian_clerk, coordinator, "220500-ZJ-00031")
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    late = make_application(gongan_applicant, conditional)
    frozen.move_to(late.due_at + dt.timedelta(hours=1))
    deadlines.evaluate()  # escalated: counted late for good
    from requests.services import application_withdraw

    application_withdraw(actor=gongan_applicant, obj=late)  # no longer overdue now, still late this year
    settings.GATE_MAX_LATE_REPLY_RATE = "1.01"
    assert rule(gate.evaluate_project(project), "replies_in_time").passed
    settings.GATE_MAX_LATE_REPLY_RATE = "0.5"
    assert not rule(gate.evaluate_project(project), "replies_in_time").passed


def test_rule_6_off_the_government_cloud_only_when_classified(good_standing, zhujian_clerk):
    own_room = make_project(
        zhujian_clerk, systems=[good_standing], deployment="own_room", not_on_cloud_reason="机房未到期"
    )
    failed = rule(gate.evaluate_project(own_room), "gov_cloud")
    assert failed.message == "非涉密项目拟部署在“部门自有机房”：应依托市政务云建设和部署，请改为政务云部署。"
    classified = make_project(
        zhujian_clerk,
        systems=[good_standing],
        deployment="own_room",
        is_classified=True,
        not_on_cloud_reason="涉密（国家秘密）",
    )
    assert rule(gate.evaluate_project(classified), "gov_cloud").passed


def test_rule_7_a_condition_past_due_fails_every_project_of_the_department_until_met(
    good_standing, frozen, zhujian_clerk, zhujian_leader, coordinator, housing_data
):
    first = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    to_bureau(first, zhujian_clerk, zhujian_leader)
    review = services.review_pass_with_conditions(
        actor=coordinator, obj=first, conditions=[("完成存量房数据编目", dt.date(2026, 3, 31))]
    )
    second = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data], name="公租房管理系统运维")
    assert (
        rule(gate.evaluate_project(second), "conditions_on_time").message
        == "市住建局有 1 项初审附条件待落实，均未到期。"
    )

    frozen.move_to("2026-04-01 09:00 +0800")
    failed = rule(gate.evaluate_project(second), "conditions_on_time")
    assert failed.status == "failed"
    assert f"{fresh(first).reference}“完成存量房数据编目”（2026-03-31到期）" in failed.message

    services.condition_meet(actor=coordinator, obj=review.conditions.get(), comment="已编目注册")
    assert rule(gate.evaluate_project(second), "conditions_on_time").passed


def test_rule_8_a_like_system_elsewhere_is_a_warning_never_a_block(good_standing, zhujian_clerk, coordinator):
    other = DepartmentFactory(
        code="TH-GJJ", name="市住房公积金管理中心", short_name="通公积金", seal_text="通化市住房公积金管理中心"
    )
    clerk = UserFactory(username="gjj_applicant", department=other, roles=["applicant"])
    leader = UserFactory(username="gjj_leader", department=other, roles=["dept_leader"])
    self_check(coordinator, other, clerk, leader, systems=[{"name": "房屋网签备案管理平台"}])

    project = make_project(zhujian_clerk, systems=[good_standing])
    evaluation = gate.evaluate_project(project)
    warned = rule(evaluation, "no_duplicate")
    assert warned.status == "warning" and evaluation.passed
    assert "市住房公积金管理中心" in warned.message and "房屋网签备案管理平台" in warned.message


def test_the_snapshot_reads_the_same_after_the_data_changes(
    good_standing, frozen, zhujian_clerk, coordinator, housing_data
):
    project = make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data])
    snapshot = gate.snapshot(gate.evaluate_project(fresh(project)), purpose=GatePurpose.FIRST_REVIEW)
    text, digest = snapshot.snapshot, snapshot.sha256

    from catalog.services import resource_withdraw

    frozen.move_to("2026-03-03 10:00 +0800")
    resource_withdraw(actor=zhujian_clerk, obj=housing_data, reason="数据源调整")
    assert not gate.evaluate_project(fresh(project)).passed

    kept = GateEvaluation.objects.get(pk=snapshot.pk)
    assert kept.snapshot == text and kept.sha256 == digest == sha256_hex(text)
    assert kept.passed and kept.content["evaluated_at"] == "2026-03-02T10:00:00+08:00"
    with pytest.raises(Exception, match="不可修改"):
        kept.save()
    with pytest.raises(Exception, match="不可修改"):
        GateEvaluation.objects.filter(pk=kept.pk).update(passed=False)
    with pytest.raises(Exception, match="不可删除"):
        kept.delete()


def test_the_evaluation_reads_in_a_fixed_number_of_queries(
    good_standing, zhujian_clerk, coordinator, housing_data, gongan_applicant
):
    one = fresh(make_project(zhujian_clerk, systems=[good_standing], produced=[housing_data]))
    with CaptureQueriesContext(connection) as small:
        gate.evaluate_project(one)
    for n in range(3):
        produced = resource(zhujian_clerk, coordinator, f"220500-ZJ-0010{n}", name=f"资源{n}")
        make_project(zhujian_clerk, systems=[good_standing], produced=[produced, housing_data], name=f"项目{n}")
    projects = [fresh(p) for p in type(one).objects.all()]
    with CaptureQueriesContext(connection) as many:
        evaluations = gate.evaluate_projects(projects)
    assert len(evaluations) == 4
    assert len(many) == len(small) <= 10


@pytest.mark.postgres
def test_on_postgresql_the_database_itself_refuses_to_change_a_snapshot(good_standing, zhujian_clerk):
    from django.db import DatabaseError, transaction

    snapshot = gate.snapshot(
        gate.evaluate_project(make_project(zhujian_clerk, systems=[good_standing])), purpose=GatePurpose.FIRST_REVIEW
    )
    for statement in ("UPDATE {} SET passed = NOT passed WHERE id = %s", "DELETE FROM {} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(GateEvaluation._meta.db_table), [snapshot.pk])
    assert GateEvaluation.objects.get(pk=snapshot.pk).sha256 == snapshot.sha256
