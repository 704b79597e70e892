"""Two reviewers deciding the same task at once: exactly one decision and one document number."""

import threading

import pytest
from django.db import connection

from pdf_templates.models import Record
from requests.models import ApplicationState, Decision, Grant, ShareApplication
from requests.services import ApplicationError, application_grant
from requests.services import applications as svc
from tests.requests.helpers import full_terms, make_application


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_simultaneous_reviewers_decide(
    gongan_applicant, housing_resource, zhujian_reviewer, zhujian_colleague
):
    items = list(housing_resource.items.filter(security_level__lte=2))
    application = make_application(gongan_applicant, housing_resource, items=items)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(reviewer):
        try:
            app = ShareApplication.objects.get(pk=application.pk)
            barrier.wait()
            application_grant(actor=reviewer, obj=app, terms=full_terms(app))
            outcomes.append("decided")
        except ApplicationError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(r,)) for r in (zhujian_reviewer, zhujian_colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes) == sorted(["decided", svc.NOT_OPEN])
    assert Decision.objects.count() == 1
    assert Grant.objects.count() == 1
    assert Record.objects.filter(type="review_opinion").count() == 1
    assert ShareApplication.objects.get(pk=application.pk).state == ApplicationState.GRANTED
