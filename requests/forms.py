"""Forms parse input; the services validate it (one source for every message), and views map their errors."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from viewflow.forms import Layout, Row

from catalog.choices import Purpose, ShareMethod
from catalog.models import PUBLISHED_STATES, DataItem, DataResource, LegalBasis
from catalog.selectors import negative_listed_item_ids
from organizations.models import Department
from requests import rules
from requests.messages import MSG_GRANT_PERIOD_OVER, MSG_PERIOD_OVER
from requests.models import (
    PART_CONFIRMED_STATES,
    ApplicationAttachment,
    ApplicationState,
    ClassDispute,
    Decision,
    Grant,
    GrantState,
    RefusalReason,
    Scenario,
    ScenarioPart,
    ScenarioState,
    ShareApplication,
    StandardClause,
)
from requests.selectors import citable_scenarios, removable_attachments
from workflows import textlimits
from workflows.textlimits import form_max_length


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


DATE = forms.DateInput(format="%Y-%m-%d")  # typed and shown as YYYY-MM-DD (workflows.forms)


class ApplicationForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label="申请信息项",
        queryset=DataItem.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="默认全部；只选业务需要的信息项",
    )
    scenario = forms.CharField(label="应用场景", max_length=200, required=False)
    business_matter = forms.CharField(label="办理事项", max_length=200, required=False)
    purposes = forms.MultipleChoiceField(
        label="应用方式", choices=Purpose.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    share_method = forms.ChoiceField(label="共享方式", choices=ShareMethod.choices, required=False)
    period_start = forms.DateField(label="使用期限自", widget=DATE, required=False)
    period_end = forms.DateField(label="使用期限至", widget=DATE, required=False)
    call_volume = forms.CharField(label="调用频率或数据量", max_length=100, required=False)
    need_legal_basis = forms.CharField(
        label="需求的法律法规或政策依据",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=form_max_length(ShareApplication, "need_legal_basis"),
    )
    applied_before = forms.BooleanField(label="此前是否申请过", required=False)
    earlier_outcome = forms.CharField(
        label="此前申请结果及不予授权理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(ShareApplication, "earlier_outcome"),
    )
    attachments = MultipleFileField(label="申请函件等附件", required=False, help_text="PDF、PNG 或 JPEG")
    remove_attachments = forms.ModelMultipleChoiceField(
        label="删除附件",
        queryset=ApplicationAttachment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="勾选要删除的附件；已随申请提交给提供部门的附件不能删除",
    )
    cited_scenario = forms.ModelChoiceField(
        label="依据的应用场景",
        queryset=Scenario.objects.none(),
        required=False,
        help_text="本部门为已授权应用场景的使用部门、所申请信息项在场景授权范围内的，提交即自动授权",
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    layout = Layout(
        "items",
        "cited_scenario",
        Row("scenario", "business_matter"),
        "purposes",
        Row("share_method", "call_volume"),
        Row("period_start", "period_end"),
        "need_legal_basis",
        "applied_before",
        "earlier_outcome",
        "attachments",
        "remove_attachments",
    )

    def __init__(self, *args, resource, application=None, department_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        citable = citable_scenarios(department_id, timezone.localdate()).filter(
            parts__resource=resource, parts__authorized=True
        )
        if application is not None and application.cited_scenario_id:
            citable = citable | Scenario.objects.filter(pk=application.cited_scenario_id)
        if citable.exists():
            self.fields["cited_scenario"].queryset = citable.distinct()
        else:
            del self.fields["cited_scenario"]
        listed = negative_listed_item_ids(resource)
        current = list(resource.current_items())
        self.fields["items"].widget.choices = [
            (i.pk, f"{i.name}（{i.security_level}级{'，列入负面清单，不予共享' if i.pk in listed else ''}）")
            for i in current
        ]
        self.initial.setdefault("items", [i.pk for i in current if i.pk not in listed])  # a new one: all it may get
        if application is None:
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].queryset = removable_attachments(application)
        self.fields["share_method"].choices = [
            (value, label)
            for value, label in ShareMethod.choices
            if value in resource.share_methods or not resource.share_methods
        ]

    def clean_period_end(self):
        # The one check made here, not in the services: the demo applies through them for
        # periods already over, to show expired grants.
        end = self.cleaned_data.get("period_end")
        if end and end < timezone.localdate():
            raise forms.ValidationError(MSG_PERIOD_OVER)
        return end

    def service_data(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("items", "attachments", "remove_attachments", "form_token")
        }
        data["purposes"] = list(data.get("purposes") or [])
        for key in ("scenario", "business_matter", "call_volume", "need_legal_basis", "earlier_outcome"):
            data[key] = (data.get(key) or "").strip()
        return data


class GrantForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label="授权信息项", queryset=DataItem.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    share_method = forms.ChoiceField(label="授权共享方式", choices=ShareMethod.choices)
    period_start = forms.DateField(label="授权期限自", widget=DATE)
    period_end = forms.DateField(label="授权期限至（有效期）", widget=DATE)
    standard_clauses = forms.MultipleChoiceField(
        label="标准条款",
        choices=StandardClause.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[StandardClause.PURPOSE_ONLY, StandardClause.NO_ONWARD_SHARING, StandardClause.RETENTION_LIMIT],
    )
    conditions = forms.CharField(
        label="其他共享条件",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(Decision, "conditions"),
    )
    adjustment_reason = forms.CharField(
        label="调整理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(Decision, "adjustment_reason"),
        help_text="部分同意（少授信息项、改变共享方式或缩短期限）时必填，写入审核意见书",
    )

    layout = Layout(
        "items",
        "share_method",
        Row("period_start", "period_end"),
        "standard_clauses",
        "conditions",
        "adjustment_reason",
    )

    def __init__(self, *args, application, as_requested: bool = False, **kwargs):
        """`as_requested`: the terms are the application's (unconditional data before its provider), shown, not asked."""
        super().__init__(*args, **kwargs)
        requested = [i for i in application.items.all() if i.retired_at is None]  # not those deleted since
        self.fields["items"].widget.choices = [(i.pk, f"{i.name}（{i.security_level}级）") for i in requested]
        grantable = rules.grantable_methods(application)  # offered, and no broader than asked (the service checks)
        self.fields["share_method"].choices = [(v, label) for v, label in ShareMethod.choices if v in grantable]
        self.initial.setdefault("items", [i.pk for i in requested])
        self.initial.setdefault("share_method", application.share_method)
        self.initial.setdefault("period_start", application.period_start)
        self.initial.setdefault("period_end", application.period_end)
        self.initial.setdefault("conditions", application.resource.share_conditions)
        if as_requested:
            self.initial["conditions"] = ""  # the standard clauses only
            for name in ("items", "share_method", "period_start", "period_end", "conditions"):
                self.fields[name].disabled = True  # a bound form takes the initial values, whatever is posted
            del self.fields["adjustment_reason"]

    def clean_period_end(self):
        # Here, not in the services, as for the application: the demo grants periods already over.
        end = self.cleaned_data.get("period_end")
        if end and end < timezone.localdate():
            raise forms.ValidationError(MSG_GRANT_PERIOD_OVER)
        return end


class RefuseForm(forms.Form):
    reason = forms.ModelChoiceField(
        label="不予授权理由",
        queryset=RefusalReason.objects.filter(is_active=True).exclude(code__in=RefusalReason.SYSTEM_ONLY),
        required=False,
    )
    text = forms.CharField(
        label="理由说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=form_max_length(Decision, "refusal_text"),
    )
    legal_basis = forms.ModelChoiceField(
        label="法律法规依据", queryset=LegalBasis.objects.filter(is_active=True), required=False
    )
    citation = forms.CharField(
        label="依据条款",
        max_length=form_max_length(Decision, "legal_basis_citation"),
        required=False,
        help_text="法律法规名称及条款",
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label="意见", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=textlimits.COMMENT
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label="异议理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=form_max_length(ClassDispute, "reason"),
    )


class CountersignForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="会签意见",
        choices=[("1", "同意，授权生效"), ("0", "不同意，退回审核人")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=textlimits.COMMENT
    )


class OrderForm(forms.Form):
    workdays = forms.IntegerField(label="限期（工作日）", min_value=1, max_value=30, initial=5)
    comment = forms.CharField(
        label="协调意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=textlimits.COMMENT
    )


# ---------------------------------------------------------------- grants and API tokens


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=form_max_length(Grant, "revoked_reason"),
        error_messages={"required": "撤销共享授权必须说明理由。"},
    )


class ApplicationFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", choices=[("", "全部"), *ApplicationState.choices], required=False)


class GrantFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", choices=[("", "全部")] + GrantState.choices, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="系统名称", max_length=100, error_messages={"required": "请填写使用令牌的系统名称。"})
    department = forms.ModelChoiceField(
        label="所属部门",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        error_messages={"required": "请选择所属部门。"},
    )


# ---------------------------------------------------------------- application scenarios


class ScenarioFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", max_length=textlimits.SEARCH, required=False, help_text="场景名称、办理事项或数据资源"
    )
    state = forms.ChoiceField(label="状态", choices=[("", "全部")] + ScenarioState.choices, required=False)

    layout = Layout(Row("q", "state"))


class ScenarioForm(forms.Form):
    """The scenario itself; each provider resource it needs is a row of ScenarioPartFormSet."""

    name = forms.CharField(label="场景名称", max_length=form_max_length(Scenario, "name"), required=False)
    business_matter = forms.CharField(
        label="办理事项",
        max_length=form_max_length(Scenario, "business_matter"),
        required=False,
        help_text="多项以顿号分隔",
    )
    purposes = forms.MultipleChoiceField(
        label="应用方式", choices=Purpose.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    consumer_departments = forms.ModelMultipleChoiceField(
        label="使用部门",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text="办理该场景事项、使用数据的部门，可多选",
    )
    valid_from = forms.DateField(label="有效期自", widget=DATE, required=False)
    valid_to = forms.DateField(label="有效期至", widget=DATE, required=False)
    legal_basis = forms.CharField(
        label="法律法规依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(Scenario, "legal_basis"),
    )
    conditions = forms.CharField(
        label="共享条件",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(Scenario, "conditions"),
    )
    keep_copies = forms.BooleanField(
        label="所列数据含副本的，仍按所列资源提出",
        required=False,
        help_text="一数一源：不勾选时，所列资源的信息项为权威数源副本的，先提示向权威部门的资源改列",
    )

    layout = Layout(
        Row("name", "business_matter"),
        "purposes",
        "consumer_departments",
        Row("valid_from", "valid_to"),
        Row("legal_basis", "conditions"),
        "keep_copies",
    )

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in ("valid_from", "valid_to")}
        data["purposes"] = list(self.cleaned_data.get("purposes") or [])
        for name in ("name", "business_matter", "legal_basis", "conditions"):
            data[name] = (self.cleaned_data.get(name) or "").strip()
        return data


MSG_ITEMS_UNKNOWN = "该资源没有这些信息项：{names}。"


class ScenarioPartForm(forms.Form):
    """One provider resource the scenario needs. Items by name (blank: all of them), so no script is needed."""

    resource = forms.ModelChoiceField(
        label="数据资源",
        queryset=DataResource.objects.filter(status__in=PUBLISHED_STATES)
        .select_related("provider_department")
        .order_by("provider_department__code", "code"),
        required=False,
    )
    item_names = forms.CharField(
        label="所需信息项", max_length=textlimits.BASIS, required=False, help_text="以顿号分隔；留空为全部信息项"
    )
    share_method = forms.ChoiceField(label="共享方式", choices=ShareMethod.choices, required=False)
    legal_basis = forms.CharField(
        label="法律法规依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(ScenarioPart, "legal_basis"),
    )
    conditions = forms.CharField(
        label="共享条件",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(ScenarioPart, "conditions"),
    )

    layout = Layout(Row("resource", "share_method"), "item_names", Row("legal_basis", "conditions"))

    def clean(self):
        cleaned = super().clean()
        resource = cleaned.get("resource")
        if resource is None:
            return cleaned
        current = list(resource.current_items().order_by("position", "pk"))
        names = [name for name in re.split(r"[、,，;；\s]+", cleaned.get("item_names") or "") if name]
        by_name = {item.name: item for item in current}
        if unknown := [name for name in names if name not in by_name]:
            self.add_error("item_names", MSG_ITEMS_UNKNOWN.format(names="、".join(unknown)))
        cleaned["items"] = [by_name[name] for name in names if name in by_name] if names else current
        return cleaned


class BaseScenarioPartFormSet(forms.BaseFormSet):
    def filled(self) -> list[forms.Form]:
        return [form for form in self.forms if form.cleaned_data.get("resource") is not None]

    def parts(self) -> list:
        from requests.services.scenarios import PartInput

        return [
            PartInput(
                resource=form.cleaned_data["resource"],
                items=form.cleaned_data["items"],
                share_method=form.cleaned_data.get("share_method") or "",
                legal_basis=form.cleaned_data.get("legal_basis") or "",
                conditions=form.cleaned_data.get("conditions") or "",
            )
            for form in self.filled()
        ]

    def show_errors(self, form: forms.Form, exc) -> None:
        """The service's errors on the fields they name: `parts-<n>-<field>` on the n-th filled row."""
        filled = self.filled()
        for key, messages in exc.errors.items():
            match = re.fullmatch(r"parts-(\d+)-(\w+)", key)
            if match and int(match[1]) < len(filled):
                row, name = filled[int(match[1])], match[2]
                name = "item_names" if name == "items" else name
                target, field = row, name if name in row.fields else None
            else:
                target, field = form, key if key in form.fields else None
            for message in messages:
                target.add_error(field, message)


ScenarioPartFormSet = forms.formset_factory(ScenarioPartForm, formset=BaseScenarioPartFormSet, extra=4, max_num=20)


class ScenarioPartConfirmForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label="确认共享的信息项", queryset=DataItem.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    adjustment_reason = forms.CharField(
        label="部分不予共享的理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(ScenarioPart, "adjustment_reason"),
        help_text="少选信息项时必填，写入场景授权书",
    )

    def __init__(self, *args, part: ScenarioPart, **kwargs):
        super().__init__(*args, **kwargs)
        requested = list(part.items.all())
        self.fields["items"].queryset = DataItem.objects.filter(pk__in=[i.pk for i in requested])
        self.fields["items"].widget.choices = [(i.pk, f"{i.name}（{i.security_level}级）") for i in requested]
        self.initial.setdefault("items", [i.pk for i in requested])


class ScenarioPartRefuseForm(RefuseForm):
    """不予共享 for a whole part: the share application's reasons, text and legal basis."""


class ScenarioReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(Scenario, "reason"),
    )


class ScenarioAuthorizeForm(forms.Form):
    parts = forms.ModelMultipleChoiceField(
        label="予以授权的数据",
        queryset=ScenarioPart.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="默认为提供部门已确认的全部数据；不选的不纳入本次授权（部分授权）",
    )

    def __init__(self, *args, parts, **kwargs):
        super().__init__(*args, **kwargs)
        confirmed = [part for part in parts if part.state in PART_CONFIRMED_STATES]
        self.fields["parts"].queryset = ScenarioPart.objects.filter(pk__in=[part.pk for part in confirmed])
        self.fields["parts"].widget.choices = [
            (part.pk, f"{part.provider_department.name}“{part.resource.name}”（{part.get_state_display()}）")
            for part in confirmed
        ]
        self.initial.setdefault("parts", [part.pk for part in confirmed])


class ScenarioRenewForm(forms.Form):
    valid_to = forms.DateField(label="续期后有效期至", widget=DATE, help_text="须晚于现有效期")
