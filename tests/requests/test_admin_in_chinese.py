"""The admin reads in Chinese: column labels, statuses, flow and task names, audit actions and states."""

from viewflow.workflow.models import Process

from catalog.services import resource_withdraw
from notifications.models import Notification
from requests.flows import ShareApplicationFlow
from requests.services import application_withdraw
from tests.requests.helpers import make_application
from workflows.models import AuditEvent, Deadline


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


def test_notices_deadlines_and_role_groups_read_in_words(admin_client, gongan_applicant, housing_resource):
    make_application(gongan_applicant, housing_resource)  # starts the provider's reply deadline
    Notification.objects.create(recipient=gongan_applicant, event="share_application_task", title="待办：SQ000001")

    notices = _page(admin_client, "/admin/notifications/notification/")
    assert '<td class="field-event_label">共享申请待办</td>' in notices
    assert ">share_application_task<" not in notices and "?event=share_application_task" in notices
    assert '<a href="?event=share_application_task">共享申请待办</a>' in notices  # the filter
    notice = Notification.objects.filter(event="share_application_task").first()
    detail = _page(admin_client, f"/admin/notifications/notification/{notice.pk}/change/")
    assert "共享申请待办" in detail and "share_application_task" not in detail

    deadlines = _page(admin_client, "/admin/workflows/deadline/")
    assert '<td class="field-kind_label">提供方答复期限</td>' in deadlines and ">provider_reply<" not in deadlines
    deadline = Deadline.objects.get(kind="provider_reply")
    detail = _page(admin_client, f"/admin/workflows/deadline/{deadline.pk}/change/")
    assert "提醒提供方审核人（按提醒当日的人员）" in detail and "超期提请政数局协调" in detail
    for code in ("share_requests.remind_reviewers", "share_requests.escalate_overdue", "provider_reply"):
        assert code not in detail, code

    groups = _page(admin_client, "/admin/auth/group/")
    assert ">角色</a>" in groups and ">申请人</a></th>" in groups and ">政数局</a></th>" in groups


def test_a_task_and_its_process_page_name_the_task_in_words(admin_client, gongan_applicant, housing_resource):
    make_application(gongan_applicant, housing_resource)
    process = Process.objects.get(flow_class=ShareApplicationFlow)
    task = process.task_set.get(flow_task=ShareApplicationFlow.review)

    detail = _page(admin_client, f"/admin/viewflow/task/{task.pk}/change/")
    assert f"提供方审核 #{task.pk}（" in detail
    assert "&lt;shareapplication" not in detail and "- NEW" not in detail
    process_page = _page(admin_client, f"/admin/viewflow/process/{process.pk}/change/")
    assert f"提供方审核 #{task.pk}（" in process_page and "&lt;shareapplication" not in process_page
    for english in (">Data:<", ">Parent task:<", ">Seed content type:<", ">Data<", ">Parent task<"):
        assert english not in process_page and english not in detail, english
