from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def demo_modules() -> list[str]:
    """`<app>.demo` of each of our own apps, in INSTALLED_APPS order (organizations first).

    A demo that builds on another app's demo names it in `DEMO_AFTER` (e.g. the share
    applications need the catalog's resources) and runs after it.
    """
    found = []
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR):
            continue
        name = f"{config.name}.demo"
        if find_spec(name) is not None:
            found.append(name)
    ordered: list[str] = []

    def place(name: str) -> None:
        if name in ordered:
            return
        for app in getattr(import_module(name), "DEMO_AFTER", ()):
            if f"{app}.demo" in found:
                place(f"{app}.demo")
        ordered.append(name)

    for name in found:
        place(name)
    return ordered


class Command(BaseCommand):
    help = "Load the demo city (通化市): departments, one persona per role and each app's samples. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. Every demo account shares one published password: never in production.",
        )

    def handle(self, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG 未开启：这像是生产环境。演示账号共用同一个公开的密码，拒绝加载演示数据。"
                "确需加载（例如演示服务器），请加 --force。"
            )
        for name in demo_modules():
            with transaction.atomic():
                import_module(name).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪：http://127.0.0.1:8000/"))
