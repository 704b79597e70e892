"""The dashboard's pages: who may open them (403 otherwise), the drill-down lists scoped as the figures are,
the Excel export, and a department leader never reaching another department's applications."""

import pytest

from tests.requests.helpers import client_for

pytestmark = pytest.mark.django_db
NOV = "date_from=2026-11-01&date_to=2026-11-30"


def test_bureau_page_figures_link_to_lists_of_exactly_what_they_count(coordinator, november):
    client = client_for(coordinator)
    page = client.get(f"/dashboard/?{NOV}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="figure-applications"' in html and "<svg" in html and "<script" not in html.split("<svg", 1)[1]
    drill = client.get(f"/dashboard/list/applications/?{NOV}")
    assert drill.status_code == 200 and drill.context["page"].paginator.count == 5
    refused = client.get(f"/dashboard/list/applications/?{NOV}&state=refused")
    assert refused.context["page"].paginator.count == 1
    for group, count in (("granted_all", 2), ("open", 2), ("decided", 3)):
        assert client.get(f"/dashboard/list/applications/?{NOV}&state={group}").context["page"].paginator.count == count
    overdue = client.get(f"/dashboard/list/applications/?{NOV}&flag=overdue")
    assert [row[0][4] for row in overdue.context["rows"]] == ["不予授权"]


@pytest.mark.parametrize("tab", ["overview", "sharing", "catalog", "systems", "projects"])
def test_every_tab_renders_for_bureau_and_auditor(coordinator, auditor, november, tab):
    for user in (coordinator, auditor):
        assert client_for(user).get(f"/dashboard/?tab={tab}&{NOV}").status_code == 200


def test_excel_export_of_a_table(coordinator, november):
    response = client_for(coordinator).get(f"/dashboard/export/overview/applications_by_state.xlsx?{NOV}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["已授权"] == 2 and rows["不予授权"] == 1


def test_leader_reads_own_department_only(gongan_leader, november, zhujian):
    client = client_for(gongan_leader)
    page = client.get(f"/dashboard/?{NOV}")
    assert page.status_code == 200
    # 公安局 provided one application in November; asking for 住建局 changes nothing.
    assert client.get(f"/dashboard/list/applications/?{NOV}").context["page"].paginator.count == 1
    other = client.get(f"/dashboard/list/applications/?{NOV}&department={zhujian.pk}&provider={zhujian.pk}")
    assert other.context["page"].paginator.count == 0
    assert (
        client.get(f"/dashboard/list/applications/?{NOV}&department={zhujian.pk}").context["page"].paginator.count == 1
    )


def test_others_get_403(outsider, gongan_reviewer, november):
    for user in (outsider, gongan_reviewer):
        client = client_for(user)
        assert client.get("/dashboard/").status_code == 403
        assert client.get("/dashboard/list/applications/").status_code == 403
        assert client.get("/dashboard/export/overview/applications_by_state.xlsx").status_code == 403
        assert client.get("/dashboard/rankings/").status_code == 403


def test_rankings_are_the_bureaus(coordinator, auditor, gongan_leader, november):
    assert client_for(coordinator).get("/dashboard/rankings/").status_code == 200
    assert client_for(auditor).get("/dashboard/rankings/").status_code == 403
    assert client_for(gongan_leader).get("/dashboard/rankings/").status_code == 403


def test_unknown_list_is_404(coordinator):
    assert client_for(coordinator).get("/dashboard/list/nothing/").status_code == 404
