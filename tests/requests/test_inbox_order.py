"""待办审核 puts urgent work first: the nearest reply deadline on top, the overdue marked, no deadline last; the
newest received and the applicant department stay available as other orders."""

import pytest
from django.urls import reverse

from requests import selectors
from requests.models import ShareApplication
from tests.factories import DepartmentFactory, UserFactory
from tests.requests.helpers import client_for, make_application

pytestmark = pytest.mark.usefixtures("frozen")  # Monday 2026-03-02 10:00


@pytest.fixture
def three(frozen, gongan_applicant, housing_resource, zhujian):
    """Submitted on 2 March (due 16 March), on 9 March (due 23 March, by a second department) and on 4 March
    (due 18 March): the order of arrival is not the order of the deadlines."""
    early = make_application(gongan_applicant, housing_resource)
    frozen.move_to("2026-03-09 10:00 +0800")
    minzheng = DepartmentFactory(code="TH-MZ", name="市民政局", short_name="通民", seal_text="通化市民政局")
    late = make_application(UserFactory(department=minzheng, roles=["applicant"]), housing_resource)
    frozen.move_to("2026-03-04 10:00 +0800")
    middle = make_application(gongan_applicant, housing_resource)
    frozen.move_to("2026-03-10 10:00 +0800")
    return early, middle, late


def references(tasks) -> list[str]:
    return [task.process.shareapplicationprocess.application.reference for task in tasks]


def test_the_nearest_deadline_comes_first(three, zhujian_reviewer):
    early, middle, late = three
    assert references(selectors.task_list(zhujian_reviewer)) == [a.reference for a in (early, middle, late)]


def test_a_task_without_a_deadline_comes_last(three, zhujian_reviewer):
    early, middle, late = three
    ShareApplication.objects.filter(pk=early.pk).update(due_at=None)
    assert references(selectors.task_list(zhujian_reviewer)) == [a.reference for a in (middle, late, early)]
    [*_, last] = selectors.inbox_page(zhujian_reviewer).rows
    assert last.application == early and last.countdown is None


def test_the_other_orders_stay_available(three, zhujian_reviewer):
    early, middle, late = three
    received = selectors.task_list(zhujian_reviewer, "received")
    assert references(received) == [a.reference for a in (late, middle, early)]  # the newest task first
    by_applicant = selectors.task_list(zhujian_reviewer, "applicant")
    assert references(by_applicant) == [a.reference for a in (early, middle, late)]  # 市公安局 before 市民政局
    assert references(selectors.task_list(zhujian_reviewer, "no-such-order")) == references(
        selectors.task_list(zhujian_reviewer)
    )


def test_the_page_counts_working_days_left_and_marks_the_overdue(three, zhujian_reviewer, frozen):
    early, middle, late = three
    frozen.move_to("2026-03-18 10:00 +0800")  # early fell due on the 16th; middle falls due today
    page = selectors.inbox_page(zhujian_reviewer)
    assert [(row.application, row.countdown.workdays, row.countdown.overdue) for row in page.rows] == [
        (early, -2, True),
        (middle, 0, False),
        (late, 3, False),
    ]
    assert page.sort == "due" and not page.has_next and page.total.value == 3


def test_the_reviewer_sees_the_urgent_first_with_the_days_left(three, zhujian_reviewer, frozen):
    early, middle, late = three
    frozen.move_to("2026-03-18 10:00 +0800")
    client = client_for(zhujian_reviewer)
    html = client.get(reverse("share_requests:tasks")).content.decode()
    rows = html.split('data-testid="task-row"')[1:]
    assert [early.reference in rows[0], middle.reference in rows[1], late.reference in rows[2]] == [True] * 3
    assert "逾期 2 个工作日" in rows[0] and "govshare-row--overdue" in rows[0].split(">", 1)[0]
    assert "今日到期" in rows[1] and "剩 3 个工作日" in rows[2]
    assert "2026-03-16" in rows[0]
    detail = client.get(early.get_absolute_url()).content.decode()  # the application's page says it the same way
    assert "逾期 2 个工作日" in detail.split('data-testid="workdays-left"')[1].split("</span></span>")[0]
    received = client.get(reverse("share_requests:tasks"), {"sort": "received"}).content.decode()
    assert received.index(late.reference) < received.index(middle.reference) < received.index(early.reference)
    assert 'data-testid="sort-current">收到时间<' in received and '<a href="?sort=due">答复期限</a>' in received


def test_a_deadline_passed_on_friday_is_overdue_on_saturday(
    gongan_applicant, housing_resource, zhujian_reviewer, frozen
):
    frozen.move_to("2026-03-06 10:00 +0800")
    friday = make_application(gongan_applicant, housing_resource)  # due Friday 20 March
    frozen.move_to("2026-03-21 10:00 +0800")  # no working day has passed since
    [row] = selectors.inbox_page(zhujian_reviewer).rows
    assert (row.countdown.workdays, row.countdown.overdue) == (0, True)
    html = client_for(zhujian_reviewer).get(reverse("share_requests:tasks")).content.decode()
    assert "已逾期</span>" in html.split(friday.reference)[1].split("</tr>")[0]
    assert 'data-testid="sort-current">答复期限<' in html


@pytest.mark.postgres
def test_the_page_is_planned_without_parallel_workers_and_the_setting_is_put_back(three, zhujian_reviewer):
    from django.db import connection

    from workflows.selectors import serial_plans

    def workers() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            return cursor.fetchone()[0]

    before = workers()
    with serial_plans():
        assert workers() == "0"
    assert workers() == before != "0"  # the test's transaction goes on: the setting must not leak into it
    assert len(selectors.inbox_page(zhujian_reviewer).rows) == 3 and workers() == before


def test_a_row_shows_each_column_escaped_in_local_time_with_its_link(three, zhujian_reviewer, housing_resource):
    """The rows are drawn in one pass (requests.templatetags.inbox_tags), not by the template engine: every value
    is still escaped, times are Beijing time as the `date` filter showed them, the link is the application's."""
    early, middle, late = three
    housing_resource.name = '<script>alert("x")</script>房屋'
    housing_resource.save(update_fields=["name"])
    html = client_for(zhujian_reviewer).get(reverse("share_requests:tasks")).content.decode()
    row = html.split('data-testid="task-row"')[1].split("</tr>")[0]
    assert f'<a href="{early.get_absolute_url()}">{early.reference}</a>' in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;房屋" in row and "<script>" not in row
    assert "<td>市公安局</td>" in row and "<td>提供方审核</td><td>待认领</td>" in row
    assert "<td>2026-03-02 10:00</td>" in row  # received at 10:00 Beijing time (02:00 UTC)
    assert "<td>2026-03-16</td>" in row and "剩 4 个工作日" in row
