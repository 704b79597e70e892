"""The 工作台 shows each role what to do next: the reviewer's and the leader's tasks by deadline, the applicant's
applications by state (补正 first), the data bureau's 逾期协调 queue and catalog registrations, the auditor's
latest records. Every figure links to the list that shows exactly what it counts; the page costs the same
queries whatever the data's size."""

import html
import re

import pytest
from django.urls import reverse

from catalog.services import resource_create, resource_submit
from pdf_templates.models import Record
from requests import services as svc
from requests.models import ApplicationState, ShareApplication
from tests.catalog.factories import resource_data
from tests.factories import UserFactory
from tests.requests.helpers import client_for, full_terms, level2_items, make_application, open_task
from workflows.deadlines import for_subject

pytestmark = pytest.mark.usefixtures("frozen")  # Monday 2026-03-02 10:00

FIGURE = re.compile(r'href="([^"]+)" data-testid="figure-([^"]+)" data-count="(\d+)"')
LIST_TOTAL = re.compile(r'data-list-total="(\d+)"')


def build(frozen, *, applicant, reviewer, leader, clerk, housing, open_resource, n: int = 1, first: int = 0) -> dict:
    """`n` of each: late in review, waiting in review, taken, at countersign, escalated for a missed deadline,
    escalated for a class dispute, returned for 补正, a draft, granted at once; a catalog entry submitted."""
    made: dict[str, list] = {key: [] for key in ("late", "waiting", "taken", "countersign", "escalated", "disputed")}
    made.update(returned=[], draft=[], granted=[], submitted=[])
    for i in range(first, first + n):
        frozen.move_to("2026-02-02 10:00 +0800")  # due 14 February: overdue on 2 March
        made["late"].append(make_application(applicant, housing, items=level2_items(housing)))
        escalated = make_application(applicant, housing, items=level2_items(housing))
        svc.escalate_overdue(for_subject(escalated).get(status="active"))
        made["escalated"].append(escalated)
        frozen.move_to("2026-03-02 10:00 +0800")
        made["waiting"].append(make_application(applicant, housing, items=level2_items(housing)))
        taken = make_application(applicant, housing, items=level2_items(housing))
        svc.task_take(actor=reviewer, obj=open_task(taken))
        made["taken"].append(taken)
        level3 = make_application(applicant, housing)  # its 产权人身份证号 is of level 3: the leader countersigns
        svc.application_grant(actor=reviewer, obj=level3, terms=full_terms(level3))
        made["countersign"].append(level3)
        secret = open_resource.items.create(name=f"法定代表人身份证号{i}", data_type="C", length=18, security_level=3)
        disputed = make_application(applicant, open_resource, items=[secret])
        svc.application_dispute_class(actor=reviewer, obj=disputed, reason="该项应为有条件共享")
        made["disputed"].append(disputed)
        returned = make_application(applicant, housing, items=level2_items(housing))
        svc.application_return(actor=reviewer, obj=returned, comment=f"请补充盖章的申请函{i}")
        made["returned"].append(returned)
        made["draft"].append(make_application(applicant, housing, submit=False))
        made["granted"].append(make_application(applicant, open_resource, items=level2_items(open_resource)))
        data = resource_data(clerk.department, code=f"220500-ZJ-{100 + i:05d}", name=f"待注册资源{i}")
        made["submitted"].append(
            resource_submit(
                actor=clerk,
                obj=resource_create(actor=clerk, data=data, items=[{"name": "项", "data_type": "C", "length": 20}]),
            )
        )
    assert ShareApplication.objects.get(pk=made["countersign"][0].pk).state == ApplicationState.COUNTERSIGNING
    return made


@pytest.fixture
def world(frozen, gongan_applicant, zhujian_reviewer, zhujian_leader, zhujian_clerk, housing_resource, open_resource):
    return build(
        frozen,
        applicant=gongan_applicant,
        reviewer=zhujian_reviewer,
        leader=zhujian_leader,
        clerk=zhujian_clerk,
        housing=housing_resource,
        open_resource=open_resource,
    )


def home_page(user) -> str:
    response = client_for(user).get(reverse("home:index"))
    assert response.status_code == 200
    return response.content.decode()


def panel(page: str, key: str) -> str:
    return page.split(f'data-testid="panel-{key}"')[1].split("</section>")[0]


def figures(page: str) -> dict[str, tuple[str, int]]:
    return {key: (html.unescape(url), int(count)) for url, key, count in FIGURE.findall(page)}


def test_the_reviewer_sees_the_nearest_deadlines_first_the_overdue_marked(world, zhujian_reviewer):
    page = home_page(zhujian_reviewer)
    review = panel(page, "review")
    shown = figures(review)
    assert {key: count for key, (_, count) in shown.items()} == {
        "review-all": 3,
        "review-queue": 2,
        "review-mine": 1,
        "review-overdue": 1,
    }
    assert shown["review-overdue"][0] == "/share_requests/tasks/?step=review&show=overdue"
    rows = review.split('data-testid="row"')[1:]
    late, waiting, taken = world["late"][0], world["waiting"][0], world["taken"][0]
    # Due Saturday 14 February, a make-up working day before the Spring Festival; six working days since.
    assert late.reference in rows[0] and "逾期 6 个工作日" in rows[0]
    assert {waiting.reference, taken.reference} == {re.search(r"SQ\d+", row).group() for row in rows[1:]}
    assert all("剩 10 个工作日" in row for row in rows[1:])
    assert "govshare-figure--alert" in review.split('data-testid="figure-review-overdue"')[0].rsplit("<a", 1)[1]
    assert 'data-testid="panel-countersign"' not in page and 'data-testid="panel-overdue"' not in page


def test_the_leader_sees_the_grants_waiting_for_countersign(world, zhujian_leader):
    countersign = panel(home_page(zhujian_leader), "countersign")
    assert figures(countersign)["countersign-all"][1] == 1
    assert world["countersign"][0].reference in countersign


def test_the_applicant_sees_applications_by_state_those_returned_first(world, gongan_applicant):
    applications = panel(home_page(gongan_applicant), "applications")
    shown = figures(applications)
    assert list(shown)[:2] == ["applications-returned", "applications-draft"]
    assert shown["applications-returned"] == ("/share_requests/?state=returned", 1)
    assert shown["applications-in_review"][1] == 3 and shown["applications-escalated"][1] == 2
    assert shown["applications-granted"][1] == 1 and "applications-refused" not in shown  # none refused
    rows = applications.split('data-testid="row"')[1:]
    assert world["returned"][0].reference in rows[0] and "请补充盖章的申请函0" in rows[0]
    assert world["draft"][0].reference in rows[1]


def test_the_bureau_sees_its_queue_registrations_and_disputes(world, coordinator):
    page = home_page(coordinator)
    shown = figures(page)
    assert shown["overdue-overdue"] == ("/share_requests/overdue/?reason=overdue", 1)
    assert shown["overdue-dispute"] == ("/share_requests/overdue/?reason=dispute", 1)
    assert shown["catalog-review"] == ("/catalog/review/", 1)
    overdue = panel(page, "overdue")
    assert world["escalated"][0].reference in overdue and world["disputed"][0].reference in overdue
    assert "共享类型异议" in overdue and "超期未答复" in overdue
    assert world["submitted"][0].code in panel(page, "catalog-review")


def test_the_auditor_sees_the_latest_records(world, auditor):
    records = panel(home_page(auditor), "records")
    latest = Record.objects.order_by("-issued_at", "-id").first()
    assert figures(records)["records-all"] == ("/records/", Record.objects.count())
    assert records.split('data-testid="row"')[1].count(latest.number) == 1


def test_a_user_with_several_roles_sees_each_roles_panel(world, zhujian):
    everyone = UserFactory(
        department=zhujian, roles=["provider_reviewer", "dept_leader", "data_bureau", "auditor", "applicant"]
    )
    page = home_page(everyone)
    keys = re.findall(r'data-testid="panel-([a-z-]+)"', page)
    assert keys == ["review", "countersign", "overdue", "catalog-review", "applications", "records", "dashboard"]


def test_a_user_without_work_here_is_told_so(db, finance_officer):
    assert 'data-testid="no-panels"' in home_page(finance_officer)


@pytest.mark.parametrize(
    "persona", ["zhujian_reviewer", "zhujian_leader", "coordinator", "gongan_applicant", "auditor"]
)
def test_every_figure_links_to_a_list_showing_exactly_what_it_counts(world, persona, request):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    shown = figures(client.get(reverse("home:index")).content.decode())
    assert shown and any(count for _, count in shown.values())
    for key, (url, count) in shown.items():
        response = client.get(url)
        assert response.status_code == 200, (key, url)
        totals = LIST_TOTAL.findall(response.content.decode())
        assert totals == [str(count)], (key, url, totals)


def test_the_home_page_costs_the_same_queries_whatever_the_datas_size(
    frozen,
    zhujian,
    gongan_applicant,
    zhujian_reviewer,
    zhujian_leader,
    zhujian_clerk,
    housing_resource,
    open_resource,
    django_assert_max_num_queries,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    everyone = UserFactory(
        department=zhujian, roles=["provider_reviewer", "dept_leader", "data_bureau", "auditor", "applicant"]
    )
    client = client_for(everyone)
    people = dict(
        applicant=gongan_applicant,
        reviewer=zhujian_reviewer,
        leader=zhujian_leader,
        clerk=zhujian_clerk,
        housing=housing_resource,
        open_resource=open_resource,
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("home:index")).status_code == 200
        return len(captured)

    build(frozen, **people, n=1)
    few = queries()
    build(frozen, **people, n=3, first=1)
    with django_assert_max_num_queries(few):
        page = client.get(reverse("home:index")).content.decode()
    assert figures(page)["review-all"][1] == 4 * 3  # late, waiting and taken, four times over
    assert queries() == few <= 60, few  # every app's panels together, bounded whatever the data
