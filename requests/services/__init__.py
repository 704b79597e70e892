"""Writes and transitions of share applications and grants, one module per part of the process.

errors: ApplicationError (its messages are in requests.messages); validation: checks of input and grant terms;
common: the row lock, the reply clock and notices; applicant: create, update, submit, withdraw;
tasks: the human tasks; decisions: grant, countersign, refuse, return, dispute; deadlines: reminders,
escalation and the bureau's order; automatic: decisions nobody makes; records: the decision's record;
grants: grants after the decision (expiry, renewal, revocation, the check API's answer).

Concurrency: every decision locks the application row first (a blocking SELECT … FOR UPDATE) and only
then touches the viewflow task, so of two reviewers deciding at once the second waits, re-reads the
state and is refused as stale; the one-to-one Decision key is the last line of defence.
"""

from requests.messages import (  # noqa: F401
    MSG_ADJUSTMENT_REASON_REQUIRED,
    MSG_ALREADY_DECIDED,
    MSG_ALREADY_YOURS,
    MSG_ATTACHMENT_BAD_TYPE,
    MSG_ATTACHMENT_NOT_REMOVABLE,
    MSG_ATTACHMENT_TOO_LARGE,
    MSG_CITATION_INCOMPLETE,
    MSG_COMMENT_REQUIRED,
    MSG_COUNTERSIGN_OWN_PROPOSAL,
    MSG_DISPUTE_ONLY_UNCONDITIONAL,
    MSG_DISPUTE_SETTLED,
    MSG_FIELD_REQUIRED,
    MSG_GRANT_ITEMS_OUTSIDE,
    MSG_GRANT_ITEMS_RETIRED,
    MSG_GRANT_PERIOD_INVALID,
    MSG_GRANT_PERIOD_OUTSIDE,
    MSG_GRANT_PERIOD_OVER,
    MSG_HANDOVER_TARGET_INVALID,
    MSG_ITEMS_NOT_IN_RESOURCE,
    MSG_ITEMS_REQUIRED,
    MSG_LEGAL_BASIS_REQUIRED,
    MSG_LEGAL_BASIS_REQUIRED_BY_REASON,
    MSG_METHOD_BROADER,
    MSG_METHOD_NOT_OFFERED,
    MSG_NEGATIVE_LISTED,
    MSG_NEGATIVE_LISTED_AT_COUNTERSIGN,
    MSG_NOT_AN_APPLICANT,
    MSG_NOT_AT_STEP,
    MSG_NOT_EDITABLE,
    MSG_NOT_OPEN,
    MSG_NOT_OVERDUE_QUEUE,
    MSG_NOT_PERMITTED,
    MSG_NOT_SHARED_NOT_GRANTABLE,
    MSG_NOT_WITHDRAWABLE,
    MSG_OWN_RESOURCE,
    MSG_PENDING_APPLICATION,
    MSG_PERIOD_INVALID,
    MSG_PERIOD_OVER,
    MSG_PERIOD_TOO_LONG,
    MSG_PURPOSES_REQUIRED,
    MSG_REFUSAL_REASON_REQUIRED,
    MSG_REFUSAL_REASON_RESERVED,
    MSG_REFUSAL_TEXT_REQUIRED,
    MSG_RESOURCE_GONE,
    MSG_RESOURCE_NOT_PUBLISHED,
    MSG_RESOURCE_WITHDRAWN,
    MSG_SELF_DECISION,
    MSG_TASK_NOT_YOURS,
    MSG_UNCONDITIONAL_AS_REQUESTED,
    MSG_UNCONDITIONAL_NO_CONDITIONS,
    MSG_UNCONDITIONAL_NOT_REFUSABLE,
    MSG_WORKDAYS_INVALID,
)
from requests.services.applicant import (  # noqa: F401
    application_create,
    application_submit,
    application_update,
    application_withdraw,
)
from requests.services.automatic import (  # noqa: F401
    decide_automatically,
    queue_refusals_for_withdrawn_resources,
    refuse_by_negative_list,
    refuse_for_withdrawn_resources,
)
from requests.services.common import (  # noqa: F401
    APPLICATION_FIELDS,
    DEADLINE_KIND,
    REUSED_RELATED,
    hold_published_resource,
    lock_application,
    start_clock,
    stop_clock,
    tell_applicant,
    tell_reviewers,
)
from requests.services.deadlines import (  # noqa: F401
    application_order_decision,
    escalate_overdue,
    remind_reviewers,
)
from requests.services.decisions import (  # noqa: F401
    application_countersign,
    application_dispute_class,
    application_grant,
    application_refuse,
    application_return,
    close_dispute,
    discard_proposal,
    make_grant_effective,
    make_refusal_effective,
)
from requests.services.errors import (  # noqa: F401
    ApplicationError,
    not_open,
)
from requests.services.grants import (  # noqa: F401
    MSG_NOT_ACTIVE,
    MSG_NOT_YET_DUE,
    MSG_RENEW_ENDLESS,
    MSG_RENEW_NO_ITEMS,
    MSG_RENEW_NOT_ALLOWED,
    MSG_RENEW_OPEN,
    MSG_RENEW_RESOURCE_GONE,
    MSG_RENEW_REVOKED,
    MSG_RENEWED,
    MSG_REVOKE_NEEDS_REASON,
    MSG_REVOKE_NOT_ALLOWED,
    MSG_REVOKED_RESOURCE_WITHDRAWN,
    MSG_TOKEN_NEEDS_NAME,
    NOTICE_DAYS,
    TOKEN_PREFIX,
    CheckAnswer,
    CheckReason,
    GrantError,
    api_token_disable,
    api_token_issue,
    can_renew,
    can_revoke,
    consumer_recipients,
    expiry_notice_due,
    grant_check,
    grant_create_from_decision,
    grant_expire,
    grant_link,
    grant_renew,
    grant_revoke,
    grant_send_expiry_notice,
    grants_in_force,
    grants_revoke_for_withdrawal,
    grants_sweep,
    hash_token,
    provider_recipients,
    renewal_period,
)
from requests.services.records import (  # noqa: F401
    bureau_ground,
    issue_decision_record,
)
from requests.services.tasks import (  # noqa: F401
    cancel_flow,
    check_may_work,
    complete_task,
    task_for_action,
    task_handover,
    task_release,
    task_take,
)
from requests.services.validation import (  # noqa: F401
    CITATION,
    GrantTerms,
    legal_basis_required,
    negative_listed,
    sniff_content_type,
    validate_application,
    validate_attachment,
    validate_grant_terms,
    years_after,
)
