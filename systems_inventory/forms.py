"""The self-check's forms. Plain Django forms: they parse and bound the input; the rules are the services'
(systems_inventory.rules), whose field errors the views put back on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from viewflow.forms import FieldSet, Layout, Row

from catalog.forms import ClearMessagesMixin
from catalog.models import PUBLISHED_STATES, DataResource
from organizations.models import Department
from requests.forms import MultipleFileField
from systems_inventory.choices import BuildType, Deployment, UsageFrequency
from systems_inventory.models import (
    SYSTEM_FIELDS,
    ActivitySource,
    Campaign,
    DataDisposition,
    DataStore,
    DepartmentReport,
    FunctionCategory,
    InfoSystem,
    Objection,
    ReportLine,
    ShutdownCase,
    ShutdownKind,
    SystemStatus,
)
from workflows import textlimits
from workflows.textlimits import form_max_length

MSG_BAD_FILTER = "没有“%(value)s”这一项，该条件未生效，请从列表中重新选择。"
MSG_UPLOAD_NOT_XLSX = "请上传 .xlsx 格式的表格（可先下载模板）。"
CONNECTED_CHOICES = [("", "全部"), ("yes", "已接入"), ("no", "未接入")]
STATUS_CHOICES = [*SystemStatus.choices, ("all", "全部")]


class SearchForm(forms.Form):
    """The register's filters, as the catalog's: an invalid one is shown as an error and the others apply."""

    q = forms.CharField(
        label="关键词", required=False, max_length=textlimits.SEARCH, help_text="系统名称、功能或承建单位"
    )
    department = forms.ModelChoiceField(
        label="所属部门", queryset=Department.objects.only("pk", "name").order_by("code"), required=False
    )
    deployment = forms.ChoiceField(label="部署方式", choices=[("", "全部"), *Deployment.choices], required=False)
    build_type = forms.ChoiceField(label="建设方式", choices=[("", "全部"), *BuildType.choices], required=False)
    usage_frequency = forms.ChoiceField(
        label="使用频度", choices=[("", "全部"), *UsageFrequency.choices], required=False
    )
    connected = forms.ChoiceField(label="接入共享平台", choices=CONNECTED_CHOICES, required=False)
    status = forms.ChoiceField(label="运行状态", choices=STATUS_CHOICES, required=False, initial="in_use")

    layout = Layout(Row("q", "department", "deployment"), Row("build_type", "usage_frequency", "connected", "status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = MSG_BAD_FILTER

    def filters(self) -> dict[str, Any]:
        """The valid filters, for selectors.search_systems (in use only, unless the status says otherwise)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        if "connected" in data:
            data["connected"] = data["connected"] == "yes"
        status = data.pop("status", "in_use")
        data["status"] = "" if status == "all" else status
        return data


class CampaignForm(ClearMessagesMixin, forms.ModelForm):
    layout = Layout(
        "title",
        "instructions",
        "covers_all",
        "departments",
        Row("due_workdays", "due_on"),
        "resubmit_workdays",
    )

    class Meta:
        model = Campaign
        fields = ["title", "instructions", "covers_all", "departments", "due_workdays", "due_on", "resubmit_workdays"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 4}),
            "departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("code")
        self.fields["departments"].help_text = "未选“全部部门”时，勾选参加自查的部门"


class SystemForm(ClearMessagesMixin, forms.ModelForm):
    """A system as a report states it: the register's fields, and the department's catalog resources it produces."""

    layout = Layout(
        FieldSet(
            "基本情况",
            "name",
            "function",
            Row("category", "build_type"),
            Row("usage_scope", "usage_frequency", "user_count"),
        ),
        FieldSet(
            "立项与建设",
            Row("approving_authority", "approval_date", "approval_number"),
            Row("construction_year", "contractor"),
            Row("funding_source", "annual_om_cost"),
        ),
        FieldSet(
            "部署",
            Row("deployment", "is_classified"),
            "not_on_cloud_reason",
            Row("database_kind", "data_volume", "storage_location"),
        ),
        FieldSet(
            "接入共享平台", Row("interface_method", "connected"), Row("connected_since", "interface_count"), "resources"
        ),
        FieldSet("责任人", Row("responsible_person", "responsible_phone")),
    )

    class Meta:
        model = ReportLine
        fields = [*SYSTEM_FIELDS, "resources"]
        widgets = {
            "function": forms.Textarea(attrs={"rows": 3}),
            "not_on_cloud_reason": forms.Textarea(attrs={"rows": 2}),
            "resources": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = FunctionCategory.objects.filter(is_active=True)
        self.fields["resources"].queryset = DataResource.objects.filter(
            provider_department=department, status__in=PUBLISHED_STATES
        ).order_by("code")

    def _post_clean(self):
        # The rules (systems_inventory.rules) run in the service, which names every field error at once.
        exclude = self._get_validation_exclusions()
        self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, exclude)

    def system_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name in SYSTEM_FIELDS}


class RetireForm(ClearMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="不再运行的原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=form_max_length(ReportLine, "retire_reason"),
    )


class LeaderForm(ClearMessagesMixin, forms.Form):
    comment = forms.CharField(
        label="负责人意见",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(DepartmentReport, "leader_comment"),
        help_text="不予确认时必填",
    )


class ReviewForm(ClearMessagesMixin, forms.Form):
    """The bureau's decision: one comment per system (line_<id>), then the overall comment."""

    comment = forms.CharField(
        label="审核意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=form_max_length(DepartmentReport, "review_comment"),
        help_text="退回时必填",
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.CharField(
                label=f"对“{line.name}”的意见",
                required=False,
                initial=line.review_comment,
                max_length=form_max_length(ReportLine, "review_comment"),
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        self.order_fields([*(f"line_{line.pk}" for line in self.lines), "comment"])

    def line_comments(self) -> dict[int, str]:
        return {line.pk: self.cleaned_data.get(f"line_{line.pk}", "") for line in self.lines}


class ImportForm(ClearMessagesMixin, forms.Form):
    file = forms.FileField(label="自查报告表格（.xlsx）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(MSG_UPLOAD_NOT_XLSX)
        return upload


class ActivityImportForm(ImportForm):
    """A department's spreadsheet of its systems' use: 运维上报 (an operator's figures) or 自报 (its own)."""

    file = forms.FileField(label="使用情况表格（.xlsx）")
    source = forms.ChoiceField(
        label="来源",
        choices=[(s.value, s.label) for s in (ActivitySource.OPERATIONS, ActivitySource.SELF_REPORT)],
        initial=ActivitySource.OPERATIONS,
    )


# --- the shutdown chain ----------------------------------------------------------------------------------


def _reason_field(model, name: str, label: str, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        max_length=form_max_length(model, name),
    )


class DismissForm(ClearMessagesMixin, forms.Form):
    reason = _reason_field(ShutdownCase, "decision_reason", "排除理由（系统继续使用）")


class ProposeForm(ClearMessagesMixin, forms.Form):
    kind = forms.ChoiceField(label="处置方式", choices=ShutdownKind.choices, initial=ShutdownKind.SHUTDOWN)
    successor = forms.ModelChoiceField(
        label="整合至（承接系统）", queryset=InfoSystem.objects.none(), required=False, help_text="整合时必选"
    )
    reason = _reason_field(ShutdownCase, "proposal_reason", "关停（整合）理由，印入关停通知书")

    def __init__(self, *args, successors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if successors is not None:
            self.fields["successor"].queryset = successors


class RequestForm(ClearMessagesMixin, forms.Form):
    reason = _reason_field(ShutdownCase, "request_reason", "申请停用的理由")


class ObjectionForm(ClearMessagesMixin, forms.Form):
    reasons = _reason_field(Objection, "reasons", "异议理由", rows=4)
    attachments = MultipleFileField(label="相关材料", required=False, help_text="PDF、PNG 或 JPEG")


class ObjectionDecisionForm(ClearMessagesMixin, forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("uphold", "维持关停（进入数据处置）"), ("withdraw", "撤回关停（系统继续使用）")],
        widget=forms.RadioSelect,
    )
    reason = _reason_field(Objection, "decision_reason", "决定理由")


class StoreForm(ClearMessagesMixin, forms.ModelForm):
    class Meta:
        model = DataStore
        fields = ["name", "kind", "location", "volume"]


class DispositionForm(ClearMessagesMixin, forms.ModelForm):
    """What became of one store's data: the archive's particulars, or where it was migrated, and the evidence."""

    attachments = MultipleFileField(label="处置证明材料", required=False, help_text="PDF、PNG 或 JPEG")

    class Meta:
        model = DataDisposition
        fields = [
            "method",
            "row_count",
            "archive_location",
            "archive_format",
            "manifest_sha256",
            "retention",
            "target_system",
            "target_resource",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "method": forms.RadioSelect}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["row_count"].required = False  # the rules say so, with the other fields' errors
        if case is not None:
            self.fields["target_system"].queryset = InfoSystem.objects.filter(status="in_use").exclude(
                pk=case.system_id
            )
        self.fields["target_resource"].queryset = DataResource.objects.filter(status__in=PUBLISHED_STATES).order_by(
            "code"
        )

    def _post_clean(self):
        # The rules (systems_inventory.rules.check_disposition) run in the service, naming every field's error.
        pass

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name in self.Meta.fields}


class RejectForm(ClearMessagesMixin, forms.Form):
    reason = _reason_field(DataDisposition, "verification_comment", "核验未通过的理由", rows=2)
