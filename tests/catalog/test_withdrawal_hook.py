"""A withdrawal announces itself through catalog.signals; the share-requests app acts on it.

The end-to-end consequences (grants revoked, open applications refused) are tested in
tests/requests/test_grants_withdrawal.py and tests/requests/test_withdrawn_resource_applications.py.
"""

import pytest
from django.db import transaction

from catalog import signals
from catalog.models import DataResource, ResourceStatus
from catalog.services import CatalogError, resource_withdraw
from tests.catalog.test_services import _registered
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db

REASON = "系统关停，数据迁入省平台"


@pytest.fixture
def heard():
    """Receivers on both signals for the test, noting what they saw and when."""
    calls = []

    def withdrawing(sender, *, resource, actor, ip, **kwargs):
        stored = DataResource.objects.get(pk=resource.pk)
        calls.append(("withdrawing", sender, stored.status, actor, ip, transaction.get_connection().in_atomic_block))
        # Before the withdrawal's own audit event, so a receiver locks its rows before the chain's lock.
        calls.append(AuditEvent.objects.filter(action="catalog.resource_withdrawn").exists())

    def withdrawn(sender, *, resource, **kwargs):
        calls.append(("withdrawn", sender, DataResource.objects.get(pk=resource.pk).status))

    signals.resource_withdrawing.connect(withdrawing, dispatch_uid="test.withdrawing")
    signals.resource_withdrawn.connect(withdrawn, dispatch_uid="test.withdrawn")
    yield calls
    signals.resource_withdrawing.disconnect(dispatch_uid="test.withdrawing")
    signals.resource_withdrawn.disconnect(dispatch_uid="test.withdrawn")


def test_a_withdrawal_is_announced_in_its_transaction_and_again_once_committed(
    heard, django_capture_on_commit_callbacks, zhujian_clerk, coordinator
):
    resource = _registered(zhujian_clerk, coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resource_withdraw(actor=zhujian_clerk, obj=resource, reason=REASON, ip="10.0.0.7")
    assert heard == [
        ("withdrawing", DataResource, ResourceStatus.WITHDRAWN, zhujian_clerk, "10.0.0.7", True),
        False,
    ]
    for callback in callbacks:
        callback()
    assert heard[-1] == ("withdrawn", DataResource, ResourceStatus.WITHDRAWN)


def test_a_receiver_that_cannot_do_its_part_rolls_the_withdrawal_back(
    heard, django_capture_on_commit_callbacks, zhujian_clerk, coordinator
):
    resource = _registered(zhujian_clerk, coordinator)

    def refuse(sender, **kwargs):
        raise signals.WithdrawalRefused("无法出具撤销通知。")

    signals.resource_withdrawing.connect(refuse, dispatch_uid="test.refuse")
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(CatalogError) as error:
            resource_withdraw(actor=zhujian_clerk, obj=resource, reason=REASON)
    finally:
        signals.resource_withdrawing.disconnect(dispatch_uid="test.refuse")
    assert error.value.message == "无法出具撤销通知。"
    assert DataResource.objects.get(pk=resource.pk).status == ResourceStatus.REGISTERED
    assert not AuditEvent.objects.filter(action="catalog.resource_withdrawn").exists()
    assert not [call for call in heard if call and call[0] == "withdrawn"]  # not announced: nothing committed


def test_the_share_requests_app_subscribes_to_withdrawals(
    monkeypatch, django_capture_on_commit_callbacks, zhujian_clerk, coordinator
):
    """Connected by RequestsConfig.ready(): grants end in the transaction, refusals are queued after it."""
    from requests import receivers

    calls = []
    monkeypatch.setattr(
        receivers,
        "grants_revoke_for_withdrawal",
        lambda *, actor, resource, ip: calls.append(("revoke", actor, resource.pk, ip)),
    )
    monkeypatch.setattr(receivers, "queue_refusals_for_withdrawn_resources", lambda: calls.append("refuse"))
    resource = _registered(zhujian_clerk, coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resource_withdraw(actor=zhujian_clerk, obj=resource, reason=REASON, ip="10.0.0.7")
    assert calls == [("revoke", zhujian_clerk, resource.pk, "10.0.0.7")]
    for callback in callbacks:
        callback()
    assert calls[-1] == "refuse"
