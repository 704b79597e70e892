"""The projects' and funding's forms. Plain Django forms: they parse and bound the input; the rules are the services'
(project_approvals.rules, .gate), whose field errors the views put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import DecimalValidator, MinValueValidator
from django.utils import timezone
from viewflow.forms import FieldSet, Layout, Row

from catalog.forms import ClearMessagesMixin
from catalog.models import PUBLISHED_STATES, DataResource
from organizations.models import Department
from project_approvals.choices import AttachmentKind
from project_approvals.models import (
    ConstructionProject,
    FirstReview,
    FundingDecision,
    ProjectState,
    ReviewCondition,
)
from project_approvals.services import PROJECT_FIELDS
from systems_inventory.models import FunctionCategory, InfoSystem, SystemStatus
from workflows import textlimits
from workflows.textlimits import form_max_length

MSG_MONEY_INVALID = "请填写数字金额（万元），例如 320 或 45.50。"
MSG_PRODUCED_NOT_OURS = "所选的将产生的目录资源不是本部门的资源（或已撤销）：将产生的资源只能是本部门的目录资源。"
MSG_SYSTEM_NOT_OURS = "所选的系统不是本部门清单中在用的系统。"
CONDITION_ROWS = 3


class ProjectForm(ClearMessagesMixin, forms.ModelForm):
    """A project as its department fills it in: its own fields, the register's systems it builds or changes, the
    department's resources it will produce and the catalog's resources it will use."""

    layout = Layout(
        FieldSet("项目概况", "name", Row("project_type", "year"), "description"),
        FieldSet("预算（万元）", Row("construction_budget", "annual_om_budget")),
        FieldSet("建设或改造的系统", "systems", Row("new_system_name", "new_system_category")),
        FieldSet("数据", "produced_resources", "consumed_resources", "sharing_plan"),
        FieldSet("部署", Row("deployment", "is_classified"), "not_on_cloud_reason"),
    )

    class Meta:
        model = ConstructionProject
        fields = [*PROJECT_FIELDS, "systems", "produced_resources", "consumed_resources"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "sharing_plan": forms.Textarea(attrs={"rows": 3}),
            "not_on_cloud_reason": forms.Textarea(attrs={"rows": 2}),
            "systems": forms.CheckboxSelectMultiple,
            "produced_resources": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["systems"].queryset = InfoSystem.objects.filter(
            department=department, status=SystemStatus.IN_USE
        ).order_by("name")
        self.fields["produced_resources"].queryset = (
            DataResource.objects.filter(provider_department=department).exclude(status="withdrawn").order_by("code")
        )
        self.fields["produced_resources"].help_text = "本部门的目录资源（草稿也可先列入，闸口要求在预算批复前完成注册）"
        self.fields["produced_resources"].error_messages["invalid_choice"] = MSG_PRODUCED_NOT_OURS
        self.fields["systems"].error_messages["invalid_choice"] = MSG_SYSTEM_NOT_OURS
        self.fields["consumed_resources"].queryset = (
            (DataResource.objects.filter(status__in=PUBLISHED_STATES).exclude(provider_department=department))
            .select_related("provider_department")
            .order_by("code")
        )
        self.fields["new_system_category"].queryset = FunctionCategory.objects.filter(is_active=True)
        for name in ("construction_budget", "annual_om_budget"):
            self.fields[name].error_messages["invalid"] = MSG_MONEY_INVALID
            # A negative or too large amount is the rules' error (project_approvals.rules.money_error), said once.
            self.fields[name].validators = [
                v for v in self.fields[name].validators if not isinstance(v, (DecimalValidator, MinValueValidator))
            ]

    def _post_clean(self):
        # The rules (project_approvals.rules) run in the service, which names every field error at once.
        exclude = self._get_validation_exclusions()
        self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, exclude)

    def project_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in PROJECT_FIELDS}

    def lists(self) -> dict[str, Any]:
        return {
            "systems": self.cleaned_data["systems"],
            "produced": self.cleaned_data["produced_resources"],
            "consumed": self.cleaned_data["consumed_resources"],
        }


class AttachmentForm(ClearMessagesMixin, forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=AttachmentKind.choices)
    file = forms.FileField(label="文件（PDF、PNG 或 JPEG）")


class CommentForm(ClearMessagesMixin, forms.Form):
    comment = forms.CharField(
        label="意见",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(ConstructionProject, "leader_comment"),
    )


def _condition(n: int) -> forms.CharField:
    return forms.CharField(label=f"条件{n}", required=False, max_length=form_max_length(ReviewCondition, "text"))


def _due(n: int) -> forms.DateField:
    return forms.DateField(label=f"条件{n}落实期限", required=False)


class ReviewForm(ClearMessagesMixin, forms.Form):
    """The first review: an opinion, and for a conditional pass its conditions with their due dates (a condition
    without a date, or with a past one, is the service's error)."""

    comment = forms.CharField(
        label="初审意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=form_max_length(FirstReview, "comment"),
        help_text="退回修改、不通过时必填",
    )
    condition_1, due_1 = _condition(1), _due(1)
    condition_2, due_2 = _condition(2), _due(2)
    condition_3, due_3 = _condition(3), _due(3)

    layout = Layout(
        "comment",
        Row("condition_1", "due_1"),
        Row("condition_2", "due_2"),
        Row("condition_3", "due_3"),
    )

    def conditions(self) -> list[tuple[str, Any]]:
        return [
            (self.cleaned_data.get(f"condition_{n}", ""), self.cleaned_data.get(f"due_{n}"))
            for n in range(1, CONDITION_ROWS + 1)
        ]


class ApprovalForm(ClearMessagesMixin, forms.Form):
    approval_number = forms.CharField(
        label="立项文号", max_length=form_max_length(ConstructionProject, "approval_number")
    )
    approved_on = forms.DateField(label="立项日期", initial=timezone.localdate)
    layout = Layout(Row("approval_number", "approved_on"))


class AcceptForm(ClearMessagesMixin, forms.Form):
    accepted_on = forms.DateField(label="验收日期", initial=timezone.localdate)
    comment = forms.CharField(
        label="验收意见",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(ConstructionProject, "acceptance_comment"),
    )


class FundingForm(ClearMessagesMixin, forms.Form):
    """A funding decision. The amount is text: the service parses it and says what is wrong with it."""

    layout = Layout(Row("amount", "budget_line"), "comment")
    amount = forms.CharField(label="金额（万元）", max_length=20)
    budget_line = forms.CharField(label="预算科目", max_length=form_max_length(FundingDecision, "budget_line"))
    comment = forms.CharField(
        label="说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(FundingDecision, "comment"),
    )


class MeetConditionForm(ClearMessagesMixin, forms.Form):
    comment = forms.CharField(
        label="落实情况", required=False, max_length=form_max_length(ReviewCondition, "met_comment")
    )


class SearchForm(forms.Form):
    layout = Layout(Row("q", "state", "year"))
    q = forms.CharField(label="关键词", required=False, max_length=textlimits.SEARCH, help_text="项目名称或部门")
    state = forms.ChoiceField(label="状态", choices=[("", "全部"), *ProjectState.choices], required=False)
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class YearForm(forms.Form):
    """The O&M funding year the 资金闸口 page shows: this one and the next two."""

    year = forms.TypedChoiceField(label="经费年度", coerce=int, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year}年") for year in years]
