"""Demo notifications for the personas of organizations/demo.py. Idempotent."""

from notifications import recipients
from notifications.models import Channel, Notification
from notifications.services import notify, preference_set
from organizations.models import Department, User
from organizations.roles import Role


def load(*, stdout) -> None:
    if Notification.objects.filter(recipient__username="zj_reviewer").exists():
        stdout.write("演示消息已存在，跳过。")
        return
    zhujian = Department.objects.get(code="TH-ZJ")
    bureau = Department.objects.get(code="TH-ZS")
    notify(
        recipients=recipients.by_role(Role.PROVIDER_REVIEWER, zhujian),
        event="test",
        subject=zhujian,
        context={"message": "欢迎使用 govshare：待审核的共享申请会出现在这里。"},
    )
    notify(
        recipients=recipients.data_bureau(),
        event="test",
        subject=bureau,
        context={"message": "超期未答复的共享申请将提请政数局协调，届时会通知您。"},
    )
    notify(
        recipients=User.objects.filter(username__in=["ga_applicant", "zj_leader", "cz_finance", "sj_auditor"]),
        event="test",
        subject=None,
        context={"message": "您可以在“消息通知 → 接收设置”中选择邮件或每日汇总。"},
    )
    auditor = User.objects.filter(username="sj_auditor").first()
    if auditor is not None:
        preference_set(user=auditor, event="deadline_reminder", channel=Channel.DIGEST)
    stdout.write(f"演示消息 {Notification.objects.count()} 条（审计人员 sj_auditor 选择了每日汇总）。")
