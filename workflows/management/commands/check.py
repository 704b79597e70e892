"""`manage.py check`, Django's, with the checks meant for the operator who runs it (workflows.checks): the
calendar's warning about a year the official calendar lacks is shown here, not before every command."""

from django.core.management.commands import check

from workflows.checks import for_the_operator


class Command(check.Command):
    def handle(self, *app_labels, **options):
        with for_the_operator():
            return super().handle(*app_labels, **options)
