"""An information item deleted from a registered resource leaves the catalog, not the history.

Applications, decisions, grants and negative-list entries keep pointing at it (it is retired, not
deleted); nobody can apply for it or be granted it any more, and the grant check no longer lets it
through.
"""

import pytest

from catalog.models import DataItem
from catalog.selectors import negative_list_hits
from catalog.services import negative_entry_create, resource_create, resource_update
from requests import services as svc
from requests.models import ApplicationState, Grant, ShareApplication
from requests.services import ApplicationError, application_countersign, application_create, application_grant
from requests.services.grants import grant_check
from tests.catalog.factories import resource_data
from tests.requests.helpers import application_data, full_terms, make_application

OWNER_ID = "产权人身份证号"


def _drop(resource, name, actor):
    """The catalog edit form without the item `name`: a new version."""
    kept = [
        {"id": i.pk, **{f: getattr(i, f) for f in ("name", "data_type", "length", "precision", "security_level")}}
        for i in resource.current_items()
        if i.name != name
    ]
    return resource_update(actor=actor, obj=resource, data={}, items=kept)


@pytest.fixture
def granted(gongan_applicant, housing_resource, zhujian_reviewer, zhujian_leader):
    """A grant of all three items, and an application still in review for them."""
    done = make_application(gongan_applicant, housing_resource)
    application_grant(actor=zhujian_reviewer, obj=done, terms=full_terms(done))
    application_countersign(actor=zhujian_leader, obj=done, approve=True)
    waiting = make_application(gongan_applicant, housing_resource)
    return Grant.objects.get(application=done), waiting


def test_the_history_keeps_an_item_deleted_from_a_registered_resource(
    granted, housing_resource, zhujian_clerk, coordinator, privacy_law
):
    grant, waiting = granted
    entry = negative_entry_create(
        actor=coordinator,
        resource=housing_resource,
        legal_basis=privacy_law,
        reason="身份证号不对外共享",
        items=housing_resource.items.filter(name=OWNER_ID),
    )

    resource = _drop(housing_resource, OWNER_ID, zhujian_clerk)

    item = DataItem.objects.get(resource=resource, name=OWNER_ID)
    assert item.retired_at is not None
    assert OWNER_ID not in {i.name for i in resource.current_items()}
    assert OWNER_ID not in {i["name"] for i in resource.current_version.snapshot["items"]}
    assert OWNER_ID in {i.name for i in grant.items.all()}
    assert OWNER_ID in {i.name for i in grant.application.items.all()}
    assert OWNER_ID in {i.name for i in grant.application.decision.granted_items.all()}
    assert list(entry.items.all()) == [item]  # still that item, not the whole resource
    assert negative_list_hits(resource, resource.current_items().values_list("pk", flat=True)) == []


def test_an_item_deleted_from_a_draft_is_simply_deleted(zhujian_clerk):
    items = [
        {"name": "房屋坐落", "data_type": "C", "length": 200, "security_level": 2},
        {"name": "建筑面积", "data_type": "N", "length": 12, "precision": 2, "security_level": 2},
    ]
    draft = resource_create(actor=zhujian_clerk, data=resource_data(zhujian_clerk.department), items=items)

    _drop(draft, "建筑面积", zhujian_clerk)

    assert list(DataItem.objects.filter(resource=draft).values_list("name", flat=True)) == ["房屋坐落"]


def test_a_deleted_item_can_no_longer_be_applied_for_granted_or_checked(
    granted, housing_resource, zhujian_clerk, zhujian_reviewer, gongan_applicant
):
    grant, waiting = granted
    resource = _drop(housing_resource, OWNER_ID, zhujian_clerk)
    item = DataItem.objects.get(resource=resource, name=OWNER_ID)

    with pytest.raises(ApplicationError) as exc:
        application_create(actor=gongan_applicant, resource=resource, data=application_data(), items=[item])
    assert exc.value.errors["items"] == [svc.MSG_ITEMS_NOT_IN_RESOURCE.format(names=OWNER_ID)]

    with pytest.raises(ApplicationError) as exc:
        application_grant(actor=zhujian_reviewer, obj=waiting, terms=full_terms(waiting))
    assert exc.value.errors["items"] == [svc.MSG_GRANT_ITEMS_RETIRED.format(names=OWNER_ID)]
    assert ShareApplication.objects.get(pk=waiting.pk).state == ApplicationState.IN_REVIEW

    answer = grant_check(consumer=grant.consumer_department, resource=resource, items=["房屋坐落", OWNER_ID])
    assert (answer.allowed, answer.items_not_covered, answer.unknown_items) == (False, [OWNER_ID], [OWNER_ID])
    assert grant_check(consumer=grant.consumer_department, resource=resource, items=["房屋坐落"]).allowed


def test_renaming_or_relevelling_an_item_does_not_change_what_was_granted(granted, housing_resource, zhujian_clerk):
    grant, _ = granted
    before = {i.pk: (i.name, i.security_level) for i in grant.items.all()}
    items = [
        {"id": i.pk, **{f: getattr(i, f) for f in ("name", "data_type", "length", "precision", "security_level")}}
        for i in housing_resource.current_items()
    ]
    renamed = next(i for i in items if i["name"] == "房屋坐落")
    renamed.update(name="公民身份号码", security_level=4)

    resource = resource_update(actor=zhujian_clerk, obj=housing_resource, data={}, items=items)

    assert {i.pk: (i.name, i.security_level) for i in grant.items.all()} == before
    assert "公民身份号码" in {i.name for i in resource.current_items()}
    answer = grant_check(consumer=grant.consumer_department, resource=resource, items=["公民身份号码"])
    assert (answer.allowed, answer.items_not_covered) == (False, ["公民身份号码"])
    assert not grant_check(consumer=grant.consumer_department, resource=resource, items=["房屋坐落"]).allowed


def test_a_blank_security_level_on_edit_keeps_the_item(housing_resource, zhujian_clerk):
    """The form's 留空则与资源相同: an item at the resource's level, saved with the level blank, is the same item."""
    item = housing_resource.current_items().filter(security_level=housing_resource.security_level).first()
    items = [
        {"id": i.pk, **{f: getattr(i, f) for f in ("name", "data_type", "length", "precision", "security_level")}}
        for i in housing_resource.current_items()
    ]
    next(i for i in items if i["id"] == item.pk)["security_level"] = None

    resource = resource_update(
        actor=zhujian_clerk, obj=housing_resource, data={"name": "房屋登记信息（新）"}, items=items
    )

    assert item.pk in set(resource.current_items().values_list("pk", flat=True))
    assert not DataItem.objects.filter(resource=resource, retired_at__isnull=False).exists()
