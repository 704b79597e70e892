"""情况通报: drafted from the figures, edited, issued as a numbered record with its snapshot frozen, every
department told; the PDF's charts have every glyph; beat drafts once per period; two issues at once give one
number."""

import datetime as dt

import pytest

from dashboard import tasks
from dashboard.models import Bulletin, BulletinState
from dashboard.services import BulletinError, bulletin_draft, bulletin_issue, bulletin_update
from notifications.models import Notification
from pdf_templates.models import Record, RecordType
from pdf_templates.rendering import missing_glyph_fonts, record_html, render_record_pdf
from tests.dashboard.conftest import NOVEMBER, _application, at
from tests.races import messages, run_concurrently
from tests.requests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(coordinator, november):
    return bulletin_draft(actor=coordinator, period_start=NOVEMBER[0], period_end=NOVEMBER[1])


def test_draft_follows_seed_structure_with_sentences_from_the_data(draft):
    assert "统计期内各部门提交共享申请5件，已授权2件，不予授权1件，办理中2件。" in draft.progress
    assert "市住建局（1件）存在超期未答复的共享申请" in draft.problems
    assert draft.next_steps.startswith("（一）")
    assert draft.state == BulletinState.DRAFT


def test_only_the_bureau_drafts_and_issues(zhujian_leader, draft):
    with pytest.raises(BulletinError):
        bulletin_draft(actor=zhujian_leader, period_start=NOVEMBER[0], period_end=NOVEMBER[1])
    with pytest.raises(BulletinError):
        bulletin_issue(actor=zhujian_leader, obj=draft)


def test_issue_freezes_the_figures_numbers_the_record_and_tells_every_department(
    coordinator, draft, zhujian_leader, gongan_leader, housing_resource, gongan_applicant
):
    bulletin_update(
        actor=coordinator,
        obj=draft,
        title=draft.title,
        progress="（一）手改的进展。",
        problems=draft.problems,
        next_steps=draft.next_steps,
    )
    issued = bulletin_issue(actor=coordinator, obj=draft)
    record = issued.record
    assert issued.state == BulletinState.ISSUED and record.type == RecordType.BULLETIN
    assert record.number.startswith("通政数通报〔") and record.data["progress"] == ["（一）手改的进展。"]
    frozen, frozen_data = issued.snapshot, record.snapshot
    sharing = next(s for s in frozen["sections"] if s["key"] == "sharing")
    assert {f["key"]: f["value"] for f in sharing["figures"]}["applications"] == 5
    # Later data changes reach neither the bulletin nor its record.
    _application(gongan_applicant, housing_resource, "refused", at(11, 25), at(11, 26))
    issued = Bulletin.objects.get(pk=issued.pk)
    assert issued.snapshot == frozen and Record.objects.get(pk=record.pk).snapshot == frozen_data
    page = client_for(zhujian_leader).get(f"/dashboard/bulletins/{issued.pk}/")
    assert page.status_code == 200 and page.context["data"] == frozen
    told = set(Notification.objects.filter(event="bulletin_issued").values_list("recipient__username", flat=True))
    assert {"zj_leader", "ga_leader", "zs_coordinator"} <= told
    with pytest.raises(BulletinError):
        bulletin_issue(actor=coordinator, obj=issued)


def test_pdf_with_charts_has_every_glyph(coordinator, draft):
    record = bulletin_issue(actor=coordinator, obj=draft).record
    html = record_html(record, will_sign=False)
    assert html.count('class="pygal-chart"') >= 2
    pdf = render_record_pdf(record).content
    assert missing_glyph_fonts(pdf) == []


def test_drafts_are_the_bureaus_issued_ones_everyones(coordinator, draft, outsider):
    client = client_for(outsider)
    assert client.get(f"/dashboard/bulletins/{draft.pk}/").status_code == 404
    assert client.post(f"/dashboard/bulletins/{draft.pk}/issue/").status_code == 404
    bulletin_issue(actor=coordinator, obj=draft)
    assert client.get(f"/dashboard/bulletins/{draft.pk}/").status_code == 200
    assert client.post(f"/dashboard/bulletins/{draft.pk}/issue/").status_code == 403
    assert draft.title in client.get("/dashboard/bulletins/").content.decode()


def test_bureau_drafts_edits_and_issues_through_the_pages(coordinator, november):
    client = client_for(coordinator)
    response = client.post("/dashboard/bulletins/new/", {"period_start": "2026-11-01", "period_end": "2026-11-30"})
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dashboard/bulletins/{bulletin.pk}/"
    assert client.get(f"/dashboard/bulletins/{bulletin.pk}/edit/").status_code == 200
    data = {"title": "十一月通报", "progress": "进展", "problems": "问题", "next_steps": "下一步"}
    assert client.post(f"/dashboard/bulletins/{bulletin.pk}/edit/", data).status_code == 302
    assert client.post(f"/dashboard/bulletins/{bulletin.pk}/issue/").status_code == 302
    bulletin = Bulletin.objects.get(pk=bulletin.pk)
    assert bulletin.state == BulletinState.ISSUED and bulletin.record.title == "十一月通报"


def test_beat_drafts_once_per_period(coordinator, november):
    monday = dt.date(2026, 12, 7)
    first = tasks.draft_scheduled(monday)
    again = tasks.draft_scheduled(monday + dt.timedelta(days=1))  # the same week: the same period
    assert first.pk == again.pk and Bulletin.objects.count() == 1
    assert (first.period_start, first.period_end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert first.scheduled and first.created_by is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_give_one_number(coordinator, november):
    draft = bulletin_draft(actor=coordinator, period_start=NOVEMBER[0], period_end=NOVEMBER[1])
    outcomes = run_concurrently(
        lambda: bulletin_issue(actor=coordinator, obj=draft), lambda: bulletin_issue(actor=coordinator, obj=draft)
    )
    shown = messages(outcomes, BulletinError)
    assert sum(isinstance(o, Bulletin) for o in shown) == 1
    assert Record.objects.filter(type=RecordType.BULLETIN).count() == 1
