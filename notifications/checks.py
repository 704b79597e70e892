from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from notifications.events import EVENTS


@checks.register(checks.Tags.templates)
def check_event_templates(app_configs, **kwargs):
    """Every registered event renders in-app and by email: its templates must exist."""
    errors = []
    for event in EVENTS.values():
        for name in event.template_names():
            try:
                get_template(name)
            except TemplateDoesNotExist:
                errors.append(
                    checks.Error(
                        f"通知事件“{event.label}”（{event.key}）缺少模板 {name}。",
                        hint="Add the template or remove the event from the registry.",
                        id="notifications.E001",
                    )
                )
    return errors
