from django import forms
from django.conf import settings
from viewflow.forms import Layout, Row

from organizations.models import Department
from pdf_templates.models import RecordType


class RecordFilterForm(forms.Form):
    issuer = forms.ModelChoiceField(Department.objects.all(), label="发文机关", required=False, empty_label="全部")
    type = forms.ChoiceField(label="文书类型", required=False, choices=[("", "全部"), *RecordType.choices])
    date_from = forms.DateField(label="签发日期自", required=False)
    date_to = forms.DateField(label="至", required=False)

    layout = Layout(Row("issuer", "type", "date_from", "date_to"))

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


def verify_upload_limit_mb() -> str:
    size = settings.VERIFY_UPLOAD_MAX_BYTES
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


class UploadForm(forms.Form):
    file = forms.FileField(label="选择 PDF 文件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"不超过 {verify_upload_limit_mb()}。文件只用于比对，不会保存。"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {verify_upload_limit_mb()}，无法核验：本平台签发的文书远小于此。")
        return upload
