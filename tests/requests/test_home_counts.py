from tests.requests.helpers import make_application


def _queue_count(client, user) -> str:
    client.force_login(user)
    page = client.get("/home/").content.decode()
    if 'data-testid="figure-review-queue"' not in page:
        return "no panel"
    return page.split('data-testid="figure-review-queue" data-count="')[1].split('"')[0]


def test_the_home_queue_counts_only_the_tasks_of_the_users_department(
    client, gongan_applicant, housing_resource, zhujian_reviewer, gongan_reviewer
):
    make_application(gongan_applicant, housing_resource)
    assert _queue_count(client, zhujian_reviewer) == "1"
    assert _queue_count(client, gongan_reviewer) == "0"
    assert _queue_count(client, gongan_applicant) == "no panel"  # not a reviewer


def test_the_inbox_names_the_step_in_chinese(client, gongan_applicant, housing_resource, zhujian_reviewer):
    application = make_application(gongan_applicant, housing_resource)
    client.force_login(zhujian_reviewer)
    inbox = client.get("/share_requests/tasks/").content.decode()
    assert application.reference in inbox
    assert "<td>提供方审核</td>" in inbox
    detail = client.get(application.get_absolute_url()).content.decode()
    assert "当前步骤：提供方审核" in detail
