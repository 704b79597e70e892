from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from dashboard.models import Bulletin, ScoreWeights
from organizations.models import Department


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This year so far."""
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


class FilterForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False)
    date_to = forms.DateField(label="截止日期", required=False)
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label="全市",
    )

    def __init__(self, *args, fixed_department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_department = fixed_department
        if fixed_department is not None:
            del self.fields["department"]

    def range(self) -> tuple[dt.date, dt.date, Department | None]:
        start, end = default_range()
        department = self.fixed_department
        if self.is_valid():
            start = self.cleaned_data["date_from"] or start
            end = self.cleaned_data["date_to"] or end
            department = department or self.cleaned_data.get("department")
        if end < start:
            start, end = end, start
        return start, end, department


class BulletinDraftForm(forms.Form):
    period_start = forms.DateField(label="统计期自")
    period_end = forms.DateField(label="统计期至")

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise forms.ValidationError("统计期截止日期不能早于起始日期。")
        return data


class BulletinTextForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["title", "progress", "problems", "next_steps"]


class WeightsForm(forms.ModelForm):
    class Meta:
        model = ScoreWeights
        fields = ["timeliness", "completeness", "self_check", "connections", "note"]

    def clean(self):
        data = super().clean()
        if sum(data.get(m) or 0 for m in ScoreWeights.MEASURES) != 100:
            raise forms.ValidationError("各项权重之和应为100。")
        return data
