"""Writes and transitions of share applications and grants.

applications.py: apply → review → decision (and the flow's handlers);
grants.py: grants after the decision (expiry, renewal, revocation, the check API's answer).
"""

from requests.services.applications import (  # noqa: F401
    ApplicationError,
    GrantTerms,
    application_countersign,
    application_create,
    application_dispute_class,
    application_grant,
    application_order_decision,
    application_refuse,
    application_return,
    application_submit,
    application_update,
    application_withdraw,
    escalate_overdue,
    task_handover,
    task_release,
    task_take,
)
