"""Dates as official documents write them: 2026年1月5日, Arabic numerals, never zero-padded
(GB/T 9704-2012 §7.3.5.1). Every date a record states goes through chinese_date()."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def chinese_date(value: dt.date | dt.datetime) -> str:
    """2026年1月5日. A datetime is read in local time (an aware one) before its date is taken."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"
