from django.apps import AppConfig


class PdfTemplatesConfig(AppConfig):
    name = "pdf_templates"
    verbose_name = "文书记录"

    def ready(self) -> None:
        from pdf_templates import home

        home.register()  # its panel on the 工作台
        from pdf_templates.record_events import ISSUED, RENDERED
        from workflows import labels

        labels.register(actions={ISSUED: "签发文书", RENDERED: "生成文书 PDF"})

        from organizations.models import Department, User
        from pdf_templates.models import Record
        from pdf_templates.selectors import sees_department, sees_person, sees_record
        from workflows import visibility

        # Subjects of records and events that belong to no higher app (workflows.visibility).
        visibility.register(Department, sees_department)
        visibility.register(User, sees_person)
        visibility.register(Record, sees_record)
