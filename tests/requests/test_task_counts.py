"""Task totals on the inbox and the home page: exact up to a cap, "1000+" beyond, in one bounded query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from requests.selectors import open_task
from requests.services import task_take
from requests.views import TaskListView
from tests.requests.helpers import make_application
from workflows import selectors
from workflows.selectors import CappedCount

pytestmark = pytest.mark.django_db


def test_a_capped_count_reads_as_people_say_it():
    assert (str(CappedCount(0, 1000)), CappedCount(0, 1000).label) == ("0", "共 0 项")
    assert (str(CappedCount(1000, 1000)), CappedCount(1000, 1000).label) == ("1000", "共 1000 项")
    assert (str(CappedCount(1001, 1000)), CappedCount(1001, 1000).label) == ("1000+", "1000+ 项")
    assert not CappedCount(1000, 1000).over and CappedCount(1001, 1000).over


@pytest.fixture
def applications(gongan_applicant, housing_resource):
    """Each waits for 住建局's review: one NEW task each."""

    def make(n: int) -> list:
        return [make_application(gongan_applicant, housing_resource) for _ in range(n)]

    return make


@pytest.fixture
def cap(monkeypatch):
    def set_cap(n: int) -> None:
        monkeypatch.setattr(selectors, "TASK_COUNT_CAP", n)

    return set_cap


def inbox(client, user, page: int = 1, sort: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("share_requests:tasks"), {"page": page, "sort": sort})
    assert response.status_code == 200
    return response.content.decode()


def total(page: str) -> str:
    return page.split('data-testid="task-total"')[1].split(">", 1)[1].split("<")[0]


def home_count(client, user, name: str) -> str:
    """A figure of the 工作台 as it reads (1, 2+)."""
    client.force_login(user)
    figure = client.get("/home/").content.decode().split(f'data-testid="figure-{name}"')[1]
    return figure.split('class="govshare-figure__count">')[1].split("<")[0]


def test_the_inbox_shows_the_total(client, applications, zhujian_reviewer, gongan_applicant):
    applications(3)
    assert total(inbox(client, zhujian_reviewer)) == "共 3 项"
    assert total(inbox(client, gongan_applicant)) == "共 0 项"  # not their department's tasks


def test_the_inbox_counts_at_most_one_row_past_the_cap(client, applications, zhujian_reviewer, cap):
    cap(2)
    applications(2)
    assert total(inbox(client, zhujian_reviewer)) == "共 2 项"
    applications(1)
    client.force_login(zhujian_reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("share_requests:tasks")).content.decode()
    assert total(page) == "2+ 项"
    [count] = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*) FROM (SELECT")]
    assert "viewflow_task" in count
    assert count.rstrip().endswith("LIMIT 3) subquery")


def test_the_inbox_runs_as_many_queries_for_many_tasks_as_for_few(client, applications, zhujian_reviewer, monkeypatch):
    monkeypatch.setattr(TaskListView, "page_size", 2)

    def queries_for_inbox(sort: str) -> int:
        client.force_login(zhujian_reviewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("share_requests:tasks"), {"sort": sort}).status_code == 200
        return len(queries)

    sorts = ("due", "received", "applicant")
    applications(3)
    few = {sort: queries_for_inbox(sort) for sort in sorts}
    *_, taken = applications(5)  # the newest: on the first page of the newest first
    task_take(actor=zhujian_reviewer, obj=open_task(taken))
    page = inbox(client, zhujian_reviewer, sort="received")
    assert total(page) == "共 8 项"
    assert {sort: queries_for_inbox(sort) for sort in sorts} == few
    # Every column the page shows is loaded with the rows (requests.selectors.INBOX_COLUMNS), none row by row.
    row = page.split(f">{taken.reference}<")[1].split("</tr>")[0]
    for shown in (
        taken.applicant_department.name,
        taken.resource.name,
        "李审核",
        f"{timezone.localtime(taken.due_at):%Y-%m-%d}",
        "剩 10 个工作日",  # submitted today
    ):
        assert shown in row


def test_the_home_page_caps_its_counts(client, applications, zhujian_reviewer, cap):
    cap(2)
    tasks = [open_task(application) for application in applications(5)]
    assert home_count(client, zhujian_reviewer, "review-queue") == "2+"
    assert home_count(client, zhujian_reviewer, "review-mine") == "0"
    for task in tasks[:3]:
        task_take(actor=zhujian_reviewer, obj=task)
    assert home_count(client, zhujian_reviewer, "review-mine") == "2+"  # three taken
    assert home_count(client, zhujian_reviewer, "review-queue") == "2"  # two left
