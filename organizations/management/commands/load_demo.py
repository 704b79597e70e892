from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


def demo_modules() -> list[str]:
    """`<app>.demo` of each of our own apps, in INSTALLED_APPS order (organizations first)."""
    found = []
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR):
            continue
        name = f"{config.name}.demo"
        if find_spec(name) is not None:
            found.append(name)
    return found


class Command(BaseCommand):
    help = "Load the demo city (通化市): departments, one persona per role and each app's samples. Idempotent."

    def handle(self, **options):
        for name in demo_modules():
            with transaction.atomic():
                import_module(name).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪：http://127.0.0.1:8000/"))
