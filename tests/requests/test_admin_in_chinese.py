"""The admin reads in Chinese: column labels, statuses, flow and task names, audit actions and states."""

from viewflow.workflow.models import Process

from requests.flows import ShareApplicationFlow
from tests.requests.helpers import make_application


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
    for english in ("Pk", "Participants", "Brief", "ShareApplicationFlow<", ">New<"):
        assert english not in processes, english

    detail = _page(admin_client, f"/admin/viewflow/process/{process.pk}/change/")
    assert "提供方审核" in detail and "发起" in detail and "办理对象" in detail and str(application) in detail
    for english in ("Artifact content type", "Seed object id", "Parent task", ">Review<", ">Start<", "requests/flows"):
        assert english not in detail, english

    tasks = _page(admin_client, "/admin/viewflow/task/")
    assert "提供方审核" in tasks and "已完成" in tasks and "任务" in tasks
    for english in ("Pk", ">Done<", ">Review<", ">Start<"):
        assert english not in tasks, english


def test_audit_events_show_actions_and_states_as_on_the_application_page(
    admin_client, gongan_applicant, housing_resource
):
    make_application(gongan_applicant, housing_resource)
    page = _page(admin_client, "/admin/workflows/auditevent/")
    assert "提交申请" in page and "草稿" in page and "审核中" in page
    for code in (">application_submitted<", ">draft<", ">in_review<"):
        assert code not in page, code


def test_the_user_list_names_its_name_column(admin_client, gongan_applicant):
    page = _page(admin_client, "/admin/organizations/user/")
    assert "姓名" in page and "王警官" in page
    assert "Get full name" not in page
