from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from viewflow.forms import FieldSet, Layout, Row

from catalog import rules
from catalog.choices import SHARE_METHOD_FIELDS, BaseLibrary, Domain, ShareClass, ShareMethod
from catalog.limits import MAX_ITEMS_PER_RESOURCE
from catalog.models import (
    ITEM_FIELDS,
    MAX_BIGINT,
    MAX_INT,
    PUBLISHED_STATES,
    RESOURCE_FIELDS,
    AuthoritativeSource,
    DataItem,
    DataResource,
    DemandItem,
    LegalBasis,
    NegativeListEntry,
)
from catalog.selectors import negative_list_hits
from organizations.models import Department
from workflows import textlimits
from workflows.textlimits import form_max_length

FORM_FIELDS = [f for f in RESOURCE_FIELDS if f != "provider_department"]

MSG_CHOICE = "「{label}」只能是：{choices}。"
MSG_MODEL_CHOICE = "所选的「{label}」不存在或已停用，请重新选择。"
MSG_INTEGER = "「{label}」应填写整数（不带小数点和单位）。"
MSG_MIN_VALUE = "「{label}」不能小于 %(limit_value)s。"
MSG_MAX_VALUE = "「{label}」不能大于 %(limit_value)s。"
MSG_MAX_LENGTH = "「{label}」不能超过 %(limit_value)d 个字（现有 %(show_value)d 个）。"
MSG_DATE = "「{label}」应为日期，例如 2026-03-01。"
MSG_MOUNTED_IN_FUTURE = "挂载日期不能晚于今天。"
MSG_UPLOAD_NOT_XLSX = "请上传 .xlsx 格式的表格（可先下载模板）。"
MSG_UNKNOWN_CODE = "找不到该目录编码的资源。"
MSG_UNKNOWN_PUBLISHED_CODE = "找不到该目录编码的已注册资源。"
MSG_NO_SUCH_ITEMS = "该资源没有信息项：{names}"
MSG_ALREADY_NEGATIVE = "该资源或所列信息项已在负面清单中；如需修改，请先停用原条目。"


def _choice_text(value: Any, label: str) -> str:
    # The API sends values, the form shows labels: name both, unless the label already says the value (1级).
    return label if str(value) in label else f"{label}（{value}）"


def clear_messages(field: forms.Field) -> dict[str, str]:
    """Messages naming the field and what it accepts, for Django's generic ones
    (“选择一个有效的选项。 x 不在可用的选项中。”, “确保该变量包含不超过 500 字符”)."""
    label = field.label
    if isinstance(field, forms.ModelChoiceField):
        return {"invalid_choice": MSG_MODEL_CHOICE.format(label=label)}
    if isinstance(field, forms.ChoiceField):
        choices = "、".join(_choice_text(value, text) for value, text in field.choices if value != "")
        return {"invalid_choice": MSG_CHOICE.format(label=label, choices=choices)}
    if isinstance(field, forms.IntegerField):
        return {
            "invalid": MSG_INTEGER.format(label=label),
            "min_value": MSG_MIN_VALUE.format(label=label),
            "max_value": MSG_MAX_VALUE.format(label=label),
        }
    if isinstance(field, forms.DateField):
        return {"invalid": MSG_DATE.format(label=label)}
    if isinstance(field, forms.CharField):
        return {"max_length": MSG_MAX_LENGTH.format(label=label)}
    return {}


class ClearMessagesMixin:
    """Catalog forms say in plain Chinese which field is wrong and what it accepts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(clear_messages(field))


class DataResourceForm(ClearMessagesMixin, forms.ModelForm):
    layout = Layout(
        Row("code", "name"),
        "description",
        Row("domain", "domain_other"),
        Row("share_class", "security_level"),
        "share_conditions",
        Row("legal_basis", "legal_basis_text"),
        Row("network", "update_frequency", "update_frequency_other"),
        FieldSet("共享方式", Row("query_api", "verify_api", "bulk_exchange", "file_download")),
        Row("base_library", "in_responsibility_list", "open_to_public"),
    )

    class Meta:
        model = DataResource
        fields = FORM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "share_conditions": forms.Textarea(attrs={"rows": 3}),
            "legal_basis_text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].queryset = LegalBasis.objects.filter(is_active=True)
        self.fields["code"].error_messages["unique"] = rules.MSG_CODE_TAKEN
        if self.instance.pk and self.instance.is_published:
            # The code is how applications and other systems refer to a registered entry.
            self.fields["code"].disabled = True


class DataItemForm(ClearMessagesMixin, forms.ModelForm):
    # One item a line: its name and type, their sizes and level, then what it means; DELETE in a formset.
    layout = Layout(Row("name", "data_type", "length", "precision", "security_level", "DELETE"), "description")

    class Meta:
        model = DataItem
        fields = list(ITEM_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["security_level"].required = False
        self.fields["security_level"].help_text = "留空则与资源相同"
        for name in ("length", "precision"):  # _post_clean skips the model's own range checks
            self.fields[name].validators.append(MaxValueValidator(MAX_INT))

    def _post_clean(self):
        # The item rules need the resource's level, which the formset checks (DataItemFormSet.clean).
        exclude = self._get_validation_exclusions()
        self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields, exclude)


class DataItemFormSet(BaseInlineFormSet):
    resource_level: int | None = None
    # Posting more rows than MAX_ITEMS_PER_RESOURCE (the formset's absolute_max) gets the rule's message.
    default_error_messages = {"too_many_forms": rules.MSG_TOO_MANY_ITEMS}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", DataItem.objects.filter(retired_at=None))  # not the deleted ones
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        for form in kept:
            item = form.instance
            for field, messages in rules.check_item(item, self.resource_level).items():
                if field in form.errors:
                    continue  # a length that could not be read is not also reported as missing
                for message in messages:
                    form.add_error(field, message)
        for index, message in rules.duplicate_item_names(f.cleaned_data.get("name") for f in kept).items():
            kept[index].add_error("name", message)
        count_errors = rules.check_item_count(len(kept))
        if count_errors:
            raise forms.ValidationError(count_errors["items"])

    def item_dicts(self) -> list[dict]:
        return [
            {**{k: v for k, v in f.cleaned_data.items() if k not in ("DELETE", "resource")}, "id": f.instance.pk}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


ItemFormSet = inlineformset_factory(
    DataResource,
    DataItem,
    form=DataItemForm,
    formset=DataItemFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_ITEMS_PER_RESOURCE,  # no blank rows beyond the maximum
    absolute_max=MAX_ITEMS_PER_RESOURCE,
)


MSG_NOT_AN_OBJECT = '请求内容应为 JSON 对象，例如 {"code": "220500-GA-00001", "name": "居民身份证信息", …}。'
MSG_ITEMS_NOT_A_LIST = (
    '信息项（items）应为对象的列表，每个对象是一个信息项，例如 [{"name": "姓名", "data_type": "C"}]。'
)
MSG_NOT_BOOLEAN = "「{label}」应为 true 或 false（不带引号）。"
MSG_BAD_SHARE_METHODS = (
    "共享方式（share_methods）应为列表，可选："
    + "、".join(f"{method.value}（{method.label}）" for method in ShareMethod)
    + "。"
)


def _not_booleans(data: dict) -> rules.Errors:
    """The form reads any text but "false" as true; in JSON these are true or false (or null)."""
    return {
        name: [MSG_NOT_BOOLEAN.format(label=field.label)]
        for name, field in DataResourceForm.base_fields.items()
        if isinstance(field, forms.BooleanField)
        and name not in SHARE_METHOD_FIELDS  # given as the share_methods list
        and data.get(name) is not None
        and not isinstance(data[name], bool)
    }


def entry_errors(data: Any, *, department: Department | None = None) -> rules.Errors:
    """What the resource form and its item formset say about an entry given as JSON (the check API).

    Running the forms themselves keeps the API from accepting what the form rejects, with the
    same messages. In JSON the share methods are a list of names, the legal basis is its code
    and the items are a list of objects. Item errors are keyed items[<index>].<field>.
    """
    if not isinstance(data, dict):
        return {"non_field_errors": [MSG_NOT_AN_OBJECT]}
    methods, items = data.get("share_methods") or [], data.get("items") or []
    malformed: rules.Errors = {}
    if not (isinstance(methods, list) and all(method in SHARE_METHOD_FIELDS for method in methods)):
        malformed["share_methods"], methods = [MSG_BAD_SHARE_METHODS], []
    if not (isinstance(items, list) and all(isinstance(item, dict) for item in items)):
        malformed["items"], items = [MSG_ITEMS_NOT_A_LIST], []
    malformed.update(_not_booleans(data))
    form_data = {name: value for name, value in data.items() if name in FORM_FIELDS}
    form_data.update({name: name in methods for name in SHARE_METHOD_FIELDS})
    form_data.update({"items-TOTAL_FORMS": len(items), "items-INITIAL_FORMS": 0})
    for index, item in enumerate(items):
        form_data.update({f"items-{index}-{name}": value for name, value in item.items() if name != "id"})
    form = DataResourceForm(form_data, instance=DataResource(provider_department=department))
    form.fields["legal_basis"].to_field_name = "code"
    formset = ItemFormSet(form_data, instance=form.instance)
    form.is_valid()
    formset.resource_level = form.cleaned_data.get("security_level")
    errors: rules.Errors = {}
    for field, messages in form.errors.items():
        # DataResource.clean() shows "no share method" on the first method's checkbox.
        errors.setdefault("share_methods" if field in SHARE_METHOD_FIELDS else field, []).extend(messages)
    for index, item_errors in enumerate(formset.errors):
        for field, messages in item_errors.items():
            errors[f"items[{index}].{field}"] = list(messages)
    if formset.non_form_errors():
        errors["items"] = list(formset.non_form_errors())
    return errors | malformed  # what the form says about malformed input only follows from it


MSG_BAD_FILTER = "没有“%(value)s”这一项，该条件未生效，请从列表中重新选择。"


class SearchForm(forms.Form):
    layout = Layout(Row("q", "department", "domain"), Row("share_class", "base_library", "method"))

    q = forms.CharField(
        label="关键词", required=False, max_length=textlimits.SEARCH, help_text="资源名称、摘要、编码或信息项名称"
    )
    department = forms.ModelChoiceField(label="提供部门", queryset=Department.objects.all(), required=False)
    domain = forms.ChoiceField(label="数据领域", choices=[("", "全部")] + Domain.choices, required=False)
    share_class = forms.ChoiceField(label="共享类型", choices=[("", "全部")] + ShareClass.choices, required=False)
    base_library = forms.ChoiceField(label="基础库", choices=[("", "全部")] + BaseLibrary.choices, required=False)
    method = forms.ChoiceField(label="共享方式", choices=[("", "全部")] + ShareMethod.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = MSG_BAD_FILTER

    def filters(self) -> dict[str, Any]:
        """The valid filters, for selectors.search_resources. An invalid one (a stale link, an edited URL)
        becomes a form error and the others still apply: dropping them all would show the whole catalog."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class ReturnForm(ClearMessagesMixin, forms.Form):
    comment = forms.CharField(
        label="审核意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=form_max_length(DataResource, "review_comment"),
    )


class RegisterForm(ClearMessagesMixin, forms.Form):
    comment = forms.CharField(
        label="审核意见",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(DataResource, "review_comment"),
    )


class MountForm(ClearMessagesMixin, forms.Form):
    records = forms.IntegerField(label="挂载记录数", min_value=0, max_value=MAX_BIGINT)
    mounted_on = forms.DateField(label="挂载日期", required=False)

    def clean_mounted_on(self):
        day = self.cleaned_data.get("mounted_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(MSG_MOUNTED_IN_FUTURE)
        return day


class WithdrawForm(ClearMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="撤销原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=form_max_length(DataResource, "withdraw_reason"),
    )


class ImportForm(ClearMessagesMixin, forms.Form):
    file = forms.FileField(label="目录表格（.xlsx）")
    submit_after = forms.BooleanField(label="导入后直接提交政数局审核", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(MSG_UPLOAD_NOT_XLSX)
        return upload


class DemandForm(ClearMessagesMixin, forms.ModelForm):
    class Meta:
        model = DemandItem
        fields = [
            "data_name",
            "business_matter",
            "purpose",
            "description",
            "desired_provider",
            "share_method",
            "update_frequency",
            "in_responsibility_list",
            "source_basis",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "source_basis": forms.Textarea(attrs={"rows": 2})}


class DemandLinkForm(ClearMessagesMixin, forms.Form):
    code = forms.CharField(label="资源目录编码", max_length=form_max_length(DataResource, "code"))

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        resource = DataResource.objects.filter(code=code).first()
        if resource is None:
            raise forms.ValidationError(MSG_UNKNOWN_CODE)
        self.resource = resource
        return code


class NegativeEntryForm(ClearMessagesMixin, forms.ModelForm):
    code = forms.CharField(label="资源目录编码", max_length=form_max_length(DataResource, "code"))
    item_names = forms.CharField(
        label="信息项名称",
        required=False,
        max_length=textlimits.COMMENT,
        help_text="用“、”分隔；留空则整个资源列入负面清单",
    )

    class Meta:
        model = NegativeListEntry
        fields = ["legal_basis", "legal_basis_text", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3}), "legal_basis_text": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        code = (data.get("code") or "").strip()
        self.resource = DataResource.objects.filter(code=code, status__in=PUBLISHED_STATES).first()
        if code and self.resource is None:
            self.add_error("code", MSG_UNKNOWN_PUBLISHED_CODE)
            return data
        names = [n.strip() for n in (data.get("item_names") or "").replace(",", "、").split("、") if n.strip()]
        self.items = list(self.resource.current_items().filter(name__in=names)) if self.resource and names else []
        missing = set(names) - {i.name for i in self.items}
        if missing:
            self.add_error("item_names", MSG_NO_SUCH_ITEMS.format(names="、".join(sorted(missing))))
        elif self.resource and negative_list_hits(self.resource, [i.pk for i in self.items]):
            self.add_error(None, MSG_ALREADY_NEGATIVE)
        return data


# ---------------------------------------------------------------- 一数一源


def split_names(text: str) -> list[str]:
    return [name.strip() for name in re.split(r"[、,，;；\n]+", text or "") if name.strip()]


class SourceForm(ClearMessagesMixin, forms.Form):
    """The bureau designates an item of a registered resource as the authoritative source of a datum."""

    code = forms.CharField(label="资源目录编码", max_length=form_max_length(DataResource, "code"))
    item_name = forms.CharField(label="信息项名称", max_length=form_max_length(DataItem, "name"))
    datum = forms.CharField(
        label="数据名称",
        max_length=form_max_length(AuthoritativeSource, "datum"),
        required=False,
        help_text="留空则同信息项名称",
    )
    aliases = forms.CharField(
        label="等价名称",
        max_length=textlimits.COMMENT,
        required=False,
        help_text="用“、”分隔，如“身份证号、身份证号码”",
    )
    basis = forms.CharField(
        label="认定依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=form_max_length(AuthoritativeSource, "basis"),
    )

    layout = Layout(Row("code", "item_name"), Row("datum", "aliases"), "basis")

    def clean(self):
        data = super().clean()
        code, name = (data.get("code") or "").strip(), (data.get("item_name") or "").strip()
        resource = DataResource.objects.filter(code=code, status__in=PUBLISHED_STATES).first()
        if code and resource is None:
            self.add_error("code", MSG_UNKNOWN_PUBLISHED_CODE)
            return data
        self.item = resource.current_items().filter(name=name).first() if resource and name else None
        if resource and name and self.item is None:
            self.add_error("item_name", MSG_NO_SUCH_ITEMS.format(names=name))
        data["datum"] = (data.get("datum") or "").strip() or name
        data["aliases"] = split_names(data.get("aliases") or "")
        return data


class SourceAliasesForm(ClearMessagesMixin, forms.Form):
    aliases = forms.CharField(label="等价名称", max_length=textlimits.COMMENT, required=False, help_text="用“、”分隔")

    def clean_aliases(self) -> list[str]:
        return split_names(self.cleaned_data.get("aliases") or "")
