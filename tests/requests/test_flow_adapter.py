"""The task adapter (workflows.flowtasks), manage.py verify_flows, and the viewflow internals they rely on."""

import importlib.metadata
import inspect
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow import flow
from viewflow.workflow.base import Node
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from requests import selectors, services
from requests.flows import ShareApplicationFlow
from requests.models import ApplicationState, ShareApplication
from tests.requests.helpers import full_terms, make_application
from workflows import flowtasks, nodes

pytestmark = pytest.mark.django_db


def _verify_flows() -> str:
    out = io.StringIO()
    call_command("verify_flows", stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------- verify_flows


def test_verify_flows_is_ok_when_every_state_has_its_task(gongan_applicant, housing_resource, zhujian_reviewer):
    in_review = make_application(gongan_applicant, housing_resource)
    returned = make_application(gongan_applicant, housing_resource)
    services.application_return(actor=zhujian_reviewer, obj=returned, comment="请补充申请函")
    proposed = make_application(gongan_applicant, housing_resource)  # level 3 data: the leader countersigns
    services.application_grant(actor=zhujian_reviewer, obj=proposed, terms=full_terms(proposed))
    withdrawn = make_application(gongan_applicant, housing_resource)
    services.application_withdraw(actor=gongan_applicant, obj=withdrawn)
    draft = make_application(gongan_applicant, housing_resource, submit=False)

    assert _verify_flows().startswith("OK:")
    states = {a.pk: a.state for a in ShareApplication.objects.all()}
    assert [states[a.pk] for a in (in_review, returned, proposed, withdrawn, draft)] == [
        ApplicationState.IN_REVIEW,
        ApplicationState.RETURNED,
        ApplicationState.COUNTERSIGNING,
        ApplicationState.WITHDRAWN,
        ApplicationState.DRAFT,
    ]


def test_verify_flows_names_a_state_whose_task_is_missing(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)
    Task.objects.filter(process__shareapplicationprocess__application=application).update(status=STATUS.CANCELED)

    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_flows", stdout=out)

    assert exc.value.returncode == 1
    assert f"共享申请 #{application.pk}：状态为 in_review，应有且只有一个待办任务 review，实有 无" in out.getvalue()
    assert out.getvalue().endswith("BROKEN: 1 处状态与待办任务不一致\n")  # the verdict on stdout, last


def test_verify_flows_names_an_open_task_the_state_does_not_expect(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)
    ShareApplication.objects.filter(pk=application.pk).update(state=ApplicationState.GRANTED)

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_flows", stdout=out)

    assert f"共享申请 #{application.pk}：状态为 granted，不应有待办任务，却有 review" in out.getvalue()


def test_verify_flows_names_a_state_that_expects_a_task_but_has_no_process(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource, submit=False)
    ShareApplication.objects.filter(pk=application.pk).update(state=ApplicationState.ESCALATED)

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_flows", stdout=out)

    assert f"共享申请 #{application.pk}：状态为 escalated，应有待办任务 arbitrate，但没有流程" in out.getvalue()


# ---------------------------------------------------------------- the adapter


def test_completing_a_task_routes_on_the_subject_passed_without_reading_it_again(
    gongan_applicant, housing_resource, zhujian_reviewer
):
    application = make_application(gongan_applicant, housing_resource)
    task = selectors.open_task(application)
    application.return_for_correction()  # the state the service would have set (not saved: routing reads this)

    with CaptureQueriesContext(connection) as queries:
        flowtasks.complete(task, subject=application, actor=zhujian_reviewer)

    assert not any("share_requests_shareapplication" in q["sql"] and "SELECT" in q["sql"] for q in queries)
    assert selectors.open_task(application).flow_task == ShareApplicationFlow.correction


def test_cancel_ends_the_process_and_its_open_task(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)

    flowtasks.cancel(ShareApplicationFlow, application)

    assert selectors.open_task(application) is None
    assert application.process.__class__.objects.get(pk=application.process.pk).status == "CANCELED"


def test_the_department_task_is_for_the_provider_s_staff_only(
    gongan_applicant, housing_resource, zhujian_reviewer, coordinator
):
    application = make_application(gongan_applicant, housing_resource)
    task = selectors.open_task(application)
    review = ShareApplicationFlow.review

    assert review.can_assign(zhujian_reviewer, task, subject=application)
    assert review.can_assign(zhujian_reviewer, task)  # the subject read when the caller has none
    assert not review.can_assign(gongan_applicant, task, subject=application)


# ---------------------------------------------------------------- viewflow internals relied on


def test_viewflow_is_the_version_the_adapter_was_written_for():
    assert importlib.metadata.version("django-viewflow").startswith("2.4.")


def test_the_node_hooks_the_routing_overrides_still_exist():
    for name in ("_resolve", "_outgoing", "_create", "next_node"):
        assert callable(getattr(nodes.View, name))
    assert list(inspect.signature(Node._create).parameters)[:3] == ["self", "prev_activation", "token"]
    assert list(inspect.signature(Node._resolve).parameters) == ["self", "instance"]
    assert "create_next" in vars(flow.View.activation_class) or hasattr(flow.View.activation_class, "create_next")
    assert issubclass(nodes.ViewActivation, flow.View.activation_class)


def test_an_activation_built_from_a_task_reads_no_row_again(gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)
    task = selectors.open_task(application)  # with its process, as the adapter reads it

    with CaptureQueriesContext(connection) as queries:
        activation = task.flow_task.activation_class(task)

    assert queries.captured_queries == []
    assert activation.process.pk == task.process_id and activation.task is task


def test_the_flow_lock_joins_the_caller_s_transaction():
    assert ShareApplicationFlow.lock_impl is flowtasks.subject_lock
    with flowtasks.subject_lock(ShareApplicationFlow, 1):
        assert connection.in_atomic_block
