"""An audit event when a login is locked out (django-axes' signal; organizations.login_throttle).

Here, not in organizations: the audit chain is this app's, and organizations imports no app of ours.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver

from organizations.models import User
from workflows.audit import record_event

ACTION_LOGIN_LOCKED_OUT = "organizations.login_locked_out"
ACTIONS = {ACTION_LOGIN_LOCKED_OUT: "登录失败次数过多，已锁定"}


@receiver(user_locked_out, dispatch_uid="workflows.login_audit")
def record_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # Axes signals every failure from the limit on; the event is the lockout itself, the failure that reached it.
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    user = User.objects.filter(username=username).first() if username else None
    subject = user or AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    if subject is None:
        return
    record_event(
        subject=subject,
        action=ACTION_LOGIN_LOCKED_OUT,
        ip=ip_address,
        comment=f"连续 {settings.AXES_FAILURE_LIMIT} 次登录失败",
        data={"username": username or "", "failures": settings.AXES_FAILURE_LIMIT},
    )
