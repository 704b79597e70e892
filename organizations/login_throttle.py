"""Login throttling with django-axes: a lockout by user name and client address together (settings, item 5).

The site's login page and the admin's both authenticate with the request, so axes counts their failures and
refuses a locked-out pair before the password is checked. An unlock is the admin's "访问尝试" (axes' admin): delete
the row, or `manage.py axes_reset_username NAME`.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render

MSG_LOCKED_OUT = "登录失败次数过多：该账号在此地址已被锁定 {minutes} 分钟。请稍后再试，或联系系统管理员解锁。"


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out_message() -> str:
    return MSG_LOCKED_OUT.format(minutes=lockout_minutes())


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check, for logins over HTTP. A call without a request is no one's login attempt over the network
    (the test client's `login`, a management command): axes would refuse it, there is nothing to throttle.
    Every login form of the project passes the request (Django's AuthenticationForm does)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (settings.AXES_LOCKOUT_CALLABLE), for the site and the admin alike."""
    context = {"message": locked_out_message(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
