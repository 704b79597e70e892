"""The provider's reply deadline: reminders, escalation to the bureau, and the bureau's order to decide."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from notifications import recipients as who
from notifications.services import notify
from organizations.roles import Role
from pdf_templates.dates import chinese_date
from requests.flows import ShareApplicationFlow
from requests.messages import MSG_NOT_OVERDUE_QUEUE, MSG_WORKDAYS_INVALID
from requests.models import (
    ApplicationState,
    ShareApplication,
)
from requests.selectors import open_task
from requests.services.common import lock_application, start_clock, tell_reviewers
from requests.services.decisions import close_dispute, discard_proposal
from requests.services.errors import ApplicationError
from requests.services.tasks import check_may_work, complete_task
from requests.services.validation import check_comment
from workflows import deadlines
from workflows.audit import record_event

# ---------------------------------------------------------------- deadline and the data bureau


@deadlines.action("share_requests.remind_reviewers")
def remind_reviewers(deadline) -> None:
    """The reply is due soon: to the provider's reviewers as they are by then, not as they were at submission."""
    notify(
        recipients=who.by_role(Role.PROVIDER_REVIEWER, deadline.subject.provider_department),
        event="deadline_reminder",
        subject=deadline.subject,
        context={"deadline": deadline},
    )


@deadlines.action("share_requests.escalate_overdue")
def escalate_overdue(deadline) -> None:
    """The provider missed its reply deadline: to the bureau's overdue queue (协调), counted for good."""
    application = deadline.subject
    with transaction.atomic():
        application = lock_application(application)
        if application.state not in (ApplicationState.IN_REVIEW, ApplicationState.COUNTERSIGNING):
            return  # decided or returned meanwhile: nothing to escalate
        from_state = application.state
        if from_state == ApplicationState.COUNTERSIGNING:
            discard_proposal(application.decision)  # the unconfirmed proposal lapses; the bureau decides afresh
        application.escalate()
        application.was_overdue = True
        application.escalated_at = timezone.now()
        application.save(update_fields=["state", "was_overdue", "escalated_at", "updated_at"])
        record_event(
            subject=application,
            action="share_requests.application_escalated",
            actor=None,
            from_state=from_state,
            to_state=application.state,
            comment=f"{deadline.title}已于{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}到期，提请政数局协调",
        )
        task = open_task(application)
        if task is not None:
            complete_task(task, None, application)
        notify(
            recipients=[*who.by_role(Role.PROVIDER_REVIEWER, application.provider_department), *who.data_bureau()],
            event="deadline_escalated",
            subject=application,
            context={"deadline": deadline},
        )


def application_order_decision(
    *, actor, obj: ShareApplication, workdays: int, comment: str = "", ip: str | None = None
) -> ShareApplication:
    """The bureau orders the provider to decide within `workdays` working days (限期答复)."""
    with transaction.atomic():
        application = lock_application(obj)
        if application.state != ApplicationState.ESCALATED:
            raise ApplicationError(MSG_NOT_OVERDUE_QUEUE)
        # Not a decision: the bureau may order the provider even on its own department's application.
        task = check_may_work(actor, application, ShareApplicationFlow.arbitrate, deciding=False)
        if not 1 <= workdays <= 30:
            raise ApplicationError(MSG_WORKDAYS_INVALID, field="workdays")
        check_comment(comment, label="协调意见")
        # An order answers a class dispute too: the provider is to decide, so the class stands.
        dismissed = close_dispute(application, actor, upheld=False, comment=f"责令提供部门限期答复。{comment}".strip())
        settled = "共享类型异议不成立，" if dismissed else ""
        application.order_provider_decision()
        due_at = start_clock(application, workdays)
        application.save(update_fields=["state", "due_at", "updated_at"])
        record_event(
            subject=application,
            action="share_requests.decision_ordered",
            actor=actor,
            ip=ip,
            from_state=ApplicationState.ESCALATED,
            to_state=application.state,
            comment=f"{settled}责令{workdays}个工作日内答复。{comment}".strip(),
        )
        complete_task(task, actor, application, ip=ip)
        tell_reviewers(
            application,
            f"{settled}政数局责令在{workdays}个工作日内（{chinese_date(due_at)}前）"
            f"答复共享申请{application.reference}。{comment}",
        )
    return application
