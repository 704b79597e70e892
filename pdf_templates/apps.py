from django.apps import AppConfig


class PdfTemplatesConfig(AppConfig):
    name = "pdf_templates"
    verbose_name = "文书记录"
