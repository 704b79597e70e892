"""部门排名 and the 考核得分: each rank with its basis, weights versioned (an old score reads the same), the
Excel export, and the bureau alone setting weights."""

import io

import pytest
from openpyxl import load_workbook

from dashboard import rankings
from dashboard.figures import Filters
from dashboard.models import ScoreWeights, WeightsImmutableError
from dashboard.services import BulletinError, weights_set
from tests.dashboard.conftest import NOVEMBER
from tests.requests.conftest import housing_grant  # noqa: F401
from tests.requests.helpers import client_for

pytestmark = pytest.mark.django_db


def by_name(ranks):
    return {r.department: r for r in ranks}


def test_timeliness_rests_on_the_decisions(november):
    ranks = by_name(rankings.timeliness(Filters(*NOVEMBER)))
    # 住建局 decided two in November, one of them after going overdue; 公安局 one, on time.
    assert ranks["市公安局"].score == 100.0 and ranks["市公安局"].position == 1
    assert ranks["市住建局"].score == 50.0 and ranks["市住建局"].basis == "决定2件，曾超期1件"
    assert ranks["市财政局"].score is None and ranks["市财政局"].position == 0


def test_completeness_and_connections(november, housing_grant):  # noqa: F811
    ranks = by_name(rankings.completeness(Filters(*NOVEMBER)))
    assert ranks["市住建局"].score == 100.0 and ranks["市住建局"].basis == "已发布1个，共1个目录"
    links = by_name(rankings.connections(Filters(*NOVEMBER)))
    assert links["市住建局"].score == 100.0 and links["市公安局"].score == 100.0
    assert links["市住建局"].basis == "提供1项、使用0项有效授权"


def test_scores_under_versions_read_the_same(coordinator, november):
    first = rankings.current_weights()
    before = {s.department: s.total for s in rankings.scores(Filters(*NOVEMBER), first)}
    second = weights_set(actor=coordinator, timeliness=100, completeness=0, self_check=0, connections=0)
    assert second.version == first.version + 1
    assert {s.department: s.total for s in rankings.scores(Filters(*NOVEMBER), first)} == before
    now = {s.department: s.total for s in rankings.scores(Filters(*NOVEMBER), second)}
    assert now["市公安局"] == 100.0 and now["市住建局"] == 50.0
    with pytest.raises(WeightsImmutableError):
        first.timeliness = 10
        first.save()


def test_only_the_bureau_sets_weights_summing_to_100(coordinator, zhujian_leader):
    with pytest.raises(BulletinError):
        weights_set(actor=zhujian_leader, timeliness=100, completeness=0, self_check=0, connections=0)
    with pytest.raises(BulletinError):
        weights_set(actor=coordinator, timeliness=50, completeness=0, self_check=0, connections=0)
    assert not ScoreWeights.objects.exists()


def test_rankings_page_weights_form_and_export(coordinator, november):
    client = client_for(coordinator)
    q = "date_from=2026-11-01&date_to=2026-11-30"
    assert client.get(f"/dashboard/rankings/?{q}").status_code == 200
    form = {"timeliness": 70, "completeness": 10, "self_check": 10, "connections": 10, "note": "加重时效"}
    assert client.post("/dashboard/rankings/", form).status_code == 302
    latest = ScoreWeights.objects.order_by("-version").first()
    assert latest.timeliness == 70 and latest.created_by == coordinator
    response = client.get(f"/dashboard/rankings/scores.xlsx?{q}&version={latest.version}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("名次", "部门", "考核得分") and "权重70" in header[3]
    totals = {row[1]: row[2] for row in rows}
    # 公安局: on time 100 × 70, catalog 100 × 10, no campaign, no grants: 80. 住建局: 50 × 70 + 100 × 10: 45.
    assert totals["市公安局"] == 80.0 and totals["市住建局"] == 45.0
