from django import forms

from organizations.models import Department
from requests.models import GrantState


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        error_messages={"required": "撤销共享授权必须说明理由。"},
    )


class GrantFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", choices=[("", "全部")] + GrantState.choices, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="系统名称", max_length=100, error_messages={"required": "请填写使用令牌的系统名称。"})
    department = forms.ModelChoiceField(
        label="所属部门",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        error_messages={"required": "请选择所属部门。"},
    )
