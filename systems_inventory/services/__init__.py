"""Writes and transitions of the self-check, one module per part (callers import from here):

- common: the error every service raises, the row locks, the report's clock, its tasks and notices;
- campaigns: draft, launch (a report per department) and close (what is unfinished lapses; statistics frozen);
- reports: the department fills its report in, sends it to its leader, who confirms or sends it back;
- tasks: a report's tasks taken, released and handed over (workflows.taking);
- review: the bureau accepts (the register takes it) or returns it, each with a stamped 自查审核意见;
- register: what an accepted report writes to the register, and the versions it leaves;
- imports: a report filled in by spreadsheet, all or nothing;
- deadlines: the reminder before the due date and the lateness after it;
- scan: the zombie rules over every system in use (nightly and on demand);
- activity: usage evidence in (the API's push, a department's spreadsheet) and the systems' push tokens;
- shutdown: the chain from a suspicion (or a department's request) to the data's disposal, with the 关停通知书,
  objections and the bureau's decisions on them;
- disposal: the data stores' dispositions, their verification, and the confirmation (关停确认书) that retires the
  system and ends its catalog resources;
- shutdown_deadlines: the objection window's reminder and close, the disposal's reminder and escalation.
"""

from systems_inventory.services.activity import (
    activity_import,
    activity_push,
    system_token_disable,
    system_token_issue,
)
from systems_inventory.services.campaigns import (
    campaign_close,
    campaign_create,
    campaign_launch,
    campaign_update,
)
from systems_inventory.services.common import DEADLINE_KIND, SelfCheckError, open_task
from systems_inventory.services.deadlines import mark_late, remind_department
from systems_inventory.services.disposal import (
    case_confirm,
    disposition_record,
    disposition_reject,
    disposition_verify,
    dispositions_submit,
    store_add,
)
from systems_inventory.services.imports import report_import
from systems_inventory.services.register import snapshot
from systems_inventory.services.reports import (
    line_add,
    line_confirm,
    line_remove,
    line_retire,
    line_update,
    lines_confirm_all,
    report_confirm,
    report_declare,
    report_send_back,
    report_start,
    report_submit,
)
from systems_inventory.services.review import report_accept, report_return
from systems_inventory.services.scan import zombie_scan
from systems_inventory.services.shutdown import (
    case_accept,
    case_dismiss,
    case_object,
    case_propose,
    case_request,
    objection_decide,
    system_propose,
)
from systems_inventory.services.shutdown_deadlines import (
    close_objection_window,
    disposition_overdue,
    remind_case,
)
from systems_inventory.services.tasks import report_task_handover, report_task_release, report_task_take

__all__ = [
    "DEADLINE_KIND",
    "activity_import",
    "activity_push",
    "case_accept",
    "case_confirm",
    "case_dismiss",
    "case_object",
    "case_propose",
    "case_request",
    "close_objection_window",
    "disposition_overdue",
    "disposition_record",
    "disposition_reject",
    "disposition_verify",
    "dispositions_submit",
    "system_token_disable",
    "system_token_issue",
    "SelfCheckError",
    "campaign_close",
    "campaign_create",
    "campaign_launch",
    "campaign_update",
    "line_add",
    "line_confirm",
    "line_remove",
    "line_retire",
    "line_update",
    "lines_confirm_all",
    "mark_late",
    "objection_decide",
    "open_task",
    "remind_case",
    "remind_department",
    "report_accept",
    "report_task_handover",
    "report_task_release",
    "report_task_take",
    "report_confirm",
    "report_declare",
    "report_import",
    "report_return",
    "report_send_back",
    "report_start",
    "report_submit",
    "snapshot",
    "store_add",
    "system_propose",
    "zombie_scan",
]
