"""An item put on the negative list while an application is open is never granted.

The list is checked on submission, and again at every later step that could make a grant take
effect: the resubmission after 补正, the reviewer's or the bureau's grant, the leader's countersign.
"""

import pytest

from catalog.services import negative_entry_create
from requests import services as svc
from requests.models import ApplicationState, Decision, Grant, ShareApplication
from requests.services import (
    ApplicationError,
    application_countersign,
    application_grant,
    application_return,
    application_submit,
)
from tests.requests.helpers import full_terms, make_application, open_task


@pytest.fixture
def list_owner_id(housing_resource, coordinator, privacy_law):
    """Puts 产权人身份证号 of 房屋登记信息 on the negative list when called."""

    def put_on_list():
        entry = negative_entry_create(
            actor=coordinator,
            resource=housing_resource,
            legal_basis=privacy_law,
            reason="身份证号不对外共享",
            items=housing_resource.items.filter(name="产权人身份证号"),
        )
        return entry

    return put_on_list


def test_a_resubmission_after_correction_is_refused_by_an_entry_added_meanwhile(
    gongan_applicant, housing_resource, zhujian_reviewer, list_owner_id
):
    application = make_application(gongan_applicant, housing_resource)
    application_return(actor=zhujian_reviewer, obj=application, comment="请补充申请函")
    list_owner_id()

    application = application_submit(actor=gongan_applicant, obj=ShareApplication.objects.get(pk=application.pk))

    application = ShareApplication.objects.get(pk=application.pk)
    assert application.state == ApplicationState.REFUSED
    assert application.decision.decided_as == Decision.DecidedAs.AUTOMATIC
    assert "个人信息保护法" in application.decision.legal_basis_citation
    assert open_task(application) is None  # the correction task went with the process
    assert application.process.finished is not None


def test_a_reviewer_cannot_grant_an_item_listed_after_submission(
    gongan_applicant, housing_resource, zhujian_reviewer, list_owner_id
):
    application = make_application(gongan_applicant, housing_resource)
    list_owner_id()

    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))

    assert exc.value.errors == {
        "items": [
            svc.MSG_NEGATIVE_LISTED.format(
                what="信息项产权人身份证号", basis="《中华人民共和国个人信息保护法》第十三条"
            )
        ]
    }
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
    assert not Decision.objects.exists()
    # Without the listed item the counter-offer goes through.
    level_2 = list(housing_resource.items.exclude(name="产权人身份证号"))
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application, items=level_2))
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.PARTIALLY_GRANTED


def test_a_leader_cannot_countersign_an_item_listed_after_the_proposal(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader, list_owner_id
):
    application = make_application(gongan_applicant, housing_resource)
    application_grant(actor=zhujian_reviewer, obj=application, terms=full_terms(application))
    list_owner_id()

    with pytest.raises(ApplicationError) as exc:
        application_countersign(actor=zhujian_leader, obj=application, approve=True)

    assert "已于审核后列入共享负面清单" in exc.value.message
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.COUNTERSIGNING
    assert not Grant.objects.exists()
    # Sent back, the reviewer decides afresh.
    application_countersign(actor=zhujian_leader, obj=application, approve=False, comment="该项已列入负面清单")
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW
