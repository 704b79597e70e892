from django.apps import AppConfig


class PdfTemplatesConfig(AppConfig):
    name = "pdf_templates"
    verbose_name = "文书记录"

    def ready(self) -> None:
        from pdf_templates.record_events import ISSUED, RENDERED
        from workflows import labels

        labels.register(actions={ISSUED: "签发文书", RENDERED: "生成文书 PDF"})
