from tests.factories import UserFactory
from tests.requests.helpers import make_application


def _queue_count(client, user) -> str:
    client.force_login(user)
    page = client.get("/home/").content.decode()
    return page.split('data-testid="queue-count">')[1].split("<")[0]


def test_the_home_queue_counts_only_the_tasks_of_the_users_department(
    client, gongan_applicant, housing_resource, zhujian_reviewer, gongan
):
    make_application(gongan_applicant, housing_resource)
    outsider = UserFactory(username="ga_reviewer", department=gongan, roles=["provider_reviewer"])
    assert _queue_count(client, zhujian_reviewer) == "1"
    assert _queue_count(client, outsider) == "0"
