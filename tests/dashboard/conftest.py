"""A hand-counted November 2026 of share applications (created in the states the services leave them).

#  applicant → provider  state        submitted  decided  overdue  escalated
1  公安局 → 住建局        granted      11-02      11-04
2  公安局 → 住建局        refused      11-03      11-10    yes
3  公安局 → 住建局        escalated    11-05               yes (escalated)
4  住建局 → 公安局        granted      11-06      11-06
5  财政局 → 住建局        in_review    11-20
6  公安局 → 住建局        granted      10-15 (outside November)
7  公安局 → 住建局        draft, never submitted
"""

import datetime as dt

import pytest
from django.utils import timezone

from dashboard.figures import Filters
from requests.models import ApplicationState, ShareApplication
from tests.requests.conftest import _registered, housing_resource, privacy_law  # noqa: F401

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def at(month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 10, 0))


@pytest.fixture
def police_resource(gongan_applicant, coordinator):
    return _registered(
        gongan_applicant,
        coordinator,
        "220500-GA-00001",
        [{"name": "户籍地址", "data_type": "C", "length": 200, "security_level": 2}],
        name="户籍信息",
    )


def _application(applicant, resource, state, submitted=None, decided=None, **extra):
    return ShareApplication.objects.create(
        applicant_department=applicant.department,
        applicant=applicant,
        provider_department=resource.provider_department,
        resource=resource,
        scenario="测试场景",
        business_matter="测试事项",
        purposes=["fewer_materials"],
        share_method="bulk_exchange",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        state=state,
        submitted_at=submitted,
        decided_at=decided,
        **extra,
    )


@pytest.fixture
def november(housing_resource, police_resource, gongan_applicant, zhujian_clerk, outsider):  # noqa: F811
    S = ApplicationState
    return [
        _application(gongan_applicant, housing_resource, S.GRANTED, at(11, 2), at(11, 4)),
        _application(gongan_applicant, housing_resource, S.REFUSED, at(11, 3), at(11, 10), was_overdue=True),
        _application(gongan_applicant, housing_resource, S.ESCALATED, at(11, 5), escalated_at=at(11, 16)),
        _application(zhujian_clerk, police_resource, S.GRANTED, at(11, 6), at(11, 6)),
        _application(outsider, housing_resource, S.IN_REVIEW, at(11, 20)),
        _application(gongan_applicant, housing_resource, S.GRANTED, at(10, 15), at(10, 16)),
        _application(gongan_applicant, housing_resource, S.DRAFT),
    ]


@pytest.fixture
def nov():
    return Filters(*NOVEMBER)
