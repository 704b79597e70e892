"""How share applications and grants follow the catalog: its signals and its page hooks.

Imported by RequestsConfig.ready(). The catalog imports nothing of this app: it announces a
withdrawal (catalog.signals) and asks for what its pages show (catalog.panels); this module answers.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from catalog import panels, signals
from catalog.models import DataResource
from organizations.roles import Role
from requests.selectors import active_grant_count, open_application_count
from requests.services import queue_refusals_for_withdrawn_resources
from requests.services.grants import GrantError, grants_revoke_for_withdrawal

MSG_GRANTS_TO_REVOKE = "该资源有 {count} 项有效的共享授权，撤销资源将同时撤销这些授权，并向使用部门发出撤销通知。"
MSG_APPLICATIONS_TO_REFUSE = "该资源有 {count} 件未办结的共享申请，撤销资源后将自动作出不予授权决定，并通知申请部门。"
APPLY_LABEL = "申请共享"


@receiver(signals.resource_withdrawing, sender=DataResource, dispatch_uid="share_requests.revoke_grants")
def revoke_grants_of_withdrawn_resource(sender, *, resource: DataResource, actor, ip: str | None, **kwargs) -> None:
    """Data no longer in the catalog is no longer shared: its active grants are revoked with the
    withdrawal, in its transaction, each with its revocation notice, and the holding departments told.
    """
    try:
        grants_revoke_for_withdrawal(actor=actor, resource=resource, ip=ip)
    except GrantError as exc:  # e.g. no revocation notice can be issued: the withdrawal rolls back too
        raise signals.WithdrawalRefused(str(exc)) from exc


@receiver(signals.resource_withdrawn, sender=DataResource, dispatch_uid="share_requests.refuse_applications")
def refuse_applications_for_withdrawn_resource(sender, *, resource: DataResource, **kwargs) -> None:
    """Applications still open on the resource get a reasoned refusal once the withdrawal commits."""
    queue_refusals_for_withdrawn_resources()


def apply_link(user, resource: DataResource) -> panels.Link | None:
    """申请共享 is offered to another department's applicants, for a published entry."""
    if not (
        resource.is_published
        and user.has_role(Role.APPLICANT)
        and user.department_id not in (None, resource.provider_department_id)
    ):
        return None
    return panels.Link("apply", APPLY_LABEL, reverse("share_requests:apply") + f"?resource={resource.pk}")


def grants_to_revoke(resource: DataResource) -> str | None:
    count = active_grant_count(resource)
    return MSG_GRANTS_TO_REVOKE.format(count=count) if count else None


def applications_to_refuse(resource: DataResource) -> str | None:
    count = open_application_count(resource)
    return MSG_APPLICATIONS_TO_REFUSE.format(count=count) if count else None


panels.register_resource_link("apply", apply_link)
panels.register_withdrawal_warning("grants-to-revoke", grants_to_revoke)
panels.register_withdrawal_warning("applications-to-refuse", applications_to_refuse)
