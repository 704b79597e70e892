from django import forms

from organizations.models import Department
from pdf_templates.models import RecordType

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class RecordFilterForm(forms.Form):
    issuer = forms.ModelChoiceField(Department.objects.all(), label="发文机关", required=False, empty_label="全部")
    type = forms.ChoiceField(label="文书类型", required=False, choices=[("", "全部"), *RecordType.choices])
    date_from = forms.DateField(label="签发日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data

    def filters(self) -> dict | None:
        """Filters for selectors.filter_records from the valid fields: a bad value (an edited or stale link) is
        shown as an error and left out, the others still apply. None for a reversed date range, which no
        record matches."""
        if not self.is_bound:
            return {}
        if not self.is_valid() and self.non_field_errors():
            return None
        data = self.cleaned_data
        return {
            "issuer_id": data["issuer"].pk if data.get("issuer") else None,
            "type": data.get("type") or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class UploadForm(forms.Form):
    file = forms.FileField(label="选择 PDF 文件", help_text="不超过 20 MB。文件只用于比对，不会保存。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 20 MB，无法核验。")
        return upload
