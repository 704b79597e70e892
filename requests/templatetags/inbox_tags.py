"""待办审核's rows, drawn in one pass: fifty rows through the template engine cost more than the rest of the page.

The markup is the table's (requests/templates/requests/tasks.html names the columns); every value is escaped
by format_html. Times read in local time, as the `date` filter shows them.
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from workflows.templatetags.govshare import countdown

register = template.Library()

ROW = (
    '<tr data-testid="task-row"{}>\n'
    '      <td><a href="{}">{}</a></td>\n'
    "      <td>{}</td><td>{}</td>\n"
    "      <td>{}</td><td>{}</td><td>{}</td>\n"
    '      <td>{}</td><td data-testid="workdays-left">{}</td>\n'
    "    </tr>"
)
EMPTY = '<tr><td colspan="8">没有待办的审核任务。</td></tr>'
_PK = 987654321  # reversed once: each row's link is this URL with the row's number in its place


@register.simple_tag
def inbox_rows(rows) -> SafeString:
    """The rows of 待办审核 (requests.selectors.InboxRow), or the line that says there are none."""
    if not rows:
        return SafeString(EMPTY)
    detail_url = reverse("share_requests:detail", kwargs={"pk": _PK}).replace(str(_PK), "{}")
    return format_html_join("", ROW, (_cells(row, detail_url) for row in rows))


def _cells(row, detail_url: str) -> tuple:
    application, task = row.application, row.task
    due = timezone.localtime(application.due_at).strftime("%Y-%m-%d") if application.due_at else "—"
    return (
        SafeString(' class="govshare-row--overdue"') if row.countdown and row.countdown.overdue else "",
        detail_url.format(application.pk),
        application.reference,
        application.applicant_department.name,
        application.resource.name,
        task.flow_task.task_title,
        task.owner or "待认领",
        timezone.localtime(task.created).strftime("%Y-%m-%d %H:%M"),
        due,
        countdown(row.countdown),
    )
