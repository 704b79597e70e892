import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from organizations.models import Substitution
from organizations.selectors import acting_user_ids, acts_with_role, principals_of
from tests.factories import UserFactory
from tests.probe.flows import ApprovalProbeFlow
from workflows.models import AuditEvent
from workflows.selectors import inbox_tasks

D = dt.date


@pytest.fixture
def absence(zhujian_reviewer, zhujian_colleague):
    """李审核 is away for the first week of November; 赵同事 stands in."""
    return Substitution.objects.create(
        principal=zhujian_reviewer, substitute=zhujian_colleague, starts_on=D(2026, 11, 2), ends_on=D(2026, 11, 6)
    )


@pytest.fixture
def review_task(zhujian_reviewer):
    process = ApprovalProbeFlow.start.run(owner=zhujian_reviewer)
    return process.task_set.get(flow_task=ApprovalProbeFlow.approve)


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_shows_the_absent_owners_task_to_the_substitute(absence, review_task, zhujian_colleague):
    assert review_task.owner == absence.principal
    assert list(inbox_tasks(zhujian_colleague)) == [review_task]
    assert ApprovalProbeFlow.approve.can_execute(zhujian_colleague, review_task)


@time_machine.travel("2026-11-09 10:00 +0800")
def test_it_stops_when_the_absence_ends(absence, review_task, zhujian_colleague):
    assert list(inbox_tasks(zhujian_colleague)) == []
    assert not ApprovalProbeFlow.approve.can_execute(zhujian_colleague, review_task)


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_gives_nothing_to_someone_who_is_not_the_substitute(absence, review_task, gongan_applicant):
    assert list(inbox_tasks(gongan_applicant)) == []
    assert not ApprovalProbeFlow.approve.can_execute(gongan_applicant, review_task)


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_keeps_the_task_with_its_owner_too(absence, review_task, zhujian_reviewer, zhujian_colleague):
    assert list(inbox_tasks(zhujian_reviewer)) == [review_task]
    assert set(acting_user_ids(zhujian_colleague)) == {zhujian_colleague.pk, zhujian_reviewer.pk}
    assert list(principals_of(zhujian_reviewer)) == []


@time_machine.travel("2026-11-03 10:00 +0800")
def test_a_substitute_has_the_view_of_the_roles_they_stand_in_for(
    zhujian_colleague, auditor, shenji_colleague, django_assert_num_queries
):
    Substitution.objects.create(
        principal=auditor, substitute=shenji_colleague, starts_on=D(2026, 11, 2), ends_on=D(2026, 11, 6)
    )
    with django_assert_num_queries(2):  # the roles, then the day's substitutions: once for every check below
        assert acts_with_role(shenji_colleague, "auditor")
        assert not acts_with_role(shenji_colleague, "data_bureau")
    assert not acts_with_role(zhujian_colleague, "auditor")  # stands in for nobody
    with time_machine.travel("2026-11-09 10:00 +0800"):
        assert not acts_with_role(shenji_colleague, "auditor")


@pytest.mark.urls("tests.probe.urls")
@time_machine.travel("2026-11-03 10:00 +0800")
def test_the_substitute_completes_the_task_over_http(absence, review_task, zhujian_colleague, client):
    url = f"/probe/{review_task.process_id}/approve/{review_task.pk}/execute/"
    client.force_login(zhujian_colleague)
    assert client.get(url).status_code == 200
    response = client.post(url, {"_continue": "1"})
    assert response.status_code == 302
    review_task.refresh_from_db()
    assert review_task.status == "DONE"


@pytest.mark.urls("tests.probe.urls")
@time_machine.travel("2026-11-03 10:00 +0800")
def test_an_outsider_cannot_open_the_task_over_http(absence, review_task, gongan_applicant, client):
    client.force_login(gongan_applicant)
    response = client.get(f"/probe/{review_task.process_id}/approve/{review_task.pk}/execute/")
    assert response.status_code == 403
    review_task.refresh_from_db()
    assert review_task.status == "ASSIGNED"


def test_it_refuses_a_substitute_from_another_department(zhujian_reviewer, gongan_applicant):
    substitution = Substitution(
        principal=zhujian_reviewer, substitute=gongan_applicant, starts_on=D(2026, 11, 2), ends_on=D(2026, 11, 6)
    )
    with pytest.raises(ValidationError) as error:
        substitution.full_clean()
    assert "代理人必须与被代理人同属一个部门。" in error.value.message_dict["substitute"]


def test_it_refuses_oneself_and_a_reversed_period(zhujian_reviewer):
    substitution = Substitution(
        principal=zhujian_reviewer, substitute=zhujian_reviewer, starts_on=D(2026, 11, 6), ends_on=D(2026, 11, 2)
    )
    with pytest.raises(ValidationError) as error:
        substitution.full_clean()
    assert set(error.value.message_dict) >= {"substitute", "ends_on"}


def test_it_refuses_the_administrator_as_substitute(client, zhujian, zhujian_reviewer, zhujian_colleague):
    admin = UserFactory(username="zj_admin", department=zhujian, is_superuser=True, is_staff=True)
    client.force_login(zhujian_reviewer)
    offered = client.get("/home/substitutions/").context["form"].fields["substitute"].queryset
    assert list(offered) == [zhujian_colleague]

    substitution = Substitution(
        principal=zhujian_reviewer, substitute=admin, starts_on=D(2026, 11, 2), ends_on=D(2026, 11, 6)
    )
    with pytest.raises(ValidationError) as error:
        substitution.full_clean()
    assert "系统管理员账号不能作为代理人" in error.value.message_dict["substitute"][0]


@time_machine.travel("2026-10-30 10:00 +0800")
def test_a_user_names_a_substitute_over_http(client, zhujian_reviewer, zhujian_colleague):
    client.force_login(zhujian_reviewer)
    response = client.post(
        "/home/substitutions/",
        {"substitute": zhujian_colleague.pk, "starts_on": "2026-11-02", "ends_on": "2026-11-06", "reason": "出差"},
    )
    assert response.status_code == 302
    substitution = Substitution.objects.get()
    assert (substitution.principal, substitution.substitute) == (zhujian_reviewer, zhujian_colleague)
    assert AuditEvent.objects.filter(action="substitution.created", actor=zhujian_reviewer).count() == 1
    page = client.get("/home/substitutions/").content.decode()
    assert "赵同事" in page and "出差" in page


def test_the_form_offers_only_colleagues_and_explains_a_bad_period(client, zhujian_reviewer, gongan_applicant):
    client.force_login(zhujian_reviewer)
    response = client.post(
        "/home/substitutions/",
        {"substitute": gongan_applicant.pk, "starts_on": "2026-11-06", "ends_on": "2026-11-02"},
    )
    assert response.status_code == 200
    assert not Substitution.objects.exists()
    errors = response.context["form"].errors
    assert "substitute" in errors
    assert "结束日期不能早于开始日期。" in errors["ends_on"]


def test_only_the_principal_can_cancel_and_a_second_cancel_says_it_is_gone(
    client, absence, zhujian_colleague, zhujian_reviewer
):
    # Someone else's substitution gets the answer a cancelled one gets: no hint that it exists.
    client.force_login(zhujian_colleague)
    response = client.post(f"/home/substitutions/{absence.pk}/cancel/", follow=True)
    assert "该代理已不存在（可能已经撤销），无需再次撤销。" in response.content.decode()
    assert Substitution.objects.filter(pk=absence.pk).exists()

    client.force_login(zhujian_reviewer)
    response = client.post(f"/home/substitutions/{absence.pk}/cancel/", follow=True)
    assert "已撤销代理。" in response.content.decode()
    assert not Substitution.objects.filter(pk=absence.pk).exists()
    response = client.post(
        f"/home/substitutions/{absence.pk}/cancel/", follow=True
    )  # the back button, or a second click
    assert response.redirect_chain == [("/home/substitutions/", 302)]
    assert "该代理已不存在（可能已经撤销），无需再次撤销。" in response.content.decode()
    assert AuditEvent.objects.filter(action="substitution.cancelled").count() == 1


def _form_errors(client, principal, **data) -> dict[str, list[str]]:
    client.force_login(principal)
    response = client.post("/home/substitutions/", {"reason": "出差", **data})
    assert response.status_code == 200
    return response.context["form"].errors


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_refuses_a_period_already_over(client, zhujian_reviewer, zhujian_colleague):
    errors = _form_errors(
        client, zhujian_reviewer, substitute=zhujian_colleague.pk, starts_on="2025-01-01", ends_on="2025-01-05"
    )
    assert errors["ends_on"] == ["结束日期已经过去，请填写今天或以后的日期。"]
    # Begun already and ending today is fine: the colleague stands in for the rest of the day.
    client.post(
        "/home/substitutions/",
        {"substitute": zhujian_colleague.pk, "starts_on": "2026-11-02", "ends_on": "2026-11-03", "reason": "病假"},
    )
    assert Substitution.objects.get().ends_on == D(2026, 11, 3)


@time_machine.travel("2026-11-03 10:00 +0800")
def test_an_ended_substitution_stays_valid_when_edited(absence):
    absence.reason = "出差（已补记）"
    with time_machine.travel("2026-11-20 10:00 +0800"):
        absence.full_clean()  # in the admin: only a new substitution must still run


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_limits_the_length_of_a_substitution(client, settings, zhujian_reviewer, zhujian_colleague):
    colleague = {"substitute": zhujian_colleague.pk, "starts_on": "2026-11-03"}
    errors = _form_errors(client, zhujian_reviewer, ends_on="2036-11-02", **colleague)
    assert errors["ends_on"] == ["代理期限最长 90 天（含首尾两天），请提前结束日期。"]
    assert "ends_on" not in _form_errors(client, zhujian_reviewer, ends_on="2027-01-31", **colleague, reason="")

    settings.SUBSTITUTION_MAX_DAYS = 5
    errors = _form_errors(client, zhujian_reviewer, ends_on="2026-11-08", **colleague)
    assert errors["ends_on"] == ["代理期限最长 5 天（含首尾两天），请提前结束日期。"]
    client.post("/home/substitutions/", {**colleague, "ends_on": "2026-11-07", "reason": "出差"})
    assert Substitution.objects.get().ends_on == D(2026, 11, 7)


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_requires_a_reason(client, zhujian_reviewer, zhujian_colleague):
    errors = _form_errors(
        client,
        zhujian_reviewer,
        substitute=zhujian_colleague.pk,
        starts_on="2026-11-03",
        ends_on="2026-11-05",
        reason="   ",
    )
    assert errors["reason"] == ["请填写事由，例如“出差”“休假”“外出培训”。"]
    assert not Substitution.objects.exists()


@time_machine.travel("2026-11-03 10:00 +0800")
def test_it_refuses_a_second_substitute_for_the_same_days(
    client, absence, zhujian, zhujian_reviewer, zhujian_colleague
):
    other = UserFactory(username="zj_other", last_name="钱", first_name="同事", department=zhujian)
    errors = _form_errors(client, zhujian_reviewer, substitute=other.pk, starts_on="2026-11-06", ends_on="2026-11-10")
    assert errors["starts_on"] == [
        "这段时间与已设置的代理（赵同事，2026-11-02—2026-11-06）重叠。"
        "同一时间只能指定一位代理人，请调整日期或先撤销原代理。"
    ]
    client.post(
        "/home/substitutions/",
        {"substitute": other.pk, "starts_on": "2026-11-07", "ends_on": "2026-11-10", "reason": "休假"},
    )
    assert Substitution.objects.filter(principal=zhujian_reviewer).count() == 2
    # Another principal's substitutions do not count.
    client.force_login(other)
    response = client.post(
        "/home/substitutions/",
        {"substitute": zhujian_colleague.pk, "starts_on": "2026-11-03", "ends_on": "2026-11-05", "reason": "出差"},
    )
    assert response.status_code == 302
    assert Substitution.objects.filter(principal=other).count() == 1


def test_the_substitute_sees_what_is_running_first_and_what_has_ended_marked(
    client, zhujian_reviewer, zhujian_colleague, zhujian
):
    other = UserFactory(username="zj_other", last_name="钱", first_name="同事", department=zhujian)
    for principal, starts_on, ends_on in (
        (zhujian_reviewer, D(2026, 10, 1), D(2026, 10, 9)),
        (other, D(2026, 11, 16), D(2026, 11, 20)),
        (zhujian_reviewer, D(2026, 11, 23), D(2026, 11, 27)),
    ):
        Substitution.objects.create(
            principal=principal, substitute=zhujian_colleague, starts_on=starts_on, ends_on=ends_on
        )
    client.force_login(zhujian_colleague)
    with time_machine.travel("2026-11-18 10:00 +0800"):
        page = client.get("/home/substitutions/").content.decode()
    taken = page.split("我受托代理")[1]
    assert taken.index("钱同事（2026-11-16—2026-11-20）（进行中）") < taken.index("（2026-11-23—2026-11-27）（未开始）")
    assert taken.index("（2026-11-23—2026-11-27）（未开始）") < taken.index("（2026-10-01—2026-10-09）（已结束）")
