from django.apps import AppConfig


class PdfTemplatesConfig(AppConfig):
    name = "pdf_templates"
    verbose_name = "文书记录"

    def ready(self) -> None:
        from workflows import labels

        labels.register(actions={"record_rendered": "生成文书 PDF"})
