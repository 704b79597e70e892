"""The admin reads in Chinese: column labels, statuses, flow and task names, audit actions and states."""

from viewflow.workflow.models import Process

from catalog.services import resource_withdraw
from requests.flows import ShareApplicationFlow
from requests.services import application_withdraw
from tests.requests.helpers import make_application
from workflows.models import AuditEvent


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_processes_and_tasks_read_in_words(admin_client, gongan_applicant, housing_resource):
    application = make_application(gongan_applicant, housing_resource)
    process = Process.objects.get(flow_class=ShareApplicationFlow)

    processes = _page(admin_client, "/admin/viewflow/process/")
    for label in ("编号", "流程", "参与人", "摘要", "共享申请", "新建"):
        assert label in processes, label
    # Column headers are links (">Pk<"): a bare "Pk" could be in the random CSRF token.
    for english in (">Pk<", ">Participants<", ">Brief<", "ShareApplicationFlow<", ">New<"):
        assert english not in processes, english

    detail = _page(admin_client, f"/admin/viewflow/process/{process.pk}/change/")
    assert "提供方审核" in detail and "发起" in detail and "办理对象" in detail and str(application) in detail
    for english in ("Artifact content type", "Seed object id", "Parent task", ">Review<", ">Start<", "requests/flows"):
        assert english not in detail, english

    tasks = _page(admin_client, "/admin/viewflow/task/")
    assert "提供方审核" in tasks and "已完成" in tasks and "任务" in tasks
    for english in (">Pk<", ">Done<", ">Review<", ">Start<"):
        assert english not in tasks, english


def test_audit_events_show_actions_and_states_as_on_the_application_page(
    admin_client, gongan_applicant, housing_resource
):
    make_application(gongan_applicant, housing_resource)
    page = _page(admin_client, "/admin/workflows/auditevent/")
    assert "提交申请" in page and "草稿" in page and "审核中" in page
    for code in (">application_submitted<", ">draft<", ">in_review<"):
        assert code not in page, code


def test_every_apps_audit_events_read_in_words_with_each_subjects_own_states(
    admin_client, gongan_applicant, housing_resource, zhujian_clerk
):
    application = make_application(gongan_applicant, housing_resource)
    application_withdraw(actor=gongan_applicant, obj=application)
    resource_withdraw(actor=zhujian_clerk, obj=housing_resource, reason="系统关停")

    page = _page(admin_client, "/admin/workflows/auditevent/")
    assert "撤回申请" in page and "已撤回" in page  # the application's "withdrawn"
    assert "撤销资源目录" in page and "已撤销" in page  # the catalog entry's
    for code in (">catalog.resource_withdrawn<", ">withdrawn<", ">registered<"):
        assert code not in page, code
    event = AuditEvent.objects.filter(action="catalog.resource_withdrawn").get()
    detail = _page(admin_client, f"/admin/workflows/auditevent/{event.pk}/change/")
    assert "撤销资源目录" in detail and "catalog.resource_withdrawn" not in detail


def test_the_user_list_names_its_name_column(admin_client, gongan_applicant):
    page = _page(admin_client, "/admin/organizations/user/")
    assert "姓名" in page and "王警官" in page
    assert "Get full name" not in page
