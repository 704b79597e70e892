"""The shared base of the subject flows (workflows.flowtasks, .nodes, .models, .home, .deadlines): every flow's
process saves only viewflow's table after start, every task URL leads to its subject's page, the department tasks
read the flow's `department_of`, and the small helpers say what they say."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from systems_inventory.flows import DepartmentReportFlow, ShutdownFlow
from workflows import deadlines, home
from workflows.flowtasks import SubjectFlow
from workflows.models import SubjectProcess
from workflows.nodes import DepartmentTask, OtherDepartmentTask, state_in


def test_every_subject_flow_s_process_is_a_subject_process():
    for flow_class in SubjectFlow.subclasses():
        assert issubclass(flow_class.process_class, SubjectProcess), flow_class


def test_every_task_url_leads_to_its_subject_s_page():
    for flow_class in SubjectFlow.subclasses():
        if flow_class.task_view is not SubjectFlow.task_view:
            continue  # a flow of its own (the share applications', the scenarios')
        assert flow_class.subject_page, flow_class
        process = SimpleNamespace(**{f"{flow_class.subject_field}_id": 7})
        response = flow_class.instance.task_view(None, process=process)
        assert response.url == reverse(flow_class.subject_page, args=[7]), flow_class


def test_the_department_tasks_ask_the_flow_whose_the_subject_is():
    report = SimpleNamespace(department_id=3)
    case = SimpleNamespace(system=SimpleNamespace(department_id=5), department_id=None)
    own, other = SimpleNamespace(department_id=5), SimpleNamespace(department_id=3)
    assert (DepartmentReportFlow.department_of(report), ShutdownFlow.department_of(case)) == (3, 5)
    assert isinstance(ShutdownFlow.reply, DepartmentTask) and isinstance(ShutdownFlow.verify, OtherDepartmentTask)
    assert ShutdownFlow.reply.allows(own, case) and not ShutdownFlow.reply.allows(other, case)
    assert ShutdownFlow.verify.allows(other, case) and not ShutdownFlow.verify.allows(own, case)
    assert not DepartmentReportFlow.fill.allows(SimpleNamespace(department_id=None), report)


def test_state_in_routes_on_the_subject_s_state():
    condition = state_in("disposing", "integrating")
    assert condition(SimpleNamespace(subject=SimpleNamespace(state="integrating")))
    assert not condition(SimpleNamespace(subject=SimpleNamespace(state="verifying")))


@pytest.mark.parametrize(("days", "workdays", "lead"), [(2, 10, 2), (2, 2, 1), (3, 1, 0), (2, 0, 0)])
def test_a_reminder_never_comes_before_the_clock_starts(days, workdays, lead):
    assert deadlines.remind_lead(days, workdays) == lead


@pytest.mark.django_db
def test_a_tasks_panel_is_none_without_tasks_and_links_its_count(gongan, zhujian):
    from organizations.models import Department

    assert home.tasks_panel("demo", "待办", Department.objects.none(), "/tasks/") is None
    panel = home.tasks_panel("demo", "待办", Department.objects.all(), "/tasks/")
    (figure,) = panel.figures
    assert (panel.key, panel.title, panel.empty) == ("demo", "待办", "")
    assert (figure.key, figure.label, figure.value, figure.url) == ("demo-all", "待办理", 2, "/tasks/")
